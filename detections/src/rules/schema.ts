// The rule file schema: one YAML file per rule under detections/rules/<tactic>/<rule>.yml.
// Field names follow Elastic Security's detection rules where one exists (severity, risk_score, threat,
// references, false_positives, index, interval/lookback, threshold), so rules port both ways.
import type { CompiledTemplate } from '../notify/render';
import type { QueryDsl } from '../kql';
import type { Duration } from './duration';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Elastic's default risk score per severity, used when a rule gives none. */
export const DEFAULT_RISK_SCORE: Record<Severity, number> = { low: 21, medium: 47, high: 73, critical: 99 };

export const LANGUAGES = ['kql', 'lucene'] as const;
export type QueryLanguage = (typeof LANGUAGES)[number];

/**
 * Where rules search when they name no index. Must match the events alias/pattern the templates create;
 * callers can override it through LoadOptions.defaultIndex.
 */
export const DEFAULT_RULE_INDEX: readonly string[] = ['auditsight-events*'];

export const DEFAULT_SCHEDULE = { interval: '5m', lookback: '1m' } as const;

/** A MITRE ATT&CK reference: id (TA0002, T1059, T1059.004) and name. */
export interface AttackRef {
  id: string;
  name: string;
  reference?: string;
}

export interface ThreatMapping {
  framework: 'MITRE ATT&CK';
  tactic: AttackRef;
  technique?: AttackRef;
  subtechnique?: AttackRef;
}

export interface Threshold {
  /** Fields whose value combination forms one bucket; empty means all matching events together. */
  group_by: string[];
  /** Alert when a bucket has at least this many events in the lookback window. */
  count: number;
}

export interface SequenceStep {
  name?: string;
  query: string;
  language: QueryLanguage;
}

export interface Sequence {
  steps: SequenceStep[];
  /** Fields whose values must be equal across all steps (e.g. process.entry_leader.entity_id). */
  join_on: string[];
  /** The whole sequence must happen within this span. */
  max_span: Duration;
}

export interface Suppression {
  group_by: string[];
  window: Duration;
}

export interface Rule {
  id: string;
  name: string;
  description: string;
  severity: Severity;
  risk_score: number;
  threat: ThreatMapping[];
  references: string[];
  false_positives: string[];
  /** Absent for sequence rules, whose queries are per step. */
  query?: string;
  language: QueryLanguage;
  index: string[];
  schedule: { interval: Duration; lookback: Duration };
  threshold?: Threshold;
  sequence?: Sequence;
  suppression?: Suppression;
  /** Handlebars template over the alerting event's fields, e.g. `{{process.name}} on {{host.name}}`. */
  notification?: string;
  tags: string[];
  enabled: boolean;
  version: number;
  /** Where the rule came from (for error messages and the UI). */
  source: { file: string };
}

export interface CompiledStep {
  name?: string;
  /** The step's query as Elasticsearch query DSL. */
  query: QueryDsl;
}

export interface CompiledRule {
  rule: Rule;
  /** The rule query as Elasticsearch query DSL (query and threshold rules). */
  query?: QueryDsl;
  /** One DSL query per step (sequence rules). */
  steps?: CompiledStep[];
  /** The compiled notification template; render with templateContext() for a target format. */
  notification?: CompiledTemplate;
}
