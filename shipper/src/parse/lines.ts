// Splitting a stream of chunks into lines, for the inputs (files, sockets, stdin). Pure: no I/O.
// Handles a line cut across chunks, CRLF, a UTF-8 character cut across Buffer chunks, and bounds the
// memory a newline-less stream can take.
import { StringDecoder } from 'node:string_decoder';

export interface LineSplitterOptions {
  /**
   * Longest line kept whole, in UTF-16 code units. auditd records are under 9 KiB (MAX_AUDIT_MESSAGE_LENGTH,
   * plus node= and ENRICHED text); a longer run without newline is garbage or an attack, and is cut
   * into pieces of this size (each counted in `overlong`) rather than buffered without bound.
   */
  maxLineLength?: number;
}

export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private readonly max: number;
  private partial = '';
  /** Bytes of an incomplete line, when the input comes as bytes. */
  private carry: Buffer[] = [];
  private carryLen = 0;
  /** Number of pieces emitted because a line exceeded maxLineLength. */
  overlong = 0;

  constructor(opts: LineSplitterOptions = {}) {
    this.max = opts.maxLineLength ?? 1 << 20;
  }

  /** Lines completed by this chunk, without their CR/LF. A trailing partial line waits for the next chunk. */
  push(chunk: string | Uint8Array): string[] {
    if (typeof chunk !== 'string' && this.partial.length === 0) return this.pushBytes(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    if (this.carryLen > 0) {
      // Text after bytes (no input does this, but the splitter stays correct): continue as text.
      this.partial = this.decoder.write(Buffer.concat(this.carry, this.carryLen));
      this.carry = [];
      this.carryLen = 0;
    }
    const text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk as Buffer);
    const out: string[] = [];
    let start = 0;
    let nl = text.indexOf('\n');
    if (nl === -1) {
      this.partial = this.partial.length === 0 ? text : this.partial + text;
      this.cutOverlong(out);
      return out;
    }
    while (nl !== -1) {
      let line = start === 0 && this.partial.length > 0 ? this.partial + text.slice(0, nl) : text.slice(start, nl);
      if (start === 0) this.partial = '';
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1);
      this.emit(line, out);
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    this.partial = start < text.length ? text.slice(start) : '';
    this.cutOverlong(out);
    return out;
  }

  /**
   * Bytes: each line is decoded on its own, so it is a flat string of its own rather than a view into a
   * decoded chunk. Lines become event.original, and V8 serialises a document on its fast path only when
   * every string in it is flat (common/flat.ts); a line also no longer keeps its whole chunk alive.
   * A newline byte never occurs inside a UTF-8 character, so splitting before decoding is safe.
   */
  private pushBytes(chunk: Buffer): string[] {
    const out: string[] = [];
    let start = 0;
    let nl = chunk.indexOf(NL);
    while (nl !== -1) {
      if (this.carryLen > 0) {
        this.carry.push(chunk.subarray(start, nl));
        const line = Buffer.concat(this.carry, this.carryLen + (nl - start));
        this.carry = [];
        this.carryLen = 0;
        this.emit(decodeLine(line, 0, line.length), out);
      } else {
        this.emit(decodeLine(chunk, start, nl), out);
      }
      start = nl + 1;
      nl = chunk.indexOf(NL, start);
    }
    if (start < chunk.length) {
      // A copy: the caller may reuse its buffer.
      this.carry.push(Buffer.from(chunk.subarray(start)));
      this.carryLen += chunk.length - start;
      // A run without newline is cut at maxLineLength bytes (the text path counts UTF-16 units; the same
      // for the ASCII of audit records).
      while (this.carryLen > this.max) {
        const all = Buffer.concat(this.carry, this.carryLen);
        out.push(all.toString('utf8', 0, this.max));
        this.overlong++;
        this.carry = [all.subarray(this.max)];
        this.carryLen = all.length - this.max;
      }
    }
    return out;
  }

  /** End of input: the last line if it had no newline. */
  end(): string[] {
    if (this.carryLen > 0) {
      const line = Buffer.concat(this.carry, this.carryLen);
      this.carry = [];
      this.carryLen = 0;
      const out: string[] = [];
      this.emit(decodeLine(line, 0, line.length), out);
      return out;
    }
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (rest.length === 0) return [];
    const out: string[] = [];
    this.emit(rest.charCodeAt(rest.length - 1) === 13 ? rest.slice(0, -1) : rest, out);
    return out;
  }

  private emit(line: string, out: string[]): void {
    if (line.length <= this.max) {
      out.push(line);
      return;
    }
    for (let i = 0; i < line.length; i += this.max) {
      out.push(line.slice(i, i + this.max));
      this.overlong++;
    }
  }

  private cutOverlong(out: string[]): void {
    while (this.partial.length > this.max) {
      out.push(this.partial.slice(0, this.max));
      this.partial = this.partial.slice(this.max);
      this.overlong++;
    }
  }
}

const NL = 0x0a;

/** buf[from, to) as text, without a trailing CR. */
function decodeLine(buf: Buffer, from: number, to: number): string {
  if (to > from && buf[to - 1] === 0x0d) to--;
  return buf.toString('utf8', from, to);
}

/** Lines of an async chunk stream (a fs.ReadStream, a socket, process.stdin). */
export async function* readLines(
  source: AsyncIterable<string | Uint8Array>,
  opts?: LineSplitterOptions,
): AsyncGenerator<string, void, undefined> {
  const splitter = new LineSplitter(opts);
  for await (const chunk of source) yield* splitter.push(chunk);
  yield* splitter.end();
}
