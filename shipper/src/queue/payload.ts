// A record's payload, both ways: what enqueue() writes for an entry, and what a consumer reads back.
//
// Layout: `{"c":...,"k":...,"e":...}`, the event last, c and k strings (either may be missing), so that a
// reader finds the event's bytes without parsing them. Anything else (an object checkpoint, a non-string
// key, an entry without checkpoint and key) is the bytes of JSON.stringify({e, c, k}); readers parse that
// whole.
import type { Payload } from './record';
import type { QueueEntry, QueueRecord } from './types';

/**
 * An event already turned into its stored bytes, so that the producer holds no event object (and no
 * string) until enqueue(): a batch waiting for its commit is then off the JS heap, where scavenges do not
 * copy it. `json` is exactly the UTF-8 of JSON.stringify(event), valid until the event is written: a
 * prepared event is enqueued once (its arena space is reused after the write).
 */
export interface PreparedEvent {
  readonly json: Buffer;
  readonly key: string | undefined;
  /** The arena chunk holding json; null once the write released it (json may be written over since). */
  chunk?: ArenaChunk | null;
}

export interface PreparedEntry<C = unknown> {
  prepared: PreparedEvent;
  checkpoint?: C;
}

export type AnyEntry<E, C> = QueueEntry<E, C> | PreparedEntry<C>;

export interface ArenaChunk {
  readonly buf: Buffer;
  off: number;
  /** Views handed out and not yet released. */
  live: number;
}

/**
 * Appends strings as UTF-8 to large buffers and hands out views of them: one allocation per megabyte
 * instead of one small buffer (and its tracking) per event. A chunk whose views were all released (their
 * bytes written to the queue) is written over again. Without that, each chunk lived until its last event
 * was committed, long enough to be promoted, and the chunks (megabytes a second on a busy host) waited
 * for a major GC: most of the shipper's external memory, and of its RSS swings.
 */
export class ByteArena {
  private cur: ArenaChunk;
  /** Full chunks with views still out. */
  private full: ArenaChunk[] = [];
  private spare: Buffer | undefined;

  constructor(private readonly size = 1 << 20) {
    this.cur = { buf: Buffer.allocUnsafeSlow(size), off: 0, live: 0 };
  }

  /** The UTF-8 of s, and the chunk to release it to (none for a string too large for a chunk). */
  put(s: string): { view: Buffer; chunk: ArenaChunk | undefined } {
    // At most 3 bytes per UTF-16 unit (a surrogate pair is 4 bytes for 2 units).
    const max = s.length * 3;
    let c = this.cur;
    if (this.size - c.off < max) {
      if (max > this.size >> 3) return { view: Buffer.from(s, 'utf8'), chunk: undefined };
      // Bounded: a chunk whose views are never released (events dropped before their write) is left to the GC.
      if (this.full.push(c) > 8) this.full.shift();
      c = this.cur = { buf: this.spare ?? Buffer.allocUnsafeSlow(this.size), off: 0, live: 0 };
      this.spare = undefined;
    }
    const n = c.buf.write(s, c.off, 'utf8');
    const view = c.buf.subarray(c.off, c.off + n);
    c.off += n;
    c.live++;
    return { view, chunk: c };
  }

  /** A view of `chunk` is no longer read: once none is, the chunk's space is written over. */
  release(chunk: ArenaChunk): void {
    if (--chunk.live > 0) return;
    if (chunk === this.cur) {
      chunk.off = 0;
      return;
    }
    const i = this.full.indexOf(chunk);
    if (i === -1) return;
    this.full.splice(i, 1);
    this.spare ??= chunk.buf;
  }
}

export interface PayloadOptions<E> {
  /** The key of an entry that has none (DiskQueueOptions.eventKey). */
  eventKey?: (event: E) => string | undefined;
}

export class PayloadWriter<E, C> {
  private readonly arena = new ByteArena();

  constructor(private readonly opts: PayloadOptions<E>) {}

  prepare(event: E, key?: string): PreparedEvent {
    const { view, chunk } = this.arena.put(JSON.stringify(event));
    return { json: view, key: key ?? this.opts.eventKey?.(event), chunk };
  }

  /** The entry's bytes were written: a prepared event's arena space may be reused. */
  release(entry: AnyEntry<E, C>): void {
    if (!('prepared' in entry)) return;
    const p = entry.prepared;
    const c = p.chunk;
    if (c === undefined || c === null) return;
    p.chunk = null;
    this.arena.release(c);
  }

