// Maps a coalesced, normalized AuditEvent to the ECS document, following Auditbeat's buildMetricbeatEvent
// (auditbeat/module/auditd/audit_linux.go: addUser, addProcess, addFile, addAddress, normalizeEventFields,
// setECSEntity, removeRedundantEntity). Our additions (@timestamp, ecs.version, event.module/dataset,
// host.name, process.args_count/exit_code, auditd.warnings) are listed in DIFFERENCES.md.
import type { EcsEvent, EcsUserRef } from '../../../common/ecs/event';
import type { AuditEvent, EcsEntity } from './audit-event';
import { auditEventType, recordTypeNumber } from './tables/event-type';
import { flat, flatConcat } from '../../../common/flat';
import { objectFrom } from '../../../common/fast-object';

/** uid/gid -> name and back. Every method may answer undefined; enrich resolves on the origin host later. */
export interface IdResolver {
  userName?(uid: string): string | undefined;
  groupName?(gid: string): string | undefined;
  userId?(name: string): string | undefined;
  groupId?(name: string): string | undefined;
}

export interface EcsOptions {
  resolver?: IdResolver;
  /** event.dataset; Elastic's auditd_manager integration writes `auditd_manager.auditd`. */
  dataset?: string;
  includeWarnings?: boolean;
  /**
   * Keep each event's raw records in event.original (default true: the evidence itself, off the box before
   * anyone can delete audit.log). false saves about a third of an exec document, but an event with warnings
   * (a value normalization had to drop, an incomplete group) keeps them regardless: nothing is lost unseen.
   */
  eventOriginal?: boolean;
}

export const ECS_VERSION = '9.4.0';

const ID_FIELD: Readonly<Record<string, string>> = {
  uid: 'id',
  gid: 'group.id',
  euid: 'effective.id',
  egid: 'effective.group.id',
  suid: 'saved.id',
  sgid: 'saved.group.id',
  fsuid: 'filesystem.id',
  fsgid: 'filesystem.group.id',
  auid: 'audit.id',
};
const NAME_FIELD: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(ID_FIELD).map(([k, v]) => [k, v.slice(0, -2) + 'name']),
);

// Sets a dotted path inside a plain object. Paths of the fixed fields are split once and cached.
const PATH_CACHE = new Map<string, string[]>();
function put(obj: Record<string, unknown>, path: string, value: unknown): void {
  let parts = PATH_CACHE.get(path);
  if (parts === undefined) {
    parts = path.split('.');
    if (PATH_CACHE.size < 1024) PATH_CACHE.set(path, parts); // bounded: other keys come from the records
  }
  let o = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const next = o[parts[i]];
    if (typeof next === 'object' && next !== null) o = next as Record<string, unknown>;
    else o = o[parts[i]] = {} as Record<string, unknown>;
  }
  o[parts[parts.length - 1]] = value;
}

/**
 * `new Date(ms).toISOString()`, with the `YYYY-MM-DDTHH:MM:SS.` part cached for the last second seen:
 * a busy host writes thousands of events per second, and building a Date per event showed in profiles.
 */
let isoSecond = NaN;
let isoPrefix = '';
let isoLastMs = NaN;
let isoLast = '';
export function isoTimestamp(ms: number): string {
  // The events of one record group, its fork event and the process refs made for it ask for the same
  // millisecond several times in a row.
  if (ms === isoLastMs) return isoLast;
  const sec = Math.floor(ms / 1000);
  const frac = ms - sec * 1000;
  // Only whole milliseconds in the usual range take the cached path; anything else is formatted fully.
  if (!Number.isInteger(ms) || ms < 0 || ms > 253402300799999) return new Date(ms).toISOString();
  if (sec !== isoSecond) {
    isoPrefix = new Date(sec * 1000).toISOString().slice(0, 20);
    isoSecond = sec;
  }
  // One flat string, not prefix + suffix (a cons string): see common/flat.ts.
  isoLast = flatConcat(isoPrefix, (frac < 10 ? '00' : frac < 100 ? '0' : '') + frac + 'Z');
  isoLastMs = ms;
  return isoLast;
}

const INT = /^[+-]?\d+$/;
function toInt(v: string | undefined): number | undefined {
  return v !== undefined && INT.test(v) ? Number(v) : undefined;
}

