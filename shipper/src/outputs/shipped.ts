// The bytes an output sends for a batch: each event as JSON with event.ingested added, one per line.
//
// Why bytes: the queue hands out each event's stored JSON as a view into the buffer it read. Splicing
// `"ingested":"..."` into those bytes and copying them into one request buffer keeps a batch in flight off
// the JS heap: as strings (decode, splice, the client's join, its encode) a 1000-event batch was ~4 copies
// of 3 MB that lived through the request, so every scavenge meanwhile copied them and promoted them.
import type { EcsEvent } from '../../../common/ecs/event';
import type { QueueRecord } from '../queue/types';
import type { ReusableBuffer } from '../queue/reusable-buffer';

/** The event as shipped: event.ingested is the time it left this server (set per attempt, not stored). */
export function withIngested(ev: EcsEvent, ingested: string): EcsEvent {
  return { ...ev, event: { ...ev.event, ingested } };
}

/**
 * One buffer holding, per record, `prefix(i)` (a whole line, e.g. a bulk action; optional) and then
 * JSON.stringify(withIngested(rec.event, ingested)) + "\n", byte for byte. When the queue gave the
 * event's bytes, `"ingested":"..."` is spliced in where withIngested puts it (last key of the top-level
 * `event` object); otherwise, or for an unusual shape (no `event` object, or one that already has
 * `ingested`), the event is serialized the plain way. With `into`, the lines are written into its buffer
 * (valid until its next use: the caller's next batch).
 */
export function shippedLines(records: ReadonlyArray<QueueRecord<EcsEvent>>, ingested: string, prefix?: (i: number) => string, into?: ReusableBuffer): Buffer {
  const n = records.length;
  const frag = Buffer.from(`"ingested":${JSON.stringify(ingested)}`);
  const ends = new Array<number>(n);
  const plain = new Array<Buffer | undefined>(n);
  const heads = new Array<string | undefined>(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const bytes = records[i].eventBytes;
    const end = bytes === undefined ? -1 : eventObjectEnd(bytes);
    ends[i] = end;
    if (end > 0) total += bytes!.length + frag.length + (bytes![end - 1] === 0x7b ? 0 : 1) + 1;
    else {
      plain[i] = Buffer.from(JSON.stringify(withIngested(records[i].event, ingested)));
      total += plain[i]!.length + 1;
    }
    if (prefix) {
      heads[i] = prefix(i);
      total += Buffer.byteLength(heads[i]!) + 1;
    }
  }
  const out = into ? into.get(total) : Buffer.allocUnsafe(total);
  let o = 0;
  for (let i = 0; i < n; i++) {
    const h = heads[i];
    if (h !== undefined) {
      o += out.write(h, o);
      out[o++] = 0x0a;
    }
    const end = ends[i];
    if (end > 0) {
      const bytes = records[i].eventBytes!;
      o += bytes.copy(out, o, 0, end);
      if (bytes[end - 1] !== 0x7b) out[o++] = 0x2c;
      o += frag.copy(out, o);
      o += bytes.copy(out, o, end);
    } else o += plain[i]!.copy(out, o);
    out[o++] = 0x0a;
  }
  return out;
}

const EVENT = Buffer.from('event');
const INGESTED = Buffer.from('ingested');

function keyIs(t: Uint8Array, at: number, key: Buffer): boolean {
  for (let k = 0; k < key.length; k++) if (t[at + k] !== key[k]) return false;
  return true;
}

/**
 * Offset of the `}` closing the top-level `event` object in JSON.stringify output (UTF-8, no whitespace),
 * or -1 when there is no such object or it has an `ingested` key already. Strings are skipped whole (a quote
 * inside one is escaped), so keys and braces inside values are never taken for structure. Bytes work as
 * characters do here: every structural character is ASCII, and UTF-8 never puts an ASCII byte inside a
 * multi-byte character.
 */
export function eventObjectEnd(t: Uint8Array): number {
  if (t[0] !== 0x7b) return -1;
  let depth = 0;
  let inEvent = false;
  const n = t.length;
  for (let i = 0; i < n; ) {
    const c = t[i];
    if (c === 0x22) {
      let j = t.indexOf(0x22, i + 1);
      for (;;) {
        if (j < 0) return -1;
        let b = 0;
        while (t[j - 1 - b] === 0x5c) b++;
        if ((b & 1) === 0) break;
        j = t.indexOf(0x22, j + 1);
      }
      if (t[j + 1] === 0x3a) {
        const len = j - i - 1;
        if (depth === 1 && len === 5 && keyIs(t, i + 1, EVENT)) {
          if (t[j + 2] !== 0x7b) return -1;
          inEvent = true;
        } else if (inEvent && depth === 2 && len === 8 && keyIs(t, i + 1, INGESTED)) return -1;
      }
      i = j + 1;
    } else if (c === 0x7b || c === 0x5b) {
      depth++;
      i++;
    } else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (inEvent && depth === 1) return i;
      i++;
    } else i++;
  }
  return -1;
}
