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
  /** Number of pieces emitted because a line exceeded maxLineLength. */
  overlong = 0;

  constructor(opts: LineSplitterOptions = {}) {
    this.max = opts.maxLineLength ?? 1 << 20;
  }

  /** Lines completed by this chunk, without their CR/LF. A trailing partial line waits for the next chunk. */
  push(chunk: string | Uint8Array): string[] {
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

  /** End of input: the last line if it had no newline. */
  end(): string[] {
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

/** Lines of an async chunk stream (a fs.ReadStream, a socket, process.stdin). */
export async function* readLines(
  source: AsyncIterable<string | Uint8Array>,
  opts?: LineSplitterOptions,
): AsyncGenerator<string, void, undefined> {
  const splitter = new LineSplitter(opts);
  for await (const chunk of source) yield* splitter.push(chunk);
  yield* splitter.end();
}
