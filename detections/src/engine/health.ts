// Rule health made visible: one state document per rule in the alerts index (overwritten after each run,
// so the latest state is one query away) and Prometheus gauges for the detect command's /metrics.
import type { Client } from '@elastic/elasticsearch';
import { Gauge, Registry } from 'prom-client';
import type { AlertDocument, RuleHealthMeta } from '../../../elastic-templates/src/alert';
import type { CompiledRule } from '../rules';
import type { RuleHealth } from './engine';

export function healthDocId(ruleId: string): string {
  return `rule-health-${ruleId}`;
}

function meta(h: RuleHealth): RuleHealthMeta {
  return {
    runs: h.runs,
    errors: h.errors,
    alerts: h.alerts,
    duplicates: h.duplicates,
    suppressed: h.suppressed,
    truncated_runs: h.truncatedRuns,
    gap_ms: h.gapMs,
    last_run: h.lastRun,
    last_duration_ms: h.lastDurationMs,
    last_error: h.lastError,
    covered_until: h.coveredUntil,
  };
}

/** A state document: event.kind "state" keeps it out of every alert query (they filter on kind alert). */
export function healthDocument(c: CompiledRule, h: RuleHealth, now: Date): Omit<AlertDocument, 'event' | 'auditsight'> & { event: { kind: 'state'; module: string; dataset: string }; auditsight: { rule_health: RuleHealthMeta } } {
  return {
    '@timestamp': now.toISOString(),
    event: { kind: 'state', module: 'auditsight', dataset: 'auditsight.rule_health' },
    rule: { id: c.rule.id, name: c.rule.name, version: String(c.rule.version), ruleset: 'auditsight' },
    auditsight: { rule_health: meta(h) },
  };
}

export async function writeHealth(client: Client, index: string, c: CompiledRule, h: RuleHealth, now = new Date()): Promise<void> {
  await client.index({ index, id: healthDocId(c.rule.id), document: healthDocument(c, h, now) });
}

/** Gauges labelled by rule; they read the engine's health on every scrape, so they are never stale. */
export function healthMetrics(health: () => RuleHealth[], registry = new Registry()): Registry {
  const gauge = (name: string, help: string, pick: (h: RuleHealth) => number | undefined) =>
    new Gauge({
      name: `auditsight_rule_${name}`,
      help,
      labelNames: ['rule'],
      registers: [registry],
      collect() {
        this.reset();
        for (const h of health()) {
          const v = pick(h);
          if (v !== undefined) this.set({ rule: h.ruleId }, v);
        }
      },
    });
  gauge('runs_total', 'runs of the rule', (h) => h.runs);
  gauge('errors_total', 'failed runs', (h) => h.errors);
  gauge('alerts_total', 'alerts written by this engine', (h) => h.alerts);
  gauge('duplicates_total', 'alerts already written (overlapping windows or another engine)', (h) => h.duplicates);
  gauge('suppressed_total', 'alerts held back by suppression', (h) => h.suppressed);
  gauge('gap_seconds', 'event time no window covered', (h) => h.gapMs / 1000);
  gauge('last_run_timestamp_seconds', 'end of the last run window', (h) => (h.lastRun ? Date.parse(h.lastRun) / 1000 : undefined));
  gauge('last_duration_seconds', 'duration of the last run', (h) => (h.lastDurationMs === undefined ? undefined : h.lastDurationMs / 1000));
  gauge('healthy', '1 when the last run succeeded', (h) => (h.runs === 0 ? undefined : h.lastError ? 0 : 1));
  return registry;
}
