// Field definitions -> component templates, index templates and write targets, for one namespace and one
// variant. Pure functions: setup.ts decides what to send, tests can inspect bodies without a cluster.
//
//   full:    events go to the data stream logs-auditsight.events-<ns>; ECS types as ECS has them
//            (wildcard, match_only_text, constant_keyword).
//   minimal: for clusters without those mapper plugins or data streams (e.g. the integ-test-zip): the
//            same field names as keyword/text, a plain index auditsight-events-<ns>-000001 behind the
//            write alias auditsight-events-<ns>, rolled over with _rollover (see rollover.ts).
// Alerts are an alias + index in both variants: analysts update alert status, data streams forbid updates.
import { createHash } from 'node:crypto';
import { fieldDefs, SCHEMA_VERSION, type DocKind, type FieldDef } from './fields';
import { names, type Names, type Variant } from './names';

export { names, validateNamespace, type Names, type Variant, type WriteTarget } from './names';

export interface BuildOptions {
  variant: Variant;
  /** Does the cluster have the `flattened` type? Without it auditd.paths becomes an object of keywords. */
  flattened: boolean;
}

export const MANAGED_BY = 'auditsight';
/** Above the stack's built-in `logs-*-*` template (priority 100), which our data stream name also matches. */
export const TEMPLATE_PRIORITY = 200;
/** Lucene's term limit is 32766 bytes; 8191 4-byte characters fit. Used where ECS wants `wildcard`. */
const LONG_KEYWORD_IGNORE_ABOVE = 8191;

/** The Elasticsearch type a definition gets in a variant (what `_field_caps` will report). */
export function esType(def: FieldDef, opts: BuildOptions): string {
  if (opts.variant === 'full') return def.type === 'flattened' && !opts.flattened ? 'object' : def.type;
  switch (def.type) {
    case 'wildcard':
    case 'constant_keyword':
      return 'keyword';
    case 'match_only_text':
      return 'text';
    case 'flattened':
      return opts.flattened ? 'flattened' : 'object';
    default:
      return def.type;
  }
}

type Prop = Record<string, unknown>;

function leafProperty(def: FieldDef, opts: BuildOptions): Prop {
  const type = esType(def, opts);
  const p: Prop = { type };
  if (type === 'keyword') {
    const above = def.type === 'wildcard' ? LONG_KEYWORD_IGNORE_ABOVE : def.ignore_above;
    if (above) p.ignore_above = above;
  }
  if (type === 'flattened' && def.ignore_above) p.ignore_above = def.ignore_above;
  if (def.index === false) p.index = false;
  if (def.doc_values === false) p.doc_values = false;
  if (def.textMultiField) p.fields = { text: { type: opts.variant === 'full' ? def.textMultiField : 'text' } };
  // A document without a usable time is useless for every query we run; reject it rather than hide it.
  if (def.name === '@timestamp') p.ignore_malformed = false;
  return p;
}

function containerProperty(def: FieldDef): Prop {
  const p: Prop = { type: 'object' };
  if (def.dynamic === false) p.dynamic = false;
  if (def.subobjects === false) p.subobjects = false;
  return p;
}

/** Flat dotted definitions -> the nested `properties` tree of a mapping. */
export function buildProperties(defs: readonly FieldDef[], opts: BuildOptions, extra: Record<string, Prop> = {}): Record<string, Prop> {
  const root: Record<string, Prop> = {};
  const containers = new Map<string, Prop>();
  const expanded: { name: string; prop: Prop; container?: boolean }[] = [];
  for (const d of defs) {
    if (d.type === 'object') expanded.push({ name: d.name, prop: containerProperty(d), container: true });
    else if (d.type === 'flattened' && !opts.flattened) {
      expanded.push({ name: d.name, prop: { type: 'object', dynamic: false }, container: true });
      for (const k of d.fallbackKeys ?? []) expanded.push({ name: `${d.name}.${k}`, prop: { type: 'keyword', ignore_above: 1024 } });
    } else expanded.push({ name: d.name, prop: { ...leafProperty(d, opts), ...extra[d.name] } });
  }
  // Containers first, so their children land inside them (as dotted leaves when subobjects is false).
  expanded.sort((a, b) => Number(!!b.container) - Number(!!a.container) || a.name.split('.').length - b.name.split('.').length);
  for (const { name, prop, container } of expanded) {
    const parts = name.split('.');
    let props = root;
    let i = 0;
    for (; i < parts.length - 1; i++) {
      const path = parts.slice(0, i + 1).join('.');
      const known = containers.get(path);
      if (known?.subobjects === false) {
        props = (known.properties ??= {}) as Record<string, Prop>;
        i++;
        break;
      }
      const next = (props[parts[i]] ??= known ?? { properties: {} }) as Prop;
      props = (next.properties ??= {}) as Record<string, Prop>;
    }
    const key = parts.slice(i).join('.');
    if (container) {
      props[key] = { ...props[key], ...prop };
      containers.set(name, props[key]);
    } else {
      props[key] = prop;
    }
  }
  return root;
}

