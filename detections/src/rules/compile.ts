// Rule -> CompiledRule: compiles each query (KQL or Lucene) to query DSL and the notification template
// with handlebars, reporting every failure at its position inside the YAML file.
import Handlebars from 'handlebars';
import { compileTemplate as compileNotification, TEMPLATE_HELPERS } from '../notify/render';
import type { Node } from 'yaml';
import {
  fieldReferences,
  fromKueryExpression,
  KqlCompileError,
  KqlSyntaxError,
  toElasticsearchQuery,
  type FieldTypeMap,
  type KqlCompileOptions,
  type QueryDsl,
} from '../kql';
import { compileLucene, LuceneSyntaxError } from '../lucene';
import { DYNAMIC_FIELD_PREFIXES } from './fields';
import type { CompiledRule } from './schema';
import type { QuerySite, ReadResult } from './validate';
import { closest, type YamlSource } from './yaml_source';

export interface CompileOptions extends Omit<KqlCompileOptions, 'fields'> {
  fields: FieldTypeMap;
  /** Handlebars helpers the engine registers beyond the built-ins; other helper names are errors. */
  templateHelpers?: string[];
}

/** The likely intended field when `name` is unknown but within two edits of a known one. */
function typoOf(name: string, fields: FieldTypeMap): string | undefined {
  if (name in fields || name.includes('*') || DYNAMIC_FIELD_PREFIXES.some((p) => name.startsWith(p))) return undefined;
  if (Object.keys(fields).some((f) => f.startsWith(`${name}.`))) return undefined; // an object/nested path
  return closest(name, Object.keys(fields));
}

function compileQuery(src: YamlSource, site: QuerySite, options: CompileOptions): QueryDsl | undefined {
  const at = (offset: number) => src.scalarOffset(site.node, site.query, offset);
  if (site.language === 'lucene') {
    try {
      return compileLucene(site.query);
    } catch (err) {
      if (!(err instanceof LuceneSyntaxError)) throw err;
      return src.errorAt(at(err.offset), `${site.path}: invalid Lucene query: ${err.shortMessage}`);
    }
  }
  try {
    const ast = fromKueryExpression(site.query);
    let typos = 0;
    for (const ref of fieldReferences(ast)) {
      const hint = typoOf(ref.name, options.fields);
      if (!hint) continue;
      src.errorAt(at(ref.offset), `${site.path}: unknown field "${ref.name}" (did you mean "${hint}"?)`);
      typos++;
    }
    return typos ? undefined : toElasticsearchQuery(ast, options);
  } catch (err) {
    if (err instanceof KqlSyntaxError) return src.errorAt(at(err.offset), `${site.path}: invalid KQL: ${err.shortMessage}`);
    if (err instanceof KqlCompileError) return src.errorAt(at(err.location?.start ?? 0), `${site.path}: ${err.message}`);
    throw err;
  }
}

// Handlebars reports "Parse error on line N:" (1-based) or a Exception with lineNumber/column.
function templateErrorOffset(template: string, err: Error & { lineNumber?: number; column?: number }): number {
  const line = err.lineNumber ?? Number(/on line (\d+)/.exec(err.message)?.[1] ?? 1);
  const lines = template.split('\n');
  const lineStart = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
  return Math.min(lineStart + (err.column ?? 0), template.length);
}

function compileTemplate(src: YamlSource, node: Node, template: string, options: CompileOptions) {
  try {
    const knownHelpers = Object.fromEntries((options.templateHelpers ?? TEMPLATE_HELPERS).map((h) => [h, true]));
    // precompile runs the whole compiler now and rejects helpers the renderer does not register.
    Handlebars.precompile(template, { knownHelpers, knownHelpersOnly: true, strict: false });
    // The renderer escapes the context per target (Slack, text, HTML), so every channel is safe.
    return compileNotification(template);
  } catch (err) {
    const e = err as Error & { lineNumber?: number; column?: number };
    // Parse errors are "Parse error on line N:", an excerpt, a caret line, then "Expecting ...".
    const lines = e.message.split('\n');
    const message = /^Parse error/.test(lines[0]) && lines.length >= 4 ? `${lines[0]} ${lines[3]}` : lines[0];
    return src.errorAt(src.scalarOffset(node, template, templateErrorOffset(template, e)), `notification: invalid handlebars template: ${message}`);
  }
}

/**
 * Compiles the queries and template of a read rule. Runs even when the schema had errors, so one pass
 * reports those too; returns a CompiledRule only when the whole file is clean.
 */
export function compileRule(src: YamlSource, read: ReadResult, options: CompileOptions): CompiledRule | undefined {
  const compiled = read.querySites.map((site) => compileQuery(src, site, options));
  for (const list of read.fieldLists) {
    list.fields.forEach((field, i) => {
      const hint = typoOf(field, options.fields);
      const item = 'items' in list.node ? (list.node as unknown as { items: Node[] }).items[i] : list.node;
      if (hint) src.errorAt(item, `${list.path}: unknown field "${field}" (did you mean "${hint}"?)`);
    });
  }
  const notification = read.notification && compileTemplate(src, read.notification.node, read.notification.template, options);
  const rule = read.rule;
  if (src.errors.length || !rule) return undefined;
  if (rule.sequence) {
    return {
      rule,
      steps: rule.sequence.steps.map((s, i) => ({ ...(s.name && { name: s.name }), query: compiled[i]! })),
      ...(notification && { notification }),
    };
  }
  return { rule, query: compiled[0]!, ...(notification && { notification }) };
}
