// The alert document the detection engine writes to `.auditsight-alerts-<namespace>`. ECS-shaped (event.kind
// "alert", rule.*, threat.*) so Kibana and ECS tooling read it without help, with the triggering event's
// entities copied in (host, process, user, ...) and our own bookkeeping under auditsight.alert.*.
// fields.ts defines a mapping for every leaf of this type (checked by fields.test.ts).
import type { EcsEvent } from '../../common/ecs/event';

export interface ThreatRef {
  id?: string[];
  name?: string[];
  reference?: string[];
}

export interface AuditsightAlertMeta {
  /** The rule's id in our rule files (also in rule.id; kept here so our queries never depend on ECS rule.*). */
  rule_id: string;
  rule_version?: string;
  /** `_id`s of the event documents that made the rule fire (all of them for sequences/thresholds). */
  source_event_ids: string[];
  /** Indices those events were read from (a write alias rolls over, so the alias alone is not enough). */
  source_index?: string[];
  /** The event-time window the rule looked at. */
  window?: { start: string; end: string };
  /** Alerts with the same key inside the suppression period are counted here instead of written. */
  suppression_key?: string;
  suppressed_count?: number;
  /** open | acknowledged | closed: the only field analysts update. */
  status?: 'open' | 'acknowledged' | 'closed';
  updated?: string;
}

/**
 * A rule's health, as the engine last saw it: one document per rule (`_id` rule-health-<rule id>, with
 * event.kind "state") in the alerts index, overwritten after every run, so "is this rule running, and did
 * it miss time?" is a query away in Kibana or the console.
 */
export interface RuleHealthMeta {
  runs: number;
  errors: number;
  alerts: number;
  duplicates: number;
  suppressed: number;
  truncated_runs: number;
  /** Milliseconds of event time no window covered (the engine was down longer than its catch-up limit). */
  gap_ms: number;
  last_run?: string;
  last_duration_ms?: number;
  last_error?: string;
  covered_until?: string;
}

export type AlertDocument = Omit<EcsEvent, 'event'> & {
  event: EcsEvent['event'] & {
    kind: 'alert';
    severity?: number;
    risk_score?: number;
    reason?: string;
    created?: string;
  };
  message?: string;
  rule: {
    id: string;
    uuid?: string;
    name: string;
    description?: string;
    version?: string;
    category?: string;
    ruleset?: string;
    reference?: string;
    author?: string[];
    license?: string;
  };
  threat?: {
    framework?: string;
    tactic?: ThreatRef;
    technique?: ThreatRef & { subtechnique?: ThreatRef };
  };
  auditsight: { alert: AuditsightAlertMeta; rule_health?: RuleHealthMeta };
};
