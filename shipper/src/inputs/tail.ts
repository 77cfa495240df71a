// Follows /var/log/audit/audit.log across rotations and restarts, handing out complete lines with a
// checkpoint each. Design notes (why it is built this way):
//  - An open file handle pins the inode: after a rename rotation we keep reading the old handle to
//    its end, so nothing written just before the rename is lost, and need no name lookup while running.
//    Names are only needed to find what comes *after* a file (the next newer sibling) and on restart.
//  - We leave a rotated file only once the next file has data: a writer that keeps appending to the
//    renamed file until it is told to reopen (logrotate's create mode) loses nothing, and waiting on an
//    empty new file costs nothing.
//  - copytruncate keeps the inode, so it is seen as "shorter than what we read" or "first bytes
//    changed" (the file may have regrown past our offset before we looked). Reads are verified against
//    the first-bytes fingerprint *after* the read, so bytes of the new content are never taken for the
//    old. What we had not read yet is then taken from the copy (found by the same fingerprint).
//  - Pull-based: nothing is read until the consumer asks for the next batch, so a consumer that stops
//    pulling (the queue's `block` policy) stops the reads; `pause()` does the same explicitly.
//  - fs.watch on the directory wakes us immediately; a poll timer covers filesystems where inotify does
//    not work (NFS, some overlays) and missed events. The watch is only kept while we wait for data: while
//    data flows the linger paces the reads, and inotify would wake the shipper for every write auditd makes
//    (hundreds a second, each a context switch that costs more than it does).
//  - Once a read has caught up with the end of the file, the next waits lingerMs: auditd writes each
//    record on its own, and reading on every write made batches of a line or two, each paying for a
//    stat, a read, a fingerprint check and the consumer's commit (a queue write and fsync). At 7000
//    records/s, written one by one, that cost more than everything else the shipper did: 85-90% of a
//    core against 32-39% with a 50 ms linger (NDJSON output; bench:ship --part paced measures it).
import { watch, promises as fsp, type FSWatcher } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import * as path from 'node:path';
import { ByteLineSplitter } from './line-splitter';
import {
  FP_MAX, decodeTailCheckpoint, encodeTailCheckpoint, fingerprint, listLogFiles, resolvePosition,
  sameFile, statLogFile, toLogFile, type LogFile,
} from './tail-files';
import type { InputBatch, InputLine, InputNotice } from './types';

export interface TailOptions {
  /** File to follow. Default /var/log/audit/audit.log. */
  path?: string;
  /** Token from a previous run (the checkpoint of the last line made durable). */
  checkpoint?: string;
  /** Without a checkpoint: read the current file from its start (default) or only what is appended. */
  from?: 'start' | 'end';
  /** Poll interval in ms (fallback when fs.watch misses events). Default 250. */
  pollMs?: number;
  /** Bytes per read. Default 256 KiB. */
  chunkBytes?: number;
  /** After a read that reached the end of the file, wait this long before the next one. Default 50. */
  lingerMs?: number;
  /** Rotation, truncation, checkpoint resolution: reported here for logs and metrics. */
  onNotice?: InputNotice;
}

interface Cursor {
  fh: FileHandle;
  file: string;
  dev: string;
  ino: string;
  /** Bytes read from the file (committed + partial line held by the splitter). */
  readPos: number;
  splitter: ByteLineSplitter;
  /** The file's first min(FP_MAX, readPos) bytes, as read. */
  prefix: Buffer;
  tokenTail: string;
  /** Believed to be the followed path (false once a rotation renamed it away, or for siblings). */
  live: boolean;
  /** Set on the followed file when a truncation reset it to 0 and copies are read first: identities
   *  (dev:ino) of every sibling that existed then, so a later copy is recognised (see step). */
  knownSiblings?: Set<string>;
}

export class Tailer {
  readonly path: string;
  private readonly opts: Required<Pick<TailOptions, 'pollMs' | 'chunkBytes' | 'from' | 'lingerMs'>> & TailOptions;
  private cur: Cursor | undefined;
  private queue: Cursor[] = [];
  private closed = false;
  private paused = false;
  private dirty = false;
  private wake: (() => void) | undefined;
  private watcher: FSWatcher | undefined;
  /** fs.watch failed here once (no inotify): the poll timer alone wakes us. */
  private noWatch = false;
  private timer: NodeJS.Timeout | undefined;
  private buf: Buffer;
  private started = false;
  private last: string | undefined;
  /** The last read took everything the file had (set by step()). */
  private caughtUp = false;

