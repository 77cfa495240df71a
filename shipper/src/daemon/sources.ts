// The daemon's first stages, built from the configuration: the input (tail, plugin stream or replay) and
// the enricher (restored from its snapshot and seeded from /proc on a live host). Kept apart from the
// daemon's run loop so that each reads as one thing: what is built here, and how it runs there.
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import type { Logger } from '../../../common/log';
import type { ShipConfig } from '../config/types';
import { Enricher, nodeFsReader, readHostInfo, UserResolver, type EnrichState } from '../enrich';
import { pluginInput } from '../inputs/plugin';
import { replay, type ReplayProgress } from '../inputs/replay';
import { tail } from '../inputs/tail';
import type { InputBatch } from '../inputs/types';
import { CheckpointFile, readJson } from './state';

export type Input = { batches(): AsyncGenerator<InputBatch> };

export interface SourceContext {
  cfg: ShipConfig;
  /** Tail and plugin (this host's audit trail), not replay (evidence, possibly from another host). */
  live: boolean;
  logger: Logger;
  /** A file of the state directory. */
  file: (name: string) => string;
}

/**
 * The enricher. Live: this host's facts and names, the process table of the last run (enrich.json) and then
 * /proc. Replay: none of this host's facts, only the name the analyst gives the evidence's host (host-scoped
 * rules join on host.id, so an archive without one would never match them).
 */
export function createEnricher({ cfg, live, logger, file }: SourceContext): Enricher {
  const from = cfg.input.replayHost;
  const forkEvents = cfg.enrich.forkEvents;
  if (!live) return new Enricher(from ? { forkEvents, host: { name: from, hostname: from, id: `replay:${from}` } } : { forkEvents });
  const reader = nodeFsReader();
  const opts = { forkEvents, host: readHostInfo(reader), users: new UserResolver(reader) };
  let en: Enricher | undefined;
  const saved = readJson<EnrichState>(file('enrich.json'), (e) => logger.warn(`enricher snapshot unreadable, starting empty: ${e.message}`));
  if (saved) {
    try {
      en = Enricher.restore(saved, opts);
    } catch (e) {
      logger.warn(`enricher snapshot not restored: ${(e as Error).message}`);
    }
  }
  en ??= new Enricher(opts);
  try {
    // After restore: processes still running keep their ids, pids reused while we were down get new ones.
    const n = en.seedFromProc(reader);
    logger.info({ processes: n, restored: !!saved }, 'enricher seeded from /proc');
  } catch (e) {
    logger.warn(`seeding the process table from /proc failed: ${(e as Error).message}`);
  }
  return en;
}

export interface InputContext extends SourceContext {
  /** The newest checkpoint stored in the queue (the authoritative one: it is fsynced with its events). */
  queueCheckpoint: string | undefined;
  stdin?: Readable;
  onReplayProgress?: (p: ReplayProgress) => void;
}

/**
 * The input, and for tail its checkpoint.json: the tail resumes from the queue's checkpoint, else from
 * that file's copy when it is for the same path. Anything that is not a tail checkpoint starts the tail
 * afresh (`input.from`).
 */
export function createInput(ctx: InputContext): { input: Input; checkpointFile?: CheckpointFile } {
  const c = ctx.cfg.input;
  if (c.type === 'replay') return { input: replay(c.files, { onProgress: ctx.onReplayProgress }) };
  if (c.type === 'plugin') return { input: pluginInput({ stream: ctx.stdin, lingerMs: c.lingerMs }) };
  const checkpointFile = new CheckpointFile(ctx.file('checkpoint.json'), path.resolve(c.path), (m) => ctx.logger.warn(m));
  const fromQueue = ctx.queueCheckpoint;
  let checkpoint = fromQueue?.startsWith('tail1:') ? fromQueue : checkpointFile.saved();
  if (checkpoint && !checkpoint.startsWith('tail1:')) checkpoint = undefined;
  checkpointFile.startAt(checkpoint);
  ctx.logger.info({ path: c.path, checkpoint: checkpoint ?? null }, checkpoint ? 'tail resumes from its checkpoint' : `tail starts at the ${c.from} of the file`);
  const input = tail({
    path: c.path,
    checkpoint,
    from: c.from,
    lingerMs: c.lingerMs,
    onNotice: (kind, detail) => ctx.logger.info({ notice: kind, ...detail }, `tail: ${kind}`),
  });
  return { input, checkpointFile };
}
