// Prometheus metrics of the shipper (prom-client, its own Registry so tests and several daemons in one
// process do not collide). Counters the pipeline and outputs push are incremented as things happen; the
// queue's state is read at scrape time (collect), so a scrape always sees the queue as it is now.
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { OutputCounterName, OutputMetrics } from '../outputs/metrics';
import type { QueueStats } from '../queue/types';

const OUTPUT_COUNTERS: Record<OutputCounterName, { name: string; help: string }> = {
  shipped: { name: 'auditsight_events_out_total', help: 'Events the destination accepted' },
  duplicates: { name: 'auditsight_output_duplicates_total', help: 'Redelivered events the destination already had (409 on create)' },
  retried: { name: 'auditsight_output_retries_total', help: 'Events sent again after a retryable failure' },
  deadLettered: { name: 'auditsight_output_dead_letters_total', help: 'Events rejected for good and written to the dead letter' },
  deadLetterFailed: { name: 'auditsight_output_dead_letter_failures_total', help: 'Rejected events the dead letter refused too (lost, logged)' },
  failedRequests: { name: 'auditsight_output_failed_requests_total', help: 'Requests that failed as a whole and were retried' },
};

export interface OutputHealth {
  /** Last time the destination acknowledged anything (ms since epoch), undefined before the first. */
  lastShipMs?: number;
  lastError?: string;
}

/**
 * Resolution of the event-loop delay histogram (auditsight_nodejs_eventloop_lag_{p50,p99,max,...}_seconds).
 * prom-client's default, 10 ms, wakes the loop 100 times a second: an idle shipper (no events) spent 1.5%
 * of a core, 0.6% at 1 s. A stall that matters to the shipper lasts seconds (the coalesce timeout is 2 s)
 * and still shows; the scrape-time `eventloop_lag_seconds` is unaffected.
 */
const EVENT_LOOP_SAMPLE_MS = 1000;

export class DaemonMetrics implements OutputMetrics {
  readonly registry = new Registry();
  readonly health = new Map<string, OutputHealth>();
  /** Plain totals, for the replay summary and tests (the registry has the same numbers). */
  readonly totals: Record<string, Record<OutputCounterName, number>> = {};

  readonly inputLines: Counter;
  readonly eventsIn: Counter<'kind'>;
  readonly parseErrors: Counter;
  readonly gaps: Counter;
  readonly lost: Counter<'source'>;
  readonly kernelLost: Gauge;
  readonly enrichErrors: Counter;
  private readonly outCounters = new Map<OutputCounterName, Counter<'output'>>();
  private queueStats: (() => QueueStats | undefined) | undefined;
  private readonly droppedSeen = { oldest: 0, newest: 0 };

