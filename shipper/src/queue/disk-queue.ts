// The durable, bounded, disk-backed FIFO between the pipeline and the outputs.
//
// Durability chain (why nothing is lost between an audit log line and Elasticsearch):
//  1. The input reads events and enqueue()s them with its checkpoint token ({file, inode, offset}, opaque here).
//  2. enqueue() resolves only once the records are durable under the fsync policy ('always': fsynced, with
//     concurrent callers sharing one fsync; {intervalMs}: at the next periodic fsync; 'never': written to the
//     page cache, which survives kill -9 but not power loss). Only then may the input persist its checkpoint:
//     anything before it is in the queue, so a crash re-reads at most what was not yet durable.
//  3. Each output has its own consumer with an ack cursor persisted to disk (cursor.<name>.json). It reads a
//     batch, ships it, and ack()s only after the destination acknowledged it. After a crash, everything from
//     the persisted cursor on is delivered again (at-least-once; deterministic ids make redelivery harmless).
//  4. A segment file is deleted once every consumer's cursor is past it: the output's ack frees queue space.
//
// Why synchronous writes: appends are small page-cache writes (microseconds) and keeping them synchronous
// gives a total order without locks; only the slow part, fsync, runs in the thread pool.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { encodeRecordInto, payloadBytes, recordEnqueuedMs, recordPayload, scanSegment, validRecordAt, HEADER_BYTES, type Payload, type RecordMeta } from './record';
import { ReusableBuffer } from './reusable-buffer';
import { decodePayload, PayloadWriter, type AnyEntry, type PreparedEvent } from './payload';
import { Consumer, type ConsumerState } from './consumer';
import { GroupCommit } from './sync';
import { QueueClosedError, type DiskQueueOptions, type EnqueueResult, type QueueRecord, type QueueStats } from './types';

export interface Segment {
  firstSeq: number;
  file: string;
  fd: number;
  size: number;
  records: RecordMeta[];
}

const SEGMENT_RE = /^seg-(\d{16})\.aq$/;
const CONSUMER_RE = /^[A-Za-z0-9_.-]{1,64}$/;

export class DiskQueue<E = unknown, C = unknown> {
  readonly dir: string;
  private readonly opts: Required<Omit<DiskQueueOptions, 'dir' | 'consumers' | 'now' | 'onCorrupt' | 'eventKey'>> & Pick<DiskQueueOptions, 'onCorrupt'>;
  private readonly now: () => number;
  private readonly writer: PayloadWriter<E, C>;
  /** What appends are encoded into before their write (see ReusableBuffer). */
  private readonly writeBuffer = new ReusableBuffer(1 << 20);
  /** Oldest first; the last one is the one appended to. */
  readonly segments: Segment[] = [];
  private nextSeq = 1;
  private readonly consumers = new Map<string, Consumer<E, C>>();
  private closed = false;
  private enqueueChain: Promise<unknown> = Promise.resolve();
  private spaceWaiters: Array<() => void> = [];
  private dataWaiters: Array<() => void> = [];
  private readonly sync: GroupCommit;
  private lastRecordCheckpoint: C | undefined;
  readonly counters = { droppedOldest: 0, droppedNewest: 0, corruptRegions: 0, corruptBytes: 0, enqueued: 0, blockedMs: 0 };

  private constructor(opts: DiskQueueOptions<E>) {
    this.dir = opts.dir;
    this.now = opts.now ?? Date.now;
    this.writer = new PayloadWriter<E, C>({ eventKey: opts.eventKey });
    this.opts = {
      maxBytes: opts.maxBytes ?? 256 * 1024 * 1024,
      maxEvents: opts.maxEvents ?? Number.POSITIVE_INFINITY,
      policy: opts.policy ?? 'block',
      fsync: opts.fsync ?? 'always',
      segmentBytes: opts.segmentBytes ?? 16 * 1024 * 1024,
      onCorrupt: opts.onCorrupt,
    };
    this.sync = new GroupCommit(this.dir, this.opts.fsync);
  }

