// `auditsight parse [FILE|-]`: an audit log (plain or gzip) through the whole pipeline, one ECS event per
// line of NDJSON on stdout. For looking at what the shipper would send, replaying rotated logs into other
// tools, and the benchmark/oracle scripts. Unparseable lines are in the output as pipeline_error events
// and summarised on stderr; the exit code is non-zero only when the input cannot be read.
import type { Command } from 'commander';
import type { Writable } from 'node:stream';
import type { EcsEvent } from '../../../../common/ecs/event';
import { Enricher, nodeFsReader, readHostInfo, UserResolver } from '../../enrich';
import { Pipeline, readLogBatches } from '../../pipeline';

export interface ParseCommandOptions {
  /** commander's `--no-event-original` sets this to false. */
  eventOriginal?: boolean;
  /** commander's `--no-enrich` sets this to false. */
  enrich?: boolean;
  /**
   * The log comes from another machine: do not stamp this machine's host facts or /etc/passwd names on its
   * events; host identity is only what the records say (`node=` -> host.name), which also namespaces pids.
   */
  hostFromNode?: boolean;
  /** Force gunzip; by default it is detected from the gzip magic bytes (so `.gz` and gzip on stdin work). */
  gz?: boolean;
}

export interface ParseIo {
  stdout: Writable;
  stderr: Writable;
}

/** Runs the command; resolves to the exit code (0, or 1 when FILE cannot be opened or read). */
export async function runParse(file: string, opts: ParseCommandOptions, io: ParseIo = process): Promise<number> {
  const enricher = opts.enrich === false ? undefined : makeEnricher(opts.hostFromNode === true);
  const out = new NdjsonWriter(io.stdout);
  const pipeline = new Pipeline({
    enricher,
    // A file is replayed at full speed: coalescing timeouts follow the log's own clock.
    coalesce: { clock: 'record' },
    source: file === '-' ? 'stdin' : file,
    normalizeOptions: { eventOriginal: opts.eventOriginal !== false },
    onEvent: (ev) => out.writeEvent(ev),
  });
  let readError: Error | undefined;
  try {
    for await (const batch of readLogBatches(file, opts.gz === true ? true : 'auto')) {
      for (let i = 0; i < batch.length; i++) pipeline.push(batch[i]);
      await out.drain();
      if (out.closed) break;
    }
  } catch (err) {
    readError = err as Error;
  }
  // Whatever was read before an error is still worth printing.
  pipeline.flush();
  await out.end();
  const s = pipeline.stats;
  const reasons = [...s.parseErrorReasons].map(([r, n]) => `\n  ${n} x ${r}`).join('');
  io.stderr.write(
    `auditsight parse: ${s.lines} lines, ${s.records} records, ${s.groups} audit events, ` +
      `${s.parseErrors} unparseable lines (shipped as event.kind=pipeline_error), ` +
      `${s.gaps} sequence gaps (${s.missing} events lost), ${s.events} events written (${s.derived} derived fork events)${reasons}\n`,
  );
  if (readError) {
    io.stderr.write(`auditsight parse: cannot read ${file}: ${readError.message}\n`);
    return 1;
  }
  return 0;
}

function makeEnricher(hostFromNode: boolean): Enricher {
  if (hostFromNode) return new Enricher();
  const fs = nodeFsReader();
  // No /proc seeding: a log file describes processes of the past, not the ones running now.
  return new Enricher({ host: readHostInfo(fs), users: new UserResolver(fs) });
}

/**
 * Encodes each event into a pooled Buffer as it comes and hands full pools to the stream: a few writes per
 * input chunk (one per event would cost more than the pipeline), and the JSON strings die young instead of
 * waiting in an array for a join (with enrichment that kept ~5 MB of strings per input chunk alive across
 * scavenges, promoting them and making major GCs a large share of the run). Honours backpressure.
 */
class NdjsonWriter {
  private pool = Buffer.allocUnsafe(POOL_BYTES);
  private used = 0;
  private pending = false;
  closed = false;

  constructor(private readonly stream: Writable) {
    // `auditsight parse big.log | head`: a closed pipe ends the run quietly instead of crashing.
    stream.on('error', () => {
      this.closed = true;
    });
  }

  /**
   * One event and its newline. Plain JSON.stringify: splicing in cached texts of the shared enrich
   * objects was measured slower than it in the end (6% of the whole parse), so it is gone.
   */
  writeEvent(ev: EcsEvent): void {
    if (this.closed) return;
    this.put(JSON.stringify(ev));
    if (this.used === this.pool.length) this.flush();
    this.pool[this.used++] = 0x0a;
  }

  /**
   * Appends text to the pool. An event may straddle two pools: they go to the stream in order, so the
   * bytes are the same as if it had been written whole.
   */
  private readonly put = (s: string): void => {
    // UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units).
    const max = s.length * 3;
    if (this.used + max > this.pool.length) {
      this.flush();
      if (max > this.pool.length) {
        // Bigger than a pool (a huge event): on its own, in order.
        this.send(Buffer.from(s, 'utf8'));
        return;
      }
    }
    this.used += this.pool.write(s, this.used, 'utf8');
  };

  /** Hands what is buffered to the stream; waits when the stream asks us to. */
  async drain(): Promise<void> {
    this.flush();
    if (!this.pending || this.closed) return;
    this.pending = false;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.stream.off('drain', done);
        this.stream.off('error', done);
        this.stream.off('close', done);
        resolve();
      };
      this.stream.on('drain', done);
      this.stream.on('error', done);
      this.stream.on('close', done);
    });
  }

  async end(): Promise<void> {
    await this.drain();
  }

  private flush(): void {
    if (this.used === 0 || this.closed) return;
    const full = this.pool.subarray(0, this.used);
    // The stream keeps the written Buffer until it is flushed: start a new pool rather than reuse it.
    this.pool = Buffer.allocUnsafe(POOL_BYTES);
    this.used = 0;
    this.send(full);
  }

  private send(b: Buffer): void {
    if (!this.stream.write(b)) this.pending = true;
  }
}

const POOL_BYTES = 1 << 20;

export function registerParse(program: Command): void {
  program
    .command('parse')
    .description('read an audit log (plain or gzip, FILE or - for stdin) and print its ECS events as NDJSON')
    .argument('[file]', 'audit log; - or nothing for stdin', '-')
    .option('--no-enrich', 'skip enrichment (entity ids, ancestry, host facts, user names)')
    .option('--no-event-original', 'leave the raw records out of event.original (events with warnings keep them)')
    .option('--host-from-node', "the log is from another machine: no local host facts or names, host from node=")
    .option('--gz', 'input is gzip (default: detected from the data)')
    .action(async (file: string, opts: ParseCommandOptions) => {
      process.exitCode = await runParse(file, opts);
    });
}
