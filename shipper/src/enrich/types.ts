// Contracts of the enrich stage: injected readers (so tests use fake /proc and /etc trees), host facts,
// the process-table records and the snapshot format that survives a shipper restart.

/**
 * The few filesystem calls enrich needs. Injected so unit tests run against a fake /proc and /etc, and so
 * a future "remote origin" mode can read another root. Every method returns undefined instead of throwing:
 * processes vanish between readdir and read, and /proc files of other users' processes are unreadable.
 */
export interface FsReader {
  readFile(path: string): string | undefined;
  readdir(path: string): string[] | undefined;
  readlink(path: string): string | undefined;
  /** Modification time in ms; used to notice /etc/passwd changes without re-reading it. */
  mtimeMs(path: string): number | undefined;
}

export interface HostInfo {
  /** /etc/machine-id: stable across reboots, the host part of every entity id. */
  id?: string;
  name?: string;
  hostname?: string;
  bootId?: string;
  architecture?: string;
  os?: { type?: string; family?: string; name?: string; version?: string; kernel?: string; platform?: string };
}

/** A process image (what exec replaces). */
export interface ProcImage {
  executable?: string;
  name?: string;
  args?: string[];
  workingDirectory?: string;
}

/** Login-session facts gathered from USER_LOGIN / USER_START / LOGIN records, keyed by (host, ses). */
export interface SessionInfo {
  key: string;
  ses: string;
  auid?: string;
  /** sshd, terminal, console, unknown, ... (ECS process.entry_leader.entry_meta.type). */
  type?: string;
  sourceIp?: string;
  /** Entity id of the process that became the entry leader of this audit session. */
  entryLeader?: string;
  /** A copy of the entry leader, so the session keeps its root even after the LRU evicts that process. */
  entryLeaderRef?: ProcRef;
  /**
   * Time (ms) of the kernel LOGIN that created this session while PAM's session_open (USER_START) has not yet
   * been seen: everything that runs in the session until then is a PAM helper (pam_motd, pam_exec), never
   * the user's entry.
   */
  openingSinceMs?: number;
}

/** A small, JSON-able view of a process used for parent/leader fields (survives eviction of the process). */
export interface ProcRef {
  entityId: string;
  pid: number;
  startMs: number;
  image: ProcImage;
  uid?: string;
  tty?: string;
  parentEntityId?: string;
  parentPid?: number;
  parentStartMs?: number;
  /** Session leader of the parent, needed for entry_leader.parent.session_leader / session_leader.parent.session_leader. */
  parentSessionLeader?: { entityId: string; pid: number; startMs: number };
}

/** One row of the process table. Plain data: snapshot() serialises these as they are. */
export interface ProcEntry {
  hostKey: string;
  pid: number;
  startMs: number;
  entityId: string;
  /** How we learnt about it: a fork/clone record, an exec, /proc, or inferred as somebody's parent. */
  origin: 'fork' | 'exec' | 'proc' | 'seen' | 'inferred';
  ppid?: number;
  parentEntityId?: string;
  image: ProcImage;
  /** Images replaced by exec, most recent last (bounded). */
  previous?: ProcImage[];
  /** Effective uid (ECS process.user.id is the effective user). */
  uid?: string;
  auid?: string;
  ses?: string;
  /** Audit tty name (pts0, tty1) or undefined for "(none)". */
  tty?: string;
  endMs?: number;
  exitCode?: number;
  /** How many processes were linked to this one as their parent (never decremented): none makes it a leaf. */
  children?: number;
  entryLeader?: string;
  sessionLeader?: string;
  groupLeader?: string;
  /** entry_meta.type when this process leads an entry session that is not an audit login session (init, ...). */
  entryType?: string;
  /** Entity ids of the ancestors, nearest first, bounded (process.Ext.ancestry). */
  ancestry?: string[];
  /** From /proc: the kernel's own session id and process group (better than our inference when known). */
  sid?: number;
  pgid?: number;
}

export interface EnrichState {
  version: 1;
  host: HostInfo;
  /** Least recently used first, so restore() rebuilds the same eviction order. */
  processes: ProcEntry[];
  /** (host/pid, entity id) of the current process of each pid: after pid reuse the old entry stays as ancestry. */
  pidIndex: Array<[string, string]>;
  sessions: SessionInfo[];
}

/** What ancestors() returns: enough to print "who ran what from where". */
export interface AncestorSummary {
  entityId: string;
  pid: number;
  start: string;
  executable?: string;
  args?: string[];
}

/** Audit's "unset" login uid and session id (-1 as u32). */
export const AUDIT_UNSET = '4294967295';