  /** Opens (or creates) the queue in `dir`, recovering from a crash: damaged records are skipped and counted. */
  static async open<E = unknown, C = unknown>(opts: DiskQueueOptions<E>): Promise<DiskQueue<E, C>> {
    if (!opts.consumers.length) throw new Error('a queue needs at least one consumer (output)');
    for (const c of opts.consumers) if (!CONSUMER_RE.test(c)) throw new Error(`invalid consumer name ${JSON.stringify(c)}`);
    const q = new DiskQueue<E, C>(opts);
    fs.mkdirSync(q.dir, { recursive: true });
    q.recover();
    for (const name of opts.consumers) q.consumers.set(name, new Consumer<E, C>(q, name, q.loadCursor(name)));
    for (const c of q.consumers.values()) q.recount(c.state);
    q.deleteConsumedSegments();
    return q;
  }

  private recover(): void {
    const files = fs.readdirSync(this.dir).filter((f) => SEGMENT_RE.test(f)).sort();
    for (const [i, name] of files.entries()) {
      const file = path.join(this.dir, name);
      const buf = fs.readFileSync(file);
      const scan = scanSegment(buf);
      const last = i === files.length - 1;
      if (scan.corruptRegions) {
        this.counters.corruptRegions += scan.corruptRegions;
        this.counters.corruptBytes += scan.corruptBytes;
        this.opts.onCorrupt?.({ file, regions: scan.corruptRegions, bytes: scan.corruptBytes });
      }
      const fd = fs.openSync(file, 'r+');
      // A torn tail of the active segment is cut off, so that new appends start on a record boundary.
      if (last && scan.validEnd < buf.length) fs.ftruncateSync(fd, scan.validEnd);
      const firstSeq = Number(SEGMENT_RE.exec(name)![1]);
      this.segments.push({ firstSeq, file, fd, size: last ? scan.validEnd : buf.length, records: scan.records });
      const lastRec = scan.records.at(-1);
      if (lastRec) {
        this.nextSeq = Math.max(this.nextSeq, lastRec.seq + 1);
        this.lastRecordCheckpoint = decodePayload<E, C>(recordPayload(buf, lastRec.off), lastRec.seq, 0, lastRec.size).checkpoint;
      }
      this.nextSeq = Math.max(this.nextSeq, firstSeq);
    }
    if (!this.segments.length) this.newSegment();
  }

  private loadCursor(name: string): number {
    let seq: number | undefined;
    try {
      seq = (JSON.parse(fs.readFileSync(this.cursorFile(name), 'utf8')) as { seq?: unknown }).seq as number;
    } catch {
      // Missing (new output) or damaged: start at the oldest retained record; redelivery is harmless.
    }
    const oldest = this.firstRetainedSeq();
    if (typeof seq !== 'number' || !Number.isFinite(seq)) return oldest;
    // A cursor beyond the last record (records lost with the page cache at power loss): never reuse its seqs.
    this.nextSeq = Math.max(this.nextSeq, seq);
    return Math.max(seq, oldest);
  }

  private firstRetainedSeq(): number {
    for (const s of this.segments) if (s.records.length) return s.records[0].seq;
    return this.nextSeq;
  }

  cursorFile(name: string): string {
    return path.join(this.dir, `cursor.${name}.json`);
  }

  /** The consumer (output) `name`'s reader; each has an independent ack cursor. */
  consumer(name: string): Consumer<E, C> {
    const c = this.consumers.get(name);
    if (!c) throw new Error(`unknown queue consumer ${name}; declare it in open({consumers})`);
    return c;
  }

  /** The checkpoint token of the newest record found at open(): lets an input that lost its own state resume. */
  lastCheckpoint(): C | undefined {
    return this.lastRecordCheckpoint;
  }

  /**
   * Appends entries in order. Resolves when the accepted ones are durable (see the chain above). Under
   * 'block' it waits for space (back-pressure: the input stops reading); under 'drop-newest' entries that do
   * not fit are dropped and counted; under 'drop-oldest' the oldest unacknowledged records are dropped.
   */
  enqueue(entries: ReadonlyArray<AnyEntry<E, C>>): Promise<EnqueueResult> {
    return this.enqueueAccepted(entries).durable;
  }

