// What a namespace's templates, write target and read name are called, for each variant. Apart from
// templates.ts because the shipper needs only these names: templates.ts builds bodies from the field
// definitions, which load all of ECS (@elastic/ecs, ~2 MB of heap) that a shipper never uses.
import type { DocKind } from './schema-version';

export type Variant = 'full' | 'minimal';

/** Namespaces follow the data stream naming rules (no `-`), which also keeps our index patterns disjoint. */
export function validateNamespace(ns: string): void {
  if (!/^[a-z0-9][a-z0-9_]{0,99}$/.test(ns)) {
    throw new Error(`invalid namespace "${ns}": use 1-100 characters a-z, 0-9 and _ (no "-"), not starting with _`);
  }
}

export type WriteTarget =
  | { type: 'data_stream'; name: string }
  | { type: 'alias'; alias: string; firstIndex: string; pattern: string };

export interface Names {
  componentMappings: string;
  componentSettings: string;
  indexTemplate: string;
  indexPatterns: string[];
  target: WriteTarget;
  /** What readers (detection engine, Kibana) query: the alias or the data stream. */
  readName: string;
}

export function names(kind: DocKind, namespace: string, variant: Variant): Names {
  validateNamespace(namespace);
  // Per-namespace component templates: upgrading one namespace never changes another's next index.
  const base = kind === 'events' ? `auditsight-events-${namespace}` : `.auditsight-alerts-${namespace}`;
  const common = { componentMappings: `${base.replace(/^\./, '')}@mappings`, componentSettings: `${base.replace(/^\./, '')}@settings`, indexTemplate: base.replace(/^\./, '') };
  if (kind === 'events' && variant === 'full') {
    const ds = `logs-auditsight.events-${namespace}`;
    return { ...common, indexPatterns: [ds], target: { type: 'data_stream', name: ds }, readName: ds };
  }
  const pattern = `${base}-*`;
  return { ...common, indexPatterns: [pattern], target: { type: 'alias', alias: base, firstIndex: `${base}-000001`, pattern }, readName: base };
}
