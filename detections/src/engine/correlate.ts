// The engine's own correlation, since the minimal distribution has no EQL: thresholds (count per group)
// and sequences (ordered steps sharing join keys within a span). Pure functions over fetched hits.
import { fieldValues, type Hit } from './alert';

function eventTime(h: Hit): number {
  return Date.parse(h._source['@timestamp']);
}

/** Audit serials break ties between events of the same millisecond, which is common (exec right after clone). */
export function byEventOrder(a: Hit, b: Hit): number {
  return eventTime(a) - eventTime(b) || (a._source.auditd?.sequence ?? 0) - (b._source.auditd?.sequence ?? 0);
}

export interface ThresholdGroup {
  key: string[];
  hits: Hit[];
}

/**
 * Groups with at least `count` events. The alert is tied to the events up to and including the one that
 * crossed the threshold, so an overlapping window that sees the same events yields the same alert id.
 */
export function thresholdGroups(hits: Hit[], groupBy: string[], count: number): ThresholdGroup[] {
  const groups = new Map<string, { key: string[]; hits: Hit[] }>();
  for (const h of [...hits].sort(byEventOrder)) {
    const key = fieldValues(h._source, groupBy);
    if (key.some((k) => k === '') && groupBy.length > 0) continue; // events lacking a group field can't be grouped
    const k = JSON.stringify(key);
    let g = groups.get(k);
    if (!g) groups.set(k, (g = { key, hits: [] }));
    g.hits.push(h);
  }
  return [...groups.values()].filter((g) => g.hits.length >= count).map((g) => ({ key: g.key, hits: g.hits.slice(0, count) }));
}

export interface SequenceMatch {
  key: string[];
  /** One hit per step, in step order. */
  hits: Hit[];
}

/**
 * Finds, per join key, sequences of one event per step in order within maxSpanMs. Greedy and
 * non-overlapping: after a match, the search for the next one starts after its last event.
 */
export function findSequences(stepHits: Hit[][], joinOn: string[], maxSpanMs: number): SequenceMatch[] {
  const perKey = new Map<string, { key: string[]; steps: Hit[][] }>();
  stepHits.forEach((hits, step) => {
    for (const h of hits) {
      const key = fieldValues(h._source, joinOn);
      if (key.some((k) => k === '')) continue;
      const k = JSON.stringify(key);
      let e = perKey.get(k);
      if (!e) perKey.set(k, (e = { key, steps: stepHits.map(() => []) }));
      e.steps[step].push(h);
    }
  });
  const out: SequenceMatch[] = [];
  for (const { key, steps } of perKey.values()) {
    for (const s of steps) s.sort(byEventOrder);
    const pos = steps.map(() => 0);
    for (;;) {
      const first = steps[0][pos[0]];
      if (!first) break;
      const chain: Hit[] = [first];
      let ok = true;
      for (let i = 1; i < steps.length && ok; i++) {
        const prev = chain[i - 1];
        // The same document can match two steps' queries; a step must be a later, different event.
        while (steps[i][pos[i]] && (byEventOrder(steps[i][pos[i]], prev) < 0 || steps[i][pos[i]]._id === prev._id)) pos[i]++;
        const next = steps[i][pos[i]];
        if (!next) ok = false;
        else chain.push(next);
      }
      if (!ok) break;
      if (eventTime(chain[chain.length - 1]) - eventTime(first) <= maxSpanMs) {
        out.push({ key, hits: chain });
        for (let i = 1; i < steps.length; i++) pos[i]++;
      }
      pos[0]++;
    }
  }
  return out;
}
