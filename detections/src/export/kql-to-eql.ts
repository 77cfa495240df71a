// KQL -> EQL conditions, so sequence rules (KQL steps) can be exported as Elastic Security EQL rules.
//
// The target is the semantics the engine runs: KQL compiled by detections/src/kql/to_dsl.ts (Kibana's
// rules) against the field-type map. EQL's where-conditions are pushed down to Elasticsearch as the same
// kinds of queries (== -> term, in -> terms, like -> wildcard, regex -> regexp, != null -> exists, not ->
// bool.must_not), so multi-valued fields (process.args) keep KQL's "any value matches" meaning.
//
//   keyword  f:v            -> f == "v"               (term; case-sensitive like `==`)
//            f:(a or b)     -> f in ("a", "b")        (same-field values of one `or` are grouped)
//            f:v*           -> f like "v*"            (wildcard; `like` is case-sensitive. Not `:` or
//                                                      `like~`, which are case-insensitive: KQL on a
//                                                      keyword field is case-sensitive)
//            f:(a* or b*)   -> f like ("a*", "b*")
//            f:a\*b*        -> f regex "a\\*b.*"      (a literal * or ? in a wildcard value: EQL's `like`
//                                                      has no escape for them, Lucene regexp has)
//            f > v          -> f > "v"                (lexicographic, as the range query on keyword)
//  long/...  f:1, f >= 1    -> f == 1, f >= 1         (numbers unquoted; EQL type-checks comparisons)
//  boolean   f:true         -> f == true
//  ip        f:10.0.0.0/8   -> cidrMatch(f, "10.0.0.0/8"); f:1.2.3.4 -> cidrMatch(f, "1.2.3.4/32")
//  any       f:*            -> f != null              (exists)
//            *:* / empty    -> true
//  and / or / not           -> and / or / not (...)   (nested and/or parenthesized)
//
// Everything else throws EqlTranslationError rather than producing a different query: text fields
// (analyzer semantics of match / match_phrase), date fields (date math, formats, time zones), nested
// groups, free-text (field-less) terms, wildcard field names, fields missing from the type map, `null`
// values, non-numeric values on numeric fields, wildcards on non-keyword fields.
//
// There is no EQL in the local minimal Elasticsearch (no x-pack-eql), so the output cannot be checked
// against a server here: the generator follows EqlBase.g4 (strings, identifiers, keywords) and the
// tests pin exact strings.
import { isIP } from 'node:net';
import {
  fromKueryExpression,
  KQL_WILDCARD_SYMBOL,
  toKqlExpression,
  type FunctionNode,
  type IsNode,
  type RangeNode,
  type ValueNode,
  type FieldTypeMap,
} from '../kql';

export class EqlTranslationError extends Error {
  constructor(
    message: string,
    /** The KQL construct that has no faithful EQL form, as KQL text (or a short name). */
    readonly construct: string,
  ) {
    super(message);
    this.name = 'EqlTranslationError';
  }
}

export interface KqlToEqlOptions {
  /** Field name -> Elasticsearch type, as for compiling the rule (AUDITSIGHT_FIELD_TYPES or the live mapping). */
  fields: FieldTypeMap;
}

// ---- EQL lexical pieces (EqlBase.g4) ----

/** Words the EQL lexer reserves; a field-name segment spelled like one must be back-quoted. */
const EQL_KEYWORDS = new Set([
  'and', 'any', 'by', 'false', 'fork', 'in', 'join', 'like', 'maxspan', 'not', 'null', 'of', 'or',
  'regex', 'sample', 'sequence', 'true', 'until', 'where', 'with', 'runs',
]);

/** A field name as an EQL qualifiedName: dotted IDENTIFIER segments, others in backticks (`` doubles). */
export function eqlField(name: string): string {
  return name
    .split('.')
    .map((seg) => (/^[A-Za-z_@][A-Za-z0-9_]*$/.test(seg) && !EQL_KEYWORDS.has(seg.toLowerCase()) ? seg : `\`${seg.replace(/`/g, '``')}\``))
    .join('.');
}

