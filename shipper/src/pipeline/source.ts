// Reading a finished audit log (a file, a rotated .gz, stdin) as lines, for `auditsight parse`, the
// benchmark and the comparison script. Live inputs with checkpoints are shipper/src/inputs/.
import * as fs from 'node:fs';
import { pipeline, Readable } from 'node:stream';
import * as zlib from 'node:zlib';
import { LineSplitter } from '../parse/lines';

/** true: always gunzip; false: never; 'auto': when the data starts with the gzip magic bytes (1f 8b). */
export type GzipMode = boolean | 'auto';

/** Chunks of `source`, gunzipped when asked or detected. Detection looks at the first chunk, so it works on pipes. */
export async function* maybeGunzip(source: AsyncIterable<Buffer>, mode: GzipMode = 'auto'): AsyncGenerator<Buffer> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  const gz = mode === true || (mode === 'auto' && head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b);
  async function* all(): AsyncGenerator<Buffer> {
    yield head;
    for (let n = await it.next(); !n.done; n = await it.next()) yield n.value;
  }
  if (!gz) {
    yield* all();
    return;
  }
  const gunzip = zlib.createGunzip();
  // pipeline() forwards a read error or corrupt gzip data to the iterator below, which then throws.
  pipeline(Readable.from(all()), gunzip, () => undefined);
  for await (const chunk of gunzip) yield chunk as Buffer;
}

/**
 * Opens FILE (or stdin for `-`) and yields batches of lines, one batch per chunk read: one promise per
 * chunk instead of per line (a per-line async generator step costs about as much as parsing the line).
 * Rejects when the file cannot be opened or read.
 */
export async function* readLogBatches(file: string, gz: GzipMode = 'auto'): AsyncGenerator<string[]> {
  let stream: AsyncIterable<Buffer>;
  if (file === '-') {
    stream = process.stdin;
  } else {
    // Open first so a missing file fails here, with its path, before anything is printed.
    const fd = await fs.promises.open(file, 'r');
    stream = fd.createReadStream({ highWaterMark: 1 << 20 });
  }
  const splitter = new LineSplitter();
  for await (const chunk of maybeGunzip(stream, gz)) {
    const lines = splitter.push(chunk);
    if (lines.length > 0) yield lines;
  }
  const rest = splitter.end();
  if (rest.length > 0) yield rest;
}

/** Line by line (convenient, slower): see readLogBatches. */
export async function* readLogLines(file: string, gz: GzipMode = 'auto'): AsyncGenerator<string> {
  for await (const batch of readLogBatches(file, gz)) yield* batch;
}
