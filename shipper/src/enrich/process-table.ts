// The process table: one entry per process (not per pid), keyed by entity id in a bounded LRU, with a
// (host, pid) -> current entity id index. Knows the Linux lifecycle (fork creates, exec replaces the image,
// exit_group ends) and infers the ECS Linux event model's leaders from what audit records carry.
// No I/O here: everything comes in as plain values, so the logic is testable and the hot path is O(1).
import { evaluateLeaders, inheritLeaders, sessionSet } from './leaders';
import { Lru } from './lru';
import { basename, entityId, owned } from './ids';
import type { AncestorSummary, ProcEntry, ProcImage, SessionInfo } from './types';
import type { ProcProcess } from './procfs';

export interface TableOptions {
  maxProcesses: number;
  maxSessions: number;
  /** Bound on process.Ext.ancestry and on every upward walk (also protects against cycles). */
  maxAncestry: number;
  /** Bound on process.previous. */
  maxPrevious: number;
  /** PAM opens a session in milliseconds; past this, a missing USER_START (lost, filtered) no longer blocks a leader. */
  sessionOpenMaxMs: number;
  /** How long (record time) an ended process that never had a child stays, for records that arrive late. */
  endedLeafMs: number;
}

/** What one record says about the process that emitted it. */
export interface Observation {
  hostKey: string;
  pid: number;
  ppid?: number;
  ts: number;
  ses?: string;
  auid?: string;
  uid?: string;
  /** Audit tty name; null when the record says "(none)", undefined when the record has no tty field. */
  tty?: string | null;
  image: ProcImage;
}


/** /proc start times are floored to whole boot seconds plus 10 ms ticks; allow that much disagreement. */
const PROC_START_TOLERANCE_MS = 1500;


export class ProcessTable {
  readonly entities: Lru<string, ProcEntry>;
  readonly sessions: Lru<string, SessionInfo>;
  /** Time of the latest record seen: the clock for bounds on what is still in progress. */
  latestMs = 0;
  private readonly pids = new Map<string, string>();
  /** One owned copy of each host key (ids.ts owned()), shared by that host's entries. */
  private readonly hostKeys = new Map<string, string>();
  /** Ended leaves in the order they ended (see end()); `leafHead` is the next one to expire. */
  private leaves: ProcEntry[] = [];
  private leafHead = 0;

  constructor(readonly opts: TableOptions) {
    this.entities = new Lru(opts.maxProcesses, (id, e) => {
      const k = pidKey(e.hostKey, e.pid);
      if (this.pids.get(k) === id) this.pids.delete(k);
    });
    this.sessions = new Lru(opts.maxSessions);
  }

  /** The current process with this pid on this host (marks it recently used). */
  lookup(hostKey: string, pid: number): ProcEntry | undefined {
    const id = this.pids.get(pidKey(hostKey, pid));
    return id === undefined ? undefined : this.entities.get(id);
  }

  byEntity(id: string | undefined, touch = true): ProcEntry | undefined {
    if (id === undefined) return undefined;
    return touch ? this.entities.get(id) : this.entities.peek(id);
  }

  session(hostKey: string, ses: string): SessionInfo {
    const key = `${hostKey}/${ses}`;
    let s = this.sessions.get(key);
    if (!s) this.sessions.set(key, (s = { key, ses }));
    return s;
  }

  /** Any record from a process: find its entry (detecting pid reuse), or start one at this record's time. */
  observe(o: Observation): ProcEntry {
    this.advance(o.ts);
    const e = this.lookup(o.hostKey, o.pid);
    if (e && this.sameProcess(e, o)) {
      this.update(e, o);
      return e;
    }
    const created = this.create(o, o.ts, 'seen');
    inheritLeaders(this, created);
    evaluateLeaders(this, created);
    return created;
  }

  /** A successful execve/execveat: same process (same entity id, per the ECS model), new image. */
  exec(o: Observation): ProcEntry {
    this.advance(o.ts);
    const e = this.lookup(o.hostKey, o.pid);
    if (e && this.sameProcess(e, o)) {
      if (e.image.executable || e.image.args) {
        const prev = (e.previous ??= []);
        prev.push({ executable: e.image.executable, args: e.image.args });
        if (prev.length > this.opts.maxPrevious) prev.shift();
      }
      e.image = ownedImage(o.image);
      this.update(e, o);
      evaluateLeaders(this, e);
      return e;
    }
    const created = this.create(o, o.ts, 'exec');
    inheritLeaders(this, created);
    evaluateLeaders(this, created);
    return created;
  }

