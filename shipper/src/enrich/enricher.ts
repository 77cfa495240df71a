// The enrich stage: EcsEvent in, the same EcsEvent out (mutated in place: no copy on the hot path) with
// process entity ids, parent, leaders and ancestry (ECS Linux event model, for Kibana Session View and the
// auditsight plugin), host facts and user/group names. Per event: a handful of Map lookups, no file reads.
import type { EcsEvent, EcsProcessRef } from '../../../common/ecs/event';
import { applyHost, hostKey, hostKeyOf, isLocalEvent } from './host';
import { auditTty, basename, isoTime, owned, toInt, ttyCharDevice } from './ids';
import { sessionSet } from './leaders';
import { ProcessTable, type Observation } from './process-table';
import { procStartTimes, readProcTable, type ProcProcess } from './procfs';
import type { AncestorSummary, EnrichState, FsReader, HostInfo, ProcEntry, ProcRef } from './types';
import type { UserResolver } from './users';
import { resolveNames } from './names';
import { ViewCache } from './views';
import { forkEventBase } from './fork-event';

export interface EnricherOptions {
  /** This machine (readHostInfo(nodeFsReader())). Without it, events keep the host fields normalize set. */
  host?: HostInfo;
  /** Names for this machine's uids/gids. Without it, only names already in the records are present. */
  users?: UserResolver;
  /** Process table bound (entries, live or ended). 32768 keeps ~60 MB worst case. */
  maxProcesses?: number;
  /** Record time an ended process without children stays in the table (ProcessTable.end). Default 5000. */
  endedLeafMs?: number;
  maxSessions?: number;
  maxAncestry?: number;
  maxPrevious?: number;
  /** How long a login session may stay between LOGIN and USER_START before a missing USER_START is ignored. */
  sessionOpenMaxMs?: number;
  /** Derive a `fork` event for the child of each successful fork/vfork/clone (fork-event.ts). Default true. */
  forkEvents?: boolean;
}

const EXEC_SYSCALLS = new Set(['execve', 'execveat']);
const FORK_SYSCALLS = new Set(['clone', 'clone3', 'fork', 'vfork']);
const CLONE_THREAD = 0x10000;

/** A string value of auditd.data, undefined for anything else. */
function stringField(data: Record<string, unknown>, k: string): string | undefined {
  const v = data[k];
  return typeof v === 'string' ? v : undefined;
}
const LOGIN_RECORDS = new Set(['user_login', 'user_start']);

export class Enricher {
  private readonly table: ProcessTable;
  readonly host?: HostInfo;
  private readonly users?: UserResolver;
  /** See ref(): the ECS view of each entry, keyed by the entry, valid while its image/uid/tty/origin are. */
  private readonly refCache = new WeakMap<ProcEntry | ProcRef, { ref: EcsProcessRef; image: object; uid?: string; tty?: string; origin?: string }>();
  private readonly views = new ViewCache();
  private readonly forkEvents: boolean;
  private derived: EcsEvent[] | undefined;

  constructor(opts: EnricherOptions = {}) {
    this.host = opts.host;
    this.users = opts.users;
    this.forkEvents = opts.forkEvents ?? true;
    this.table = new ProcessTable({
      maxProcesses: opts.maxProcesses ?? 32768,
      maxSessions: opts.maxSessions ?? 4096,
      maxAncestry: opts.maxAncestry ?? 32,
      maxPrevious: opts.maxPrevious ?? 4,
      sessionOpenMaxMs: opts.sessionOpenMaxMs ?? 5000,
      endedLeafMs: opts.endedLeafMs ?? 5000,
    });
  }

  /** Number of processes currently held (bounded by maxProcesses). */
  get size(): number {
    return this.table.entities.size;
  }

  enrich(ev: EcsEvent): EcsEvent {
    const local = this.host === undefined || isLocalEvent(ev, this.host);
    if (local && this.host) applyHost(ev, this.host);
    const pid = toInt(ev.process?.pid);
    const child = pid !== undefined && pid > 0 ? this.track(ev, hostKeyOf(ev), pid, local) : undefined;
    if (local && this.users) resolveNames(ev, this.users);
    if (child !== undefined && this.forkEvents) {
      // After resolveNames: the fork event shares the clone's (now named) user.
      const fork = forkEventBase(ev, child.pid);
      // No `previous`: the images exec replaced came after the fork (see childAtFork).
      this.emit(fork, child, local, false);
      (this.derived ??= []).push(fork);
    }
    return ev;
  }