/** A double-quoted EQL string: backslash, quote and control characters escaped (STRING_ESCAPE / \u{..}). */
export function eqlString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\u{${c.toString(16).padStart(2, '0')}}`;
    else out += ch;
  }
  return `${out}"`;
}

// ---- field types ----

const INTEGER_TYPES = new Set(['long', 'integer', 'short', 'byte']);
const FLOAT_TYPES = new Set(['double', 'float', 'half_float', 'scaled_float']);
const STRING_TYPES = new Set(['keyword']);

const LONG_MIN = -(2n ** 63n);
const LONG_MAX = 2n ** 63n - 1n;

function fail(what: string, node: FunctionNode | ValueNode, why: string): never {
  const construct = node.type === 'function' ? toKqlExpression(node) : String(node.value);
  throw new EqlTranslationError(`cannot translate ${what} \`${construct}\` to EQL: ${why}`, construct);
}

function fieldName(node: FunctionNode, field: ValueNode): string {
  if (field.value === null) fail('free-text term', node, 'a search without a field uses the default fields and their analyzers');
  if (field.type === 'wildcard') fail('wildcard field name', node, 'EQL has no field-name patterns');
  return String(field.value);
}

function typeOf(node: FunctionNode, name: string, o: KqlToEqlOptions): string {
  const t = o.fields[name];
  if (t === undefined) fail('query on unmapped field', node, `${name} is not in the field-type map, so its KQL semantics are unknown (and EQL rejects unknown fields)`);
  return t;
}

function numberText(node: FunctionNode, value: ValueNode, esType: string): string {
  const raw = value.value;
  if (typeof raw !== 'string') fail('numeric comparison', node, `${String(raw)} is not a number`);
  const s = raw.trim();
  if (INTEGER_TYPES.has(esType)) {
    if (!/^[+-]?\d+$/.test(s)) fail('numeric comparison', node, `"${raw}" is not an integer (the field is ${esType})`);
    const n = BigInt(s);
    if (n < LONG_MIN || n > LONG_MAX) fail('numeric comparison', node, `${raw} is out of the long range`);
    return n.toString();
  }
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) fail('numeric comparison', node, `"${raw}" is not a number (the field is ${esType})`);
  const n = Number(s);
  if (!Number.isFinite(n)) fail('numeric comparison', node, `${raw} is not a finite number`);
  return String(n);
}

/** A literal value as an EQL constant for a field of `esType` (equality or range). */
function constant(node: FunctionNode, value: ValueNode, esType: string): string {
  if (value.value === null) fail('null value', node, 'KQL sends `null` as a term value, which Elasticsearch rejects');
  if (STRING_TYPES.has(esType)) return eqlString(String(value.value));
  if (INTEGER_TYPES.has(esType) || FLOAT_TYPES.has(esType)) return numberText(node, value, esType);
  if (esType === 'boolean') {
    const v = String(value.value);
    if (v !== 'true' && v !== 'false') fail('boolean comparison', node, `"${v}" is not true or false`);
    return v;
  }
  return unsupportedType(node, esType);
}

function unsupportedType(node: FunctionNode, esType: string): never {
  if (esType === 'text' || esType === 'match_only_text')
    fail('query on a text field', node, "KQL runs match / match_phrase there (the field's analyzer); EQL compares whole values");
  if (esType === 'date' || esType === 'date_nanos')
    fail('query on a date field', node, 'KQL date values are date math with formats and time zones; not translated');
  fail('query on a field of type ' + esType, node, 'no EQL comparison with the same semantics');
}

// ---- value predicates: `field:value` ----

type Pred =
  | { kind: 'in'; field: string; values: string[] } // keyword/number/boolean equality, groupable
  | { kind: 'like'; field: string; values: string[] } // keyword wildcard, groupable
  | { kind: 'expr'; text: string; prec: 'atom' | 'and' | 'or' };

