// NDJSON output: one event per line to a file (appended, fsynced before the batch is acknowledged) or stdout.
// Useful as a local, greppable copy and for piping into other tools.
import * as fs from 'node:fs';
import type { EcsEvent } from '../../../common/ecs/event';
import type { QueueRecord } from '../queue/types';
import { noMetrics, type OutputMetrics } from './metrics';
import { Backoff, defaultLog, sleep, type Log, type Output } from './output';
import { shippedLines } from './shipped';
import { ReusableBuffer } from '../queue/reusable-buffer';

export interface NdjsonOutputOptions {
  /** Queue consumer name (default 'ndjson'). */
  name?: string;
  /** A file path, or '-' / undefined for stdout. */
  file?: string;
  /** fsync the file before acknowledging (default true): the ack then means "on disk". */
  fsync?: boolean;
  metrics?: OutputMetrics;
  log?: Log;
  now?: () => Date;
}

export class NdjsonOutput implements Output<EcsEvent> {
  readonly name: string;
  private readonly file: string | undefined;
  private readonly fsync: boolean;
  private readonly metrics: OutputMetrics;
  private readonly log: Log;
  private readonly now: () => Date;
  private fh: fs.promises.FileHandle | undefined;
  private syncable = true;
  /** The batch's lines; reused by the next batch once this one is written (a failed write drops it). */
  private readonly body = new ReusableBuffer(8 << 20);

  constructor(opts: NdjsonOutputOptions = {}) {
    this.name = opts.name ?? 'ndjson';
    this.file = opts.file === '-' ? undefined : opts.file;
    this.fsync = opts.fsync ?? true;
    this.metrics = opts.metrics ?? noMetrics;
    this.log = opts.log ?? defaultLog;
    this.now = opts.now ?? (() => new Date());
  }

  async send(records: Array<QueueRecord<EcsEvent>>, signal: AbortSignal): Promise<void> {
    const ingested = this.now().toISOString();
    const data = shippedLines(records, ingested, undefined, this.body);
    const backoff = new Backoff(250, 30_000);
    for (;;) {
      try {
        await this.write(data);
        this.metrics.add(this.name, 'shipped', records.length);
        return;
      } catch (err) {
        // ENOSPC, EIO, a rotated-away directory: keep the events queued and try again (reopening the file).
        // A write still in flight may read `data` (stdout): the next batch gets other memory.
        this.body.discard();
        await this.fh?.close().catch(() => undefined);
        this.fh = undefined;
        this.metrics.add(this.name, 'failedRequests', 1);
        this.metrics.add(this.name, 'retried', records.length);
        const delay = backoff.next();
        this.log('warn', `${this.name}: writing ${this.file ?? 'stdout'} failed (${(err as Error).message}); retrying in ${Math.round(delay)} ms`);
        await sleep(delay, signal);
      }
    }
  }

  private async write(data: Buffer): Promise<void> {
    if (!this.file) {
      // Resolves once the data is handed to the OS (or the pipe reader), which is all stdout can promise.
      await new Promise<void>((resolve, reject) => process.stdout.write(data, (err) => (err ? reject(err) : resolve())));
      return;
    }
    // A partially written batch is written again whole after a failure: at-least-once, like every output.
    this.fh ??= await fs.promises.open(this.file, 'a');
    for (let off = 0; off < data.length; ) off += (await this.fh.write(data, off, data.length - off)).bytesWritten;
    if (this.fsync && this.syncable) {
      try {
        await this.fh.datasync();
      } catch (err) {
        // A device or FIFO (/dev/null, a named pipe to another tool) cannot be synced: the data was handed
        // to it, which is all it can promise. Retrying would only write the batch again, forever.
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'EINVAL' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw err;
        this.syncable = false;
      }
    }
  }

  async close(): Promise<void> {
    await this.fh?.close();
    this.fh = undefined;
  }
}
