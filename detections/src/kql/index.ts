// KQL -> Elasticsearch query DSL with Kibana's semantics. See ast.ts (parsing) and to_dsl.ts (compiling).
import { fromKueryExpression, KqlSyntaxError, type FunctionNode, type ParseOptions } from './ast';
import { KqlCompileError } from './fields';
import { toElasticsearchQuery, type KqlCompileOptions, type QueryDsl } from './to_dsl';

export * from './ast';
export { getFields, fullFieldName, KqlCompileError, type FieldTypeMap, type FieldSpec } from './fields';
export { toElasticsearchQuery, wildcardToQueryString, type KqlCompileOptions, type QueryDsl } from './to_dsl';

export type KqlOptions = KqlCompileOptions & ParseOptions;

/** Parses and compiles a KQL query. Throws KqlSyntaxError (bad syntax) or KqlCompileError (e.g. nested misuse). */
export function compileKql(query: string, options: KqlOptions = {}): QueryDsl {
  return toElasticsearchQuery(fromKueryExpression(query, options), options);
}

/** Parses and compiles, returning the AST too (the engine may want it, e.g. to list referenced fields). */
export function parseAndCompileKql(query: string, options: KqlOptions = {}): { ast: FunctionNode; dsl: QueryDsl } {
  const ast = fromKueryExpression(query, options);
  return { ast, dsl: toElasticsearchQuery(ast, options) };
}

/** Where in the query an error from compileKql points: a 0-based offset, or undefined if unknown. */
export function kqlErrorOffset(err: unknown): number | undefined {
  if (err instanceof KqlSyntaxError) return err.offset;
  if (err instanceof KqlCompileError) return err.location?.start;
  return undefined;
}

/** Field names a query references, with the offset of each name in the query (free text excluded). */
export function fieldReferences(node: FunctionNode): { name: string; offset: number }[] {
  const refs: { name: string; offset: number }[] = [];
  const walk = (n: FunctionNode, prefix: string) => {
    if (n.function === 'is' || n.function === 'range' || n.function === 'exists') {
      const f = n.arguments[0];
      if (f.value !== null && f.type === 'literal') refs.push({ name: prefix + String(f.value), offset: f.location?.start ?? 0 });
    } else if (n.function === 'nested') {
      walk(n.arguments[1], `${prefix}${String(n.arguments[0].value)}.`);
    } else {
      for (const c of n.arguments) walk(c, prefix);
    }
  };
  walk(node, '');
  return refs;
}

/** The distinct field names a query references. */
export function referencedFields(node: FunctionNode): string[] {
  return [...new Set(fieldReferences(node).map((r) => r.name))];
}