  /**
   * Events enrich() derived from the last event (a `fork` for a clone: fork-event.ts), to be shipped with
   * it; the caller takes them once, so the list never grows.
   */
  takeDerived(): EcsEvent[] | undefined {
    const d = this.derived;
    this.derived = undefined;
    return d;
  }

  /** Processes that started before the shipper. Call after restore(): known processes keep their ids. */
  seedFromProc(reader: FsReader, opts: { clkTck?: number } = {}): number {
    return this.seedProcesses(readProcTable(reader, opts.clkTck));
  }

  /**
   * Ends the processes of this host that /proc no longer has (ProcessTable.endGone). The live shipper calls
   * it periodically; `nowMs` is the wall clock (default Date.now).
   */
  endGoneFromProc(reader: FsReader, opts: { clkTck?: number; nowMs?: number } = {}): number {
    return this.table.endGone(hostKey(this.host), procStartTimes(reader, opts.clkTck), opts.nowMs ?? Date.now());
  }

  seedProcesses(procs: ProcProcess[]): number {
    return this.table.seed(hostKey(this.host), procs);
  }

  /** Ancestors of a process, nearest first (bounded by maxAncestry). */
  ancestors(entityId: string): AncestorSummary[] {
    return this.table.ancestors(entityId);
  }

  /** The table entry behind an entity id (tests, debugging); not a copy, do not mutate. */
  process(entityId: string): ProcEntry | undefined {
    return this.table.byEntity(entityId, false);
  }

  /** The table's state as a detached copy (restore() takes it back). */
  snapshot(): EnrichState {
    return structuredClone(this.state());
  }

  /**
   * JSON.stringify(snapshot()) without the copy: what the daemon persists. With a full table (32k
   * processes, 13 MB of JSON) the structured clone took three times as long as the stringify (~300 ms of a
   * blocked event loop and ~30 MB of garbage every snapshot interval), only to be thrown away.
   */
  snapshotJson(): string {
    return JSON.stringify(this.state());
  }

  private state(): EnrichState {
    return {
      version: 1 as const,
      host: this.host ?? {},
      processes: [...this.table.entities.values()],
      pidIndex: this.table.pidIndex(),
      sessions: [...this.table.sessions.values()],
    };
  }

  static restore(state: EnrichState, opts: EnricherOptions = {}): Enricher {
    if (state.version !== 1) throw new Error(`unsupported enrich state version ${String(state.version)}`);
    const en = new Enricher({ ...opts, host: opts.host ?? state.host });
    const s = structuredClone(state);
    en.table.load(s.processes, s.pidIndex, s.sessions);
    return en;
  }

  // ---- per event ----

