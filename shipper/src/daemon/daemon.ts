// `auditsight ship`: input -> pipeline (parse, coalesce, normalize, enrich) -> durable queue -> outputs.
//
// Durability chain, end to end:
//  1. The input hands out lines with resume tokens. Each line goes through the pipeline; events come out
//     synchronously and are collected, together with pipeline.safeCheckpoint() taken at the same moment
//     (the resume point behind which every line is inside an emitted event).
//  2. The events are enqueue()d, each carrying that safe checkpoint. enqueue() resolves once the records
//     are durable (queue.fsync). The checkpoint is therefore persisted IN the same queue records, by the
//     same fsync: it can never be ahead of the events it covers. checkpoint.json is a copy written after.
//  3. At start, the tail resumes from queue.lastCheckpoint() (else checkpoint.json): lines after it are
//     read again, lines before it are in the queue already. Re-reads create the same events, the same
//     deterministic _ids, and Elasticsearch's `create` answers 409: no duplicates.
//  4. Each output acks its queue cursor only after its destination acknowledged; acks free queue space.
//  5. The input awaits each enqueue's acceptance before reading on: a full queue (policy block) stops the
//     reads. It does not wait for the fsync: durability and the checkpoint follow in order (commit()).
import type { Client } from '@elastic/elasticsearch';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { EcsEvent } from '../../../common/ecs/event';
import { createLogger, type Logger } from '../../../common/log';
import type { ShipConfig } from '../config/types';
import { nodeFsReader, readHostInfo, type Enricher } from '../enrich';
import type { ReplayProgress } from '../inputs/replay';
import type { Tailer } from '../inputs/tail';
import type { InputBatch } from '../inputs/types';
import { InputIdleClock } from '../coalesce/idle-clock';
import { createPipeline, type Pipeline } from '../pipeline';
import { storedEventId } from '../outputs/ids';
import { DiskQueue } from '../queue/disk-queue';
import type { PreparedEvent } from '../queue/payload';
import { startHttp, type Health, type HttpEndpoints } from './http';
import { runningHealth, runSummary, type RunSummary } from './report';
import { KernelLostWatcher, kernelLostEvent } from './kernel-lost';
import { DaemonMetrics } from './metrics';
import { buildOutputs, superviseOutput, type BuiltOutput } from './outputs';
import { createEnricher, createInput, type Input } from './sources';
import { acquireLock, writeTextAtomic, type CheckpointFile } from './state';

export type { RunSummary } from './report';

export interface DaemonOptions {
  config: ShipConfig;
  logger?: Logger;
  /** Plugin input stream (default process.stdin). */
  stdin?: Readable;
  onReplayProgress?: (p: ReplayProgress) => void;
  /** Path of auditctl (tests). */
  auditctl?: string;
}

/**
 * How often the live shipper looks in /proc for processes that ended unaudited: a dead process stays in the
 * table this long plus endedLeafMs (at 1000 exec/s, ~7k of them). A look lists /proc once: ~1 ms.
 */
const END_GONE_INTERVAL_MS = 2_000;

/** What runInput leaves in a batch's slots as it pushes the lines (the batch is the daemon's once yielded). */
const RELEASED: InputBatch[number] = Object.freeze({ line: '', checkpoint: '' });

export class Daemon {
  readonly metrics = new DaemonMetrics({ defaultMetrics: true });
  readonly logger: Logger;
  status: 'created' | 'starting' | 'running' | 'draining' | 'stopping' | 'stopped' | 'failed' = 'created';
  http: HttpEndpoints | undefined;
  queue: DiskQueue<EcsEvent, string> | undefined;
  pipeline!: Pipeline;
  /** Resolves when the daemon stopped (input ended and drained, stop(), or a failure). */
  readonly done: Promise<RunSummary>;

