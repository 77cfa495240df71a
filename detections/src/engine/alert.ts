// Building alert documents from a rule and the events that triggered it. Pure: no I/O, so the shape and
// the ids are unit-tested without a cluster.
import { createHash } from 'node:crypto';
import type { EcsEvent } from '../../../common/ecs/event';
import type { AlertDocument } from '../../../elastic-templates/src/alert';
import type { CompiledRule, Severity } from '../rules';

export interface Hit {
  _id: string;
  _index: string;
  _source: EcsEvent;
}

/** ECS event.severity is numeric; Elastic Security uses these values for its four levels. */
const SEVERITY_NUMBER: Record<Severity, number> = { low: 21, medium: 47, high: 73, critical: 99 };

function digest(parts: string[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p).update('\u0000');
  return h.digest('base64url').slice(0, 27);
}

/**
 * An alert's _id comes from the rule and the ids of its triggering events, so overlapping windows, reruns
 * and several engine instances all produce the same id and `create` writes it once.
 */
export function alertId(ruleId: string, eventIds: string[]): string {
  return digest([ruleId, ...[...eventIds].sort()]);
}

/** A field of a document by its dotted name; documents may nest objects, use dotted keys, or both. */
function get(doc: unknown, path: string): unknown {
  if (doc === null || typeof doc !== 'object') return undefined;
  if (Array.isArray(doc)) {
    const vals = doc.map((d) => get(d, path)).filter((v) => v !== undefined).flat();
    return vals.length ? vals : undefined;
  }
  const obj = doc as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(obj, path)) return obj[path];
  for (let i = path.indexOf('.'); i > 0; i = path.indexOf('.', i + 1)) {
    const head = path.slice(0, i);
    if (Object.prototype.hasOwnProperty.call(obj, head)) {
      const v = get(obj[head], path.slice(i + 1));
      if (v !== undefined) return v;
    }
  }
  return undefined;
}

/** Values of `fields` in a document, as strings, for grouping (threshold, sequence, suppression). */
export function fieldValues(doc: unknown, fields: string[]): string[] {
  return fields.map((f) => {
    const v = get(doc, f);
    return v === undefined || v === null ? '' : Array.isArray(v) ? v.map(String).join(',') : String(v);
  });
}

export { get as getField };

export interface AlertInput {
  compiled: CompiledRule;
  /** Triggering events, in time order; the first one supplies host, user, process. */
  hits: Hit[];
  window: { start: string; end: string };
  now: Date;
  reason: string;
  /** For suppressed rules: the key and bucket that replace the event ids in the alert id. */
  suppression?: { key: string; bucket: number };
}

export function buildAlert(a: AlertInput): { id: string; doc: AlertDocument } {
  const { rule } = a.compiled;
  const first = a.hits[0]._source;
  const ids = a.hits.map((h) => h._id);
  const id = a.suppression ? digest([rule.id, 'suppression', a.suppression.key, String(a.suppression.bucket)]) : alertId(rule.id, ids);
  const t = rule.threat[0];
  const doc: AlertDocument = {
    '@timestamp': a.now.toISOString(),
    event: {
      kind: 'alert',
      module: 'auditsight',
      dataset: 'auditsight.alerts',
      category: first.event?.category,
      type: first.event?.type,
      action: first.event?.action,
      severity: SEVERITY_NUMBER[rule.severity],
      risk_score: rule.risk_score,
      reason: a.reason,
      created: a.now.toISOString(),
    },
    message: `${rule.name}: ${a.reason}`,
    rule: {
      id: rule.id,
      name: rule.name,
      description: rule.description,
      version: String(rule.version),
      category: t?.tactic.name,
      ruleset: 'auditsight',
      reference: rule.references[0],
    },
    host: first.host,
    user: first.user,
    process: first.process,
    file: first.file,
    source: first.source,
    destination: first.destination,
    auditd: first.auditd ? { session: first.auditd.session, sequence: first.auditd.sequence } : undefined,
    tags: [...new Set([...(rule.tags ?? []), ...(first.tags ?? [])])],
    auditsight: {
      alert: {
        rule_id: rule.id,
        rule_version: String(rule.version),
        source_event_ids: ids,
        source_index: [...new Set(a.hits.map((h) => h._index))],
        window: a.window,
        suppression_key: a.suppression?.key,
        status: 'open',
      },
    },
  };
  if (t) {
    doc.threat = {
      framework: t.framework,
      tactic: { id: [t.tactic.id], name: [t.tactic.name], reference: t.tactic.reference ? [t.tactic.reference] : undefined },
      technique: t.technique
        ? {
            id: [t.technique.id],
            name: [t.technique.name],
            reference: t.technique.reference ? [t.technique.reference] : undefined,
            subtechnique: t.subtechnique ? { id: [t.subtechnique.id], name: [t.subtechnique.name] } : undefined,
          }
        : undefined,
    };
  }
  return { id, doc };
}

/** Drops undefined leaves so documents stay small and comparisons in tests stay exact. */
export function compact<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}