  /** Updates the process table from one event; returns the child a successful fork/clone created. */
  private track(ev: EcsEvent, hostKey: string, pid: number, local: boolean): ProcEntry | undefined {
    const p = ev.process!;
    const data = ev.auditd?.data ?? {};
    // Bound, not an arrow: tsx keeps function names, which costs a defineProperty per closure per event.
    const str = stringField.bind(undefined, data);
    const ts = this.timeOf(ev['@timestamp']);
    const syscall = str('syscall');
    const failed = ev.auditd?.result === 'fail' || ev.event?.outcome === 'failure';
    const type = (ev.auditd?.message_type ?? '').toLowerCase();
    const o: Observation = {
      hostKey,
      pid,
      ppid: toInt(p.parent?.pid),
      ts,
      ses: ev.auditd?.session,
      auid: ev.user?.audit?.id,
      // Only SYSCALL records say who the process runs as: in user-space records (LOGIN, USER_*) go-libaudit
      // puts the login/account user in user.* (LOGIN's user.effective.id is the new auid).
      uid: type === 'syscall' ? (ev.user?.effective?.id ?? ev.user?.id) : undefined,
      tty: 'tty' in data ? (auditTty(str('tty')) ?? null) : undefined,
      image: { executable: p.executable, name: p.name, workingDirectory: p.working_directory },
    };

    let e: ProcEntry;
    if (!failed && (syscall ? EXEC_SYSCALLS.has(syscall) : ev.event?.action === 'executed')) {
      o.image.args = p.args;
      e = this.table.exec(o);
    } else {
      e = this.table.observe(o);
    }

    let forked: ProcEntry | undefined;
    if (!failed && syscall && FORK_SYSCALLS.has(syscall)) {
      // The child's pid is the syscall's return value; normalize may expose it either way.
      const child = toInt(str('exit')) ?? toInt(p.exit_code);
      const flags = syscall === 'clone' ? parseInt(str('a0') ?? '0', 16) : 0;
      if (child !== undefined && child > 0 && !(flags & CLONE_THREAD)) forked = this.table.fork(e, child, ts);
    } else if (syscall === 'exit_group') {
      // exit_group(status): the exit code is the low byte of its argument.
      const a0 = str('a0');
      const code = a0 !== undefined ? parseInt(a0, 16) & 0xff : undefined;
      this.table.end(e, ts, Number.isNaN(code) ? undefined : code);
    }

    if (LOGIN_RECORDS.has(type) && !failed && sessionSet(o.ses)) this.noteLogin(ev, hostKey, o.ses, str('addr'));
    else if (type === 'login' && !failed && sessionSet(o.ses)) this.table.sessionOpening(hostKey, o.ses, ts);

    this.emit(ev, e, local);
    return forked;
  }

  /**
   * Date.parse of the event time, remembered for the last text seen: a busy host writes several events per
   * millisecond, and parsing showed in profiles. An unparseable time falls back to now, never remembered.
   */
  private lastTimeText: string | null = null;
  private lastTimeMs = 0;
  private timeOf(text: string): number {
    // Only a parsed text is remembered, so a missing or bad time never matches.
    if (text === this.lastTimeText) return this.lastTimeMs;
    const parsed = Date.parse(text);
    if (Number.isNaN(parsed)) return Date.now();
    this.lastTimeText = text;
    this.lastTimeMs = parsed;
    return parsed;
  }

  /** USER_LOGIN / USER_START: how the session was entered (entry_meta.type) and from where (source.ip). */
  private noteLogin(ev: EcsEvent, hostKey: string, ses: string, addr: string | undefined): void {
    const s = this.table.session(hostKey, ses);
    const ip = ev.source?.ip ?? addr;
    if (ip && ip !== '?' && !s.sourceIp) s.sourceIp = owned(ip);
    const exe = basename(ev.process?.executable);
    const terminal = typeof ev.auditd?.data?.terminal === 'string' ? ev.auditd.data.terminal : '';
    let type: string | undefined;
    if (exe === 'sshd' || exe === 'sshd-session') type = 'sshd';
    else if (exe === 'login') type = /console$/.test(terminal) ? 'console' : 'terminal';
    if (type) s.type = type;
    s.auid ??= ev.user?.audit?.id;
    if (ev.auditd?.message_type?.toLowerCase() === 'user_start') s.openingSinceMs = undefined;
  }

  private emit(ev: EcsEvent, e: ProcEntry, local: boolean, withPrevious = true): void {
    const p = ev.process!;
    const self = this.ref(e, local);
    p.entity_id = e.entityId;
    p.start = self.start;
    p.executable ??= self.executable;
    p.name ??= self.name;
    if (!p.args && self.args) {
      p.args = self.args;
      p.args_count = self.args_count;
    }
    p.working_directory ??= self.working_directory;
    if (self.interactive !== undefined) p.interactive = self.interactive;
    if (self.tty) p.tty = self.tty;
    // A copy: resolveNames() may still fill in the name of this event's own user.
    if (self.user && !p.user) p.user = { ...self.user };
    if (withPrevious && e.previous?.length) p.previous = this.views.previous(e.previous);
    if (e.endMs !== undefined && ev.auditd?.data?.syscall === 'exit_group') {
      p.end = isoTime(e.endMs);
      if (e.exitCode !== undefined) p.exit_code = e.exitCode;
    }

    // Parent and leaders are shared, cached views (views.ts): building them per event was the enricher's
    // hottest code, and sharing them lets the NDJSON writer reuse their serialized form.
    const parent = this.table.byEntity(e.parentEntityId);
    if (parent) p.parent = this.views.parent(p.parent, this.ref(parent, local));
    else if (e.ppid !== undefined) p.parent = { ...p.parent, pid: p.parent?.pid ?? e.ppid };

    const entry = this.entryLeader(e, local);
    if (entry) p.entry_leader = entry;
    const sl = this.table.byEntity(e.sessionLeader);
    if (sl) p.session_leader = this.views.withParent(this.ref(sl, local), this.anemicParent(sl, local));
    else if (e.sessionLeader) p.session_leader = { entity_id: e.sessionLeader };
    const gl = this.table.byEntity(e.groupLeader);
    if (gl) p.group_leader = this.ref(gl, local);
    else if (e.groupLeader) p.group_leader = { entity_id: e.groupLeader };

    const ancestry = this.table.ancestry(e);
    if (ancestry.length) p.Ext = p.Ext === undefined ? this.views.ext(ancestry) : { ...p.Ext, ancestry };
  }

