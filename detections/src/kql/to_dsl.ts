// KQL AST -> Elasticsearch query DSL, following Kibana's kbn-es-query functions (is, range, exists,
// nested, and, or, not) so a rule selects exactly the events the same query selects in Kibana.
// Scripted fields are the one Kibana branch left out: detection rules run against raw indices.
import {
  KQL_WILDCARD_SYMBOL,
  type FunctionNode,
  type IsNode,
  type KqlNode,
  type RangeNode,
  type ValueNode,
  type WildcardNode,
} from './ast';
import { fullFieldName, getFields, type FieldSpec, type FieldTypeMap } from './fields';

/** An Elasticsearch query DSL object (kept loose: the engine sends it as JSON). */
export type QueryDsl = Record<string, unknown>;

export interface KqlCompileOptions {
  /** Field name -> ES type; decides term vs match, wildcard vs query_string, date ranges, nested paths. */
  fields?: FieldTypeMap;
  /** Kibana's `caseInsensitive`: adds `case_insensitive` to term/wildcard queries on keyword fields. */
  caseInsensitive?: boolean;
  /** Kibana's `dateFormatTZ`: a time_zone for date equality / range queries (an IANA name such as `UTC`). */
  dateFormatTZ?: string;
  /** Kibana's `filtersInMustClause`: `and` children under bool.must (scoring) instead of bool.filter. */
  filtersInMustClause?: boolean;
  /** Kibana's `nestedIgnoreUnmapped`: sets ignore_unmapped on generated nested queries. */
  nestedIgnoreUnmapped?: boolean;
}

interface Context {
  nested?: { path: string };
}

// See https://www.elastic.co/guide/en/elasticsearch/reference/current/query-dsl-query-string-query.html#_reserved_characters
function escapeQueryString(s: string): string {
  return s.replace(/[+\-=&|><!(){}[\]^"~*?:\\/]/g, '\\$&');
}

/** Kibana's wildcard.toQueryStringQuery: reserved characters escaped, wildcard symbols back to `*`. */
export function wildcardToQueryString(node: WildcardNode): string {
  return node.value.split(KQL_WILDCARD_SYMBOL).map(escapeQueryString).join('*');
}

function valueOf(node: ValueNode): unknown {
  return node.type === 'wildcard' ? node.value.split(KQL_WILDCARD_SYMBOL).join('*') : node.value;
}

function isLoneWildcard(node: ValueNode): boolean {
  return node.type === 'wildcard' && node.value === KQL_WILDCARD_SYMBOL;
}

const DATE_TYPES = new Set(['date', 'date_nanos']);
const isEpoch = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v));

/** Fields a query on `name` expands to; unknown names pass through as-is (Kibana does the same). */
function resolveFields(name: string, isWildcard: boolean, options: KqlCompileOptions): FieldSpec[] {
  const found = getFields(name, isWildcard, options.fields);
  return found.length ? found : [{ name, esType: '' }];
}

function nestedWrapper(fieldIsWildcard: boolean, field: FieldSpec, options: KqlCompileOptions, ctx: Context) {
  // Wildcard field names can cover nested and non-nested fields, so Kibana wraps per field.
  return (query: QueryDsl): QueryDsl =>
    !fieldIsWildcard || !field.nestedPath || ctx.nested
      ? query
      : {
          nested: {
            path: field.nestedPath,
            query,
            score_mode: 'none',
            ...(typeof options.nestedIgnoreUnmapped === 'boolean' && { ignore_unmapped: options.nestedIgnoreUnmapped }),
          },
        };
}

const caseInsensitive = (o: KqlCompileOptions) =>
  typeof o.caseInsensitive === 'boolean' ? { case_insensitive: o.caseInsensitive } : {};

