// KQL abstract syntax tree: node types, parsing, Kibana-style syntax errors, programmatic builders.
// Node shapes follow Kibana's kbn-es-query (function / literal / wildcard nodes) so Kibana's own tests
// port over; every parsed node also carries `location` (offsets into the query) for error reporting.
import * as parser from './parser.generated';

/** Replaces `*` in parsed wildcard values, so an escaped `\*` stays a literal star. Same as Kibana's. */
export const KQL_WILDCARD_SYMBOL = '@kuery-wildcard@';

export interface Span {
  start: number;
  end: number;
}

export interface LiteralNode {
  type: 'literal';
  value: string | number | boolean | null;
  isQuoted: boolean;
  location?: Span;
}

export interface WildcardNode {
  type: 'wildcard';
  value: string;
  location?: Span;
}

export type ValueNode = LiteralNode | WildcardNode;
export type RangeOperator = 'gt' | 'gte' | 'lt' | 'lte';

interface FnBase<N extends string, A> {
  type: 'function';
  function: N;
  arguments: A;
  location?: Span;
}
export type IsNode = FnBase<'is', [ValueNode, ValueNode]>;
export type RangeNode = FnBase<'range', [ValueNode, RangeOperator, ValueNode]>;
export type ExistsNode = FnBase<'exists', [LiteralNode]>;
export type NestedNode = FnBase<'nested', [ValueNode, FunctionNode]>;
export type AndNode = FnBase<'and', FunctionNode[]>;
export type OrNode = FnBase<'or', FunctionNode[]>;
export type NotNode = FnBase<'not', [FunctionNode]>;
export type FunctionNode = IsNode | RangeNode | ExistsNode | NestedNode | AndNode | OrNode | NotNode;
export type KqlNode = FunctionNode | ValueNode;

/** 1-based line/column of an offset in `text`. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

// Kibana's KQLSyntaxError renames peggy's rule descriptions; keep the same words so messages match.
const RULE_NAMES: Record<string, string> = {
  fieldName: 'field name',
  value: 'value',
  literal: 'literal',
  whitespace: 'whitespace',
};

/** A KQL syntax error, with Kibana's message format and the 0-based offset / 1-based line:column. */
export class KqlSyntaxError extends Error {
  /** "Expected ... but ... found." without the excerpt lines. */
  readonly shortMessage: string;
  readonly offset: number;
  readonly line: number;
  readonly column: number;

  constructor(shortMessage: string, query: string, offset: number) {
    super([shortMessage, query, '-'.repeat(offset) + '^'].join('\n'));
    this.name = 'KQLSyntaxError';
    this.shortMessage = shortMessage;
    this.offset = offset;
    const pos = positionOf(query, offset);
    this.line = pos.line;
    this.column = pos.column;
  }

  static fromPeggy(err: parser.SyntaxError, query: string): KqlSyntaxError {
    let message = err.message;
    if (err.expected) {
      const items = err.expected.map((e) => {
        const text =
          e.type === 'other' ? e.description! : e.type === 'literal' ? `"${e.text}"` : e.type === 'end' ? 'end of input' : (e.text ?? e.description ?? '');
        return RULE_NAMES[text] ?? text;
      });
      const expected = [...new Set(items)].sort().join(', ');
      message = `Expected ${expected} but ${err.found ? `"${err.found}"` : 'end of input'} found.`;
    }
    return new KqlSyntaxError(message, query, err.location.start.offset);
  }
}

export interface ParseOptions {
  /** Kibana's query:allowLeadingWildcards advanced setting; default true. */
  allowLeadingWildcards?: boolean;
}

function run(query: string, startRule: 'start' | 'Literal', options: ParseOptions): KqlNode {
  try {
    return parser.parse(query, { startRule, allowLeadingWildcards: options.allowLeadingWildcards }) as KqlNode;
  } catch (err) {
    if (err instanceof parser.SyntaxError) throw KqlSyntaxError.fromPeggy(err, query);
    throw err;
  }
}

/** Parses a KQL query (Kibana: fromKueryExpression). Throws KqlSyntaxError. */
export function fromKueryExpression(query: string, options: ParseOptions = {}): FunctionNode {
  return run(query, 'start', options) as FunctionNode;
}

