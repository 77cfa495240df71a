// The contract between the queue and an output, the loop that drives one output, and retry timing.
import type { EcsEvent } from '../../../common/ecs/event';
import type { DiskQueue } from '../queue/disk-queue';
import type { QueueRecord } from '../queue/types';

export interface Output<E = EcsEvent> {
  /** Also the queue consumer name (its ack cursor file is cursor.<name>.json). */
  readonly name: string;
  /**
   * Resolves once the destination has acknowledged every record of the batch (or a record was rejected for
   * good and dead-lettered). Retries internally, forever for transient failures, so the events stay in the
   * queue meanwhile; rejects only when `signal` aborts (the batch is then delivered again after a restart).
   */
  send(records: Array<QueueRecord<E>>, signal: AbortSignal): Promise<void>;
  close(): Promise<void>;
}

export interface BatchOptions {
  maxEvents?: number;
  maxBytes?: number;
  /** How long to wait for a batch to fill once an event is there (time-based batching). */
  lingerMs?: number;
}

/**
 * Reads batches from the output's own consumer, sends them, and acknowledges each only after send()
 * resolved: the ack cursor never passes an event the destination does not have. Returns when aborted or
 * when the queue closes.
 */
export async function runOutput<E>(queue: DiskQueue<E>, output: Output<E>, signal: AbortSignal, opts: BatchOptions = {}): Promise<void> {
  const consumer = queue.consumer(output.name);
  while (!signal.aborted && !queue.isClosed) {
    // reuse: a batch is acknowledged (and dropped) before the next is read, so they can share memory.
    const batch = await consumer.read({ maxEvents: opts.maxEvents ?? 2000, maxBytes: opts.maxBytes ?? 5 * 1024 * 1024, lingerMs: opts.lingerMs ?? 200, waitMs: 500, reuse: true });
    if (!batch.length) continue;
    try {
      await output.send(batch, signal);
    } catch (err) {
      consumer.rewind();
      if (signal.aborted || queue.isClosed) return;
      throw err;
    }
    if (queue.isClosed) return;
    consumer.ack(batch);
  }
}

/** Exponential backoff with jitter ("equal jitter": half fixed, half random) and a ceiling. */
export class Backoff {
  private attempt = 0;

  constructor(
    private readonly initialMs = 250,
    private readonly maxMs = 30_000,
  ) {}

  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * 2 ** Math.min(this.attempt++, 30));
    return base / 2 + Math.random() * (base / 2);
  }

  reset(): void {
    this.attempt = 0;
  }
}

export class AbortedError extends Error {
  constructor() {
    super('aborted');
    this.name = 'AbortError';
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const onAbort = () => {
      clearTimeout(t);
      reject(new AbortedError());
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export type Log = (level: 'info' | 'warn' | 'error', message: string) => void;
export const defaultLog: Log = (level, message) => process.stderr.write(`auditsight ${level}: ${message}\n`);