  private entryLeader(e: ProcEntry, local: boolean): NonNullable<EcsEvent['process']>['entry_leader'] {
    if (!e.entryLeader) return undefined;
    const s = sessionSet(e.ses) ? this.table.sessions.peek(`${e.hostKey}/${e.ses}`) : undefined;
    const le = this.table.byEntity(e.entryLeader);
    // The session keeps a copy of its leader so the Session View root survives the leader's eviction.
    const base = le ? this.ref(le, local) : s?.entryLeaderRef ? this.ref(s.entryLeaderRef, local) : { entity_id: e.entryLeader };
    const type = s?.type ?? le?.entryType ?? (s ? 'unknown' : undefined);
    const parent = le ? this.anemicParent(le, local) : undefined;
    return this.views.entryLeader(base, type, s?.sourceIp, parent);
  }

  /** entity_id/pid/start of a leader's parent, plus that parent's session leader (ECS "anemic" form). */
  private anemicParent(leader: ProcEntry, local: boolean): (EcsProcessRef & { session_leader?: EcsProcessRef }) | undefined {
    const pp = this.table.byEntity(leader.parentEntityId, false);
    if (!pp) return leader.ppid !== undefined ? this.views.pidOnly(leader.ppid) : undefined;
    const ps = this.table.byEntity(pp.sessionLeader, false);
    // Both refs are taken as before (ref() builds and caches them); the view is keyed by their identity.
    return this.views.anemic(this.ref(pp, local), ps ? this.ref(ps, local) : undefined);
  }

  /**
   * The ECS view of a process, rebuilt only when its image, user, tty or origin changed: a leader is emitted
   * on every event of its session, so building it once keeps the hot path to a few Map lookups. The ref
   * itself (as group_leader, or parent/session_leader without extras) and its nested objects are shared
   * between events: events must not be mutated after enrich.
   */
  private ref(r: ProcEntry | ProcRef, local: boolean): EcsProcessRef {
    const origin = 'origin' in r ? r.origin : undefined;
    const c = this.refCache.get(r);
    if (c && c.image === r.image && c.uid === r.uid && c.tty === r.tty && c.origin === origin) return c.ref;
    const img = r.image;
    const out: EcsProcessRef = { entity_id: r.entityId, pid: r.pid, start: isoTime(r.startMs) };
    if (img.executable !== undefined) out.executable = img.executable;
    const name = img.name ?? basename(img.executable);
    if (name !== undefined) out.name = name;
    if (img.args) {
      out.args = img.args;
      out.args_count = img.args.length;
    }
    if (img.workingDirectory !== undefined) out.working_directory = img.workingDirectory;
    // A placeholder parent's tty is unknown, not absent: say nothing rather than interactive: false.
    if (origin !== 'inferred') {
      out.interactive = r.tty !== undefined;
      const dev = r.tty ? ttyCharDevice(r.tty) : undefined;
      if (dev) out.tty = { char_device: dev };
    }
    if (r.uid !== undefined) {
      const n = local ? this.users?.userName(r.uid) : undefined;
      out.user = n !== undefined ? { id: r.uid, name: n } : { id: r.uid };
    }
    this.refCache.set(r, { ref: out, image: img, uid: r.uid, tty: r.tty, origin });
    return out;
  }
}