/** Names for ids: the record's own ENRICHED values first (auditd resolved them on the origin host), then the resolver. */
class Names {
  // Created only when the event carries names of its own (most events carry none): two Maps per event
  // showed in allocation profiles.
  private uidNames: Map<string, string> | undefined;
  private gidNames: Map<string, string> | undefined;
  constructor(
    ev: AuditEvent,
    private readonly resolver: IdResolver | undefined,
  ) {
    const en = ev.enriched;
    if (en) {
      ev.ids.forEach((v, k) => {
        const name = en[k.toUpperCase()];
        if (name === undefined || v === 'unset') return;
        if (k.endsWith('uid')) (this.uidNames ??= new Map()).set(v, name);
        else (this.gidNames ??= new Map()).set(v, name);
      });
    }
    const pe = ev.fileIndex === undefined ? undefined : ev.pathEnriched?.[ev.fileIndex];
    if (pe && ev.file) {
      if (pe.OUID !== undefined && ev.file.uid !== undefined) (this.uidNames ??= new Map()).set(ev.file.uid, pe.OUID);
      if (pe.OGID !== undefined && ev.file.gid !== undefined) (this.gidNames ??= new Map()).set(ev.file.gid, pe.OGID);
    }
  }
  user(uid: string | undefined): string | undefined {
    if (uid === undefined || uid === '' || uid === 'unset') return undefined;
    return this.uidNames?.get(uid) ?? this.resolver?.userName?.(uid);
  }
  group(gid: string | undefined): string | undefined {
    if (gid === undefined || gid === '' || gid === 'unset') return undefined;
    return this.gidNames?.get(gid) ?? this.resolver?.groupName?.(gid);
  }
  userIdOf(name: string): string | undefined {
    if (this.uidNames) for (const [id, n] of this.uidNames) if (n === name) return id;
    return this.resolver?.userId?.(name);
  }
  groupIdOf(name: string): string | undefined {
    if (this.gidNames) for (const [id, n] of this.gidNames) if (n === name) return id;
    return this.resolver?.groupId?.(name);
  }
}

