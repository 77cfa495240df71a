// The scheduler: each rule runs as a saved search on its own interval over contiguous, overlapping
// windows; alerts are written with deterministic ids and only the run that created an alert notifies,
// so several engine instances neither duplicate alerts nor notifications.
import type { Client } from '@elastic/elasticsearch';
import type { CompiledRule } from '../rules';
import { templateContext, type CompiledTemplate } from '../notify/render';
import type { Channel } from '../notify/channels';
import { runRule, writeAlerts, type RunOptions, type WriteResult } from './run';
import { writeHealth } from './health';

export interface RuleHealth {
  ruleId: string;
  runs: number;
  lastRun?: string;
  lastDurationMs?: number;
  lastError?: string;
  errors: number;
  alerts: number;
  duplicates: number;
  suppressed: number;
  truncatedRuns: number;
  /** Time no window covered, because the engine was down longer than maxCatchUpMs. */
  gapMs: number;
  /** End of the last successful window: the next one starts `lookback` before it. */
  coveredUntil?: string;
}

export interface EngineOptions extends RunOptions {
  client: Client;
  rules: CompiledRule[];
  alertsIndex: string;
  channels?: Channel[];
  /** Run every rule at least this often (e.g. `auditsight up` runs all rules every 2 s). */
  intervalOverrideMs?: number;
  /** After an outage, windows reach back at most this far; the rest is counted as a gap. */
  maxCatchUpMs?: number;
  refresh?: boolean | 'wait_for';
  /** Write rule-health state documents to the alerts index (default true). */
  healthDocuments?: boolean;
  /**
   * At most one health document per rule this often (default 30 s), and at once when the rule starts or
   * stops failing: with 42 rules run every second, a write per run would be 42 index operations a second.
   */
  healthEveryMs?: number;
  onRun?: (health: RuleHealth, written: WriteResult) => void;
  onError?: (ruleId: string, err: Error) => void;
}

export class Engine {
  private readonly health = new Map<string, RuleHealth>();
  private readonly healthWritten = new Map<string, { at: number; failing: boolean }>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private running = new Set<string>();
  private stopped = true;

  constructor(private readonly o: EngineOptions) {
    for (const c of o.rules) {
      this.health.set(c.rule.id, { ruleId: c.rule.id, runs: 0, errors: 0, alerts: 0, duplicates: 0, suppressed: 0, truncatedRuns: 0, gapMs: 0 });
    }
  }

  private now(): Date {
    return (this.o.now ?? (() => new Date()))();
  }

  private healthDue(ruleId: string, h: RuleHealth): boolean {
    const last = this.healthWritten.get(ruleId);
    const failing = h.lastError !== undefined;
    const now = Date.now();
    if (last && last.failing === failing && now - last.at < (this.o.healthEveryMs ?? 30_000)) return false;
    this.healthWritten.set(ruleId, { at: now, failing });
    return true;
  }

  interval(c: CompiledRule): number {
    return Math.min(c.rule.schedule.interval.ms, this.o.intervalOverrideMs ?? Infinity);
  }

  /** One run of one rule; never throws (errors land in the rule's health and onError). */
  async tick(c: CompiledRule): Promise<void> {
    const h = this.health.get(c.rule.id)!;
    if (this.running.has(c.rule.id)) return; // a slow run is not overlapped by the next tick
    this.running.add(c.rule.id);
    const t0 = Date.now();
    const end = this.now();
    const lookback = c.rule.schedule.lookback.ms;
    const maxBack = this.o.maxCatchUpMs ?? 24 * 3600_000;
    let start = h.coveredUntil ? new Date(Date.parse(h.coveredUntil) - lookback) : new Date(end.getTime() - this.interval(c) - lookback);
    if (end.getTime() - start.getTime() > maxBack) {
      h.gapMs += end.getTime() - maxBack - start.getTime();
      start = new Date(end.getTime() - maxBack);
    }
    try {
      const r = await runRule(this.o.client, c, { start, end }, this.o);
      const w = await writeAlerts(this.o.client, this.o.alertsIndex, r, !!c.rule.suppression, this.o.refresh ?? false);
      if (w.errors.length) throw new Error(`alert writes failed: ${w.errors.slice(0, 3).join('; ')}`);
      h.alerts += w.written;
      h.duplicates += w.duplicates;
      h.suppressed += w.suppressed;
      if (r.truncated) h.truncatedRuns++;
      h.coveredUntil = end.toISOString();
      h.lastError = undefined;
      await this.notify(c, r.alerts, w);
      this.o.onRun?.(h, w);
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      h.errors++;
      h.lastError = err.message;
      this.o.onError?.(c.rule.id, err);
    } finally {
      h.runs++;
      h.lastRun = end.toISOString();
      h.lastDurationMs = Date.now() - t0;
      if (this.o.healthDocuments !== false && this.healthDue(c.rule.id, h)) {
        // Health is best effort: a cluster that refuses it has already failed the run, which is counted.
        await writeHealth(this.o.client, this.o.alertsIndex, c, h).catch(() => undefined);
      }
      this.running.delete(c.rule.id);
    }
  }

  private async notify(c: CompiledRule, alerts: Awaited<ReturnType<typeof runRule>>['alerts'], w: WriteResult): Promise<void> {
    const channels = this.o.channels ?? [];
    if (!channels.length || w.written === 0) return;
    const tpl = c.notification;
    const notified = new Set<string>();
    for (const a of alerts) {
      // Alerts merged by suppression share an id: only the one created is notified, and only once.
      if (!w.createdIds.has(a.id) || notified.has(a.id)) continue;
      notified.add(a.id);
      const ctx = templateContext({
        rule: { id: c.rule.id, name: c.rule.name, severity: c.rule.severity, risk_score: c.rule.risk_score },
        alert: { id: a.id, reason: a.doc.event.reason },
        event: a.doc as unknown as Record<string, unknown>,
      });
      const render = tpl ? (t: Parameters<CompiledTemplate>[1]) => tpl(ctx, t) : () => a.doc.message ?? c.rule.name;
      await Promise.all(channels.map((ch) => ch.send({ ruleId: c.rule.id, ruleName: c.rule.name, alertId: a.id, severity: c.rule.severity, render })));
    }
  }

  start(): void {
    this.stopped = false;
    for (const c of this.o.rules.filter((r) => r.rule.enabled)) {
      const loop = async () => {
        if (this.stopped) return;
        await this.tick(c);
        if (!this.stopped) this.timers.set(c.rule.id, setTimeout(loop, this.interval(c)));
      };
      void loop();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    while (this.running.size) await new Promise((r) => setTimeout(r, 20));
  }

  ruleHealth(): RuleHealth[] {
    return [...this.health.values()].map((h) => ({ ...h }));
  }
}
