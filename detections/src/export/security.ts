// Export to Elastic Security's detection rules (NDJSON for POST /api/detection_engine/rules/_import), so
// the same rules can run inside Kibana. Query and threshold rules map one to one. Sequence rules become EQL
// rules: their KQL steps are translated by kql-to-eql.ts (`sequence by <join_on> with maxspan=..`); a step
// with no faithful EQL form makes the rule reported as skipped, with the reason, never exported altered.
import type { FieldTypeMap } from '../kql';
import { AUDITSIGHT_FIELD_TYPES, type AttackRef, type CompiledRule, type Rule } from '../rules';
import { EqlTranslationError, sequenceToEql } from './kql-to-eql';

const MITRE = 'https://attack.mitre.org';

function ref(a: AttackRef, kind: 'tactics' | 'techniques'): string {
  return a.reference ?? `${MITRE}/${kind}/${a.id.replace('.', '/')}/`;
}

/** Elastic's `from` is date math for the window start: interval plus lookback. */
function from(rule: Rule): string {
  return `now-${Math.round((rule.schedule.interval.ms + rule.schedule.lookback.ms) / 1000)}s`;
}

export interface SecurityExport {
  ndjson: string;
  exported: string[];
  skipped: Array<{ id: string; reason: string }>;
}

export interface SecurityExportOptions {
  /** Field name -> ES type the rules were compiled with; decides the EQL of sequence steps. Default AUDITSIGHT_FIELD_TYPES. */
  fields?: FieldTypeMap;
  /**
   * Keep `alert_suppression` on EQL sequence rules (default true). Elastic Security supports suppression
   * for EQL sequences from 8.18 on (kibana#189725; before, non-sequence EQL only): set false to import
   * into an older Kibana, whose rule schema rejects it.
   */
  sequenceSuppression?: boolean;
}

/** The field the engine breaks same-millisecond ties with (correlate.ts byEventOrder); EQL's tiebreaker_field. */
const TIEBREAKER_FIELD = 'auditd.sequence';

function definition(r: Rule, o: SecurityExportOptions): Record<string, unknown> {
  if (!r.sequence) {
    return { type: r.threshold ? 'threshold' : 'query', language: r.language === 'kql' ? 'kuery' : 'lucene', query: r.query };
  }
  const fields = o.fields ?? AUDITSIGHT_FIELD_TYPES;
  return {
    type: 'eql',
    language: 'eql',
    query: sequenceToEql({ id: r.id, sequence: r.sequence }, { fields }),
    // Same-timestamp events are ordered like the engine orders them (then by _doc, EQL's implicit tiebreaker).
    ...(fields[TIEBREAKER_FIELD] === 'long' && { tiebreaker_field: TIEBREAKER_FIELD }),
  };
}

export function securityRule(c: CompiledRule, o: SecurityExportOptions = {}): Record<string, unknown> | { skip: string } {
  const r = c.rule;
  let def: Record<string, unknown>;
  try {
    def = definition(r, o);
  } catch (err) {
    if (err instanceof EqlTranslationError) return { skip: err.message };
    throw err;
  }
  const out: Record<string, unknown> = {
    rule_id: r.id,
    name: r.name,
    description: r.description,
    severity: r.severity,
    risk_score: r.risk_score,
    ...def,
    index: r.index,
    interval: `${Math.round(r.schedule.interval.ms / 1000)}s`,
    from: from(r),
    enabled: r.enabled,
    version: r.version,
    references: r.references,
    false_positives: r.false_positives,
    tags: ['auditsight', ...r.tags],
    author: ['auditsight'],
    license: 'Apache-2.0',
    max_signals: 100,
    threat: r.threat.map((t) => ({
      framework: 'MITRE ATT&CK',
      tactic: { id: t.tactic.id, name: t.tactic.name, reference: ref(t.tactic, 'tactics') },
      technique: t.technique
        ? [
            {
              id: t.technique.id,
              name: t.technique.name,
              reference: ref(t.technique, 'techniques'),
              subtechnique: t.subtechnique ? [{ id: t.subtechnique.id, name: t.subtechnique.name, reference: ref(t.subtechnique, 'techniques') }] : [],
            },
          ]
        : [],
    })),
  };
  if (r.threshold) out.threshold = { field: r.threshold.group_by, value: r.threshold.count };
  if (r.suppression && (!r.sequence || o.sequenceSuppression !== false)) {
    out.alert_suppression = { group_by: r.suppression.group_by, duration: { value: Math.round(r.suppression.window.ms / 1000), unit: 's' }, missing_fields_strategy: 'suppress' };
  }
  return out;
}

export function exportSecurityRules(rules: CompiledRule[], o: SecurityExportOptions = {}): SecurityExport {
  const lines: string[] = [];
  const res: SecurityExport = { ndjson: '', exported: [], skipped: [] };
  for (const c of rules) {
    const r = securityRule(c, o);
    if ('skip' in r) {
      res.skipped.push({ id: c.rule.id, reason: r.skip as string });
      continue;
    }
    lines.push(JSON.stringify(r));
    res.exported.push(c.rule.id);
  }
  res.ndjson = lines.length ? `${lines.join('\n')}\n` : '';
  return res;
}
