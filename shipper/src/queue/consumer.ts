// One output's view of the queue: a read position (in memory) and an ack cursor (persisted).
import * as fs from 'node:fs';
import type { DiskQueue } from './disk-queue';
import type { QueueRecord } from './types';
import { ReusableBuffer } from './reusable-buffer';

export interface ConsumerState {
  /** Every record below this is acknowledged; persisted in cursor.<name>.json. */
  cursor: number;
  /** Next record to hand out by read(); ahead of the cursor while a batch is in flight. */
  readSeq: number;
  pendingEvents: number;
  pendingBytes: number;
  dropped: number;
  acked: number;
}

export interface ReadOptions {
  maxEvents?: number;
  maxBytes?: number;
  /** Wait this long for a first record; an empty array means none arrived (or the queue closed). */
  waitMs?: number;
  /** Once there is a record, wait up to this long for maxEvents to accumulate (time-based batching). */
  lingerMs?: number;
  /**
   * Read into this consumer's own buffer, reused by its next read: the records (their bytes, and text not
   * yet decoded) are then valid only until the next read({ reuse }). For a reader that is done with a
   * batch before it reads the next one, as runOutput is.
   */
  reuse?: boolean;
}

export class Consumer<E = unknown, C = unknown> {
  readonly state: ConsumerState;
  /** For read({ reuse }); up to 8 MiB kept (a 5 MiB batch and its framing). */
  private readonly buffer = new ReusableBuffer(8 << 20);

  constructor(
    private readonly queue: DiskQueue<E, C>,
    readonly name: string,
    cursor: number,
  ) {
    this.state = { cursor, readSeq: cursor, pendingEvents: 0, pendingBytes: 0, dropped: 0, acked: 0 };
  }

  /** The next batch after what was already handed out (not yet acknowledged records are not repeated). */
  async read(opts: ReadOptions = {}): Promise<Array<QueueRecord<E, C>>> {
    const maxEvents = opts.maxEvents ?? 1000;
    const maxBytes = opts.maxBytes ?? 5 * 1024 * 1024;
    const q = this.queue;
    if (!q.hasRecordsFrom(this.state.readSeq) && !q.isClosed) await q.waitForData(opts.waitMs ?? 1000);
    if (opts.lingerMs && q.hasRecordsFrom(this.state.readSeq)) {
      const deadline = Date.now() + opts.lingerMs;
      while (!q.isClosed && Date.now() < deadline && this.available(maxEvents) < maxEvents) await q.waitForData(deadline - Date.now());
    }
    if (q.isClosed) return [];
    const recs = q.readRecords(this.state.readSeq, maxEvents, maxBytes, opts.reuse ? this.buffer : undefined);
    if (recs.length) this.state.readSeq = recs[recs.length - 1].seq + 1;
    return recs;
  }

  private available(upTo: number): number {
    let n = 0;
    for (const _ of this.queue.range(this.state.readSeq, Number.POSITIVE_INFINITY)) if (++n >= upTo) break;
    return n;
  }

  /**
   * Acknowledges everything up to and including `last` (a record or a seq): the output has it. Persists the
   * cursor and frees segments no consumer needs. Acks must follow read order; an older ack is a no-op.
   */
  ack(last: QueueRecord<E, C> | number | Array<QueueRecord<E, C>>): void {
    const seq = typeof last === 'number' ? last : Array.isArray(last) ? last.at(-1)?.seq : last.seq;
    if (seq === undefined || seq < this.state.cursor) return;
    const before = this.state.pendingEvents;
    this.queue.advance(this.state, seq + 1);
    this.state.acked += before - this.state.pendingEvents;
    this.persist();
  }

  /** Forget what was handed out but not acknowledged: the next read() starts again at the cursor. */
  rewind(): void {
    this.state.readSeq = this.state.cursor;
  }

  /**
   * Atomic replace (write + rename), deliberately without fsync: a cursor lost at power loss only means
   * records are delivered again, which deterministic ids make harmless; a damaged file reads as "from oldest".
   */
  persist(): void {
    const file = this.queue.cursorFile(this.name);
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ seq: this.state.cursor }));
    fs.renameSync(tmp, file);
  }
}
