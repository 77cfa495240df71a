// Splits a byte stream into lines, carrying a partial last line across chunks, and says where each
// line ends in bytes.
//
// Why not parse/lines.ts (LineSplitter, used by the plugin and replay inputs): the tail checkpoint is a
// byte offset, which LineSplitter does not report, and the tail skips empty lines and passes a too-long
// run on whole where LineSplitter keeps them and cuts counted pieces. The byte work itself (newlines,
// lines cut across chunks) is the same, in parse/lines.ts's ByteCarry.
import { ByteCarry, decodeLine } from '../parse/lines';

/** Longest line kept whole. A kernel record is at most ~9 KB (MAX_AUDIT_MESSAGE_LENGTH 8970) plus the
 *  ENRICHED suffix; anything far longer is not audit text (binary file given to --replay) and is cut
 *  so memory stays bounded. The cut pieces still reach parse, which dead-letters them. */
export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

export class ByteLineSplitter {
  private readonly carry = new ByteCarry();
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
    return this.carry.length;
  }

  /**
   * Feed a chunk; `onLine(line, endOffset)` is called for every complete, non-empty line, endOffset
   * being the byte offset just after its newline. Empty lines are skipped but still counted.
   */
  push(chunk: Buffer, onLine: (line: string, endOffset: number) => void): void {
    this.carry.split(chunk, (buf, from, to) => {
      this.consumed += to - from + 1;
      this.emit(buf, from, to, onLine);
    });
    if (this.carry.length >= this.maxLineBytes) this.flush(onLine);
  }

  /**
   * Emit whatever partial line is held as if it were complete. Used when a source is finished for
   * good (end of a replayed file, a rotated file fully read, stdin closed): the writer will never
   * complete that line, and dropping it would lose the record.
   */
  flush(onLine: (line: string, endOffset: number) => void): void {
    if (this.carry.length === 0) return;
    const buf = this.carry.take();
    this.consumed += buf.length;
    this.emit(buf, 0, buf.length, onLine);
  }

  /** Forget the partial line and restart counting at `offset` (after a truncation was detected). */
  reset(offset = 0): void {
    this.carry.take();
    this.consumed = offset;
  }

  private emit(buf: Buffer, from: number, to: number, onLine: (line: string, endOffset: number) => void): void {
    const line = decodeLine(buf, from, to);
    if (line.length > 0) onLine(line, this.consumed);
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