  /** A successful fork/vfork/clone (not a thread): the child starts now as a copy of the parent. */
  fork(parent: ProcEntry, childPid: number, ts: number): ProcEntry {
    const existing = this.lookup(parent.hostKey, childPid);
    if (existing && existing.entityId === entityId(parent.hostKey, childPid, ts)) return existing; // replayed record
    // Records can arrive out of order (the child's execve completes before the parent's clone returns):
    // a child already seen under this parent, not before this fork, is the same process; keep its id.
    // Even if it has already ended: a short child (`/bin/echo`) can exec and exit before the parent's
    // clone record is written at syscall exit. Its pid cannot have been reused meanwhile: the parent is
    // still inside this clone, and the clone's timestamp is taken at syscall entry, before the child ran.
    if (existing && existing.parentEntityId === parent.entityId && existing.startMs >= ts && existing.origin !== 'fork') {
      return existing;
    }
    const child = this.create(
      { hostKey: parent.hostKey, pid: childPid, ppid: parent.pid, ts, ses: parent.ses, auid: parent.auid, uid: parent.uid, tty: parent.tty, image: parent.image },
      ts,
      'fork',
    );
    inheritLeaders(this, child);
    return child;
  }

  /**
   * exit_group: the process is over. An entry with children stays as their parent, leader and ancestry
   * until the LRU drops it. A leaf (no child ever linked to it: most processes, `ls`, `grep`, a fork that
   * execs /bin/true) is referred to by nothing, so it goes once records that arrive late for it (a vfork
   * parent's clone, the coalescer's reordering) are past: at 1000 exec/s the table held ~32k dead leaves
   * and most of the shipper's live heap. Its session keeps a copy of an entry leader (SessionInfo).
   */
  end(e: ProcEntry, ts: number, exitCode?: number): void {
    e.endMs = ts;
    if (exitCode !== undefined) e.exitCode = exitCode;
    if (!e.children) this.leaves.push(e);
    this.expireLeaves();
  }

  /**
   * Ends this host's processes that are gone: `startOf(pid)` says when the process now holding the pid
   * started (undefined: none). Without exit_group audited (exec-only rules) nothing else ends them, and the
   * table filled with dead processes up to its bound (32k at 1000 exec/s within a minute, most of the live
   * heap). `nowMs` is the wall clock, on the clock of the records: every record of a gone process is older,
   * so the usual expiry of ended leaves (endedLeafMs past it, in record time) waits for the late ones.
   * Returns how many were ended.
   */
  endGone(hostKey: string, startOf: (pid: number) => number | undefined, nowMs: number): number {
    const gone: ProcEntry[] = [];
    for (const e of this.entities.values()) {
      if (e.endMs !== undefined || e.hostKey !== hostKey) continue;
      const s = startOf(e.pid);
      // Alive: the pid's process started no later than ours (a reused pid started after ours ended).
      if (s !== undefined && s <= e.startMs + PROC_START_TOLERANCE_MS) continue;
      gone.push(e);
    }
    for (const e of gone) this.end(e, Math.max(nowMs, e.startMs));
    // Those ended by the last call are due by now, whether or not anything ended since.
    this.expireLeaves();
    return gone.length;
  }

  /** Record time moves on: ended leaves whose time is up go now, not only when the next process ends. */
  private advance(ts: number): void {
    if (ts <= this.latestMs) return;
    this.latestMs = ts;
    const q = this.leaves;
    if (this.leafHead < q.length && q[this.leafHead].endMs! <= ts - this.opts.endedLeafMs) this.expireLeaves();
  }

  private expireLeaves(): void {
    const until = this.latestMs - this.opts.endedLeafMs;
    const q = this.leaves;
    let i = this.leafHead;
    for (; i < q.length && q[i].endMs! <= until; i++) {
      const e = q[i];
      // Still the same ended leaf (not reused by a restored entry, not given a child since it ended).
      if (e.children || this.entities.peek(e.entityId) !== e) continue;
      this.entities.delete(e.entityId);
      const k = pidKey(e.hostKey, e.pid);
      if (this.pids.get(k) === e.entityId) this.pids.delete(k);
    }
    if (i === q.length) {
      this.leaves = [];
      i = 0;
    } else if (i > 1024 && i * 2 > q.length) {
      this.leaves = q.slice(i);
      i = 0;
    }
    this.leafHead = i;
  }