  constructor(opts: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    if (opts.defaultMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'auditsight_', eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
    this.inputLines = new Counter({ name: 'auditsight_input_lines_total', help: 'Lines read from the input', registers });
    this.eventsIn = new Counter({ name: 'auditsight_events_in_total', help: 'Events produced by the pipeline, by kind (audit, parse_error, gap, kernel_lost)', labelNames: ['kind'], registers });
    this.parseErrors = new Counter({ name: 'auditsight_parse_errors_total', help: 'Unparseable lines (each shipped as a pipeline_error event)', registers });
    this.gaps = new Counter({ name: 'auditsight_sequence_gaps_total', help: 'Jumps in the audit serial numbers (each shipped as a lost-events event)', registers });
    this.lost = new Counter({ name: 'auditsight_events_lost_total', help: 'Audit events known lost: missing serials (source=sequence) and the kernel lost counter increase (source=kernel)', labelNames: ['source'], registers });
    this.kernelLost = new Gauge({ name: 'auditsight_kernel_lost', help: 'The kernel audit lost counter (auditctl -s), as last polled', registers });
    this.enrichErrors = new Counter({ name: 'auditsight_enrich_errors_total', help: 'Events shipped un-enriched because enrichment failed', registers });
    for (const [key, def] of Object.entries(OUTPUT_COUNTERS) as Array<[OutputCounterName, { name: string; help: string }]>) {
      this.outCounters.set(key, new Counter({ name: def.name, help: def.help, labelNames: ['output'], registers }));
    }
    const self = this;
    const stat = () => this.queueStats?.();
    new Gauge({ name: 'auditsight_queue_events', help: 'Events in the queue not yet acknowledged by the slowest output', registers, collect() { this.set(stat()?.events ?? 0); } });
    new Gauge({ name: 'auditsight_queue_bytes', help: 'Bytes in the queue not yet acknowledged by the slowest output', registers, collect() { this.set(stat()?.bytes ?? 0); } });
    new Gauge({ name: 'auditsight_queue_disk_bytes', help: 'Bytes of queue segment files on disk', registers, collect() { this.set(stat()?.diskBytes ?? 0); } });
    new Counter({
      name: 'auditsight_queue_dropped_total', help: 'Events dropped at the queue bound by the policy', labelNames: ['policy'], registers,
      collect() {
        const s = stat();
        if (!s) return;
        // Counters only go up: add what the queue counted since the last scrape.
        this.inc({ policy: 'drop-oldest' }, s.droppedOldest - self.droppedSeen.oldest);
        this.inc({ policy: 'drop-newest' }, s.droppedNewest - self.droppedSeen.newest);
        self.droppedSeen.oldest = s.droppedOldest;
        self.droppedSeen.newest = s.droppedNewest;
      },
    });
    new Gauge({ name: 'auditsight_queue_blocked_seconds', help: 'Total time the input waited at the queue bound (back-pressure)', registers, collect() { this.set((stat()?.blockedMs ?? 0) / 1000); } });
    new Gauge({
      name: 'auditsight_output_ack_lag_seconds', help: 'Age of the oldest event the output has not acknowledged', labelNames: ['output'], registers,
      collect() {
        for (const [name, c] of Object.entries(stat()?.consumers ?? {})) this.set({ output: name }, c.ackLagMs / 1000);
      },
    });
    new Gauge({
      name: 'auditsight_output_pending_events', help: 'Events queued for the output', labelNames: ['output'], registers,
      collect() {
        for (const [name, c] of Object.entries(stat()?.consumers ?? {})) this.set({ output: name }, c.pendingEvents);
      },
    });
    new Gauge({
      name: 'auditsight_output_last_success_timestamp_seconds', help: 'When the output last shipped successfully (unix time; 0 = never)', labelNames: ['output'], registers,
      collect() {
        for (const [name, h] of self.health) this.set({ output: name }, (h.lastShipMs ?? 0) / 1000);
      },
    });
    new Gauge({
      name: 'auditsight_output_up', help: '1 when the output\'s last attempt succeeded, 0 while it fails', labelNames: ['output'], registers,
      collect() {
        for (const [name, h] of self.health) this.set({ output: name }, h.lastError ? 0 : 1);
      },
    });
  }

  /** Where scrape-time queue gauges read from (set once the queue is open). */
  attachQueue(stats: () => QueueStats | undefined): void {
    this.queueStats = stats;
  }

  registerOutput(name: string): void {
    if (!this.health.has(name)) this.health.set(name, {});
    for (const c of this.outCounters.values()) c.inc({ output: name }, 0); // present from the first scrape
  }

  add(output: string, name: OutputCounterName, n: number): void {
    if (n <= 0) return;
    this.outCounters.get(name)?.inc({ output }, n);
    const t = (this.totals[output] ??= { shipped: 0, duplicates: 0, retried: 0, deadLettered: 0, deadLetterFailed: 0, failedRequests: 0 });
    t[name] += n;
    if (name === 'shipped' || name === 'duplicates' || name === 'deadLettered') {
      const h = this.health.get(output) ?? {};
      h.lastShipMs = Date.now();
      this.health.set(output, h);
    }
  }

  error(output: string, message: string | undefined): void {
    const h = this.health.get(output) ?? {};
    h.lastError = message;
    this.health.set(output, h);
  }

  total(output: string, name: OutputCounterName): number {
    return this.totals[output]?.[name] ?? 0;
  }
}
