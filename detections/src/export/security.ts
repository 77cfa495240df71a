// Export to Elastic Security's detection rules (NDJSON for POST /api/detection_engine/rules/_import), so
// the same rules can run inside Kibana. Query and threshold rules map one to one. Sequence rules would need
// EQL, and our step queries are KQL; they are reported as not exported rather than translated badly.
import type { AttackRef, CompiledRule, Rule } from '../rules';

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

export function securityRule(c: CompiledRule): Record<string, unknown> | { skip: string } {
  const r = c.rule;
  if (r.sequence) return { skip: 'sequence rules need EQL; the engine correlates them itself' };
  const out: Record<string, unknown> = {
    rule_id: r.id,
    name: r.name,
    description: r.description,
    severity: r.severity,
    risk_score: r.risk_score,
    type: r.threshold ? 'threshold' : 'query',
    language: r.language === 'kql' ? 'kuery' : 'lucene',
    query: r.query,
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
  if (r.suppression) {
    out.alert_suppression = { group_by: r.suppression.group_by, duration: { value: Math.round(r.suppression.window.ms / 1000), unit: 's' }, missing_fields_strategy: 'suppress' };
  }
  return out;
}

export function exportSecurityRules(rules: CompiledRule[]): SecurityExport {
  const lines: string[] = [];
  const res: SecurityExport = { ndjson: '', exported: [], skipped: [] };
  for (const c of rules) {
    const r = securityRule(c);
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
