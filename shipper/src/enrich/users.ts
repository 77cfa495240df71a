// uid/gid -> name on the origin host, from /etc/passwd and /etc/group. Lookups are Map hits; the files are
// re-read only when their mtime changed, and the mtime is checked at most once per refresh interval, so
// `useradd bob` shows up within seconds without any per-event file access.
import type { FsReader } from './types';
import { flat } from '../../../common/flat';

export interface UserResolverOptions {
  passwdPath?: string;
  groupPath?: string;
  /** Minimum time between mtime checks. */
  refreshIntervalMs?: number;
  /** Injected clock (tests). */
  now?: () => number;
}

/**
 * id -> name from /etc/passwd or /etc/group (name:x:id:...); the first entry for an id wins, as
 * getpwuid() and getgrgid() do.
 */
function parseIdFile(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    // flat(): names go on every document, and systemd-timesync is longer than a V8 copy (common/flat.ts).
    if (f.length >= 3 && /^\d+$/.test(f[2]) && !m.has(f[2])) m.set(f[2], flat(f[0]));
  }
  return m;
}

export const parsePasswd = parseIdFile;
export const parseGroup = parseIdFile;

interface Memo {
  id: string | undefined;
  name: string | undefined;
}

export class UserResolver {
  private users = new Map<string, string>();
  private groups = new Map<string, string>();
  /** The last id looked up and its name; cleared when the file is re-read. */
  private readonly userMemo: Memo = { id: undefined, name: undefined };
  private readonly groupMemo: Memo = { id: undefined, name: undefined };
  private passwdMtime: number | undefined = -1;
  private groupMtime: number | undefined = -1;
  private lastCheck = -Infinity;
  private readonly passwdPath: string;
  private readonly groupPath: string;
  private readonly interval: number;
  private readonly now: () => number;

  constructor(
    private readonly fs: FsReader,
    opts: UserResolverOptions = {},
  ) {
    this.passwdPath = opts.passwdPath ?? '/etc/passwd';
    this.groupPath = opts.groupPath ?? '/etc/group';
    this.interval = opts.refreshIntervalMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.refresh(true);
  }

  /** Re-reads the files whose mtime changed. Cheap when nothing changed (two stat calls). */
  refresh(force = false): void {
    const t = this.now();
    if (!force && t - this.lastCheck < this.interval) return;
    this.lastCheck = t;
    const pm = this.fs.mtimeMs(this.passwdPath);
    if (force || pm !== this.passwdMtime) {
      this.passwdMtime = pm;
      const text = this.fs.readFile(this.passwdPath);
      if (text !== undefined) this.users = parsePasswd(text);
      this.userMemo.id = undefined;
    }
    const gm = this.fs.mtimeMs(this.groupPath);
    if (force || gm !== this.groupMtime) {
      this.groupMtime = gm;
      const text = this.fs.readFile(this.groupPath);
      if (text !== undefined) this.groups = parseGroup(text);
      this.groupMemo.id = undefined;
    }
  }

  userName(uid: string | undefined): string | undefined {
    return this.lookup(uid, this.userMemo, 'users');
  }

  groupName(gid: string | undefined): string | undefined {
    return this.lookup(gid, this.groupMemo, 'groups');
  }

  private lookup(id: string | undefined, memo: Memo, which: 'users' | 'groups'): string | undefined {
    // "unset" (4294967295) has no account; Auditbeat leaves it unnamed too.
    if (id === undefined || id === '4294967295' || id === '-1') return undefined;
    // Throttled: a clock comparison per lookup, two stat() calls per interval, a re-read only on change.
    this.refresh();
    // An event asks for the same id five or six times (uid, auid, euid, suid, fsuid, process.user).
    if (id !== memo.id) {
      memo.id = id;
      memo.name = this[which].get(id); // after refresh(), which may have replaced the map
    }
    return memo.name;
  }
}
