// What the daemon reports: /healthz's answer while it runs (the queue, each output's progress, whether one
// is stuck) and the summary of a run. Pure functions of what the daemon knows, so that what "stuck" means,
// and what a summary counts, each read as one rule.
import type { PipelineStats } from '../pipeline';
import type { QueueStats } from '../queue/types';
import type { Health } from './http';
import type { DaemonMetrics, OutputHealth } from './metrics';

export interface HealthInput {
  status: string;
  queue: QueueStats;
  outputs: ReadonlyMap<string, OutputHealth>;
  input: { lines: number; events: number };
  /** Start of the run: an output that never shipped counts as idle since then. */
  startedMs: number;
  /** metrics.stuck_after_ms. */
  stuckAfterMs: number;
  nowMs: number;
}

/**
 * An output is stuck when events wait for it, its oldest unacknowledged event is older than stuckAfterMs,
 * and it has shipped nothing for as long: a busy output that is merely behind is not stuck.
 */
export function runningHealth(h: HealthInput): Health {
  const outputs: Record<string, unknown> = {};
  const stuck: string[] = [];
  for (const [name, c] of Object.entries(h.queue.consumers)) {
    const o = h.outputs.get(name) ?? {};
    const idleMs = h.nowMs - (o.lastShipMs ?? h.startedMs);
    const isStuck = c.pendingEvents > 0 && c.ackLagMs > h.stuckAfterMs && idleMs > h.stuckAfterMs;
    outputs[name] = { pending_events: c.pendingEvents, ack_lag_ms: c.ackLagMs, last_success: o.lastShipMs ? new Date(o.lastShipMs).toISOString() : null, last_error: o.lastError ?? null, stuck: isStuck };
    if (isStuck) stuck.push(`${name}: ${c.pendingEvents} events waiting, nothing shipped for ${Math.round(idleMs / 1000)} s${o.lastError ? ` (${o.lastError})` : ''}`);
  }
  const base = { queue: { events: h.queue.events, bytes: h.queue.bytes }, outputs, input: h.input };
  if (stuck.length) return { ok: false, status: 'stuck', reason: stuck.join('; '), ...base };
  return { ok: true, status: h.status, ...base };
}

export interface RunSummary {
  lines: number;
  events: number;
  parseErrors: number;
  gaps: number;
  /** Serials missing in sequence gaps, plus the kernel lost counter's increase. */
  lost: number;
  shipped: Record<string, number>;
  deadLettered: Record<string, number>;
  /** Events still queued (not acknowledged by every output) when the shipper stopped. */
  queued: number;
  durationMs: number;
  failure?: string;
}

export interface SummaryInput {
  pipeline: PipelineStats | undefined;
  outputs: string[];
  metrics: Pick<DaemonMetrics, 'total'>;
  /** Kernel lost-counter events shipped, and the records the kernel reported lost in them. */
  kernelEvents: number;
  kernelLost: number;
  queued: number;
  durationMs: number;
  failure: string | undefined;
}

/** Shipped counts what the destination holds: documents it took plus those it already had (409s). */
export function runSummary(x: SummaryInput): RunSummary {
  const s = x.pipeline;
  const shipped: Record<string, number> = {};
  const dead: Record<string, number> = {};
  for (const n of x.outputs) {
    shipped[n] = x.metrics.total(n, 'shipped') + x.metrics.total(n, 'duplicates');
    dead[n] = x.metrics.total(n, 'deadLettered');
  }
  return {
    lines: s?.lines ?? 0,
    events: (s?.events ?? 0) + x.kernelEvents,
    parseErrors: s?.parseErrors ?? 0,
    gaps: s?.gaps ?? 0,
    lost: (s?.missing ?? 0) + x.kernelLost,
    shipped,
    deadLettered: dead,
    queued: x.queued,
    durationMs: x.durationMs,
    failure: x.failure,
  };
}