  /**
   * enqueue(), with the two moments apart: `accepted` once the entries are written (after any wait for
   * space), `durable` once they are durable. Appends are chained in order, durability is not: the next
   * enqueue need not wait for this one's fsync. Before, it did, and under an interval policy an input
   * that awaited each enqueue read one batch per interval.
   */
  enqueueAccepted(entries: ReadonlyArray<AnyEntry<E, C>>): { accepted: Promise<EnqueueResult>; durable: Promise<EnqueueResult> } {
    const accepted = this.enqueueChain.then(() => this.doEnqueue(entries));
    this.enqueueChain = accepted.catch(() => undefined);
    // Registered right after this append (a then() of it), so the sync that satisfies it covers it.
    const durable = accepted.then((result) => this.sync.durable().then(() => result));
    return { accepted, durable };
  }

  /**
   * The event as the bytes it will be stored as (with its eventKey): hold this instead of the event
   * until enqueue({prepared}), and the event object can die young.
   */
  prepare(event: E, key?: string): PreparedEvent {
    return this.writer.prepare(event, key);
  }

  private async doEnqueue(entries: ReadonlyArray<AnyEntry<E, C>>): Promise<EnqueueResult> {
    const result: EnqueueResult = { accepted: 0, dropped: 0 };
    const now = this.now();
    const payloads = this.writer.payloads(entries);
    const sizes = payloads.map(payloadBytes);
    let i = 0;
    while (i < payloads.length) {
      if (this.closed) throw new QueueClosedError();
      // payloads[from, i) minus the dropped ones: `take` lists them when some were dropped.
      const from = i;
      let take: number[] | undefined;
      let { events, bytes } = this.retained();
      let full = false;
      for (; i < payloads.length; i++) {
        const size = HEADER_BYTES + sizes[i];
        // An empty queue takes one record of any size, so an oversized event cannot wedge the pipeline.
        if (events > 0 && (bytes + size > this.opts.maxBytes || events + 1 > this.opts.maxEvents)) {
          if (this.opts.policy !== 'drop-newest') {
            full = true;
            break;
          }
          take ??= range(from, i);
          this.counters.droppedNewest++;
          result.dropped++;
          continue;
        }
        take?.push(i);
        events++;
        bytes += size;
      }
      const batch = take ?? range(from, i);
      // Written before waiting or dropping, so consumers can drain (and drop-oldest can drop) them.
      this.append(entries, payloads, sizes, batch, now);
      result.accepted += batch.length;
      if (!full) break;
      if (this.opts.policy === 'drop-oldest') {
        if (!this.dropOldest()) {
          // Nothing left to drop (cannot happen while the bound is exceeded); admit rather than spin.
          this.append(entries, payloads, sizes, [i], now);
          i++;
          result.accepted++;
        }
        continue;
      }
      const t0 = this.now();
      await new Promise<void>((r) => this.spaceWaiters.push(r));
      this.counters.blockedMs += this.now() - t0;
    }
    this.lastRecordCheckpoint = entries.at(-1)?.checkpoint ?? this.lastRecordCheckpoint;
    return result;
  }

  /** Writes payloads[k] (of entries[k]) for each k of `which`, in order, rolling over to a new segment when one is full. */
  private append(entries: ReadonlyArray<AnyEntry<E, C>>, payloads: Payload[], sizes: number[], which: number[], now: number): void {
    let i = 0;
    while (i < which.length) {
      let seg = this.segments.at(-1)!;
      if (seg.size >= this.opts.segmentBytes && seg.records.length) seg = this.newSegment();
      // Fill this segment up to its size (at least one record), then roll over.
      let j = i;
      let room = this.opts.segmentBytes - seg.size;
      do room -= HEADER_BYTES + sizes[which[j++]];
      while (j < which.length && room > 0);
      this.writeTo(seg, entries, payloads, sizes, which.slice(i, j), now);
      i = j;
    }
    if (!which.length) return;
    this.counters.enqueued += which.length;
    const waiters = this.dataWaiters;
    this.dataWaiters = [];
    for (const w of waiters) w();
  }