export interface TemplateMeta {
  managed_by: typeof MANAGED_BY;
  version: number;
  variant: Variant;
  namespace: string;
  /** sha256 of the body without _meta.hash: equal hash = nothing to do (templates.test.ts, setup.ts). */
  hash: string;
}

function stable(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stable).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stable((v as Prop)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
export const hashOf = (body: unknown): string => createHash('sha256').update(stable(body)).digest('hex').slice(0, 16);

function withMeta<T extends Prop>(body: T, meta: Omit<TemplateMeta, 'hash'>): T & { _meta: TemplateMeta } {
  return { ...body, _meta: { ...meta, hash: hashOf({ ...body, _meta: meta }) } };
}

export interface TemplateSet {
  kind: DocKind;
  names: Names;
  componentTemplates: { name: string; body: Prop & { _meta: TemplateMeta } }[];
  indexTemplate: { name: string; body: Prop & { _meta: TemplateMeta } };
  /** The mapping the current write index must end up with (its _meta carries version and hash). */
  mappings: Prop & { _meta: TemplateMeta };
}

/** Tests build older schemas (fewer fields, other types, lower version) through `past`. */
export interface PastSchema {
  version: number;
  defs: (current: readonly FieldDef[]) => FieldDef[];
}

export function buildTemplateSet(kind: DocKind, namespace: string, opts: BuildOptions, past?: PastSchema): TemplateSet {
  const n = names(kind, namespace, opts.variant);
  const version = past?.version ?? SCHEMA_VERSION;
  const meta = { managed_by: MANAGED_BY, version, variant: opts.variant, namespace } as const;
  const all = past ? past.defs(fieldDefs(kind)) : fieldDefs(kind);
  const defs = all.filter((d) => !d.templateOnly || opts.variant === 'full');
  // constant_keyword values are per data stream, so they live here rather than in a shared definition.
  const constants: Record<string, Prop> =
    kind === 'events' && opts.variant === 'full'
      ? { 'data_stream.type': { value: 'logs' }, 'data_stream.dataset': { value: 'auditsight.events' }, 'data_stream.namespace': { value: namespace } }
      : {};
  // Unknown top-level fields are kept in _source, not indexed: a forensic record is never rejected for
  // carrying a field we did not plan for, and nothing outside these definitions can grow the mapping.
  const mappingsBody = { dynamic: false, date_detection: false, properties: buildProperties(defs, opts, constants) };
  const mappings = withMeta(mappingsBody, meta);
  const settings = {
    index: {
      // Belt and braces behind dynamic:false; well above our ~1,300 mapped fields incl. multi-fields.
      mapping: { total_fields: { limit: 4000 }, ignore_malformed: true },
      // One replica where there is a second node; a single-node lab cluster stays green.
      auto_expand_replicas: '0-1',
      codec: 'best_compression',
    },
  };
  const mappingsCt = withMeta({ template: { mappings } }, meta);
  const settingsCt = withMeta({ template: { settings } }, meta);
  const indexTemplate = withMeta(
    {
      index_patterns: n.indexPatterns,
      composed_of: [n.componentSettings, n.componentMappings],
      priority: TEMPLATE_PRIORITY,
      version,
      ...(n.target.type === 'data_stream' ? { data_stream: {} } : {}),
    },
    meta,
  );
  return {
    kind,
    names: n,
    componentTemplates: [
      { name: n.componentSettings, body: settingsCt },
      { name: n.componentMappings, body: mappingsCt },
    ],
    indexTemplate: { name: n.indexTemplate, body: indexTemplate },
    mappings,
  };
}

/** name -> Elasticsearch type as the mapping will report it, incl. `.text` multi-fields (for KQL compilers). */
export function fieldTypeMap(kind: DocKind, opts: BuildOptions): Record<string, string> {
  const out: Record<string, string> = {};
  for (const d of fieldDefs(kind)) {
    if (d.templateOnly && opts.variant !== 'full') continue;
    if (d.type === 'flattened' && !opts.flattened) {
      out[d.name] = 'object';
      for (const k of d.fallbackKeys ?? []) out[`${d.name}.${k}`] = 'keyword';
      continue;
    }
    out[d.name] = esType(d, opts);
    if (d.textMultiField) out[`${d.name}.text`] = opts.variant === 'full' ? d.textMultiField : 'text';
  }
  return out;
}
