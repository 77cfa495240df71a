// Coalesces one group's records into a single audit event, the way go-libaudit's aucoalesce.CoalesceMessages
// does (newEvent / normalizeCompound / addProcess). The result is the intermediate `AuditEvent` that
// apply-normalization.ts fills in further and to-ecs.ts maps to the document, like Auditbeat's
// buildMetricbeatEvent. Kept as plain data so the conformance test can compare at this level too.
import type { AuditRecord } from '../parse/types';
import { interpretRecord, type InterpretOptions } from './interpret';
import { objectFrom } from '../../../common/fast-object';

export interface EcsEntity {
  id?: string;
  name?: string;
}

export interface AuditEvent {
  timestampMs: number;
  sequence: number;
  /** Record type that names the event (the first non-SYSCALL record, else SYSCALL). */
  type: string;
  result: string;
  session?: string;
  tags?: string[];
  summary: {
    actor: { primary?: string; secondary?: string };
    action?: string;
    object: { type?: string; primary?: string; secondary?: string };
    how?: string;
  };
  /** auid, uid, euid, ... as reported. */
  ids: Map<string, string>;
  /** Names for ids (from ENRICHED values or the resolver), keyed like ids. */
  names: Map<string, string>;
  selinux?: Record<string, string>;
  process: { pid?: string; ppid?: string; title?: string; name?: string; exe?: string; cwd?: string; args?: string[] };
  file?: {
    path?: string;
    device?: string;
    inode?: string;
    mode?: string;
    uid?: string;
    gid?: string;
    owner?: string;
    group?: string;
    selinux?: Record<string, string>;
  };
  source?: { ip?: string; port?: string; path?: string };
  destination?: { ip?: string; port?: string; path?: string };
  direction?: 'ingress' | 'egress';
  data: Map<string, string>;
  paths?: Array<Record<string, string>>;
  /** Which paths[] item became `file` (to find its ENRICHED OUID/OGID names). */
  fileIndex?: number;
  ecs: {
    kind?: string;
    category?: string[];
    type?: string[];
    outcome?: string;
    user: EcsEntity;
    effective: EcsEntity;
    target: EcsEntity;
    changes: EcsEntity;
    group: EcsEntity;
  };
  /** ENRICHED (0x1d) values of the record that supplied the ids: AUID -> "vagrant", OUID of each path... */
  enriched?: Record<string, string>;
  pathEnriched?: Array<Record<string, string> | undefined>;
  warnings: string[];
}

function endsWithId(k: string): boolean {
  return k.endsWith('uid') || k.endsWith('gid');
}

function newEvent(head: AuditRecord, src: AuditRecord, opts: InterpretOptions): AuditEvent {
  const rd = interpretRecord(src, opts);
  const d = rd.data;
  // The record's own Map becomes ev.data once the ids and SELinux parts are moved out of it (below):
  // deleting keeps the others in order, exactly as copying them into a new Map did, minus a Map per event.
  const ev: AuditEvent = {
    timestampMs: head.timestampMs,
    sequence: head.serial,
    type: head.type,
    result: 'unknown',
    summary: { actor: {}, object: {} },
    ids: new Map(),
    names: new Map(),
    process: {},
    data: d,
    ecs: { user: {}, effective: {}, target: {}, changes: {}, group: {} },
    enriched: src.enriched,
    warnings: [],
  };
  if (rd.enriched) ev.enriched = rd.enriched;
  if (rd.warnings) ev.warnings.push(...rd.warnings);
  const result = d.get('result');
  if (result !== undefined) {
    ev.result = result;
    d.delete('result');
  }
  const ses = d.get('ses');
  if (ses !== undefined) {
    ev.session = ses;
    d.delete('ses');
  }
  ev.summary.actor.primary = d.get('auid');
  ev.summary.actor.secondary = d.get('uid');
  ev.tags = rd.tags;
  // Deleting the entry being visited is safe in a Map iteration (it goes on with the next entry).
  // Map loops here use forEach: for-of allocates a [key, value] pair per field (see interpret.ts).
  d.forEach((v, k) => {
    if (endsWithId(k)) {
      ev.ids.set(k, v);
      d.delete(k);
    } else if (k.startsWith('subj_')) {
      (ev.selinux ??= {})[k.slice(5)] = v;
      d.delete(k);
    }
  });
  return ev;
}

const INCOMING = new Set(['recvfrom', 'recvmsg', 'accept', 'accept4']);
const OUTGOING = new Set(['connect', 'sendto', 'sendmsg']);