  private writeTo(seg: Segment, entries: ReadonlyArray<AnyEntry<E, C>>, payloads: Payload[], sizes: number[], which: number[], now: number): void {
    let total = 0;
    for (const k of which) total += HEADER_BYTES + sizes[k];
    const data = this.writeBuffer.get(total);
    let off = 0;
    for (let n = 0; n < which.length; n++) off += encodeRecordInto(data, off, this.nextSeq + n, now, payloads[which[n]], sizes[which[n]]);
    let written = 0;
    while (written < total) written += fs.writeSync(seg.fd, data, written, total - written, seg.size + written);
    // The events' prepared bytes are on disk now: their arena space can be reused.
    for (const k of which) this.writer.release(entries[k]);
    off = seg.size;
    for (const k of which) {
      const size = HEADER_BYTES + sizes[k];
      seg.records.push({ seq: this.nextSeq, off, size });
      for (const c of this.consumers.values()) {
        c.state.pendingEvents++;
        c.state.pendingBytes += size;
      }
      off += size;
      this.nextSeq++;
    }
    seg.size += total;
    this.sync.dirty(seg.fd);
  }

  private newSegment(): Segment {
    const file = path.join(this.dir, `seg-${String(this.nextSeq).padStart(16, '0')}.aq`);
    const fd = fs.openSync(file, 'w+');
    const seg: Segment = { firstSeq: this.nextSeq, file, fd, size: 0, records: [] };
    this.segments.push(seg);
    this.sync.dirChanged();
    return seg;
  }

  /** Drops the oldest record that some consumer has not acknowledged yet; false when there is none. */
  private dropOldest(): boolean {
    let min = Number.POSITIVE_INFINITY;
    for (const c of this.consumers.values()) if (c.state.pendingEvents > 0) min = Math.min(min, c.state.cursor);
    if (min === Number.POSITIVE_INFINITY) return false;
    const rec = this.locate(min);
    if (!rec) return false;
    this.counters.droppedOldest++;
    for (const c of this.consumers.values()) {
      if (c.state.cursor <= rec.seq) {
        c.state.dropped++;
        this.advance(c.state, rec.seq + 1);
      }
    }
    return true;
  }

  /** Moves a consumer's cursor to `toSeq` (exclusive), keeping its pending counts; frees consumed segments. */
  advance(state: ConsumerState, toSeq: number): void {
    if (toSeq <= state.cursor) return;
    for (const r of this.range(state.cursor, toSeq)) {
      state.pendingEvents--;
      state.pendingBytes -= r.meta.size;
    }
    state.cursor = toSeq;
    if (state.readSeq < toSeq) state.readSeq = toSeq;
    this.deleteConsumedSegments();
    const waiters = this.spaceWaiters;
    this.spaceWaiters = [];
    for (const w of waiters) w();
  }

  private recount(state: ConsumerState): void {
    state.pendingEvents = 0;
    state.pendingBytes = 0;
    for (const r of this.range(state.cursor, Number.POSITIVE_INFINITY)) {
      state.pendingEvents++;
      state.pendingBytes += r.meta.size;
    }
  }

  private deleteConsumedSegments(): void {
    let min = Number.POSITIVE_INFINITY;
    for (const c of this.consumers.values()) min = Math.min(min, c.state.cursor);
    while (this.segments.length > 1) {
      const s = this.segments[0];
      const lastSeq = s.records.at(-1)?.seq;
      if (lastSeq !== undefined && lastSeq >= min) break;
      this.segments.shift();
      this.sync.forget(s.fd);
      fs.closeSync(s.fd);
      fs.rmSync(s.file, { force: true });
    }
  }

  /** Records with from <= seq < to, oldest first. */
  *range(from: number, to: number): Generator<{ seg: Segment; meta: RecordMeta }> {
    for (const seg of this.segments) {
      const recs = seg.records;
      if (!recs.length || recs[recs.length - 1].seq < from) continue;
      for (let i = lowerBound(recs, from); i < recs.length; i++) {
        if (recs[i].seq >= to) return;
        yield { seg, meta: recs[i] };
      }
    }
  }

  private locate(seq: number): RecordMeta | undefined {
    for (const r of this.range(seq, Number.POSITIVE_INFINITY)) return r.meta;
    return undefined;
  }

