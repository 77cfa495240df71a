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
  private readonly bytes = new ByteCarry();
  /** Number of pieces emitted because a line exceeded maxLineLength. */
  overlong = 0;

  constructor(opts: LineSplitterOptions = {}) {
    this.max = opts.maxLineLength ?? 1 << 20;
  }

  /** Lines completed by this chunk, without their CR/LF. A trailing partial line waits for the next chunk. */
  push(chunk: string | Uint8Array): string[] {
    if (typeof chunk !== 'string' && this.partial.length === 0) return this.pushBytes(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    // Text after bytes (no input does this, but the splitter stays correct): continue as text.
    if (this.bytes.length > 0) this.partial = this.decoder.write(this.bytes.take());
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
    this.bytes.split(chunk, (buf, from, to) => this.emit(decodeLine(buf, from, to), out));
    // A run without newline is cut at maxLineLength bytes (the text path counts UTF-16 units; the same
    // for the ASCII of audit records).
    while (this.bytes.length > this.max) {
      const all = this.bytes.take();
      out.push(all.toString('utf8', 0, this.max));
      this.overlong++;
      this.bytes.hold(all.subarray(this.max));
    }
    return out;
  }

  /** End of input: the last line if it had no newline. */
  end(): string[] {
    if (this.bytes.length > 0) {
      const line = this.bytes.take();
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

/**
 * The byte-level core of splitting lines, shared by LineSplitter's byte path and the tail's
 * ByteLineSplitter (inputs/line-splitter.ts, whose checkpoints are byte offsets): finds the newlines of
 * each chunk, joins a line cut across chunks, and holds a copy of the unfinished rest. What a line becomes
 * (empty lines, a too-long run) is the caller's.
 */
export class ByteCarry {
  private parts: Buffer[] = [];
  /** Bytes held: the unfinished line so far. */
  length = 0;

  /** onLine(buf, from, to) for every line the chunk ends: buf[from, to), the newline excluded. */
  split(chunk: Buffer, onLine: (buf: Buffer, from: number, to: number) => void): void {
    let start = 0;
    let nl = chunk.indexOf(NL);
    while (nl !== -1) {
      if (this.length > 0) {
        this.parts.push(chunk.subarray(start, nl));
        const line = this.take(nl - start);
        onLine(line, 0, line.length);
      } else {
        onLine(chunk, start, nl);
      }
      start = nl + 1;
      nl = chunk.indexOf(NL, start);
    }
    if (start < chunk.length) {
      // A copy: the caller may reuse its buffer.
      this.parts.push(Buffer.from(chunk.subarray(start)));
      this.length += chunk.length - start;
    }
  }

  /** The held bytes (plus `extra` bytes pushed last, not yet counted); holds nothing afterwards. */
  take(extra = 0): Buffer {
    const b = Buffer.concat(this.parts, this.length + extra);
    this.parts = [];
    this.length = 0;
    return b;
  }

  /** Holds `b` instead (the rest of a line cut at a maximum length). */
  hold(b: Buffer): void {
    this.parts = [b];
    this.length = b.length;
  }
}

/** buf[from, to) as text, without a trailing CR. */
export function decodeLine(buf: Buffer, from: number, to: number): string {
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