function addSockaddr(ev: AuditEvent, d: Map<string, string>): void {
  const syscall = ev.data.get('syscall');
  if (syscall === undefined) {
    ev.warnings.push('failed to add SOCKADDR data because syscall is unknown');
    return;
  }
  d.forEach((v, k) => ev.data.set('socket_' + k, v));
  const ip = d.get('addr');
  const port = d.get('port');
  const path = d.get('path');
  const has = !!(ip || port || path);
  const addr = { ip: ip || undefined, port: port || undefined, path: path || undefined };
  if (INCOMING.has(syscall)) {
    if (has) ev.source = addr;
    ev.direction = 'ingress';
  } else if (OUTGOING.has(syscall)) {
    if (has) ev.destination = addr;
    ev.direction = 'egress';
  }
}

function addExecve(ev: AuditEvent, d: Map<string, string>): void {
  const argc = d.get('argc');
  if (argc === undefined) {
    ev.warnings.push('argc key not found in EXECVE message');
    return;
  }
  ev.data.set('argc', argc);
  const count = Number(argc);
  if (!Number.isInteger(count) || count < 0) {
    ev.warnings.push(`failed to convert argc='${argc}' to number`);
    return;
  }
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = d.get('a' + i);
    if (a === undefined) {
      // Keep what we have (go-libaudit drops all args here): a truncated command line beats none.
      ev.warnings.push(`failed to find arg a${i}`);
      break;
    }
    args.push(a);
  }
  ev.process.args = args;
}

/** Builds the coalesced event. Never throws; problems end up in `warnings`. */
export function buildAuditEvent(records: AuditRecord[], opts: InterpretOptions = {}): AuditEvent | undefined {
  let msgs = records;
  if (msgs.length > 0 && msgs[msgs.length - 1].type === 'EOE') msgs = msgs.slice(0, -1);
  if (msgs.length === 0) return undefined;
  let ev: AuditEvent;
  if (msgs.length === 1) {
    ev = newEvent(msgs[0], msgs[0], opts);
  } else {
    let special: AuditRecord | undefined;
    let syscall: AuditRecord | undefined;
    for (let i = 0; i < msgs.length; i++) {
      const t = msgs[i].type;
      if (i === 0 && t !== 'SYSCALL') {
        special = msgs[i];
        continue;
      }
      if (t === 'SYSCALL') {
        syscall = msgs[i];
        break;
      }
    }
    // go-libaudit gives up on a compound event without SYSCALL; we describe it from its first record instead.
    const missing = syscall === undefined;
    ev = newEvent(special ?? msgs[0], syscall ?? msgs[0], opts);
    if (missing) ev.warnings.push('missing syscall message in compound event');
    const src = syscall ?? msgs[0];
    for (const m of msgs) {
      if (m === src) {
        ev.data.delete('items');
        continue;
      }
      const rd = interpretRecord(m, opts);
      if (rd.warnings) ev.warnings.push(...rd.warnings.map((w) => `${m.type}: ${w}`));
      switch (m.type) {
        case 'SYSCALL':
          ev.data.delete('items');
          break;
        case 'PATH':
          (ev.paths ??= []).push(mapToObject(rd.data));
          (ev.pathEnriched ??= []).push(rd.enriched ?? m.enriched);
          break;
        case 'SOCKADDR':
          addSockaddr(ev, rd.data);
          break;
        case 'EXECVE':
          addExecve(ev, rd.data);
          break;
        default:
          rd.data.forEach((v, k) => {
            if (ev.data.has(k)) ev.warnings.push(`duplicate key (${k}) from ${m.type} message`);
            else ev.data.set(k, v);
          });
      }
    }
  }
  return ev;
}

/** go-libaudit addProcess: moves the process fields out of data (after normalization read them). */
export function extractProcess(ev: AuditEvent): void {
  const d = ev.data;
  const p = ev.process;
  p.pid = take(d, 'pid');
  p.ppid = take(d, 'ppid');
  p.title = take(d, 'proctitle');
  p.name = take(d, 'comm');
  p.exe = take(d, 'exe');
  p.cwd = take(d, 'cwd');
}

/**
 * Object.fromEntries(d) as a fast-mode object (fromEntries showed in profiles, and a PATH record can have
 * more fields than computed-key stores keep fast: common/fast-object.ts). A `__proto__` key from a record
 * is an own property, as fromEntries makes it.
 */
function mapToObject(d: Map<string, string>): Record<string, string> {
  return objectFrom([...d.keys()], [...d.values()]);
}

function take(d: Map<string, string>, k: string): string | undefined {
  const v = d.get(k);
  if (v !== undefined) d.delete(k);
  return v;
}