  /**
   * Reads and decodes records from `fromSeq` on, up to the limits. Damaged records are skipped and counted.
   * With `into`, the bytes are read into its buffer: the records are then valid only until its next use.
   */
  readRecords(fromSeq: number, maxEvents: number, maxBytes: number, into?: ReusableBuffer): Array<QueueRecord<E, C>> {
    // The records to read, as runs of one segment each: the whole batch is then read into one buffer.
    const chunks: Array<{ seg: Segment; metas: RecordMeta[] }> = [];
    let count = 0;
    let bytes = 0;
    for (const { seg, meta } of this.range(fromSeq, Number.POSITIVE_INFINITY)) {
      if (count >= maxEvents) break;
      if (bytes > 0 && bytes + meta.size > maxBytes) break;
      bytes += meta.size;
      count++;
      let chunk = chunks.at(-1);
      if (chunk === undefined || chunk.seg !== seg) chunks.push((chunk = { seg, metas: [] }));
      chunk.metas.push(meta);
    }
    const out: Array<QueueRecord<E, C>> = [];
    if (!count) return out;
    // A run spans its records and any damaged bytes skipped between them (a recovered segment).
    let span = 0;
    for (const { metas } of chunks) span += metas[metas.length - 1].off + metas[metas.length - 1].size - metas[0].off;
    const all = into ? into.get(span) : Buffer.allocUnsafe(span);
    let at = 0;
    for (const { seg, metas } of chunks) {
      const start = metas[0].off;
      const end = metas[metas.length - 1].off + metas[metas.length - 1].size;
      const buf = all.subarray(at, at + end - start);
      at += buf.length;
      fs.readSync(seg.fd, buf, 0, buf.length, start);
      for (const m of metas) {
        const pos = m.off - start;
        if (validRecordAt(buf, pos) !== m.size) {
          // Damaged after open (disk error): skip and count; never crash the shipper over one record.
          this.counters.corruptRegions++;
          this.counters.corruptBytes += m.size;
          continue;
        }
        out.push(decodePayload<E, C>(recordPayload(buf, pos), m.seq, recordEnqueuedMs(buf, pos), m.size));
      }
    }
    return out;
  }

  /** Resolves on the next append, or after `ms`, or on close. */
  waitForData(ms: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.dataWaiters.push(done);
    });
  }

  hasRecordsFrom(seq: number): boolean {
    return seq < this.nextSeq && this.locate(seq) !== undefined;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** What the queue retains: what its slowest consumer has not acknowledged. */
  retained(): { events: number; bytes: number } {
    let events = 0;
    let bytes = 0;
    for (const c of this.consumers.values()) {
      events = Math.max(events, c.state.pendingEvents);
      bytes = Math.max(bytes, c.state.pendingBytes);
    }
    return { events, bytes };
  }

  stats(): QueueStats {
    const { events, bytes } = this.retained();
    const now = this.now();
    const consumers: QueueStats['consumers'] = {};
    for (const [name, c] of this.consumers) {
      const oldest = c.state.pendingEvents ? this.readRecords(c.state.cursor, 1, Infinity)[0] : undefined;
      consumers[name] = {
        cursor: c.state.cursor,
        pendingEvents: c.state.pendingEvents,
        pendingBytes: c.state.pendingBytes,
        ackLagMs: oldest ? Math.max(0, now - oldest.enqueuedMs) : 0,
        dropped: c.state.dropped,
        acked: c.state.acked,
      };
    }
    const diskBytes = this.segments.reduce((n, s) => n + s.size, 0);
    return { events, bytes, diskBytes, segments: this.segments.length, nextSeq: this.nextSeq, ...this.counters, consumers };
  }

  /** Flushes to disk, persists every cursor, and wakes everyone waiting (blocked enqueues fail). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.sync.stop();
    for (const w of this.spaceWaiters.splice(0)) w();
    for (const w of this.dataWaiters.splice(0)) w();
    // An enqueue may wait for the (now stopped) interval fsync: sync once so it finishes, then once more.
    await this.sync.flush();
    await this.enqueueChain;
    await this.sync.flush();
    for (const c of this.consumers.values()) c.persist();
    for (const s of this.segments) fs.closeSync(s.fd);
  }
}

function lowerBound(recs: RecordMeta[], seq: number): number {
  let lo = 0;
  let hi = recs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (recs[mid].seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function range(from: number, to: number): number[] {
  const out = new Array<number>(to - from);
  for (let i = from; i < to; i++) out[i - from] = i;
  return out;
}