function cidr(node: FunctionNode, value: ValueNode): string {
  const v = String(value.value).trim();
  const [addr, prefix, ...rest] = v.split('/');
  const family = isIP(addr);
  const max = family === 4 ? 32 : 128;
  if (!family || rest.length || (prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= max)))
    fail('ip comparison', node, `"${v}" is not an IP address or CIDR block`);
  return prefix === undefined ? `${addr}/${max}` : v;
}

const REGEX_RESERVED = /[.?+*|{}[\]()"\\#@&<>~^$-]/g;

function wildcardPred(name: string, value: ValueNode & { type: 'wildcard' }): Pred {
  const parts = value.value.split(KQL_WILDCARD_SYMBOL);
  if (parts.some((p) => /[*?]/.test(p))) {
    // `like` patterns have no escape for * and ?; a Lucene regexp (EQL `regex`, case-sensitive) does.
    const re = parts.map((p) => p.replace(REGEX_RESERVED, '\\$&')).join('.*');
    return { kind: 'expr', text: `${eqlField(name)} regex ${eqlString(re)}`, prec: 'atom' };
  }
  return { kind: 'like', field: name, values: [parts.join('*')] };
}

function isPred(node: IsNode, o: KqlToEqlOptions): Pred {
  const [field, value] = node.arguments;
  const lone = value.type === 'wildcard' && value.value === KQL_WILDCARD_SYMBOL;
  if (lone && field.type === 'wildcard' && field.value === KQL_WILDCARD_SYMBOL) return { kind: 'expr', text: 'true', prec: 'atom' };
  const name = fieldName(node, field);
  const esType = typeOf(node, name, o);
  if (lone) return { kind: 'expr', text: `${eqlField(name)} != null`, prec: 'atom' };
  if (esType === 'ip') {
    if (value.type === 'wildcard') fail('wildcard on an ip field', node, 'KQL runs query_string there');
    return { kind: 'expr', text: `cidrMatch(${eqlField(name)}, ${eqlString(cidr(node, value))})`, prec: 'atom' };
  }
  if (value.type === 'wildcard') {
    if (!STRING_TYPES.has(esType)) {
      if (esType === 'text' || esType === 'match_only_text' || esType === 'date' || esType === 'date_nanos') unsupportedType(node, esType);
      fail(`wildcard on a ${esType} field`, node, 'KQL runs query_string there, not a wildcard query');
    }
    return wildcardPred(name, value);
  }
  return { kind: 'in', field: name, values: [constant(node, value, esType)] };
}

const RANGE_OP = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

function rangePred(node: RangeNode, o: KqlToEqlOptions): Pred {
  const [field, op, value] = node.arguments;
  const name = fieldName(node, field);
  const esType = typeOf(node, name, o);
  if (value.type === 'wildcard') fail('range with a wildcard', node, 'the bound would be taken literally by the range query');
  if (esType === 'boolean' || esType === 'ip') fail(`range on a ${esType} field`, node, 'not translated');
  return { kind: 'expr', text: `${eqlField(name)} ${RANGE_OP[op]} ${constant(node, value, esType)}`, prec: 'atom' };
}

function render(p: Pred): string {
  if (p.kind === 'expr') return p.text;
  const f = eqlField(p.field);
  if (p.kind === 'in') return p.values.length === 1 ? `${f} == ${p.values[0]}` : `${f} in (${p.values.join(', ')})`;
  return p.values.length === 1 ? `${f} like ${eqlString(p.values[0])}` : `${f} like (${p.values.map(eqlString).join(', ')})`;
}

function precOf(p: Pred): 'atom' | 'and' | 'or' {
  return p.kind === 'expr' ? p.prec : 'atom';
}

function toPred(node: FunctionNode, o: KqlToEqlOptions): Pred {
  switch (node.function) {
    case 'is':
      return isPred(node, o);
    case 'range':
      return rangePred(node, o);
    case 'exists': {
      const name = String(node.arguments[0].value);
      typeOf(node, name, o);
      return { kind: 'expr', text: `${eqlField(name)} != null`, prec: 'atom' };
    }
    case 'nested':
      return fail('nested query', node, 'EQL has no nested-document queries');
    case 'not':
      return { kind: 'expr', text: `not (${render(toPred(node.arguments[0], o))})`, prec: 'atom' };
    case 'and':
    case 'or': {
      const op = node.function;
      // Flatten a or (b or c) -> a or b or c; same meaning, fewer parentheses.
      const flat: FunctionNode[] = [];
      const walk = (n: FunctionNode) => (n.type === 'function' && n.function === op ? n.arguments.forEach(walk) : flat.push(n));
      node.arguments.forEach(walk);
      if (flat.length === 0) return { kind: 'expr', text: op === 'and' ? 'true' : 'false', prec: 'atom' };
      const preds: Pred[] = [];
      for (const child of flat) {
        const p = toPred(child, o);
        if (p.kind === 'expr') {
          preds.push(p);
          continue;
        }
        // Under `or`, equality (or wildcard) tests of one field merge into one `in (...)` / `like (...)`.
        const same = op === 'or' ? preds.find((q) => q.kind === p.kind && q.field === p.field) : undefined;
        if (same && same.kind !== 'expr') same.values.push(...p.values);
        else preds.push({ ...p, values: [...p.values] });
      }
      if (preds.length === 1) return preds[0];
      const parts = preds.map((p) => (precOf(p) === 'atom' ? render(p) : `(${render(p)})`));
      return { kind: 'expr', text: parts.join(` ${op} `), prec: op };
    }
  }
}

/** Translates a parsed KQL query (Kibana's AST) into an EQL condition. Throws EqlTranslationError. */
export function kqlAstToEql(ast: FunctionNode, options: KqlToEqlOptions): string {
  return render(toPred(ast, options));
}

/** Parses a KQL query and translates it into an EQL condition. Throws KqlSyntaxError or EqlTranslationError. */
export function kqlToEql(query: string, options: KqlToEqlOptions): string {
  return kqlAstToEql(fromKueryExpression(query), options);
}

// ---- sequence rules ----

export interface SequenceLike {
  id: string;
  sequence: { steps: Array<{ name?: string; query: string; language: string }>; join_on: string[]; max_span: { ms: number } };
}

/**
 * `sequence by <join_on> with maxspan=<N>s [any where <step>] ...` for a sequence rule. `any`: our events
 * are matched by their conditions, not by event.category. Throws EqlTranslationError naming the rule and step.
 */
export function sequenceToEql(rule: SequenceLike, options: KqlToEqlOptions): string {
  const { steps, join_on, max_span } = rule.sequence;
  const terms = steps.map((s, i) => {
    const which = `rule ${rule.id}, step ${i + 1}${s.name ? ` (${s.name})` : ''}`;
    if (s.language !== 'kql') throw new EqlTranslationError(`${which}: a ${s.language} step cannot be translated to EQL (only KQL steps are)`, `language: ${s.language}`);
    try {
      return `[any where ${kqlToEql(s.query, options)}]`;
    } catch (err) {
      if (err instanceof EqlTranslationError) throw new EqlTranslationError(`${which}: ${err.message}`, err.construct);
      throw err;
    }
  });
  if (max_span.ms % 1000 !== 0) throw new EqlTranslationError(`rule ${rule.id}: max_span ${max_span.ms}ms is not whole seconds`, 'max_span');
  const by = join_on.length ? `by ${join_on.map(eqlField).join(', ')} ` : '';
  return `sequence ${by}with maxspan=${max_span.ms / 1000}s ${terms.join(' ')}`;
}
