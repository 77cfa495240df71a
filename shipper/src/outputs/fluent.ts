// Fluentd forward output (to Fluentd, Fluent Bit or an OpenTelemetry Collector's fluentforward receiver).
//
// Acknowledgement: forward protocol `chunk` options with requireAckResponse, so the receiver answers with
// {ack: chunk} only after it has accepted the events. The batch is acknowledged in the queue only then.
// fluent-logger drops its in-memory copy on any error, so it is used as a per-attempt transport only: on a
// failure (connection refused, connection closed without an ack, ack timeout) the sender is discarded and
// the whole batch is sent again from the queue on a new connection (at-least-once; a receiver may see a
// chunk twice, as with any forward client).
import type { EcsEvent } from '../../../common/ecs/event';
import type { QueueRecord } from '../queue/types';
import { noMetrics, type OutputMetrics } from './metrics';
import { Backoff, defaultLog, sleep, type Log, type Output } from './output';
import { withIngested } from './shipped';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import fluentLogger = require('fluent-logger');

// The typings declare EventTime as an instance; it is the class.
const EventTime = fluentLogger.EventTime as unknown as { fromTimestamp(ms: number): unknown };

export interface FluentOutputOptions {
  /** Queue consumer name (default 'fluent'). */
  name?: string;
  host?: string;
  port?: number;
  /** Unix socket path instead of host/port. */
  path?: string;
  /** Fluent tag (default 'auditsight.events'). */
  tag?: string;
  /** How long to wait for the receiver's ack before resending (default 30 s). */
  ackTimeoutMs?: number;
  tls?: boolean;
  tlsOptions?: Record<string, unknown>;
  security?: { clientHostname: string; sharedKey: string; username?: string; password?: string };
  backoff?: { initialMs?: number; maxMs?: number };
  metrics?: OutputMetrics;
  log?: Log;
  now?: () => Date;
}

/** The parts of fluent-logger's FluentSender used here, including two internals (see attempt()). */
interface Sender {
  emit(data: object, timestamp: unknown, callback: (err?: Error) => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
  removeListener(event: 'error', fn: (err: Error) => void): void;
  _socket?: { once(event: 'close', fn: () => void): void; removeListener(event: 'close', fn: () => void): void } | null;
  _disconnect(): void;
}

export class FluentOutput implements Output<EcsEvent> {
  readonly name: string;
  private readonly opts: FluentOutputOptions;
  private readonly metrics: OutputMetrics;
  private readonly log: Log;
  private readonly now: () => Date;
  private sender: Sender | undefined;
  private failing = false;

  constructor(opts: FluentOutputOptions) {
    this.name = opts.name ?? 'fluent';
    this.opts = opts;
    this.metrics = opts.metrics ?? noMetrics;
    this.log = opts.log ?? defaultLog;
    this.now = opts.now ?? (() => new Date());
  }

  async send(records: Array<QueueRecord<EcsEvent>>, signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(this.opts.backoff?.initialMs ?? 250, this.opts.backoff?.maxMs ?? 30_000);
    for (;;) {
      try {
        await this.attempt(records, signal);
        this.metrics.add(this.name, 'shipped', records.length);
        if (this.failing) this.log('info', `${this.name}: the forward receiver acknowledges again`);
        this.failing = false;
        this.metrics.error?.(this.name, undefined);
        return;
      } catch (err) {
        this.drop();
        if (signal.aborted) throw err;
        this.metrics.add(this.name, 'failedRequests', 1);
        this.metrics.add(this.name, 'retried', records.length);
        const delay = backoff.next();
        const msg = `forward to ${this.target()} not acknowledged (${(err as Error).message}); ${records.length} events stay queued, retrying in ${Math.round(delay)} ms`;
        if (!this.failing) this.log('warn', `${this.name}: ${msg}`);
        this.failing = true;
        this.metrics.error?.(this.name, msg);
        await sleep(delay, signal);
      }
    }
  }

  private attempt(records: Array<QueueRecord<EcsEvent>>, signal: AbortSignal): Promise<void> {
    const sender = (this.sender ??= this.createSender());
    const ackTimeoutMs = this.opts.ackTimeoutMs ?? 30_000;
    return new Promise<void>((resolve, reject) => {
      let left = records.length;
      let settled = false;
      let socket: Sender['_socket'] = null;
      const onClose = () => finish(new Error('connection closed before the ack'));
      const finish = (err?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        sender.removeListener('error', finish);
        socket?.removeListener('close', onClose);
        if (err) reject(err);
        else resolve();
      };
      const onAbort = () => finish(new Error('aborted'));
      // Our own deadline: fluent-logger reports neither a refused connection nor a close to the emit callbacks.
      const timer = setTimeout(() => finish(new Error(`no ack within ${ackTimeoutMs} ms`)), ackTimeoutMs + 1000);
      signal.addEventListener('abort', onAbort, { once: true });
      sender.on('error', finish);
      const ingested = this.now().toISOString();
      for (const r of records) {
        const ms = Date.parse(r.event['@timestamp']);
        const time = EventTime.fromTimestamp(Number.isFinite(ms) ? ms : Date.now());
        sender.emit(withIngested(r.event, ingested), time, (err) => {
          if (err) finish(err);
          else if (--left === 0) finish();
        });
      }
      // A receiver that rejects a chunk closes the connection without an ack; notice that now, not at the
      // ack timeout. (_socket is fluent-logger internal; it exists right after the first emit.)
      socket = settled ? null : sender._socket;
      socket?.once('close', onClose);
    });
  }

  private createSender(): Sender {
    const s = fluentLogger.createFluentSender(this.opts.tag ?? 'auditsight.events', {
      host: this.opts.host ?? '127.0.0.1',
      port: this.opts.port ?? 24224,
      path: this.opts.path,
      tls: this.opts.tls,
      tlsOptions: this.opts.tlsOptions,
      security: this.opts.security,
      // One packed chunk per batch, one ack per chunk.
      eventMode: 'PackedForward',
      flushInterval: 5,
      sendQueueSizeLimit: 64 * 1024 * 1024,
      requireAckResponse: true,
      ackResponseTimeout: this.opts.ackTimeoutMs ?? 30_000,
      // We reconnect ourselves (a new sender per failure), resending from the queue.
      enableReconnect: false,
      internalLogger: { info() {}, error() {} },
    } as fluentLogger.Options) as unknown as Sender;
    s.on('error', () => {}); // attempt() listens per batch; this keeps an idle error from going unheard
    return s;
  }

  private drop(): void {
    try {
      this.sender?._disconnect();
    } catch {
      // already gone
    }
    this.sender = undefined;
  }

  private target(): string {
    return this.opts.path ?? `${this.opts.host ?? '127.0.0.1'}:${this.opts.port ?? 24224}`;
  }

  async close(): Promise<void> {
    this.drop();
  }
}
