// Applies the normalization vocabulary (tables/normalizations.data.ts) to a coalesced event: action, object,
// actor, how, ECS category/type and the user/group entity mappings. Mirrors go-libaudit's applyNormalization,
// setFileObject, setSocketObject and setHowDefaults; the lookup maps are built once at module load.
import type { AuditEvent, EcsEntity } from './audit-event';
import type { NormalizationEntry } from './tables/normalization-yaml';
import { NORMALIZATIONS } from './tables/normalizations.data';

type Reader = (ev: AuditEvent) => string | undefined;
type Writer = (ev: AuditEvent, v: string) => void;

interface CompiledNorm {
  entry: NormalizationEntry;
  mappings: Array<[Reader, Writer]>;
}

const READERS: Record<string, Reader> = {
  'subject.primary': (e) => e.summary.actor.primary,
  'subject.secondary': (e) => e.summary.actor.secondary,
  'object.primary': (e) => e.summary.object.primary,
  'object.secondary': (e) => e.summary.object.secondary,
};

function reader(ref: string): Reader {
  const r = READERS[ref];
  if (r) return r;
  const dot = ref.indexOf('.');
  const dict = ref.slice(0, dot);
  const key = ref.slice(dot + 1);
  if (dict === 'data') return (e) => e.data.get(key);
  if (dict === 'uid') return (e) => e.ids.get(key);
  throw new Error(`normalizations: '${ref}' is not a valid from-reference`);
}

// go-libaudit ECSEntityData.set: unset markers become id "unset", digits an id, anything else a name.
function setEntity(ent: EcsEntity, value: string | undefined): void {
  const v = value ?? '';
  if (v === '' || v === 'unset' || v === '4294967295' || v === '-1') {
    ent.id = 'unset';
    ent.name = undefined;
    return;
  }
  if (/^\d+$/.test(v)) ent.id = v;
  else ent.name = v;
}

const WRITERS: Record<string, Writer> = {
  user: (e, v) => setEntity(e.ecs.user, v),
  'user.effective': (e, v) => setEntity(e.ecs.effective, v),
  'user.target': (e, v) => setEntity(e.ecs.target, v),
  'user.changes': (e, v) => setEntity(e.ecs.changes, v),
  group: (e, v) => setEntity(e.ecs.group, v),
};

function compile(entry: NormalizationEntry): CompiledNorm {
  const mappings: Array<[Reader, Writer]> = [];
  for (const m of entry.ecs?.mappings ?? []) {
    const w = WRITERS[m.to];
    if (!w) throw new Error(`normalizations: '${m.to}' is not a valid to-reference`);
    mappings.push([reader(m.from), w]);
  }
  return { entry, mappings };
}

/** Lookup tables built from a list of entries; exported so tests can build them from the corpus YAML too. */
export function buildTables(entries: ReadonlyArray<NormalizationEntry>): {
  bySyscall: Map<string, CompiledNorm>;
  byRecordType: Map<string, CompiledNorm[]>;
} {
  const bySyscall = new Map<string, CompiledNorm>();
  const byRecordType = new Map<string, CompiledNorm[]>();
  for (const e of entries) {
    const c = compile(e);
    for (const s of e.syscalls ?? []) {
      if (bySyscall.has(s)) throw new Error(`normalizations: duplicate mapping for syscall ${s}`);
      bySyscall.set(s, c);
    }
    for (const t of e.record_types ?? []) {
      const list = byRecordType.get(t) ?? [];
      if (list.some((n) => !n.entry.has_fields?.length)) throw new Error(`normalizations: duplicate record_type ${t}`);
      list.push(c);
      byRecordType.set(t, list);
    }
  }
  return { bySyscall, byRecordType };
}

const TABLES = buildTables(NORMALIZATIONS);

function getValue(ev: AuditEvent, key: string): string | undefined {
  return ev.data.get(key) ?? ev.ids.get(key);
}

// First present key wins; a warning (as go-libaudit logs) when keys are configured but none is present.
function firstValue(ev: AuditEvent, keys: string[] | undefined, what: string): string | undefined {
  if (keys === undefined) return undefined;
  for (let i = 0; i < keys.length; i++) {
    const v = getValue(ev, keys[i]);
    if (v !== undefined) return v;
  }
  ev.warnings.push(`failed to set ${what} using keys=[${keys.join(' ')}] because they were not found`);
  return undefined;
}

const INTERPRETERS = ['/usr/bin/python', '/usr/bin/sh', '/usr/bin/bash', '/usr/bin/perl'];

function setHowDefaults(ev: AuditEvent): void {
  const exe = ev.data.get('exe') ?? ev.data.get('comm');
  if (exe === undefined) return;
  ev.summary.how = exe;
  // An interpreter runs some script: its comm names the script better than the interpreter path.
  if (INTERPRETERS.some((p) => exe.startsWith(p))) {
    const comm = ev.data.get('comm');
    if (comm !== undefined) ev.summary.how = comm;
  }
}

