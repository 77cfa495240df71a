// Export to Kibana saved objects (NDJSON for POST /api/saved_objects/_import): one saved search per rule,
// on the events data view, so an analyst can open any rule's query in Discover. The data view itself is
// part of the schema's saved objects (elastic-templates); only its id is referenced here.
import type { CompiledRule } from '../rules';

export interface KibanaExportOptions {
  /** Id of the events data view the searches use (the one elastic-templates exports). */
  dataViewId: string;
}

const COLUMNS = ['host.name', 'user.name', 'user.audit.name', 'event.action', 'process.args', 'file.path', 'destination.ip'];

export function savedSearch(c: CompiledRule, o: KibanaExportOptions): Record<string, unknown> {
  const r = c.rule;
  // A sequence has no single query; its saved search shows the events of every step (`or`), in time order.
  const query = r.sequence ? r.sequence.steps.map((s) => `(${s.query})`).join(' or ') : r.query ?? '';
  const language = (r.sequence ? r.sequence.steps[0].language : r.language) === 'kql' ? 'kuery' : 'lucene';
  const searchSource = {
    query: { query, language },
    filter: [],
    indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index',
  };
  return {
    type: 'search',
    id: `auditsight-rule-${r.id}`,
    attributes: {
      title: `auditsight: ${r.name}`,
      description: `${r.description}\n\nRule ${r.id} (${r.severity}), ${r.threat.map((t) => t.technique?.id ?? t.tactic.id).join(', ')}`,
      columns: COLUMNS,
      sort: [['@timestamp', 'desc']],
      kibanaSavedObjectMeta: { searchSourceJSON: JSON.stringify(searchSource) },
    },
    references: [{ name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern', id: o.dataViewId }],
  };
}

export function exportSavedSearches(rules: CompiledRule[], o: KibanaExportOptions): string {
  return rules.map((c) => JSON.stringify(savedSearch(c, o))).join('\n') + (rules.length ? '\n' : '');
}