export function toEcs(ev: AuditEvent, original: string[], node: string | undefined, opts: EcsOptions = {}): EcsEvent {
  const names = new Names(ev, opts.resolver);
  const outcome = ev.result === 'fail' ? 'failure' : ev.result === 'success' ? 'success' : 'unknown';
  const out: EcsEvent = {
    '@timestamp': isoTimestamp(ev.timestampMs),
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event',
      // Auditbeat keeps go-libaudit's event type here unless the normalization gives ECS categories.
      category: ev.ecs.category?.length ? ev.ecs.category : [auditEventType(recordTypeNumber(ev.type))],
      module: 'auditd',
      dataset: opts.dataset ?? 'auditd_manager.auditd',
      outcome: (ev.ecs.outcome as 'failure' | undefined) ?? outcome,
      // Set even when left out (undefined, which JSON omits), so every event keeps one object shape.
      original: opts.eventOriginal === false ? undefined : original,
    },
    service: { type: 'auditd' },
  };
  if (ev.summary.action) out.event.action = ev.summary.action;
  if (ev.ecs.type?.length) out.event.type = ev.ecs.type;
  if (node) out.host = { name: node };

  // Resolved names replace actor ids (go-libaudit ResolveIDs).
  const actor = ev.summary.actor;
  const ap = names.user(actor.primary) ?? actor.primary;
  const as = names.user(actor.secondary) ?? actor.secondary;

  // user.* from the ids, then from the names. (Map loops use forEach: for-of allocates a pair per entry.)
  const user: Record<string, unknown> = {};
  let anyId = false;
  ev.ids.forEach((v, k) => {
    if (v === 'unset') return;
    anyId = true;
    put(user, ID_FIELD[k] ?? `${k}.id`, v);
  });
  if (anyId && ev.selinux) user.selinux = ev.selinux;
  ev.ids.forEach((v, k) => {
    const name = k.endsWith('uid') ? names.user(v) : names.group(v);
    if (name !== undefined) put(user, NAME_FIELD[k] ?? `${k}.name`, name);
  });
  out.user = user as EcsEvent['user'];

  const p = ev.process;
  if (p.pid || p.ppid || p.title || p.name || p.exe || p.cwd || p.args?.length) {
    const proc: NonNullable<EcsEvent['process']> = {};
    const pid = toInt(p.pid);
    if (pid !== undefined) proc.pid = pid;
    const ppid = toInt(p.ppid);
    if (ppid !== undefined) proc.parent = { pid: ppid };
    if (p.title) proc.title = p.title;
    if (p.name) proc.name = p.name;
    if (p.exe) proc.executable = p.exe;
    if (p.cwd) proc.working_directory = p.cwd;
    if (p.args?.length) {
      proc.args = p.args;
      proc.args_count = p.args.length;
    }
    const sc = ev.data.get('syscall');
    if ((sc === 'exit_group' || sc === 'exit') && ev.data.has('a0')) {
      // exit/exit_group never return: the audited a0 is the status the process exits with.
      proc.exit_code = parseInt(ev.data.get('a0')!, 16) | 0;
    }
    out.process = proc;
  }

  if (ev.file) {
    const f = ev.file;
    const file: NonNullable<EcsEvent['file']> = {};
    if (f.path) file.path = f.path;
    if (f.device) file.device = f.device;
    if (f.inode) file.inode = f.inode;
    if (f.mode) file.mode = f.mode;
    if (f.uid) file.uid = f.uid;
    if (f.gid) file.gid = f.gid;
    const owner = names.user(f.uid);
    if (owner) file.owner = owner;
    const group = names.group(f.gid);
    if (group) file.group = group;
    if (f.selinux) file.selinux = f.selinux;
    out.file = file;
  }
  for (const side of ['source', 'destination'] as const) {
    const a = ev[side];
    if (!a) continue;
    const o: NonNullable<EcsEvent['source']> = {};
    if (a.ip) o.ip = a.ip;
    const port = toInt(a.port);
    if (port !== undefined) o.port = port;
    if (a.path) o.path = a.path;
    out[side] = o;
  }
  if (ev.direction) out.network = { direction: ev.direction };
  if (ev.tags?.length) out.tags = ev.tags;

  const auditd: NonNullable<EcsEvent['auditd']> = {
    message_type: ev.type.toLowerCase(),
    sequence: ev.sequence,
    result: ev.result,
  };
  if (ev.session !== undefined && ev.session !== 'unset' && ev.session !== '') auditd.session = ev.session;
  const summary: NonNullable<typeof auditd.summary> = {};
  if (ap) (summary.actor ??= {}).primary = ap;
  if (as) (summary.actor ??= {}).secondary = as;
  const obj = ev.summary.object;
  if (obj.primary) (summary.object ??= {}).primary = obj.primary;
  if (obj.secondary) (summary.object ??= {}).secondary = obj.secondary;
  if (obj.type) (summary.object ??= {}).type = obj.type;
  if (ev.summary.how) summary.how = ev.summary.how;
  if (summary.actor || summary.object || summary.how) auditd.summary = summary;
  if (ev.data.size) {
    // Built through objectFrom: a syscall's data has up to ~25 fields, past which computed-key stores
    // would leave a dictionary, and the document off JSON.stringify's fast path (common/fast-object.ts).
    const keys: string[] = [];
    const values: Array<string | Record<string, string>> = [];
    let socketKeys: string[] | undefined;
    let socketValues: string[] | undefined;
    let socketAt = -1;
    ev.data.forEach((v, k) => {
      if (!usableFieldName(k)) {
        // Elasticsearch rejects the whole document for such a name; the value stays in event.original.
        ev.warnings.push(`dropped field with unusable name ${JSON.stringify(k.slice(0, 64))}`);
        return;
      }
      if (k.startsWith('socket_')) {
        if (!socketKeys) {
          socketKeys = [];
          socketValues = [];
          socketAt = keys.push('socket') - 1;
          values.push(''); // the sub-object, once complete
        }
        socketKeys.push(k.slice(7));
        socketValues!.push(v);
      } else {
        keys.push(k);
        values.push(v);
      }
    });
    if (socketKeys) values[socketAt] = objectFrom(socketKeys, socketValues!);
    auditd.data = objectFrom(keys, values);
  }
  if (ev.paths?.length) auditd.paths = ev.paths;
  // Warnings are built by concatenation; flat copies keep the document on JSON.stringify's fast path.
  if (ev.warnings.length && opts.includeWarnings !== false) auditd.warnings = ev.warnings.map((w) => flat(w));
  out.auditd = auditd;

  // ECS user/group entities from the normalization mappings override the id-derived user.id/name.
  const related: string[] = [];
  setEntity(out, user, names, related, 'user', ev.ecs.user, false);
  setEntity(out, user, names, related, 'effective', ev.ecs.effective, false);
  setEntity(out, user, names, related, 'target', ev.ecs.target, false);
  setEntity(out, user, names, related, 'changes', ev.ecs.changes, false);
  setEntity(out, user, names, related, 'group', ev.ecs.group, true);
  if (related.length) out.related = { user: related };
  // setEntity clears a key by setting it to undefined, and copies without such keys replace the objects
  // here: `delete` would turn them into dictionary-mode objects, which send the whole document to V8's slow
  // JSON.stringify (common/fast-object.ts); most syscall events drop user.effective.
  let drop: string[] | undefined;
  for (const k of ['effective', 'target', 'changes']) {
    const o = user[k];
    if (typeof o !== 'object' || o === null) continue;
    if (isEmpty(o)) (drop ??= []).push(k);
    else if (hasUndefined(o)) user[k] = withoutKeys(o as Record<string, unknown>, []);
  }

  // Drop user.effective when it repeats user (same id or same name).
  const eff = user.effective as EcsUserRef | undefined;
  if (eff) {
    const u = user as EcsUserRef;
    if ((u.id && eff.id === u.id) || (u.name && eff.name === u.name)) (drop ??= []).push('effective');
  }
  if (drop !== undefined || hasUndefined(user)) out.user = withoutKeys(user, drop ?? []) as EcsEvent['user'];
  // Left out by the option, but normalization was lossy: the raw records are the only full account.
  if (opts.eventOriginal === false && ev.warnings.length) out.event.original = original;
  return out;
}

