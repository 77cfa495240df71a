// The auditd plugin input: auditd (audisp) starts `auditsight ship --input plugin` and writes every
// record to its stdin, one text line per record (plugins.d `format = string`).
//
// There is nothing to resume: the dispatcher does not replay what a plugin missed, so checkpoints are
// plain sequence numbers (`plugin1:N`) for logs only. Back-pressure works through the pipe: while the
// consumer does not pull, the stream is not read, the pipe fills, auditd's dispatcher queue (q_depth in
// auditd.conf) fills, and then auditd applies overflow_action (SYSLOG by default: it drops and says so).
// When auditd stops it closes our stdin: the iteration ends after the last (even partial) line.
// auditd writes each record on its own: after a read that took everything buffered, the next waits
// lingerMs (input.linger_ms, as the tailer does), so that the daemon commits records in batches rather
// than one by one. A read that filled the stream's buffer means more is waiting: no pause then.
import type { Readable } from 'node:stream';
import { LineSplitter } from '../parse/lines';
import type { InputBatch, InputLine } from './types';

export interface PluginInputOptions {
  /** Defaults to process.stdin. */
  stream?: Readable | NodeJS.ReadableStream;
  /** After a read that took everything buffered, wait this long before the next. Default 0. */
  lingerMs?: number;
}

export interface PluginStats {
  lines: number;
  bytes: number;
  ended: boolean;
}

export class PluginInput {
  readonly stats: PluginStats = { lines: 0, bytes: 0, ended: false };
  private readonly stream: Readable | NodeJS.ReadableStream;
  private readonly lingerMs: number;

  constructor(opts: PluginInputOptions = {}) {
    this.stream = opts.stream ?? process.stdin;
    this.lingerMs = opts.lingerMs ?? 0;
  }

  /** Batches of complete lines, one per chunk read from the stream; ends when the stream ends. */
  async *batches(): AsyncGenerator<InputBatch> {
    const splitter = new LineSplitter();
    const take = (lines: string[]): InputBatch => {
      const out: InputBatch = [];
      for (const line of lines) {
        if (line.length === 0) continue;
        this.stats.lines++;
        out.push({ line, checkpoint: `plugin1:${this.stats.lines}` });
      }
      return out;
    };
    const full = (this.stream as Readable).readableHighWaterMark ?? Infinity;
    for await (const chunk of this.lingerMs > 0 ? allBuffered(this.stream as Readable) : (this.stream as AsyncIterable<Buffer | string>)) {
      this.stats.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      let out: InputBatch | undefined = take(splitter.push(chunk));
      if (out.length > 0) yield out;
      // Not kept through the linger (a suspended generator keeps its locals; see tail.ts).
      out = undefined;
      if (this.lingerMs > 0 && chunk.length < full) await new Promise((r) => setTimeout(r, this.lingerMs));
    }
    const last = take(splitter.end());
    this.stats.ended = true;
    if (last.length > 0) yield last;
  }

  async *lines(): AsyncGenerator<InputLine> {
    for await (const b of this.batches()) yield* b;
  }
}

/**
 * The stream's data, each time all that is buffered, where the stream's own async iterator hands out the
 * chunks one by one: after a linger, one batch instead of one per record.
 */
async function* allBuffered(stream: Readable): AsyncGenerator<Buffer | string> {
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const onReadable = () => wake?.();
  const onEnd = () => {
    ended = true;
    wake?.();
  };
  const onError = (e: Error) => {
    failure = e;
    wake?.();
  };
  stream.on('readable', onReadable);
  stream.on('end', onEnd);
  stream.on('close', onEnd);
  stream.on('error', onError);
  try {
    for (;;) {
      if (failure) throw failure;
      // read() without a size returns only the first buffered chunk (Node 26); the length takes them all.
      const chunk = stream.read(stream.readableLength || undefined) as Buffer | string | null;
      if (chunk !== null) {
        yield chunk;
        continue;
      }
      if (ended || stream.readableEnded) return;
      // No event can come in between: they are emitted on later ticks.
      await new Promise<void>((r) => (wake = r));
      wake = undefined;
    }
  } finally {
    stream.off('readable', onReadable);
    stream.off('end', onEnd);
    stream.off('close', onEnd);
    stream.off('error', onError);
  }
}

export function pluginInput(opts: PluginInputOptions = {}): PluginInput {
  return new PluginInput(opts);
}
