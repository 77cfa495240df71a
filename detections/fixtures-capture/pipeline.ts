// The real shipper stages composed for fixture replay: parse -> coalesce -> normalize -> enrich.
// Small on purpose; shipper/src/pipeline/ will own the composition once it lands, and this should then
// delegate to it. Deterministic: record-time clock, a fixed host, no /etc/passwd lookups (names come
// from the ENRICHED records themselves, as they would on the origin host).
import type { EcsEvent } from '../../common/ecs/event';
import { parseLine } from '../../shipper/src/parse';
import { Coalescer } from '../../shipper/src/coalesce';
import type { RecordGroup } from '../../shipper/src/coalesce/types';
import { normalize } from '../../shipper/src/normalize';
import { Enricher } from '../../shipper/src/enrich';

export const FIXTURE_HOST = { id: 'auditsight-fixture-host', name: 'fixture-host' };

/** Raw audit lines (one per line, as auditd writes them) to enriched ECS events, in release order. */
export function runPipeline(text: string, enricher = new Enricher({ host: FIXTURE_HOST })): EcsEvent[] {
  const co = new Coalescer({ clock: 'record' });
  const groups: RecordGroup[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const r = parseLine(line);
    if (r.ok) groups.push(...co.push(r.record));
  }
  groups.push(...co.flush());
  return groups.map((g) => enricher.enrich(normalize(g)));
}
