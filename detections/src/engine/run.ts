// One run of one rule over one window: search the events, correlate (threshold, sequence), build alerts,
// write them with `create` and deterministic ids. Several engines may run the same rule at once: the
// cluster, not the engine, decides which write wins, so no alert is written twice.
import type { Client, estypes } from '@elastic/elasticsearch';
import type { CompiledRule } from '../rules';
import { buildAlert, fieldValues, type Hit } from './alert';
import { byEventOrder, findSequences, thresholdGroups } from './correlate';
import type { AlertDocument } from '../../../elastic-templates/src/alert';

export interface Window {
  /** Inclusive start and exclusive end, on the window field. */
  start: Date;
  end: Date;
}

export interface RunOptions {
  /**
   * The field windows are cut on. `event.ingested` (set when the shipper ships) means an event that arrives
   * late, after a network outage, still falls into a later window instead of being missed.
   */
  windowField?: string;
  /** Cap on events fetched per query per run; when hit, the run says it was truncated. */
  maxEvents?: number;
  now?: () => Date;
}

export interface RunResult {
  ruleId: string;
  window: Window;
  alerts: Array<{ id: string; doc: AlertDocument }>;
  matched: number;
  truncated: boolean;
}

async function search(client: Client, rule: CompiledRule, query: Record<string, unknown>, w: Window, o: RunOptions): Promise<{ hits: Hit[]; truncated: boolean }> {
  const field = o.windowField ?? 'event.ingested';
  const size = o.maxEvents ?? 1000;
  const res = await client.search<Hit['_source']>({
    index: rule.rule.index.join(','),
    ignore_unavailable: true,
    allow_no_indices: true,
    size,
    track_total_hits: size + 1,
    sort: [{ '@timestamp': 'asc' }, { 'auditd.sequence': { order: 'asc', unmapped_type: 'long' } }],
    query: {
      bool: {
        filter: [query, { range: { [field]: { gte: w.start.toISOString(), lt: w.end.toISOString(), format: 'strict_date_optional_time' } } }],
        // Our own alerts are never input (an alerts index matching `*` patterns would otherwise loop).
        must_not: [{ term: { 'event.kind': 'alert' } }],
      },
    } as unknown as estypes.QueryDslQueryContainer,
  });
  const total = typeof res.hits.total === 'number' ? res.hits.total : res.hits.total?.value ?? 0;
  const hits = res.hits.hits.map((h) => ({ _id: h._id!, _index: h._index, _source: h._source! }));
  return { hits, truncated: total > hits.length };
}

function describe(hit: Hit): string {
  const p = hit._source.process;
  const who = hit._source.user?.name ?? hit._source.user?.id ?? 'unknown user';
  const what = p?.args?.join(' ') ?? p?.executable ?? hit._source.file?.path ?? hit._source.event.action ?? 'event';
  return `${what} by ${who} on ${hit._source.host?.name ?? 'unknown host'}`;
}

/**
 * Suppression: alerts with the same group values within one window-sized bucket of event time share one
 * id, so the first is written and the rest fail `create`, in this run or any other engine instance.
 */
function suppression(compiled: CompiledRule, first: Hit): { key: string; bucket: number } | undefined {
  const s = compiled.rule.suppression;
  if (!s) return undefined;
  return { key: JSON.stringify(fieldValues(first._source, s.group_by)), bucket: Math.floor(Date.parse(first._source['@timestamp']) / s.window.ms) };
}

export async function runRule(client: Client, compiled: CompiledRule, w: Window, o: RunOptions = {}): Promise<RunResult> {
  const { rule } = compiled;
  const now = (o.now ?? (() => new Date()))();
  const win = { start: w.start.toISOString(), end: w.end.toISOString() };
  const out: RunResult = { ruleId: rule.id, window: w, alerts: [], matched: 0, truncated: false };

  if (rule.sequence && compiled.steps) {
    const stepHits: Hit[][] = [];
    for (const step of compiled.steps) {
      const r = await search(client, compiled, step.query, w, o);
      stepHits.push(r.hits);
      out.truncated ||= r.truncated;
      out.matched += r.hits.length;
    }
    for (const m of findSequences(stepHits, rule.sequence.join_on, rule.sequence.max_span.ms)) {
      const reason = `sequence of ${m.hits.length} steps: ${m.hits.map(describe).join(' -> ')}`;
      out.alerts.push(buildAlert({ compiled, hits: m.hits, window: win, now, reason, suppression: suppression(compiled, m.hits[0]) }));
    }
    return out;
  }

  const r = await search(client, compiled, compiled.query ?? { match_all: {} }, w, o);
  out.truncated = r.truncated;
  out.matched = r.hits.length;
  if (rule.threshold) {
    for (const g of thresholdGroups(r.hits, rule.threshold.group_by, rule.threshold.count)) {
      const reason = `${g.hits.length}+ events for ${rule.threshold.group_by.map((f, i) => `${f}=${g.key[i]}`).join(', ') || 'all'}`;
      out.alerts.push(buildAlert({ compiled, hits: g.hits, window: win, now, reason, suppression: suppression(compiled, g.hits[0]) }));
    }
  } else {
    for (const h of [...r.hits].sort(byEventOrder)) out.alerts.push(buildAlert({ compiled, hits: [h], window: win, now, reason: describe(h), suppression: suppression(compiled, h) }));
  }
  return out;
}

export interface WriteResult {
  written: number;
  /** Already present: written by an earlier overlapping window or another engine instance. */
  duplicates: number;
  /** Held back by the rule's suppression (same key and bucket as an alert already written). */
  suppressed: number;
  errors: string[];
  /** Ids this write created: only these are notified, so a duplicate never notifies twice. */
  createdIds: Set<string>;
}

export async function writeAlerts(client: Client, index: string, r: RunResult, suppressed: boolean, refresh: boolean | 'wait_for' = false): Promise<WriteResult> {
  const res: WriteResult = { written: 0, duplicates: 0, suppressed: 0, errors: [], createdIds: new Set() };
  if (r.alerts.length === 0) return res;
  const seen = new Set<string>();
  const ops: unknown[] = [];
  for (const a of r.alerts) {
    if (seen.has(a.id)) {
      if (suppressed) res.suppressed++;
      else res.duplicates++;
      continue;
    }
    seen.add(a.id);
    ops.push({ create: { _index: index, _id: a.id } }, a.doc);
  }
  const bulk = await client.bulk({ operations: ops, refresh });
  for (const item of bulk.items) {
    const c = item.create!;
    if (c.status === 201) {
      res.written++;
      res.createdIds.add(c._id!);
    }
    // With suppression an existing id may be this very alert or a held-back one; both are not new.
    else if (c.status === 409) suppressed ? res.suppressed++ : res.duplicates++;
    else res.errors.push(`${c._id}: ${c.error?.type}: ${c.error?.reason}`);
  }
  return res;
}
