// On-disk record framing of the durable queue, and the scan that recovers a segment after a crash.
//
// Record = MAGIC(4) CRC32(4) LEN(4) SEQ(f64 8) ENQUEUED_MS(f64 8) PAYLOAD(LEN bytes, UTF-8 JSON)
// The CRC covers LEN..end of payload, so a torn write (kill -9 or power loss mid-append) and bit rot both
// fail the check. MAGIC is a byte sequence that is invalid UTF-8 (0xD1 must be followed by a continuation
// byte, 0x0E is not one), so it can never occur inside a JSON payload: after a bad record the scan can
// resynchronise on the next MAGIC and keep every later record.
import * as zlib from 'node:zlib';

export const MAGIC = Buffer.from([0xa7, 0x51, 0xd1, 0x0e]);
export const HEADER_BYTES = 28;
/** A record longer than this is treated as corruption (a garbage length must not make us read 4 GiB). */
export const MAX_PAYLOAD_BYTES = 64 * 1024 * 1024;

export interface RecordMeta {
  seq: number;
  /** Offset of the record's first byte in its segment. */
  off: number;
  /** Total bytes including the header. */
  size: number;
}

/**
 * A record's payload: bytes, a string (UTF-8 encoded straight into the record, no intermediate Buffer), or
 * head + body bytes + tail (an event prepared as bytes with its per-record framing around it).
 */
export type Payload = Buffer | string | { head: string; body: Buffer; tail: string };

export function payloadBytes(p: Payload): number {
  if (typeof p === 'string') return Buffer.byteLength(p, 'utf8');
  if (Buffer.isBuffer(p)) return p.length;
  return Buffer.byteLength(p.head, 'utf8') + p.body.length + Buffer.byteLength(p.tail, 'utf8');
}

export function encodeRecord(seq: number, enqueuedMs: number, payload: Payload, size: number = payloadBytes(payload)): Buffer {
  const buf = Buffer.allocUnsafe(HEADER_BYTES + size);
  encodeRecordInto(buf, 0, seq, enqueuedMs, payload, size);
  return buf;
}

/** Writes the record at buf[at, at + HEADER_BYTES + size) (size = payloadBytes(payload)); returns its length. */
export function encodeRecordInto(buf: Buffer, at: number, seq: number, enqueuedMs: number, payload: Payload, size: number): number {
  MAGIC.copy(buf, at);
  buf.writeUInt32LE(size, at + 8);
  buf.writeDoubleLE(seq, at + 12);
  buf.writeDoubleLE(enqueuedMs, at + 20);
  const start = at + HEADER_BYTES;
  if (typeof payload === 'string') buf.write(payload, start, size, 'utf8');
  else if (Buffer.isBuffer(payload)) payload.copy(buf, start);
  else {
    let o = start + buf.write(payload.head, start, 'utf8');
    o += payload.body.copy(buf, o);
    buf.write(payload.tail, o, 'utf8');
  }
  buf.writeUInt32LE(zlib.crc32(buf.subarray(at + 8, start + size)), at + 4);
  return HEADER_BYTES + size;
}

/** Total size of the valid record at `pos`, or -1 when there is none (torn, corrupt, or not a record start). */
export function validRecordAt(buf: Buffer, pos: number): number {
  if (pos + HEADER_BYTES > buf.length) return -1;
  if (buf[pos] !== MAGIC[0] || buf[pos + 1] !== MAGIC[1] || buf[pos + 2] !== MAGIC[2] || buf[pos + 3] !== MAGIC[3]) return -1;
  const len = buf.readUInt32LE(pos + 8);
  if (len > MAX_PAYLOAD_BYTES || pos + HEADER_BYTES + len > buf.length) return -1;
  const crc = zlib.crc32(buf.subarray(pos + 8, pos + HEADER_BYTES + len));
  return crc === buf.readUInt32LE(pos + 4) ? HEADER_BYTES + len : -1;
}

export function recordSeq(buf: Buffer, pos: number): number {
  return buf.readDoubleLE(pos + 12);
}

export function recordEnqueuedMs(buf: Buffer, pos: number): number {
  return buf.readDoubleLE(pos + 20);
}

export function recordPayload(buf: Buffer, pos: number): Buffer {
  const len = buf.readUInt32LE(pos + 8);
  return buf.subarray(pos + HEADER_BYTES, pos + HEADER_BYTES + len);
}

export interface ScanResult {
  records: RecordMeta[];
  /** Number of damaged regions skipped (each may have held one or more records). */
  corruptRegions: number;
  corruptBytes: number;
  /** End of the last valid record: an active segment is truncated here so appends start on a boundary. */
  validEnd: number;
}

/** Finds every valid record of a segment, skipping damaged regions instead of failing. */
export function scanSegment(buf: Buffer): ScanResult {
  const records: RecordMeta[] = [];
  let corruptRegions = 0;
  let corruptBytes = 0;
  let validEnd = 0;
  let pos = 0;
  let lastSeq = -Infinity;
  while (pos < buf.length) {
    const size = validRecordAt(buf, pos);
    // Sequence numbers only grow within a segment; a valid-looking but older record is stale garbage.
    if (size > 0 && recordSeq(buf, pos) > lastSeq) {
      lastSeq = recordSeq(buf, pos);
      records.push({ seq: lastSeq, off: pos, size });
      pos += size;
      validEnd = pos;
      continue;
    }
    corruptRegions++;
    let next = buf.indexOf(MAGIC, pos + 1);
    while (next >= 0 && !(validRecordAt(buf, next) > 0 && recordSeq(buf, next) > lastSeq)) next = buf.indexOf(MAGIC, next + 1);
    const end = next < 0 ? buf.length : next;
    corruptBytes += end - pos;
    pos = end;
  }
  return { records, corruptRegions, corruptBytes, validEnd };
}
