// Splits a byte stream into lines, carrying a partial last line across chunks, and says where each
// line ends in bytes.
//
// Why not parse/lines.ts (LineSplitter, used by the plugin and replay inputs): that one splits decoded
// text, while the tail checkpoint is a byte offset; counting UTF-16 units would make offsets wrong as
// soon as a record carries multi-byte UTF-8 (ENRICHED names, untrusted comm values).

const NL = 0x0a;
const CR = 0x0d;

/** Longest line kept whole. A kernel record is at most ~9 KB (MAX_AUDIT_MESSAGE_LENGTH 8970) plus the
 *  ENRICHED suffix; anything far longer is not audit text (binary file given to --replay) and is cut
 *  so memory stays bounded. The cut pieces still reach parse, which dead-letters them. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

export class ByteLineSplitter {
  private carry: Buffer[] = [];
  private carryLen = 0;
  /** Bytes consumed so far (including newlines), i.e. the offset just after the last complete line. */
  private consumed: number;

  constructor(
    startOffset = 0,
    private readonly maxLineBytes = DEFAULT_MAX_LINE_BYTES,
  ) {
    this.consumed = startOffset;
  }

  /** Offset (in bytes, from where counting started) just after the last line emitted. */
  get offset(): number {
    return this.consumed;
  }

  /** Bytes held back as an incomplete line. */
  get pendingBytes(): number {
    return this.carryLen;
  }

  /**
   * Feed a chunk; `onLine(line, endOffset)` is called for every complete, non-empty line, endOffset
   * being the byte offset just after its newline. Empty lines are skipped but still counted.
   */
  push(chunk: Buffer, onLine: (line: string, endOffset: number) => void): void {
    let start = 0;
    let nl = chunk.indexOf(NL, start);
    while (nl !== -1) {
      let lineBuf: Buffer;
      if (this.carryLen > 0) {
        this.carry.push(chunk.subarray(start, nl));
        lineBuf = Buffer.concat(this.carry, this.carryLen + (nl - start));
        this.consumed += this.carryLen;
        this.carry = [];
        this.carryLen = 0;
      } else {
        lineBuf = chunk.subarray(start, nl);
      }
      this.consumed += nl - start + 1;
      this.emit(lineBuf, onLine);
      start = nl + 1;
      nl = chunk.indexOf(NL, start);
    }
    if (start < chunk.length) {
      // Copy: the caller may reuse its read buffer for the next chunk.
      const rest = Buffer.from(chunk.subarray(start));
      this.carry.push(rest);
      this.carryLen += rest.length;
      if (this.carryLen >= this.maxLineBytes) this.flush(onLine);
    }
  }

  /**
   * Emit whatever partial line is held as if it were complete. Used when a source is finished for
   * good (end of a replayed file, a rotated file fully read, stdin closed): the writer will never
   * complete that line, and dropping it would lose the record.
   */
  flush(onLine: (line: string, endOffset: number) => void): void {
    if (this.carryLen === 0) return;
    const buf = Buffer.concat(this.carry, this.carryLen);
    this.consumed += this.carryLen;
    this.carry = [];
    this.carryLen = 0;
    this.emit(buf, onLine);
  }

  /** Forget the partial line and restart counting at `offset` (after a truncation was detected). */
  reset(offset = 0): void {
    this.carry = [];
    this.carryLen = 0;
    this.consumed = offset;
  }

  private emit(buf: Buffer, onLine: (line: string, endOffset: number) => void): void {
    let end = buf.length;
    if (end > 0 && buf[end - 1] === CR) end--;
    if (end === 0) return;
    onLine(buf.toString('utf8', 0, end), this.consumed);
  }
}

/** Convenience for tests and small inputs: every line of a buffer or string, last partial line included. */
export function splitAll(data: Buffer | string): string[] {
  const out: string[] = [];
  const s = new ByteLineSplitter();
  s.push(typeof data === 'string' ? Buffer.from(data) : data, (l) => out.push(l));
  s.flush((l) => out.push(l));
  return out;
}
