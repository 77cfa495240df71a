// Small state files in the state directory (checkpoint, enricher snapshot, kernel lost counter) and the
// lock that keeps two shippers off one queue.
import { processAlive } from '../../../common/process';
import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Atomic replace: write a temp file, fsync it, rename over the old one, fsync the directory. A crash leaves
 * either the old or the new file, never half of one. The fsyncs matter for the enricher snapshot (entity ids
 * after a power loss); these files are written seldom, so their cost does not matter.
 */
export function writeJsonAtomic(file: string, value: unknown): void {
  writeTextAtomic(file, JSON.stringify(value));
}

/** writeJsonAtomic for text that is JSON already. */
export function writeTextAtomic(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w', 0o600);
  try {
    fs.writeSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  try {
    const d = fs.openSync(path.dirname(file), 'r');
    fs.fsyncSync(d);
    fs.closeSync(d);
  } catch {
    // Some filesystems refuse fsync on a directory; the rename itself is still atomic.
  }
}

/** undefined when missing; a damaged file is reported through onDamaged and treated as missing. */
export function readJson<T>(file: string, onDamaged?: (err: Error) => void): T | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    onDamaged?.(e as Error);
    return undefined;
  }
}

/**
 * An exclusive lock on the state directory: `lock` holds the owner's pid. A lock whose pid is gone (the
 * owner was killed with -9) is taken over; a live owner is an error naming its pid.
 */
export function acquireLock(dir: string): () => void {
  const file = path.join(dir, 'lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      fs.writeSync(fd, String(process.pid));
      fs.closeSync(fd);
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8') === String(process.pid)) fs.rmSync(file);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(fs.readFileSync(file, 'utf8').trim());
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && processAlive(pid)) {
        throw new Error(`${dir} is in use by another auditsight (pid ${pid}); give each shipper its own state_dir`);
      }
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${dir}`);
}

/**
 * checkpoint.json, the fallback copy of the tail's resume point (the queue records hold the real one, fsynced
 * with their events): read at start, rewritten at most once a second while checkpoints advance, and once
 * more at stop.
 */
export class CheckpointFile {
  private timer: NodeJS.Timeout | undefined;
  private checkpoint: string | undefined;

  constructor(
    private readonly file: string,
    /** The tailed log, resolved: a copy for another path is ignored. */
    private readonly logPath: string,
    private readonly warn: (message: string) => void,
  ) {}

  /** The checkpoint the last run wrote for this log, if any (unchecked: the caller validates its form). */
  saved(): string | undefined {
    const s = readJson<{ checkpoint?: string; path?: string }>(this.file);
    return s?.path === this.logPath ? s.checkpoint : undefined;
  }

  /** Where this run starts: advance() then writes only once the checkpoint moves past it. */
  startAt(checkpoint: string | undefined): void {
    this.checkpoint = checkpoint;
  }

  /** The newest durable checkpoint; written within a second. */
  advance(checkpoint: string): void {
    if (checkpoint === this.checkpoint) return;
    this.checkpoint = checkpoint;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.write();
    }, 1000);
    this.timer.unref();
  }

  /** Writes now (at stop), and cancels a pending write. */
  write(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.checkpoint === undefined) return;
    try {
      writeJsonAtomic(this.file, { path: this.logPath, checkpoint: this.checkpoint, savedAt: new Date().toISOString() });
    } catch (e) {
      this.warn(`checkpoint.json not written: ${(e as Error).message}`);
    }
  }
}
