// Kibana data views for events and alerts, as NDJSON for the saved objects import API
// (POST /api/saved_objects/_import, or Stack Management > Saved objects > Import).
// The events view names both variants' targets, so one file fits every cluster; fixed ids make a
// re-import overwrite (with overwrite=true) instead of duplicating.
import { names, type Variant } from './templates';

export interface DataViewOptions {
  /** One namespace (its setup variant decides the events target), or all namespaces (default). */
  namespace?: string;
  variant?: Variant;
}

interface SavedObject {
  id: string;
  type: 'index-pattern';
  attributes: { title: string; name: string; timeFieldName: string };
  references: [];
  /** The oldest index-pattern migration Kibana 8 and 9 both accept; Kibana migrates it forward. */
  typeMigrationVersion: '8.0.0';
}

function titles(ns: string | undefined, variant: Variant): { events: string; alerts: string } {
  // Exact names, not `<ns>*`: a wildcard would also match namespace `<ns>_eu`.
  if (ns) return { events: names('events', ns, variant).readName, alerts: names('alerts', ns, variant).readName };
  // Wildcards match the write aliases and their indices; Elasticsearch searches each index once.
  return { events: 'auditsight-events-*,logs-auditsight.events-*', alerts: '.auditsight-alerts-*' };
}

export function dataViews(opts: DataViewOptions = {}): SavedObject[] {
  const t = titles(opts.namespace, opts.variant ?? 'minimal');
  const suffix = opts.namespace ? `-${opts.namespace}` : '';
  const label = opts.namespace ? ` (${opts.namespace})` : '';
  const view = (id: string, title: string, name: string): SavedObject => ({
    id,
    type: 'index-pattern',
    attributes: { title, name, timeFieldName: '@timestamp' },
    references: [],
    typeMigrationVersion: '8.0.0',
  });
  return [
    view(`auditsight-events${suffix}`, t.events, `auditsight events${label}`),
    view(`auditsight-alerts${suffix}`, t.alerts, `auditsight alerts${label}`),
  ];
}

export function dataViewsNdjson(opts: DataViewOptions = {}): string {
  return dataViews(opts).map((o) => JSON.stringify(o)).join('\n') + '\n';
}
