// Leaders of the ECS Linux event model (entry, session, process group), inferred from what audit records
// show: setsid()/setpgid() are rarely audited. Functions over the process table's entries; the table calls
// them when a process is created, execs, or learns its parent (see enrich/README.md, "Leaders").
import { basename } from './ids';
import type { ProcessTable } from './process-table';
import { AUDIT_UNSET, type ProcEntry, type ProcRef, type SessionInfo } from './types';

type LeaderTable = Pick<ProcessTable, 'byEntity' | 'session' | 'opts' | 'latestMs'>;

/**
 * Executables that implement a way *into* the machine rather than being the user's session: the entry
 * leader of an audit session is the first process below them (the login shell, the cron job's sh -c).
 */
const ENTRY_MECHANISMS = new Set(['sshd', 'sshd-session', 'sshd-auth', 'login', 'cron', 'crond', 'atd']);
const CONTAINER_RUNTIMES = new Set(['containerd-shim', 'containerd-shim-runc-v2', 'runc', 'conmon', 'crun']);

/** At creation, a process is in its parent's session and process group. */
export function inheritLeaders(t: LeaderTable, e: ProcEntry): void {
  const p = t.byEntity(e.parentEntityId, false);
  if (!p) return;
  e.entryLeader = p.entryLeader;
  e.sessionLeader = p.sessionLeader;
  // An interactive shell (a session leader with a tty) puts each command in its own process group.
  e.groupLeader = e.tty && p.sessionLeader === p.entityId ? e.entityId : p.groupLeader;
}

/**
 * Session and entry leaders, from what audit shows. setsid()/setpgid() are rarely audited, so:
 * - a process that gets a controlling tty its parent does not have (sshd -> bash, sudo's use_pty) or whose
 *   parent is init (daemons) starts a session;
 * - the entry leader of an audit session (ses) is its topmost process that is not an entry mechanism
 *   (sshd, login, cron...), i.e. the login shell or the cron job; processes outside any audit session
 *   (ses unset: services) are entered through init, their entry leader is their ancestor below pid 1.
 */
export function evaluateLeaders(t: LeaderTable, e: ProcEntry): void {
  const parent = t.byEntity(e.parentEntityId, false);
  if (e.sid === undefined && e.tty && parent && parent.origin !== 'inferred' && parent.tty !== e.tty) {
    e.sessionLeader = e.entityId;
    e.groupLeader = e.entityId;
  } else if (e.sid === undefined && (e.ppid === 1 || e.pid === 1) && e.sessionLeader === undefined) {
    e.sessionLeader = e.entityId;
    e.groupLeader ??= e.entityId;
  }
  if (sessionSet(e.ses)) {
    const s = t.session(e.hostKey, e.ses);
    const leader = !s.entryLeader && eligibleEntryLeader(e) ? topOfSession(t, e, e.ses) : undefined;
    if (leader && !pamHelper(t, leader, s)) {
      s.entryLeader = leader.entityId;
      s.entryLeaderRef = refOf(leader);
      s.type ??= entryTypeFromParent(t, leader);
      leader.entryLeader = leader.entityId;
      if (leader.sid === undefined) leader.sessionLeader = leader.entityId;
      leader.groupLeader ??= leader.entityId;
    }
    e.entryLeader = isMechanism(e) ? undefined : s.entryLeader;
  } else if (e.entryLeader === undefined) {
    const top = belowInit(t, e);
    if (top) {
      top.entryLeader = top.entityId;
      top.entryType ??= 'init';
      e.entryLeader = top.entityId;
    }
  }
}


/**
 * sshd and login run PAM session modules (pam_motd's `sh -c run-parts /etc/update-motd.d`, pam_exec)
 * as root inside the user's new audit session, before they start the user's shell. Those helpers are
 * not how the user entered. Two signs, either suffices:
 * - the session is still being opened: pam_loginuid's kernel LOGIN was seen, PAM's USER_START not yet
 *   (the only sign for a root login, whose helpers and shell both run as root); bounded in time so that
 *   a lost USER_START cannot leave a session without a leader (its later events get one);
 * - a root process under an entry mechanism in a non-root login session (when the LOGIN was not seen).
 */
function pamHelper(t: LeaderTable, e: ProcEntry, s: SessionInfo): boolean {
  if (s.openingSinceMs !== undefined) {
    if (t.latestMs - s.openingSinceMs < t.opts.sessionOpenMaxMs) return true;
    s.openingSinceMs = undefined;
  }
  const parent = t.byEntity(e.parentEntityId, false);
  return !!parent && isMechanism(parent) && e.uid === '0' && e.auid !== undefined && e.auid !== '0';
}

/**
 * Walks up while the parent is in the same audit session and is a known non-mechanism process. An unknown
 * parent (started before us, never seen) stops the walk: it might be sshd.
 */
function topOfSession(t: LeaderTable, e: ProcEntry, ses: string): ProcEntry {
  let top = e;
  for (let i = 0; i < t.opts.maxAncestry; i++) {
    const p = t.byEntity(top.parentEntityId, false);
    if (!p || p.ses !== ses || !eligibleEntryLeader(p) || p.pid === 1) break;
    top = p;
  }
  return top;
}

/** The ancestor-or-self whose parent is pid 1, if the known chain reaches it. */
function belowInit(t: LeaderTable, e: ProcEntry): ProcEntry | undefined {
  let cur = e;
  for (let i = 0; i < t.opts.maxAncestry; i++) {
    if (cur.pid === 1) return undefined; // init itself has no entry leader (as in Auditbeat)
    if (cur.ppid === 1) return cur;
    if (cur.entryLeader && cur !== e) return t.byEntity(cur.entryLeader, false);
    const p = t.byEntity(cur.parentEntityId, false);
    if (!p) return undefined;
    cur = p;
  }
  return undefined;
}

function entryTypeFromParent(t: LeaderTable, leader: ProcEntry): string {
  const p = t.byEntity(leader.parentEntityId, false);
  const pn = basename(p?.image.executable) ?? p?.image.name;
  if (pn === 'sshd' || pn === 'sshd-session') return 'sshd';
  if (pn === 'login') return leader.tty === 'console' ? 'console' : 'terminal';
  if (pn === 'ssm-session-worker') return 'ssm';
  if (pn && CONTAINER_RUNTIMES.has(pn)) return 'container';
  if (leader.ppid === 1) return 'init';
  return 'unknown';
}

/** A process whose image we know and which is not sshd/login/cron: the first such one leads its session. */
function eligibleEntryLeader(e: ProcEntry): boolean {
  return (e.image.executable !== undefined || e.image.name !== undefined) && !isMechanism(e);
}

function isMechanism(e: ProcEntry): boolean {
  const n = basename(e.image.executable) ?? e.image.name;
  return n !== undefined && ENTRY_MECHANISMS.has(n);
}

export function sessionSet(ses: string | undefined): ses is string {
  return ses !== undefined && ses !== AUDIT_UNSET && ses !== '-1' && ses !== '';
}

function refOf(e: ProcEntry): ProcRef {
  return { entityId: e.entityId, pid: e.pid, startMs: e.startMs, image: { ...e.image }, uid: e.uid, tty: e.tty, parentEntityId: e.parentEntityId, parentPid: e.ppid };
}