  constructor(opts: TailOptions = {}) {
    this.opts = { pollMs: 250, chunkBytes: 256 * 1024, from: 'start', lingerMs: 50, ...opts };
    this.path = path.resolve(opts.path ?? '/var/log/audit/audit.log');
    this.buf = Buffer.alloc(this.opts.chunkBytes);
    this.last = opts.checkpoint;
  }

  /** Checkpoint of the last line handed out (or the one given at start). */
  get checkpoint(): string | undefined {
    return this.last;
  }

  /** Stop reading until resume(); the consumer simply not pulling has the same effect. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.notify();
  }

  /** Stop for good: pending and future pulls end. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.notify();
    this.watcher?.close();
    if (this.timer) clearInterval(this.timer);
    const cursors = [...(this.cur ? [this.cur] : []), ...this.queue];
    this.cur = undefined;
    this.queue = [];
    await Promise.all(cursors.map((c) => c.fh.close().catch(() => undefined)));
  }

  /** One line at a time (per-line promise: convenient, slower than batches()). */
  async *lines(): AsyncGenerator<InputLine> {
    for await (const b of this.batches()) yield* b;
  }

  /** Batches of complete lines, one per read; ends only after close(). Can be iterated once. */
  async *batches(): AsyncGenerator<InputBatch> {
    if (this.started) throw new Error('Tailer.batches() can only be iterated once');
    this.started = true;
    try {
      this.startPolling();
      await this.init();
      while (!this.closed) {
        if (this.paused) {
          await this.wait();
          continue;
        }
        if (!this.cur && !(await this.openCurrent())) {
          await this.idle();
          continue;
        }
        this.caughtUp = false;
        let batch: InputBatch | 'idle' | undefined = await this.step(this.cur!);
        if (batch === 'idle') await this.idle();
        else if (batch.length > 0) {
          this.unwatch();
          this.last = batch[batch.length - 1]!.checkpoint;
          yield batch;
        }
        // A suspended generator keeps its locals: the batch would stay reachable through the linger and the
        // next read, long enough for its lines to be promoted to the old generation (all of them were, in a
        // sampling profile of what survived scavenges), and wait there for a major GC.
        batch = undefined;
        if (this.caughtUp && this.opts.lingerMs > 0 && !this.closed) await sleep(this.opts.lingerMs);
      }
    } catch (e) {
      if (!this.closed) throw e; // a read racing close() fails with EBADF: that is a normal end
    } finally {
      await this.close();
    }
  }

  private notice(kind: string, detail: Record<string, unknown>): void {
    this.opts.onNotice?.(kind, { path: this.path, ...detail });
  }

  private notify = (): void => {
    this.dirty = true;
    const w = this.wake;
    this.wake = undefined;
    w?.();
  };

  /**
   * Nothing to read: wait for a change. A watch that was off is started instead, and the caller looks
   * once more: a write between its read and the watch would otherwise wait for the poll timer.
   */
  private async idle(): Promise<void> {
    if (this.watcher === undefined && this.watch()) return;
    await this.wait();
  }

  private async wait(): Promise<void> {
    if (!this.dirty && !this.closed) await new Promise<void>((res) => (this.wake = res));
    this.dirty = false;
  }

  private startPolling(): void {
    this.timer = setInterval(this.notify, this.opts.pollMs);
    this.timer.unref();
  }

  /** Starts the directory watch; false when it is on already or cannot be (the poll timer carries on). */
  private watch(): boolean {
    if (this.watcher !== undefined || this.noWatch || this.closed) return false;
    const base = path.basename(this.path);
    try {
      // The directory, not the file: it also reports creation and renames of audit.log.
      const w = watch(path.dirname(this.path), { persistent: false }, (_ev, name) => {
        if (!name || String(name).startsWith(base)) this.notify();
      });
      w.on('error', () => {
        w.close();
        if (this.watcher === w) this.watcher = undefined;
        this.noWatch = true;
      });
      this.watcher = w;
      return true;
    } catch {
      this.noWatch = true;
      return false;
    }
  }