  /**
   * Entity ids of the ancestors, nearest first (process.Ext.ancestry). Cached on the entry at creation and
   * extended when the topmost known ancestor has since learnt its own parent: one peek per event normally.
   */
  ancestry(e: ProcEntry): string[] {
    const max = this.opts.maxAncestry;
    let a = e.ancestry ?? (e.parentEntityId ? [e.parentEntityId] : []);
    if (a.length === 0 || a.length >= max) return a;
    let cur = this.byEntity(a[a.length - 1], false);
    if (!cur?.parentEntityId) return a;
    const seen = new Set([e.entityId, ...a]);
    a = a.slice();
    while (cur?.parentEntityId && a.length < max && !seen.has(cur.parentEntityId)) {
      seen.add(cur.parentEntityId);
      a.push(cur.parentEntityId);
      cur = this.byEntity(cur.parentEntityId, false);
    }
    e.ancestry = a;
    return a;
  }

  ancestors(id: string): AncestorSummary[] {
    const out: AncestorSummary[] = [];
    const seen = new Set<string>([id]);
    let cur = this.byEntity(id, false);
    while (cur?.parentEntityId && out.length < this.opts.maxAncestry && !seen.has(cur.parentEntityId)) {
      seen.add(cur.parentEntityId);
      const p = this.byEntity(cur.parentEntityId, false);
      if (!p) break;
      out.push({ entityId: p.entityId, pid: p.pid, start: new Date(p.startMs).toISOString(), executable: p.image.executable, args: p.image.args });
      cur = p;
    }
    return out;
  }

  /** Loads /proc processes; returns how many entries were added (already-known ones keep their ids). */
  seed(hostKey: string, procs: ProcProcess[]): number {
    const added: ProcEntry[] = [];
    for (const p of procs) {
      if (p.kernelThread) continue;
      const known = this.lookup(hostKey, p.pid);
      // A restored entry is the same process if /proc says it started no later than our recorded start;
      // a reused pid necessarily started after the old process was last known alive.
      if (known && known.endMs === undefined && p.startMs <= known.startMs + PROC_START_TOLERANCE_MS) {
        known.sid = p.sid;
        known.pgid = p.pgid;
        continue;
      }
      const image: ProcImage = { executable: p.executable, name: basename(p.executable) ?? p.comm, args: p.args, workingDirectory: p.cwd };
      const e = this.create({ hostKey, pid: p.pid, ppid: p.ppid || undefined, ts: p.startMs, ses: p.ses, auid: p.auid, uid: p.euid, tty: p.tty, image }, p.startMs, 'proc', false);
      e.sid = p.sid;
      e.pgid = p.pgid;
      added.push(e);
    }
    // Second pass, once every process exists: parents, then leaders (which walk parents).
    for (const e of added) this.linkParent(e, false);
    for (const e of added) {
      const sl = e.sid ? this.lookup(hostKey, e.sid) : undefined;
      const gl = e.pgid ? this.lookup(hostKey, e.pgid) : undefined;
      e.sessionLeader = sl?.entityId;
      e.groupLeader = gl?.entityId;
    }
    for (const e of added) evaluateLeaders(this, e);
    return added.length;
  }

  /** Snapshot support: the pid index (entries and sessions are read from the LRUs directly). */
  pidIndex(): Array<[string, string]> {
    return [...this.pids.entries()];
  }

  /** Restore support: entries least recently used first, so the LRU order comes back as it was. */
  load(entries: ProcEntry[], pidIndex: Array<[string, string]>, sessions: SessionInfo[]): void {
    for (const e of entries) this.entities.set(e.entityId, e);
    for (const [k, id] of pidIndex) if (this.entities.peek(id)) this.pids.set(k, id);
    for (const s of sessions) this.sessions.set(s.key, s);
  }

  // ---- internals ----

  /**
   * The table's copy of a host key. A key taken from a record (`node=`) is a slice of the input chunk, and
   * every entry of that host keeps it; one copy per host, instead of one per entry.
   */
  private hostKey(k: string): string {
    let own = this.hostKeys.get(k);
    if (own === undefined) {
      if (this.hostKeys.size >= 1024) this.hostKeys.clear(); // a replay of many hosts' logs: stay bounded
      own = owned(k);
      this.hostKeys.set(own, own);
    }
    return own;
  }

  private create(o: Observation, startMs: number, origin: ProcEntry['origin'], link = true): ProcEntry {
    const e: ProcEntry = {
      hostKey: this.hostKey(o.hostKey),
      pid: o.pid,
      startMs,
      entityId: entityId(o.hostKey, o.pid, startMs),
      origin,
      ppid: o.ppid,
      // A fork shares its parent's image: the table's own already, and images are replaced, never mutated.
      image: origin === 'fork' ? o.image : ownedImage(o.image),
      uid: o.uid,
      auid: o.auid,
      ses: o.ses,
      tty: o.tty ?? undefined,
    };
    this.entities.set(e.entityId, e);
    this.pids.set(pidKey(o.hostKey, o.pid), e.entityId);
    if (link) this.linkParent(e, true);
    return e;
  }