function isToDsl(node: IsNode, options: KqlCompileOptions, ctx: Context): QueryDsl {
  const [fieldArg, valueArg] = node.arguments;
  const isExists = isLoneWildcard(valueArg);
  if (isExists && isLoneWildcard(fieldArg)) return { match_all: {} };

  const name = fullFieldName(fieldArg, options.fields, ctx.nested?.path);
  const value = valueOf(valueArg);
  if (name === null) {
    // No field: search all default fields.
    if (valueArg.type === 'wildcard') return { query_string: { query: wildcardToQueryString(valueArg) } };
    return { multi_match: { type: valueArg.isQuoted ? 'phrase' : 'best_fields', query: value, lenient: true } };
  }

  const fieldIsWildcard = fieldArg.type === 'wildcard';
  const queries = resolveFields(name, fieldIsWildcard, options).map((field) => {
    const wrap = nestedWrapper(fieldIsWildcard, field, options, ctx);
    // Kibana: exactly `esTypes === ['keyword']`; other keyword-family types go through match/query_string.
    const isKeyword = field.esType === 'keyword';
    if (isExists) return wrap({ exists: { field: field.name } });
    if (valueArg.type === 'wildcard') {
      const pattern = wildcardToQueryString(valueArg);
      return wrap(
        isKeyword
          ? { wildcard: { [field.name]: { value: pattern, ...caseInsensitive(options) } } }
          : { query_string: { fields: [field.name], query: pattern } },
      );
    }
    if (DATE_TYPES.has(field.esType)) {
      // match queries take no time zone, so an exact date becomes a [value, value] range.
      const tz = options.dateFormatTZ && !isEpoch(value) ? { time_zone: options.dateFormatTZ } : {};
      return wrap({ range: { [field.name]: { gte: value, lte: value, ...tz } } });
    }
    if (isKeyword) return wrap({ term: { [field.name]: { value, ...caseInsensitive(options) } } });
    return wrap({ [valueArg.isQuoted ? 'match_phrase' : 'match']: { [field.name]: value } });
  });
  return { bool: { should: queries, minimum_should_match: 1 } };
}

function rangeToDsl(node: RangeNode, options: KqlCompileOptions, ctx: Context): QueryDsl {
  const [fieldArg, op, valueArg] = node.arguments;
  const name = fullFieldName(fieldArg, options.fields, ctx.nested?.path) ?? '';
  const fieldIsWildcard = fieldArg.type === 'wildcard';
  const value = valueOf(valueArg);
  const queries = resolveFields(name, fieldIsWildcard, options).map((field) => {
    const wrap = nestedWrapper(fieldIsWildcard, field, options, ctx);
    const tz =
      DATE_TYPES.has(field.esType) && options.dateFormatTZ && !isEpoch(value) ? { time_zone: options.dateFormatTZ } : {};
    return wrap({ range: { [field.name]: { [op]: value, ...tz } } });
  });
  return { bool: { should: queries, minimum_should_match: 1 } };
}

function toDsl(node: KqlNode, options: KqlCompileOptions, ctx: Context): QueryDsl {
  if (!node || node.type !== 'function') return toDsl({ type: 'function', function: 'and', arguments: [] }, options, ctx);
  const fn = node as FunctionNode;
  switch (fn.function) {
    case 'is':
      return isToDsl(fn, options, ctx);
    case 'range':
      return rangeToDsl(fn, options, ctx);
    case 'exists': {
      const raw = String(fn.arguments[0].value);
      return { exists: { field: ctx.nested ? `${ctx.nested.path}.${raw}` : raw } };
    }
    case 'nested': {
      const [pathArg, child] = fn.arguments;
      const path = String(valueOf(pathArg));
      const fullPath = ctx.nested ? `${ctx.nested.path}.${path}` : path;
      return {
        nested: {
          path: fullPath,
          query: toDsl(child, options, { ...ctx, nested: { path: fullPath } }),
          score_mode: 'none',
          ...(typeof options.nestedIgnoreUnmapped === 'boolean' && { ignore_unmapped: options.nestedIgnoreUnmapped }),
        },
      };
    }
    case 'and':
      return { bool: { [options.filtersInMustClause ? 'must' : 'filter']: fn.arguments.map((c) => toDsl(c, options, ctx)) } };
    case 'or':
      return { bool: { should: fn.arguments.map((c) => toDsl(c, options, ctx)), minimum_should_match: 1 } };
    case 'not':
      return { bool: { must_not: toDsl(fn.arguments[0], options, ctx) } };
  }
}

/** Kibana's toElasticsearchQuery for one AST. `nestedPath` is the enclosing nested group, if any. */
export function toElasticsearchQuery(node: KqlNode, options: KqlCompileOptions = {}, nestedPath?: string): QueryDsl {
  return toDsl(node, options, nestedPath ? { nested: { path: nestedPath } } : {});
}