function setFileObject(ev: AuditEvent, pathIndexHint: number): void {
  const paths = ev.paths;
  if (!paths?.length) return;
  let idx = paths.length > pathIndexHint ? pathIndexHint : 0;
  // Skip PARENT/UNKNOWN items in case the index was wrong.
  for (let i = idx; i < paths.length; i++) {
    const nt = paths[i].nametype;
    if (nt !== 'PARENT' && nt !== 'UNKNOWN') {
      idx = i;
      break;
    }
  }
  const p = paths[idx];
  const file: NonNullable<AuditEvent['file']> = {};
  ev.file = file;
  if (p.name !== undefined) {
    ev.summary.object.primary = p.name;
    file.path = p.name;
  }
  if (p.inode !== undefined) file.inode = p.inode;
  // Auditbeat reports rdev (the device a device node stands for) as file.device; kept for compatibility.
  if (p.rdev !== undefined) file.device = p.rdev;
  if (p.mode !== undefined) {
    const mode = parseInt(p.mode, 8);
    if (Number.isNaN(mode) || !/^[0-7]+$/.test(p.mode)) {
      ev.warnings.push(`failed to parse file mode '${p.mode}'`);
    } else {
      // Permission bits with setuid/setgid/sticky, 4 octal digits (0755, 6755).
      file.mode = (mode & 0o7777).toString(8).padStart(4, '0');
      // go-libaudit tests the raw st_mode with Go's os.FileMode predicates, whose type bits never match
      // st_mode's, so every parseable mode reads as a regular file. Reproduced: dashboards and the goldens
      // expect `file` (see DIFFERENCES.md).
      ev.summary.object.type = 'file';
    }
  }
  if (p.ouid !== undefined) file.uid = p.ouid;
  if (p.ogid !== undefined) file.gid = p.ogid;
  for (const k in p) if (k.startsWith('obj_')) (file.selinux ??= {})[k.slice(4)] = p[k];
  ev.fileIndex = idx;
}

function setSocketObject(ev: AuditEvent): void {
  const a = ev.data.get('socket_addr') ?? ev.data.get('socket_path');
  if (a !== undefined) ev.summary.object.primary = a;
  const port = ev.data.get('socket_port');
  if (port !== undefined) ev.summary.object.secondary = port;
}

function pickRecordNorm(ev: AuditEvent): CompiledNorm | undefined {
  const norms = TABLES.byRecordType.get(ev.type);
  if (!norms) return undefined;
  if (norms.length === 1) return norms[0];
  let chosen: CompiledNorm | undefined;
  for (const n of norms) if ((n.entry.has_fields ?? []).every((f) => ev.data.has(f))) chosen = n; // last match wins
  return chosen;
}

export function applyNormalization(ev: AuditEvent): void {
  setHowDefaults(ev);
  const syscall = ev.data.get('syscall');
  const syscallNorm = syscall === undefined ? undefined : TABLES.bySyscall.get(syscall) ?? TABLES.bySyscall.get('*');
  const norm = ev.type === 'SYSCALL' ? syscallNorm : pickRecordNorm(ev);
  if (!norm) {
    ev.warnings.push('no normalization found for event');
    return;
  }
  const e = norm.entry;
  ev.ecs.kind = e.ecs?.kind;
  ev.ecs.category = e.ecs?.category?.slice();
  ev.ecs.type = e.ecs?.type?.slice();
  // A record-type event that also carries a syscall gets that syscall's categorization too.
  if (syscallNorm && syscallNorm !== norm) {
    ev.ecs.category = [...(ev.ecs.category ?? []), ...(syscallNorm.entry.ecs?.category ?? [])];
    ev.ecs.type = [...(ev.ecs.type ?? []), ...(syscallNorm.entry.ecs?.type ?? [])];
    if (ev.result === 'fail') ev.ecs.outcome = 'failure';
  }
  ev.summary.action = e.action;
  ev.summary.object.type = e.object_what;
  if (e.object_what === 'file' || e.object_what === 'filesystem') setFileObject(ev, e.object_path_index ?? 0);
  else if (e.object_what === 'socket') setSocketObject(ev);

  // No per-event closures here: this runs once per event on the hot path.
  let v = firstValue(ev, e.subject_primary, 'subject primary');
  if (v !== undefined) ev.summary.actor.primary = v;
  v = firstValue(ev, e.subject_secondary, 'subject secondary');
  if (v !== undefined) ev.summary.actor.secondary = v;
  v = firstValue(ev, e.object_primary, 'object primary');
  if (v !== undefined) ev.summary.object.primary = v;
  v = firstValue(ev, e.object_secondary, 'object secondary');
  if (v !== undefined) ev.summary.object.secondary = v;
  v = firstValue(ev, e.how, 'how');
  if (v !== undefined) ev.summary.how = v;
  if (ev.source === undefined && e.source_ip?.length) {
    const k = e.source_ip.find((x) => ev.data.has(x));
    if (k === undefined) ev.warnings.push(`failed to set source IP using keys=[${e.source_ip.join(' ')}] because they were not found`);
    else {
      ev.source = { ip: ev.data.get(k) };
      ev.data.delete(k);
      ev.direction = 'ingress';
    }
  }
  for (const [from, to] of norm.mappings) to(ev, from(ev) ?? '');
}
