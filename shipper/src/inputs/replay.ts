// Replay of archived audit logs (`--replay FILES`) for forensics on collected evidence: the files are
// read in the order given (the analyst's order is the evidence order; we do not re-sort by name or
// time), gzip is recognised by its magic bytes rather than the name (evidence gets renamed), and
// progress is reported in bytes read from disk so the bar is right for compressed files too.
import { createReadStream, promises as fsp } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { LineSplitter } from '../parse/lines';
import type { InputBatch, InputLine } from './types';

export interface ReplayProgress {
  file: string;
  /** 0-based index of the file being read, out of `files`. */
  fileIndex: number;
  files: number;
  /** Bytes read from disk so far, all files (compressed bytes for .gz). */
  bytesRead: number;
  /** Sum of the file sizes on disk. */
  totalBytes: number;
  lines: number;
  done: boolean;
}

export interface ReplayFileSummary {
  file: string;
  compressed: boolean;
  /** Size on disk. */
  bytes: number;
  /** Bytes after decompression. */
  uncompressedBytes: number;
  lines: number;
}

export interface ReplaySummary {
  files: ReplayFileSummary[];
  lines: number;
  bytes: number;
  durationMs: number;
}

export interface ReplayOptions {
  onProgress?: (p: ReplayProgress) => void;
  /** Minimum ms between progress calls (one more always comes at the end). Default 200. */
  progressIntervalMs?: number;
}

const GZIP_MAGIC = [0x1f, 0x8b];

async function isGzip(file: string): Promise<boolean> {
  const fh = await fsp.open(file, 'r');
  try {
    const b = Buffer.alloc(2);
    const { bytesRead } = await fh.read(b, 0, 2, 0);
    return bytesRead === 2 && b[0] === GZIP_MAGIC[0] && b[1] === GZIP_MAGIC[1];
  } finally {
    await fh.close();
  }
}

export class Replay {
  private summaryValue: ReplaySummary | undefined;

  constructor(
    readonly files: readonly string[],
    private readonly opts: ReplayOptions = {},
  ) {
    if (files.length === 0) throw new Error('replay: no files given');
  }

  /** Available once batches() has been iterated to the end. */
  get summary(): ReplaySummary | undefined {
    return this.summaryValue;
  }

  async *lines(): AsyncGenerator<InputLine> {
    for await (const b of this.batches()) yield* b;
  }

  async *batches(): AsyncGenerator<InputBatch> {
    const started = Date.now();
    // Check every file before reading any: a typo in the 5th file should not surface after 4 GB.
    const sizes: number[] = [];
    const problems: string[] = [];
    for (const f of this.files) {
      try {
        const st = await fsp.stat(f);
        if (!st.isFile()) problems.push(`${f}: not a regular file`);
        sizes.push(st.size);
      } catch (e) {
        problems.push(`${f}: ${(e as Error).message}`);
      }
    }
    if (problems.length > 0) throw new Error(`replay: cannot read ${problems.join('; ')}`);
    const totalBytes = sizes.reduce((a, b) => a + b, 0);
    const perFile: ReplayFileSummary[] = [];
    const interval = this.opts.progressIntervalMs ?? 200;
    let lines = 0;
    let doneBytes = 0;
    let lastReport = 0;
    const report = (fileIndex: number, bytesRead: number, done: boolean) => {
      const now = Date.now();
      if (!this.opts.onProgress || (!done && now - lastReport < interval)) return;
      lastReport = now;
      const file = this.files[Math.min(fileIndex, this.files.length - 1)]!;
      this.opts.onProgress({ file, fileIndex, files: this.files.length, bytesRead, totalBytes, lines, done });
    };

    for (let i = 0; i < this.files.length; i++) {
      const file = this.files[i]!;
      const compressed = await isGzip(file);
      const raw = createReadStream(file, { highWaterMark: 256 * 1024 });
      // Multi-member gzip (concatenated .gz files) is decoded whole by Node's gunzip.
      const src = compressed ? raw.pipe(createGunzip()) : raw;
      raw.on('error', (e) => src.destroy(e));
      const splitter = new LineSplitter();
      let fileLines = 0;
      let uncompressed = 0;
      const take = (got: string[]): InputBatch => {
        const out: InputBatch = [];
        for (const line of got) {
          if (line.length === 0) continue;
          fileLines++;
          lines++;
          out.push({ line, checkpoint: `replay1:${i}:${fileLines}` });
        }
        return out;
      };
      for await (const chunk of src as AsyncIterable<Buffer>) {
        uncompressed += chunk.length;
        let out: InputBatch | undefined = take(splitter.push(chunk));
        report(i, doneBytes + raw.bytesRead, false);
        if (out.length > 0) yield out;
        // Not kept through the next read (a suspended generator keeps its locals; see tail.ts).
        out = undefined;
      }
      const last = take(splitter.end());
      if (last.length > 0) yield last;
      doneBytes += sizes[i]!;
      perFile.push({ file, compressed, bytes: sizes[i]!, uncompressedBytes: uncompressed, lines: fileLines });
    }
    report(this.files.length - 1, doneBytes, true);
    this.summaryValue = { files: perFile, lines, bytes: totalBytes, durationMs: Date.now() - started };
  }
}

export function replay(files: readonly string[], opts: ReplayOptions = {}): Replay {
  return new Replay(files, opts);
}