  /**
   * Each entry's payload. An entry handed over whole is first turned into its JSON bytes as prepare() does,
   * so both kinds take one path and give the same bytes. The checkpoint's text is made once per run of
   * equal checkpoints (a commit gives all its events the same one).
   */
  payloads(entries: ReadonlyArray<AnyEntry<E, C>>): Payload[] {
    const out = new Array<Payload>(entries.length);
    let lastC: C | undefined;
    let lastCText: string | undefined;
    let haveC = false;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i];
      const { checkpoint } = entry;
      let bytes: Buffer;
      let key: string | undefined;
      if ('prepared' in entry) {
        // Its bytes may have been written over since its first write.
        if (entry.prepared.chunk === null) throw new Error('a prepared event was enqueued twice');
        ({ json: bytes, key } = entry.prepared);
      }
      else {
        key = entry.key ?? this.opts.eventKey?.(entry.event);
        const text = JSON.stringify(entry.event);
        if (text === undefined) {
          // An undefined (or function) event has no JSON of its own: stored as JSON.stringify does it.
          out[i] = JSON.stringify({ e: entry.event, c: checkpoint, k: key });
          continue;
        }
        bytes = Buffer.from(text, 'utf8');
      }
      const simple = (checkpoint === undefined || typeof checkpoint === 'string') && (key === undefined || typeof key === 'string');
      if (!simple || (checkpoint === undefined && key === undefined)) {
        out[i] = plainLayout(bytes, checkpoint, key);
        continue;
      }
      if (!haveC || checkpoint !== lastC) {
        lastC = checkpoint;
        lastCText = checkpoint === undefined ? undefined : JSON.stringify(checkpoint);
        haveC = true;
      }
      const head = lastCText === undefined ? `{"k":${JSON.stringify(key)}` : key === undefined ? `{"c":${lastCText}` : `{"c":${lastCText},"k":${JSON.stringify(key)}`;
      out[i] = { head: `${head},"e":`, body: bytes, tail: '}' };
    }
    return out;
  }
}

/** JSON.stringify({ e, c, k }) for an event given as its JSON bytes. */
function plainLayout(json: Buffer, c: unknown, k: unknown): Payload {
  const rest = JSON.stringify({ c, k });
  return { head: '{"e":', body: json, tail: rest === '{}' ? '}' : `,${rest.slice(1)}` };
}

/** A record read from the queue; with the event-last layout its event is decoded and parsed on first access only. */
class StoredRecord<E, C> implements QueueRecord<E, C> {
  private parsed: E | undefined;
  private text: string | undefined;

  constructor(
    readonly seq: number,
    readonly enqueuedMs: number,
    readonly bytes: number,
    readonly checkpoint: C | undefined,
    readonly key: string | undefined,
    readonly eventBytes: Buffer | undefined,
    event: E | undefined,
  ) {
    this.parsed = event;
  }

  get eventText(): string | undefined {
    if (this.text === undefined && this.eventBytes !== undefined) this.text = this.eventBytes.toString('utf8');
    return this.text;
  }

  get event(): E {
    if (this.parsed === undefined && this.eventBytes !== undefined) this.parsed = JSON.parse(this.eventText!) as E;
    return this.parsed as E;
  }
}

const EVENT_MARK = Buffer.from(',"e":');

/**
 * Decodes a payload. In the event-last layout `,"e":` first occurs right after the head (inside a JSON
 * string a quote is escaped), so only the small head is decoded and the event stays bytes (a view into
 * `payload`); any other layout, e.g. from older versions, is parsed whole.
 */
export function decodePayload<E, C>(payload: Buffer, seq: number, enqueuedMs: number, bytes: number): QueueRecord<E, C> {
  const p = payload;
  // `{"c":"` or `{"k":"`
  if (p.length > 7 && p[0] === 0x7b && p[1] === 0x22 && (p[2] === 0x63 || p[2] === 0x6b) && p[3] === 0x22 && p[4] === 0x3a && p[5] === 0x22) {
    const at = p.indexOf(EVENT_MARK);
    if (at > 0 && p[p.length - 1] === 0x7d) {
      const head = JSON.parse(`${p.toString('utf8', 0, at)}}`) as { c?: C; k?: string };
      return new StoredRecord<E, C>(seq, enqueuedMs, bytes, head.c, head.k, p.subarray(at + 5, p.length - 1), undefined);
    }
  }
  const o = JSON.parse(p.toString('utf8')) as { e: E; c?: C; k?: string };
  return new StoredRecord<E, C>(seq, enqueuedMs, bytes, o.c, o.k, undefined, o.e);
}
