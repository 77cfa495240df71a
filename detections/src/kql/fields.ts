// Field lookup for the KQL compiler: the stand-in for Kibana's data view.
//
// Kibana decides the DSL per field from the data view (keyword -> term/wildcard, date -> range, nested
// paths -> nested queries). We take the same facts as a plain map of field name -> Elasticsearch type,
// i.e. what `_field_caps` or a mapping returns. Object entries of type `nested` declare nested paths:
// `{ 'auditd.paths': 'nested', 'auditd.paths.name': 'keyword' }` makes `auditd.paths.name` a field of the
// nested path `auditd.paths`, like Kibana's `subType.nested.path`.
import { KQL_WILDCARD_SYMBOL, type ValueNode } from './ast';

/** Field name -> Elasticsearch mapping type (keyword, text, match_only_text, wildcard, ip, long, date, nested, ...). */
export type FieldTypeMap = Readonly<Record<string, string>>;

export interface FieldSpec {
  name: string;
  /** The Elasticsearch type ('' when the field is not in the map). */
  esType: string;
  /** The nearest enclosing `nested` path, if any. */
  nestedPath?: string;
}

// Container types are not queryable leaves; Kibana's data views do not list them as fields either.
const CONTAINER_TYPES = new Set(['nested', 'object', 'flattened_object']);

function nestedPathOf(name: string, fields: FieldTypeMap): string | undefined {
  const parts = name.split('.');
  for (let i = parts.length - 1; i > 0; i--) {
    const prefix = parts.slice(0, i).join('.');
    if (fields[prefix] === 'nested') return prefix;
  }
  return undefined;
}

function spec(name: string, fields: FieldTypeMap): FieldSpec {
  return { name, esType: fields[name] ?? '', nestedPath: nestedPathOf(name, fields) };
}

function wildcardRegExp(pattern: string): RegExp {
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${pattern.split(KQL_WILDCARD_SYMBOL).map(esc).join('[\\s\\S]*')}$`);
}

/** Kibana's getFields: the map's fields a (possibly wildcard) field-name node refers to. */
export function getFields(fieldName: string, isWildcard: boolean, fields?: FieldTypeMap): FieldSpec[] {
  if (!fields) return [];
  if (!isWildcard) return fieldName in fields && !CONTAINER_TYPES.has(fields[fieldName]) ? [spec(fieldName, fields)] : [];
  const re = wildcardRegExp(fieldName);
  return Object.keys(fields)
    .filter((name) => !CONTAINER_TYPES.has(fields[name]) && re.test(name))
    .map((name) => spec(name, fields));
}

/** A compile-time error about one node of the query (the caller maps `location` into the rule file). */
export class KqlCompileError extends Error {
  constructor(
    message: string,
    readonly location?: { start: number; end: number },
  ) {
    super(message);
    this.name = 'KqlCompileError';
  }
}

/**
 * Kibana's getFullFieldNameNode: prefixes the nested path and checks that nested fields are queried
 * inside the right `path:{ ... }` group (ES silently matches nothing otherwise, a rule that never fires).
 */
export function fullFieldName(node: ValueNode, fields: FieldTypeMap | undefined, nestedPath?: string): string | null {
  if (node.value === null) return null;
  const raw = String(node.value);
  const name = nestedPath ? `${nestedPath}.${raw}` : raw;
  const isWildcard = node.type === 'wildcard';
  // Wildcard names may span nested and non-nested fields; queries get wrapped per field instead.
  if (!fields || (isWildcard && !nestedPath)) return name;
  const errors: string[] = [];
  for (const field of getFields(name, isWildcard, fields)) {
    if (nestedPath && !field.nestedPath) {
      errors.push(`${field.name} is not a nested field but is in nested group "${nestedPath}" in the KQL expression.`);
    } else if (field.nestedPath && !nestedPath) {
      errors.push(`${field.name} is a nested field, but is not in a nested group in the KQL expression.`);
    } else if (field.nestedPath !== nestedPath) {
      errors.push(
        `Nested field ${field.name} is being queried with the incorrect nested path. The correct path is ${field.nestedPath}.`,
      );
    }
  }
  if (errors.length) throw new KqlCompileError(errors.join('\n'), node.location);
  return name;
}