/** No key with a value (a key set to undefined stands for a deleted one). */
function isEmpty(o: object): boolean {
  for (const k in o) if ((o as Record<string, unknown>)[k] !== undefined) return false;
  return true;
}

function hasUndefined(o: object): boolean {
  for (const k in o) if ((o as Record<string, unknown>)[k] === undefined) return true;
  return false;
}

/** A copy without the `drop` keys and without keys set to undefined. */
function withoutKeys(o: Record<string, unknown>, drop: string[]): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== undefined && !drop.includes(k)) copy[k] = o[k];
  return copy;
}

// Auditbeat setECSEntity: an entity from the normalization mappings overrides the id-derived user.id/name.
function setEntity(
  out: EcsEvent,
  user: Record<string, unknown>,
  names: Names,
  related: string[],
  key: string,
  ent: EcsEntity,
  isGroup: boolean,
): void {
  let id = ent.id;
  let name = ent.name;
  if (!id && !name) return;
  // Resolve the missing half (go-libaudit ECSEntity.lookup).
  if (id && id !== 'unset' && !name) name = isGroup ? names.group(id) : names.user(id);
  else if (name && !id) id = isGroup ? names.groupIdOf(name) : names.userIdOf(name);
  if (id === 'unset') id = undefined;
  // out.group is made only here: never made empty, so that it never has to be deleted from the document.
  if (key === 'group' && !id && !name) return;
  const target = key === 'group' ? ((out.group ??= {}) as EcsUserRef) : (entityAt(user, key) as EcsUserRef);
  // Cleared keys become undefined, removed by toEcs with a copy (no `delete`: see there).
  if (id) target.id = id;
  else if (target.id !== undefined) target.id = undefined;
  if (name) {
    target.name = name;
    if (!isGroup && !related.includes(name)) related.push(name);
  } else if (target.name !== undefined) target.name = undefined;
}

function entityAt(user: Record<string, unknown>, key: string): Record<string, unknown> {
  if (key === 'user') return user;
  const o = user[key];
  if (typeof o === 'object' && o !== null) return o as Record<string, unknown>;
  return (user[key] = {}) as Record<string, unknown>;
}

/**
 * Field names come from the records, which an attacker can shape (a user-space message's `k=v` pairs).
 * Empty or blank names, and names with a leading, trailing or doubled dot, make Elasticsearch reject the
 * whole document, so they are dropped with a warning instead.
 */
export function usableFieldName(k: string): boolean {
  return k.trim().length > 0 && k.length <= 255 && !k.startsWith('.') && !k.endsWith('.') && !k.includes('..');
}
