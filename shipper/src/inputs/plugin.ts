// The auditd plugin input: auditd (audisp) starts `auditsight ship --input plugin` and writes every
// record to its stdin, one text line per record (plugins.d `format = string`).
//
// There is nothing to resume: the dispatcher does not replay what a plugin missed, so checkpoints are
// plain sequence numbers (`plugin1:N`) for logs only. Back-pressure works through the pipe: while the
// consumer does not pull, the stream is not read, the pipe fills, auditd's dispatcher queue (q_depth in
// auditd.conf) fills, and then auditd applies overflow_action (SYSLOG by default: it drops and says so).
// When auditd stops it closes our stdin: the iteration ends after the last (even partial) line.
import type { Readable } from 'node:stream';
import { LineSplitter } from '../parse/lines';
import type { InputBatch, InputLine } from './types';

export interface PluginInputOptions {
  /** Defaults to process.stdin. */
  stream?: Readable | NodeJS.ReadableStream;
}

export interface PluginStats {
  lines: number;
  bytes: number;
  ended: boolean;
}

export class PluginInput {
  readonly stats: PluginStats = { lines: 0, bytes: 0, ended: false };
  private readonly stream: Readable | NodeJS.ReadableStream;

  constructor(opts: PluginInputOptions = {}) {
    this.stream = opts.stream ?? process.stdin;
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
    for await (const chunk of this.stream as AsyncIterable<Buffer | string>) {
      this.stats.bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      const out = take(splitter.push(chunk));
      if (out.length > 0) yield out;
    }
    const last = take(splitter.end());
    this.stats.ended = true;
    if (last.length > 0) yield last;
  }

  async *lines(): AsyncGenerator<InputLine> {
    for await (const b of this.batches()) yield* b;
  }
}

export function pluginInput(opts: PluginInputOptions = {}): PluginInput {
  return new PluginInput(opts);
}