  /** Points e at its parent, creating a placeholder when the parent was never seen (it started before us). */
  private linkParent(e: ProcEntry, inferMissing: boolean): void {
    if (!e.ppid || e.ppid === e.pid) return;
    let p = this.lookup(e.hostKey, e.ppid);
    if (!p && inferMissing) {
      // Its real start is unknown; the child's time is the best stable guess. Processes inherit the audit
      // session from their parent, so the child's ses/auid are the best guess for the parent's too.
      p = this.create({ hostKey: e.hostKey, pid: e.ppid, ts: e.startMs, ses: e.ses, auid: e.auid, image: {} }, e.startMs, 'inferred', false);
    }
    if (!p) return;
    p.children = (p.children ?? 0) + 1;
    e.parentEntityId = p.entityId;
    e.ancestry = [p.entityId, ...(p.ancestry ?? [])].slice(0, this.opts.maxAncestry);
  }

  private sameProcess(e: ProcEntry, o: Observation): boolean {
    if (e.endMs !== undefined) return false; // exit_group seen: this pid now belongs to someone else
    if (o.ppid !== undefined && e.ppid !== undefined && o.ppid !== e.ppid && !this.canReparent(e, o.ppid)) return false;
    // The audit session changes only through a LOGIN record from an unset one; set -> other set means reuse.
    if (sessionSet(o.ses) && sessionSet(e.ses) && o.ses !== e.ses) return false;
    return true;
  }

  /**
   * A changed ppid is re-parenting or pid reuse. The kernel re-parents an orphan to init or to the nearest
   * subreaper, which is always one of its ancestors; so a new parent that is pid 1, a known ancestor, or
   * replaces a parent we saw exit (or no longer know) is re-parenting. Anything else is a new process on a
   * reused pid whose exit and fork we did not see (rules without exit_group/clone).
   */
  private canReparent(e: ProcEntry, newPpid: number): boolean {
    if (newPpid === 1) return true;
    const oldParent = this.byEntity(e.parentEntityId, false);
    if (!oldParent || oldParent.endMs !== undefined) return true;
    let cur: ProcEntry | undefined = oldParent;
    for (let i = 0; cur && i < this.opts.maxAncestry; i++) {
      if (cur.pid === newPpid) return true;
      cur = this.byEntity(cur.parentEntityId, false);
    }
    return false;
  }

  private update(e: ProcEntry, o: Observation): void {
    if (o.ppid !== undefined && o.ppid !== e.ppid) {
      e.ppid = o.ppid; // re-parented (sameProcess() ruled out reuse)
      this.linkParent(e, true);
    }
    if (o.ses !== undefined) e.ses = o.ses;
    if (o.auid !== undefined) e.auid = o.auid;
    if (o.uid !== undefined) e.uid = o.uid;
    if (o.tty !== undefined) e.tty = o.tty ?? undefined;
    // Images are replaced, never mutated: the enricher caches the ECS view of an entry per image object.
    const img = e.image;
    const n = o.image;
    if ((n.executable && n.executable !== img.executable) || (n.name && n.name !== img.name) || (n.workingDirectory && n.workingDirectory !== img.workingDirectory)) {
      e.image = {
        ...img,
        executable: n.executable ? owned(n.executable) : img.executable,
        name: n.name ? owned(n.name) : img.name,
        workingDirectory: n.workingDirectory ? owned(n.workingDirectory) : img.workingDirectory,
      };
    }
    if (e.origin === 'inferred') {
      e.origin = 'seen';
      evaluateLeaders(this, e);
    }
  }

  /** A kernel LOGIN set a new session: it is being opened until its USER_START (see SessionInfo). */
  sessionOpening(hostKey: string, ses: string, ts: number): void {
    const s = this.session(hostKey, ses);
    if (!s.entryLeader) s.openingSinceMs = ts;
  }
}

/**
 * The image as the table keeps it: its own copy, with strings that do not pin the input chunk they were
 * parsed from (ids.ts owned()). Entries outlive their records by minutes; one exec per entry pays this.
 */
function ownedImage(i: ProcImage): ProcImage {
  const out: ProcImage = {};
  for (const k in i) {
    const v = i[k as keyof ProcImage];
    if (k === 'args') out.args = (v as string[] | undefined)?.map((a) => owned(a));
    else (out as Record<string, unknown>)[k] = owned(v as string | undefined);
  }
  return out;
}

function pidKey(hostKey: string, pid: number): string {
  return `${hostKey}/${pid}`;
}
