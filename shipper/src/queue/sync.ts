// Group commit for the queue's fsync policy: one fsync covers every append made before it started, so
// concurrent enqueue() calls share the cost, and an interval policy bounds how often the disk is flushed.
import * as fs from 'node:fs';
import type { FsyncPolicy } from './types';

export class GroupCommit {
  private waiters: Array<(err?: Error) => void> = [];
  private syncing = false;
  private readonly dirtyFds = new Set<number>();
  private dirDirty = false;
  private readonly timer?: NodeJS.Timeout;

  constructor(
    private readonly dir: string,
    private readonly policy: FsyncPolicy,
  ) {
    if (typeof policy === 'object') {
      this.timer = setInterval(() => void this.run(), policy.intervalMs);
      this.timer.unref();
    }
  }

  /** A segment file was written to. */
  dirty(fd: number): void {
    this.dirtyFds.add(fd);
  }

  /** A segment file was created: its directory entry must be made durable too. */
  dirChanged(): void {
    this.dirDirty = true;
  }

  /** The segment is being closed and deleted; there is nothing left to flush. */
  forget(fd: number): void {
    this.dirtyFds.delete(fd);
  }

  /** Resolves once everything written so far is durable under the policy. */
  durable(): Promise<void> {
    if (this.policy === 'never') return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.waiters.push((err) => (err ? reject(err) : resolve())));
    if (this.policy === 'always') void this.run();
    return p;
  }

  private async run(): Promise<void> {
    if (this.syncing || !this.waiters.length) return;
    this.syncing = true;
    const waiters = this.waiters;
    this.waiters = [];
    const fds = [...this.dirtyFds];
    this.dirtyFds.clear();
    const dir = this.dirDirty;
    this.dirDirty = false;
    let err: Error | undefined;
    try {
      // EBADF: the segment was consumed and deleted meanwhile; nothing of it needs to survive.
      await Promise.all(fds.map((fd) => new Promise<void>((res, rej) => fs.fsync(fd, (e) => (e && e.code !== 'EBADF' ? rej(e) : res())))));
      if (dir) await fsyncDir(this.dir);
    } catch (e) {
      err = e as Error;
    }
    this.syncing = false;
    for (const w of waiters) w(err);
    if (this.waiters.length && this.policy === 'always') void this.run();
  }

  /** Flushes now whatever the policy (used at close, also releasing enqueues waiting for the interval). */
  async flush(): Promise<void> {
    while (this.syncing) await new Promise((r) => setTimeout(r, 2));
    if (this.policy === 'never') return;
    this.waiters.push(() => {});
    await this.run();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const h = await fs.promises.open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}