/** Parses one literal (a field name or value), detecting quotes, escapes and wildcards. */
export function fromLiteralExpression(expression: string): ValueNode {
  return run(expression, 'Literal', {}) as ValueNode;
}

// ---- programmatic builders, mirroring Kibana's nodeTypes.*.buildNode so its tests port verbatim ----

export function buildLiteral(value: LiteralNode['value'], isQuoted = false): LiteralNode {
  return { type: 'literal', value, isQuoted };
}

export function buildWildcard(value: string): WildcardNode {
  return { type: 'wildcard', value: value.includes(KQL_WILDCARD_SYMBOL) ? value : value.split('*').join(KQL_WILDCARD_SYMBOL) };
}

function toValueNode(v: unknown): ValueNode {
  return typeof v === 'string' ? stripLocations(fromLiteralExpression(v)) : buildLiteral(v as LiteralNode['value']);
}

/** Kibana's nodeTypes.function.buildNode: strings are parsed as literal expressions (so `"x"` is quoted, `x*` a wildcard). */
export function buildNode(name: 'is', field: string | null, value: unknown): IsNode;
export function buildNode(name: 'range', field: string, op: RangeOperator, value: number | string): RangeNode;
export function buildNode(name: 'exists', field: string): ExistsNode;
export function buildNode(name: 'nested', path: string, child: FunctionNode): NestedNode;
export function buildNode(name: 'and' | 'or', children: FunctionNode[]): AndNode | OrNode;
export function buildNode(name: 'not', child: FunctionNode): NotNode;
export function buildNode(name: FunctionNode['function'], ...args: unknown[]): FunctionNode {
  const fn = <T extends FunctionNode>(a: unknown): T => ({ type: 'function', function: name, arguments: a }) as T;
  switch (name) {
    case 'is':
      return fn([toValueNode(args[0]), toValueNode(args[1])]);
    case 'range':
      // Kibana: the value is a plain literal (never parsed), the field may be a wildcard.
      return fn([toValueNode(args[0] as string), args[1], buildLiteral(args[2] as string | number)]);
    case 'exists':
      return fn([buildLiteral(args[0] as string)]);
    case 'nested':
      return fn([toValueNode(args[0]), args[1]]);
    case 'and':
    case 'or':
      return fn(args[0]);
    case 'not':
      return fn([args[0]]);
  }
}

/** Removes `location` recursively (to compare parsed trees with built ones). */
export function stripLocations<T>(node: T): T {
  if (Array.isArray(node)) return node.map(stripLocations) as T;
  if (node && typeof node === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) if (k !== 'location') out[k] = stripLocations(v);
    return out as T;
  }
  return node;
}

// ---- back to text (Kibana: toKqlExpression), used in messages and to assert tree shapes in tests ----

function escapeQueryString(s: string): string {
  return s.replace(/[+\-=&|><!(){}[\]^"~*?:\\/]/g, '\\$&');
}

function valueToKql(node: ValueNode): string {
  if (node.type === 'wildcard') return node.value.split(KQL_WILDCARD_SYMBOL).map(escapeQueryString).join('*');
  if (node.isQuoted) return `"${String(node.value).replace(/[\\"]/g, '\\$&')}"`;
  return String(node.value).replace(/[\\():<>"*{}]/g, '\\$&');
}

const RANGE_SYMBOL: Record<RangeOperator, string> = { gt: '>', gte: '>=', lt: '<', lte: '<=' };

export function toKqlExpression(node: KqlNode): string {
  if (node.type !== 'function') return valueToKql(node);
  switch (node.function) {
    case 'is': {
      const [field, value] = node.arguments;
      return field.value === null ? valueToKql(value) : `${valueToKql(field)}: ${valueToKql(value)}`;
    }
    case 'range': {
      const [field, op, value] = node.arguments;
      return `${valueToKql(field)} ${RANGE_SYMBOL[op]} ${valueToKql(value)}`;
    }
    case 'exists':
      return `${valueToKql(node.arguments[0])}: *`;
    case 'nested':
      return `${valueToKql(node.arguments[0])}: { ${toKqlExpression(node.arguments[1])} }`;
    case 'and':
    case 'or':
      return `(${node.arguments.map(toKqlExpression).join(node.function === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `NOT ${toKqlExpression(node.arguments[0])}`;
  }
}