  private unwatch(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** Resolve the starting checkpoint into cursors (resumed file first, then every newer sibling). */
  private async init(): Promise<void> {
    if (!this.opts.checkpoint) {
      const f = await statLogFile(this.path, true);
      if (f) this.cur = await this.open(f, this.opts.from === 'end' ? f.size : 0, true);
      return;
    }
    const pos = decodeTailCheckpoint(this.opts.checkpoint);
    const files = await listLogFiles(this.path);
    const r = await resolvePosition(files, pos);
    this.notice(`checkpoint-${r.kind}`, { ...pos, file: 'index' in r ? files[r.index]!.file : undefined });
    const start = r.kind === 'lost' ? 0 : r.index;
    const offset = r.kind === 'exact' || r.kind === 'copy' ? r.offset : 0;
    const cursors: Cursor[] = [];
    for (let i = start; i < files.length; i++) pushOpened(cursors, await this.open(files[i]!, i === start ? offset : 0, files[i]!.current));
    this.cur = cursors.shift();
    this.queue = cursors;
  }

  /**
   * Opens the listed file `f`: by name, then checks that the handle is that very file. A rotation can shift
   * the names between a listing and the open (.1 -> .2, the followed file -> .1), and the name then leads
   * to a newer file. Taking that one instead skipped the listed file: under load, a whole rotated file was
   * lost (seen in CI). So the listed file is looked up again by its identity; undefined (with a notice)
   * only when it is gone, deleted by the rotation.
   */
  private async open(f: LogFile, offset: number, live: boolean): Promise<Cursor | undefined> {
    let name = f.file;
    for (let attempt = 0; attempt < 5; attempt++) {
      const fh = await fsp.open(name, 'r').catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      });
      if (fh) {
        const st = toLogFile(name, await fh.stat({ bigint: true }), live);
        if (sameFile(st, f)) {
          const prefix = Buffer.alloc(Math.min(FP_MAX, offset));
          const { bytesRead } = prefix.length > 0 ? await fh.read(prefix, 0, prefix.length, 0) : { bytesRead: 0 };
          const c: Cursor = { fh, file: name, dev: st.dev, ino: st.ino, readPos: offset, splitter: new ByteLineSplitter(offset), prefix, tokenTail: '', live };
          this.setPrefix(c, prefix.subarray(0, bytesRead));
          return c;
        }
        await fh.close();
      }
      const moved = (await listLogFiles(this.path)).find((x) => sameFile(x, f));
      if (moved) {
        // Still `live` if it was the followed file when listed, even though it has been renamed since:
        // at its end, onEof then looks for what came after it. Marked not live, it was the last file
        // queued, and the tailer jumped from its end to the newest audit.log, skipping every file rotated
        // in between (seen in CI; reproduced with rotations every few milliseconds).
        name = moved.file;
      } else await sleep(20); // names may be shifting under us: look again
    }
    this.notice('file-vanished', { file: f.file, dev: f.dev, ino: f.ino });
    return undefined;
  }

  private setPrefix(c: Cursor, prefix: Buffer): void {
    c.prefix = prefix;
    c.tokenTail = `:${prefix.length}:${fingerprint(prefix)}`;
  }

  private token(c: Cursor, offset: number): string {
    return `tail1:${c.dev}:${c.ino}:${offset}${c.tokenTail}`;
  }

  /** The followed path appeared (first start, or after a rotation whose new file came late). */
  private async openCurrent(): Promise<boolean> {
    const f = await statLogFile(this.path, true);
    if (!f) return false;
    this.cur = await this.open(f, 0, true);
    return this.cur !== undefined;
  }

  private async prefixIntact(c: Cursor): Promise<boolean> {
    const n = c.prefix.length;
    if (n === 0) return true;
    const b = Buffer.alloc(n);
    const { bytesRead } = await c.fh.read(b, 0, n, 0);
    return bytesRead === n && b.equals(c.prefix);
  }

  /** Read once from the current cursor. Returns lines, or 'idle' when there is nothing to do now. */
  private async step(c: Cursor): Promise<InputBatch | 'idle'> {
    const size = Number((await c.fh.stat({ bigint: true })).size);
    if (size < c.readPos || !(await this.prefixIntact(c))) return this.onTruncated(c);
    if (size === c.readPos) return this.onEof(c);
    const want = Math.min(size - c.readPos, this.buf.length);
    const { bytesRead } = await c.fh.read(this.buf, 0, want, c.readPos);
    if (bytesRead === 0) return this.onEof(c);
    this.caughtUp = want < this.buf.length && bytesRead === want;
    // Verify after the read: if the file was truncated and refilled meanwhile we just read new bytes
    // at an old offset, and must not hand them out.
    if (!(await this.prefixIntact(c))) return this.onTruncated(c);
    const chunk = this.buf.subarray(0, bytesRead);
    if (c.knownSiblings && c.readPos === 0) {
      // First read of a file reset by copytruncate. If it was copied and truncated again since the
      // copies we queued, we just read a later generation: the new copies (new inodes) come first.
      const known = c.knownSiblings;
      const seen = new Set<string>();
      const newer = (await listLogFiles(this.path)).filter((f) => {
        const id = `${f.dev}:${f.ino}`;
        if (f.current || known.has(id) || seen.has(id)) return false;
        seen.add(id);
        return true;
      });
      if (newer.length > 0) {
        this.notice('truncated-again', { file: c.file, copies: newer.map((f) => f.file) });
        for (const f of newer) known.add(`${f.dev}:${f.ino}`);
        const copies: Cursor[] = [];
        for (const f of newer) pushOpened(copies, await this.open(f, 0, false));
        this.queue = [...copies, c, ...this.queue];
        this.cur = this.queue.shift();
        return [];
      }
      c.knownSiblings = undefined;
    }
    if (c.prefix.length < FP_MAX && c.readPos < FP_MAX) {
      const take = chunk.subarray(0, Math.min(bytesRead, FP_MAX - c.readPos));
      this.setPrefix(c, Buffer.concat([c.prefix, take]));
    }
    c.readPos += bytesRead;
    const out: InputBatch = [];
    c.splitter.push(chunk, (line, end) => out.push({ line, checkpoint: this.token(c, end) }));
    return out;
  }

  private async onEof(c: Cursor): Promise<InputBatch | 'idle'> {
    if (c.live) {
      const now = await statLogFile(this.path, true);
      if (!now || sameFile(now, c)) return 'idle'; // no rotation (or renamed and not yet recreated)
      // Renamed away: everything newer, in order, follows this file.
      c.live = false;
      let files = await listLogFiles(this.path);
      let at = files.findIndex((f) => sameFile(f, c));
      for (let i = 0; i < 3 && at < 0; i++) {
        await sleep(20); // names may be shifting under us; see onTruncated
        files = await listLogFiles(this.path);
        at = files.findIndex((f) => sameFile(f, c));
      }
      const mtime = (await c.fh.stat({ bigint: true })).mtimeNs;
      const newer = at >= 0 ? files.slice(at + 1) : files.filter((f) => f.current || f.mtimeNs > mtime);
      this.notice('rotated', { from: c.file, renamedTo: at >= 0 ? files[at]!.file : undefined, next: newer.map((f) => f.file) });
      this.queue = [];
      for (const f of newer) pushOpened(this.queue, await this.open(f, 0, f.current));
      return []; // read the old handle to its end once more before leaving it
    }
    const next = this.queue[0];
    if (next?.live && Number((await next.fh.stat({ bigint: true })).size) === 0) {
      const now = await statLogFile(this.path, true);
      if (now && sameFile(now, next)) return 'idle'; // the writer may still append to the old file
    }
    const out: InputBatch = [];
    c.splitter.flush((line, end) => out.push({ line, checkpoint: this.token(c, end) }));
    await c.fh.close();
    this.cur = this.queue.shift();
    return out;
  }

  /**
   * copytruncate (or someone emptied the file). What we had read but not yet handed out, and what was
   * written after, is in the copy; read it from our offset, then any newer copies, then the file anew.
   */
  private async onTruncated(c: Cursor): Promise<InputBatch | 'idle'> {
    const offset = c.splitter.offset;
    const pos = { dev: c.dev, ino: c.ino, offset, fpLen: c.prefix.length, fpHash: fingerprint(c.prefix) };
    let files = await listLogFiles(this.path);
    let r = await resolvePosition(files, pos);
    // A listing taken while the rotator shifts names (.1 -> .2 ...) can miss a file: look again.
    for (let i = 0; i < 3 && r.kind !== 'copy' && r.kind !== 'exact'; i++) {
      await sleep(20);
      files = await listLogFiles(this.path);
      r = await resolvePosition(files, pos);
    }
    if (r.kind === 'exact') return []; // it regrew identically between our checks: not a truncation
    this.notice('truncated', { file: c.file, offset, copy: r.kind === 'copy' ? files[r.index]!.file : undefined });
    const before: Cursor[] = [];
    if (r.kind === 'copy') {
      for (let i = r.index; i < files.length; i++) {
        if (files[i]!.current || sameFile(files[i]!, c)) continue;
        pushOpened(before, await this.open(files[i]!, i === r.index ? offset : 0, false));
      }
    }
    c.readPos = 0;
    c.knownSiblings = before.length > 0 ? new Set(files.filter((f) => !f.current).map((f) => `${f.dev}:${f.ino}`)) : undefined;
    c.splitter.reset(0);
    this.setPrefix(c, Buffer.alloc(0));
    this.queue = [...before, c, ...this.queue];
    this.cur = this.queue.shift();
    return [];
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pushOpened(list: Cursor[], c: Cursor | undefined): void {
  if (c) list.push(c);
}

/** Follow a file; see Tailer. */
export function tail(opts: TailOptions = {}): Tailer {
  return new Tailer(opts);
}