  private readonly cfg: ShipConfig;
  private readonly live: boolean;
  private queueDir: string;
  private enricher: Enricher | undefined;
  /** Idle time credited at most 1 s at a time: tick() beats every 250 ms (see InputIdleClock). */
  private readonly inputClock = new InputIdleClock(Date.now, 1000);
  private input: Input | undefined;
  private outputs: BuiltOutput[] = [];
  private readonly clients: Client[] = [];
  private readonly abort = new AbortController();
  private outputLoops: Promise<void>[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  /** Events emitted since the last commit, already as their stored bytes (off the JS heap; see prepare()). */
  private pending: PreparedEvent[] = [];
  private commitChain: Promise<void> = Promise.resolve();
  /** Tail only: the newest durable checkpoint, copied to checkpoint.json. */
  private checkpointFile: CheckpointFile | undefined;
  private startedMs = Date.now();
  private releaseLock: (() => void) | undefined;
  /** Set once a stop is requested; the input loop's pending read is released through stopWaiters. */
  private stopFired = false;
  private readonly stopWaiters = new Set<() => void>();
  private stopping: Promise<RunSummary> | undefined;
  private failure: string | undefined;
  private resolveDone!: (s: RunSummary) => void;
  private kernelWatcher: KernelLostWatcher | undefined;
  private kernelEvents = 0;
  private kernelLostReported = 0;
  private inputLoop: Promise<void> = Promise.resolve();

  constructor(private readonly opts: DaemonOptions) {
    this.cfg = opts.config;
    this.live = this.cfg.input.type !== 'replay';
    this.logger = opts.logger ?? createLogger('auditsight-ship', this.cfg.logging.level);
    // A replay gets its own queue (and no lock on the live one): it can run beside the live shipper.
    this.queueDir = this.live ? path.join(this.cfg.stateDir, 'queue') : path.join(this.cfg.stateDir, `replay-${process.pid}`);
    this.done = new Promise((r) => (this.resolveDone = r));
  }

  private file(name: string): string {
    return path.join(this.cfg.stateDir, name);
  }

  async start(): Promise<void> {
    this.status = 'starting';
    this.startedMs = Date.now();
    const cfg = this.cfg;
    if (!this.live && !writable(cfg.stateDir)) {
      // An analyst replaying evidence on a workstation need not own /var/lib/auditsight.
      this.queueDir = path.join(os.tmpdir(), `auditsight-replay-${process.pid}`);
    }
    fs.mkdirSync(this.queueDir, { recursive: true, mode: 0o700 });
    if (this.live) this.releaseLock = acquireLock(cfg.stateDir);
    this.outputs = buildOutputs(cfg, this.metrics, this.logger, this.clients);
    this.queue = await DiskQueue.open<EcsEvent, string>({
      dir: this.queueDir,
      consumers: this.outputs.map((o) => o.output.name),
      maxBytes: cfg.queue.maxBytes,
      policy: cfg.queue.policy,
      fsync: cfg.queue.fsync === 'interval' ? { intervalMs: cfg.queue.fsyncIntervalMs } : cfg.queue.fsync,
      // Each event's document id, stored with it: the Elasticsearch output then ships the stored text as is.
      eventKey: storedEventId,
      onCorrupt: (i) => this.logger.warn({ file: i.file, regions: i.regions, bytes: i.bytes }, 'queue: damaged records skipped (torn write after a crash?)'),
    });
    const queue = this.queue;
    this.metrics.attachQueue(() => (queue.isClosed ? undefined : queue.stats()));
    const ctx = { cfg, live: this.live, logger: this.logger, file: (name: string) => this.file(name) };
    if (cfg.enrich.enabled) this.enricher = createEnricher(ctx);
    this.pipeline = createPipeline({
      enricher: this.enricher,
      normalizeOptions: { eventOriginal: cfg.normalize.eventOriginal },
      // Live: timeouts count only time the input spent waiting for data (idle-clock.ts), never time it
      // spent behind; replays use the log's own time.
      coalesce: { timeoutMs: cfg.input.coalesceTimeoutMs, clock: this.live ? this.inputClock : 'record' },
      onEvent: (ev, meta) => {
        this.pending.push(this.queue!.prepare(ev));
        this.metrics.eventsIn.inc({ kind: meta.kind });
      },
      onParseError: () => this.metrics.parseErrors.inc(),
      onGap: (gap) => {
        this.metrics.gaps.inc();
        this.metrics.lost.inc({ source: 'sequence' }, gap.missing);
      },
    });
    const src = createInput({ ...ctx, queueCheckpoint: queue.lastCheckpoint(), stdin: this.opts.stdin, onReplayProgress: this.opts.onReplayProgress });
    this.input = src.input;
    this.checkpointFile = src.checkpointFile;
    if (cfg.metrics.listen) {
      this.http = await startHttp(cfg.metrics.listen.host, cfg.metrics.listen.port, this.metrics.registry, () => this.health());
      this.logger.info({ url: this.http.url }, `metrics and health listening on ${this.http.url}`);
    }
    this.outputLoops = this.outputs.map((o) => superviseOutput(queue, o, this.abort.signal, this.logger, this.metrics));
    if (this.live) {
      // Coalescer timeouts run while the input is idle: events whose last record never comes still leave.
      this.every(250, () => this.tick());
      if (this.enricher) this.every(cfg.enrich.snapshotIntervalS * 1000, () => this.saveSnapshot());
      if (this.enricher) this.every(END_GONE_INTERVAL_MS, () => this.endGoneProcesses());
      if (cfg.kernel.lostPollIntervalS > 0 && process.getuid?.() === 0) {
        const bootId = this.enricher?.host?.bootId ?? readHostInfo(nodeFsReader()).bootId;
        this.kernelWatcher = new KernelLostWatcher(this.file('kernel-lost.json'), bootId, (m) => this.logger.warn(m), this.opts.auditctl);
        const poll = () => void this.pollKernelLost().catch((e) => this.logger.warn(`kernel lost event not enqueued: ${(e as Error).message}`));
        poll();
        this.every(cfg.kernel.lostPollIntervalS * 1000, poll);
      }
    }
    this.status = 'running';
    this.logger.info({ input: cfg.input.type, outputs: this.outputs.map((o) => o.output.name), state_dir: cfg.stateDir }, 'auditsight ship started');
    this.inputLoop = this.runInput();
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    t.unref();
    this.timers.push(t);
  }

  /**
   * `p`, or undefined as soon as a stop is requested. Not Promise.race with one long-lived stop promise:
   * every race leaves a reaction on it that holds the race's result, so each batch ever read (its lines,
   * their checkpoints) stayed reachable until the daemon stopped: memory grew with the input, forever.
   */
  private untilStop<T>(p: Promise<T>): Promise<T | undefined> {
    if (this.stopFired) return Promise.resolve(undefined);
    return new Promise<T | undefined>((resolve, reject) => {
      const w = () => resolve(undefined);
      this.stopWaiters.add(w);
      p.then(
        (v) => {
          this.stopWaiters.delete(w);
          resolve(v);
        },
        (e) => {
          this.stopWaiters.delete(w);
          reject(e);
        },
      );
    });
  }

  private async runInput(): Promise<void> {
    const it = this.input!.batches();
    // Let, and cleared once pushed: an async function keeps its locals while it awaits, and the batch's
    // lines would live on through the commit and the next read, long enough to be promoted (see tail.ts).
    let next: IteratorResult<InputBatch> | undefined;
    try {
      for (;;) {
        this.inputClock.idle();
        next = await this.untilStop(it.next());
        this.inputClock.busy();
        // A batch that arrived is processed even while stopping: plugin input cannot be read again.
        if (!next || next.done) break;
        const batch = next.value;
        next = undefined;
        this.metrics.inputLines.inc(batch.length);
        // Each line is let go once pushed: a batch held whole while it is processed saw two scavenges (its
        // events allocate megabytes), and every line of it was promoted to the old generation.
        for (let i = 0; i < batch.length; i++) {
          const l = batch[i];
          batch[i] = RELEASED;
          this.pipeline.push(l.line, l.checkpoint);
        }
        const c = this.commit();
        // Not awaited here, but never unseen: an fsync that fails stops the shipper, as before.
        void c.durable.catch((e) => this.fail(`enqueue failed: ${(e as Error).message}`, e));
        await c.accepted;
      }
      if (this.status === 'running') {
        // The input ended by itself: a replay finished, or auditd closed the plugin's stdin.
        this.pipeline.flush();
        await this.commit().durable;
        this.status = 'draining';
        this.logger.info({ events: this.pipeline.stats.events }, 'input ended; waiting for the outputs');
        await this.drain(this.live ? this.cfg.shutdown.drainTimeoutMs : Infinity, () => this.stopping !== undefined);
        void this.stop('input ended');
      }
    } catch (e) {
      this.fail(`input failed: ${(e as Error).message}`, e);
    } finally {
      await it.return(undefined).catch(() => undefined);
    }
  }

  private fail(reason: string, err?: unknown): void {
    if (this.failure) return;
    this.failure = reason;
    this.logger.error({ err }, reason);
    void this.stop(reason);
  }

  private tick(): void {
    if (this.status !== 'running') return;
    this.inputClock.beat();
    this.pipeline.tick();
    if (this.pending.length) void this.commit().durable.catch((e) => this.fail(`enqueue failed: ${(e as Error).message}`, e));
  }

  /**
   * Makes the events emitted so far durable, with the safe checkpoint taken now (both synchronously, so
   * they match), then records that checkpoint. `accepted`: the queue wrote them (under 'block' it first
   * waits for space: the input's back-pressure). `durable`: they are durable and the checkpoint recorded.
   * The queue keeps the appends in order, and checkpoints are recorded in order; the next batch's append
   * need not wait for this one's fsync.
   */
  private commit(extra: EcsEvent[] = []): { accepted: Promise<void>; durable: Promise<void> } {
    const events = extra.length ? this.pending.concat(extra.map((ev) => this.queue!.prepare(ev))) : this.pending;
    this.pending = [];
    const checkpoint = this.pipeline.safeCheckpoint();
    const done = Promise.resolve();
    const q = events.length ? this.queue!.enqueueAccepted(events.map((prepared) => ({ prepared, checkpoint }))) : { accepted: done, durable: done };
    q.durable.catch(() => undefined); // awaited below once the earlier commits are through; reported there
    const durable = this.commitChain.then(async () => {
      await q.durable;
      if (checkpoint !== undefined) this.checkpointFile?.advance(checkpoint);
    });
    this.commitChain = durable.catch(() => undefined);
    const accepted = q.accepted.then(() => undefined);
    accepted.catch(() => undefined); // a failure also rejects `durable`, which callers watch
    return { accepted, durable };
  }

  /**
   * Processes that exited without an audited exit_group (exec-only rules) are ended from /proc, so the
   * process table forgets them as it forgets audited exits (ProcessTable.endGone).
   */
  private endGoneProcesses(): void {
    try {
      const n = this.enricher!.endGoneFromProc(nodeFsReader());
      if (n) this.logger.debug({ processes: n }, 'processes gone from /proc ended in the process table');
    } catch (e) {
      this.logger.warn(`checking /proc for ended processes failed: ${(e as Error).message}`);
    }
  }

  private saveSnapshot(): void {
    if (!this.enricher || !this.live) return;
    try {
      writeTextAtomic(this.file('enrich.json'), this.enricher.snapshotJson());
    } catch (e) {
      this.logger.warn(`enricher snapshot not written: ${(e as Error).message}`);
    }
  }

  private async pollKernelLost(): Promise<void> {
    const r = await this.kernelWatcher!.poll();
    if (!r) return;
    this.metrics.kernelLost.set(r.total);
    if (r.increase > 0 && this.status === 'running') {
      let ev = kernelLostEvent(r.increase, r.total, Date.now());
      if (this.enricher) ev = this.enricher.enrich(ev); // host fields, like every other event
      this.metrics.lost.inc({ source: 'kernel' }, r.increase);
      this.metrics.eventsIn.inc({ kind: 'kernel_lost' });
      this.kernelEvents++;
      this.kernelLostReported += r.increase;
      this.logger.warn({ lost: r.increase, total: r.total }, `the kernel dropped ${r.increase} audit records`);
      await this.commit([ev]).durable;
    }
    // Only after the event is durable: a crash before this re-reports the rise rather than losing it.
    if (r.increase === 0 || this.status === 'running') this.kernelWatcher!.reported(r.total);
  }

  /** Waits until every output acknowledged everything queued, or the deadline. */
  private async drain(timeoutMs: number, cancelled: () => boolean = () => false): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.queue && !this.queue.isClosed && !cancelled()) {
      if (this.queue.retained().events === 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 100));
    }
    return false;
  }

  health(): Health {
    if (this.status !== 'running' && this.status !== 'draining') {
      return { ok: false, status: this.status, reason: this.failure ?? `the shipper is ${this.status}` };
    }
    return runningHealth({
      status: this.status,
      queue: this.queue!.stats(),
      outputs: this.metrics.health,
      input: { lines: this.pipeline.stats.lines, events: this.pipeline.stats.events },
      startedMs: this.startedMs,
      stuckAfterMs: this.cfg.metrics.stuckAfterMs,
      nowMs: Date.now(),
    });
  }

  /** Graceful stop; safe to call more than once (the first call's summary is returned to all). */
  stop(reason = 'stop requested'): Promise<RunSummary> {
    this.stopping ??= this.doStop(reason);
    return this.stopping;
  }

  private async doStop(reason: string): Promise<RunSummary> {
    const wasRunning = this.status === 'running' || this.status === 'draining';
    this.status = 'stopping';
    this.logger.info({ reason }, 'stopping');
    for (const t of this.timers) clearInterval(t);
    // auditd closes the plugin's stdin when it stops it: give the last lines a moment to arrive.
    if (this.cfg.input.type === 'plugin' && wasRunning) await Promise.race([this.inputLoop, new Promise((r) => setTimeout(r, 2000))]);
    this.stopFired = true;
    for (const w of this.stopWaiters) w();
    this.stopWaiters.clear();
    if (this.input && 'close' in this.input) await (this.input as Tailer).close();
    await this.inputLoop;
    if (wasRunning && this.queue) {
      await this.commitChain;
      // Tail: events still waiting in the coalescer are NOT flushed. Their lines lie after the durable
      // checkpoint, so the next start reads them again and builds them whole. Flushing would ship them
      // incomplete, and the completing records read later would be refused as duplicates (same _id).
      // Plugin and replay cannot re-read: flush.
      if (this.cfg.input.type !== 'tail') this.pipeline.flush();
      await this.commit().durable.catch((e) => this.logger.error({ err: e }, 'final enqueue failed'));
      const drained = await this.drain(this.failure ? 0 : this.cfg.shutdown.drainTimeoutMs);
      if (!drained) this.logger.warn({ queued: this.queue.retained().events }, 'outputs did not catch up before the deadline; the queued events are shipped after the next start');
    }
    this.abort.abort();
    await Promise.all(this.outputLoops);
    await Promise.all(this.outputs.map((o) => o.output.close().catch(() => undefined)));
    this.checkpointFile?.write();
    this.saveSnapshot();
    const summary = this.summary();
    if (this.queue) await this.queue.close();
    if (!this.live && summary.queued === 0) fs.rmSync(this.queueDir, { recursive: true, force: true });
    await this.http?.close();
    await Promise.all(this.clients.map((c) => c.close().catch(() => undefined)));
    this.releaseLock?.();
    this.status = this.failure ? 'failed' : 'stopped';
    this.logger.info({ ...summary }, 'stopped');
    this.resolveDone(summary);
    return summary;
  }

  summary(): RunSummary {
    return runSummary({
      pipeline: this.pipeline?.stats,
      outputs: this.outputs.map((o) => o.output.name),
      metrics: this.metrics,
      kernelEvents: this.kernelEvents,
      kernelLost: this.kernelLostReported,
      queued: this.queue && !this.queue.isClosed ? this.queue.retained().events : 0,
      durationMs: Date.now() - this.startedMs,
      failure: this.failure,
    });
  }
}

function writable(dir: string): boolean {
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
