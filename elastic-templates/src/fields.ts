// The one list of fields auditsight writes, for events (common/ecs/event.ts) and alerts (./alert.ts).
// Types come from ECS (EcsFlat of @elastic/ecs) or, for auditd.*, from Auditbeat's fields.yml, so the
// templates, the detection engine's field-type map and the Kibana data views never guess a type.
// fields.test.ts walks fully populated EcsEvent / AlertDocument objects (typed so the compiler demands
// every leaf) and checks both directions: every leaf has a definition, every definition is a leaf.
import { EcsFlat, EcsVersion } from '@elastic/ecs';
import { AUDITBEAT_DATA_KEYS, AUDITBEAT_PATH_KEYS } from './auditbeat-keys';
import type { DocKind } from './schema-version';

export { SCHEMA_VERSION, type DocKind } from './schema-version';
export { EcsVersion as ECS_VERSION };

/** Logical types, as ECS names them; templates.ts turns them into what a cluster/variant supports. */
export type FieldType =
  | 'keyword' | 'wildcard' | 'constant_keyword' | 'match_only_text' | 'text'
  | 'ip' | 'long' | 'float' | 'date' | 'boolean' | 'flattened' | 'object';

export interface FieldDef {
  name: string;
  type: FieldType;
  /** ecs: defined by ECS; ecs-like: our name outside ECS, typed like the ECS field `like`. */
  origin: 'ecs' | 'ecs-like' | 'auditbeat' | 'elastic-defend' | 'auditsight';
  like?: string;
  /** ECS says the field holds an array (informational: Elasticsearch does not care). */
  array?: boolean;
  ignore_above?: number;
  index?: boolean;
  doc_values?: boolean;
  /** ECS `.text` multi-field type (match_only_text), for full-text search on a keyword. */
  textMultiField?: FieldType;
  /** Containers: keys not listed here are kept in _source but not indexed. */
  dynamic?: false;
  /** Containers whose keys are attacker-chosen: dotted keys stay leaf names, never object paths. */
  subobjects?: false;
  /** flattened fields: the keys to map one by one when the cluster lacks `flattened`. */
  fallbackKeys?: readonly string[];
  /** Only in the templates (e.g. data_stream.*), never in a document we write. */
  templateOnly?: boolean;
}

interface EcsFlatField {
  type: string;
  ignore_above?: number;
  index?: boolean;
  doc_values?: boolean;
  normalize?: string[];
  multi_fields?: { name: string; type: string }[];
}
const ECS = EcsFlat as unknown as Record<string, EcsFlatField>;

const KNOWN_TYPES = new Set<string>(['keyword', 'wildcard', 'constant_keyword', 'match_only_text', 'text', 'ip', 'long', 'float', 'date', 'boolean', 'flattened', 'object']);

/** An ECS field; `like` names the ECS field whose definition a non-ECS name of ours borrows. */
function ecs(name: string, like?: string): FieldDef {
  const own = ECS[name];
  const f = own ?? (like ? ECS[like] : undefined);
  if (!f) throw new Error(`ECS ${EcsVersion} defines neither ${name} nor ${like ?? '(no like)'}`);
  if (!KNOWN_TYPES.has(f.type)) throw new Error(`ECS type ${f.type} of ${name} is not handled by templates.ts`);
  const text = f.multi_fields?.find((m) => m.name === 'text')?.type as FieldType | undefined;
  return {
    name,
    type: f.type as FieldType,
    origin: own ? 'ecs' : 'ecs-like',
    ...(own ? {} : { like }),
    ...(f.normalize?.includes('array') ? { array: true } : {}),
    ...(f.ignore_above ? { ignore_above: f.ignore_above } : {}),
    ...(f.index === false ? { index: false } : {}),
    ...(f.doc_values === false ? { doc_values: false } : {}),
    ...(text ? { textMultiField: text } : {}),
  };
}

const ecsMany = (prefix: string, leaves: readonly string[], likePrefix?: string) =>
  leaves.map((l) => ecs(`${prefix}.${l}`, likePrefix ? `${likePrefix}.${l}` : undefined));

const keyword = (name: string, origin: FieldDef['origin'] = 'auditbeat', extra: Partial<FieldDef> = {}): FieldDef => ({
  name,
  type: 'keyword',
  origin,
  ignore_above: 1024,
  ...extra,
});

// --- process entities (ECS Linux event model: parent, leaders, previous) ---------------------------------
export const PROCESS_LEAVES = [
  'entity_id', 'pid', 'start', 'end', 'executable', 'name', 'args', 'args_count', 'command_line', 'title',
  'working_directory', 'exit_code', 'interactive', 'same_as_process', 'tty.char_device.major',
  'tty.char_device.minor', 'user.id', 'user.name', 'group.id', 'group.name', 'real_user.id', 'real_user.name',
  'saved_user.id', 'saved_user.name', 'entry_meta.type', 'entry_meta.source.ip',
] as const;

/** Every place an EcsProcessRef sits in EcsEvent (see common/ecs/event.ts). */
export const PROCESS_PREFIXES = [
  'process', 'process.parent', 'process.parent.parent', 'process.entry_leader', 'process.entry_leader.parent',
  'process.entry_leader.parent.session_leader', 'process.session_leader', 'process.session_leader.parent',
  'process.session_leader.parent.session_leader', 'process.group_leader',
] as const;

// ECS defines entry_meta only on entry_leader; elsewhere our type carries it too, typed the same way.
const processLike = (leaf: string) => (ECS[`process.${leaf}`] ? `process.${leaf}` : `process.entry_leader.${leaf}`);
const processFields = (): FieldDef[] =>
  PROCESS_PREFIXES.flatMap((p) => PROCESS_LEAVES.map((l) => ecs(`${p}.${l}`, processLike(l))))
    .concat(ecsMany('process.previous', ['args', 'args_count', 'executable']))
    // Elastic Defend's ancestry (keyword array in its endpoint mappings), read by Kibana's Analyzer.
    .concat(keyword('process.Ext.ancestry', 'elastic-defend', { array: true }));

// --- users: Auditbeat adds audit/filesystem/saved to ECS's effective/target/changes ----------------------
const USER_LEAVES = ['id', 'name', 'group.id', 'group.name'];
const USER_PREFIXES = ['user', 'user.audit', 'user.effective', 'user.filesystem', 'user.saved', 'user.target', 'user.changes'];
const SELINUX = ['user', 'role', 'domain', 'level'];

function auditdFields(): FieldDef[] {
  return [
    keyword('auditd.message_type'),
    { name: 'auditd.sequence', type: 'long', origin: 'auditbeat' },
    keyword('auditd.result'),
    keyword('auditd.session'),
    ...['actor.primary', 'actor.secondary', 'object.type', 'object.primary', 'object.secondary', 'how'].map((l) => keyword(`auditd.summary.${l}`)),
    keyword('auditd.warnings', 'auditbeat', { array: true }),
    // Keys come from audit records, some of which carry attacker-chosen text: map the known ones only.
    { name: 'auditd.data', type: 'object', origin: 'auditbeat', dynamic: false, subobjects: false },
    ...AUDITBEAT_DATA_KEYS.map((k) => keyword(`auditd.data.${k}`)),
    // One object per PATH record with arbitrary keys: flattened, as the auditd_manager integration maps it.
    { name: 'auditd.paths', type: 'flattened', origin: 'auditbeat', array: true, ignore_above: 1024, fallbackKeys: AUDITBEAT_PATH_KEYS },
  ];
}

function buildEventFields(): FieldDef[] {
  return [
    ecs('@timestamp'),
    ecs('ecs.version'),
    ...ecsMany('event', ['kind', 'category', 'type', 'action', 'outcome', 'module', 'dataset', 'original', 'id', 'ingested', 'sequence']),
    ecs('service.type'),
    ecs('tags'),
    ...ecsMany('host', ['id', 'name', 'hostname', 'boot.id', 'architecture', 'ip']),
    ...ecsMany('host.os', ['type', 'family', 'name', 'version', 'kernel', 'platform']),
    ...ecsMany('agent', ['type', 'version', 'id', 'name']),
    ...USER_PREFIXES.flatMap((p) => ecsMany(p, USER_LEAVES, 'user')),
    ...[...SELINUX, 'category'].map((l) => keyword(`user.selinux.${l}`)),
    ...ecsMany('group', ['id', 'name']),
    ...processFields(),
    ...ecsMany('file', ['path', 'name', 'directory', 'extension', 'device', 'inode', 'mode', 'uid', 'gid', 'owner', 'group', 'target_path']),
    ...SELINUX.map((l) => keyword(`file.selinux.${l}`)),
    ...['source', 'destination'].flatMap((p) => [...ecsMany(p, ['ip', 'port', 'address']), keyword(`${p}.path`)]),
    ...ecsMany('network', ['direction', 'transport', 'type', 'protocol']),
    ...ecsMany('related', ['user', 'ip', 'hosts']),
    ...auditdFields(),
    ...ecsMany('error', ['message', 'type']),
    // Set by the full variant's data stream template (constant per data stream), so documents need not.
    ...ecsMany('data_stream', ['type', 'dataset', 'namespace']).map((f) => ({ ...f, templateOnly: true })),
  ];
}

function buildAlertFields(): FieldDef[] {
  const al = (name: string, type: FieldType, extra: Partial<FieldDef> = {}): FieldDef =>
    type === 'keyword' ? keyword(`auditsight.alert.${name}`, 'auditsight', extra) : { name: `auditsight.alert.${name}`, type, origin: 'auditsight', ...extra };
  return [
    // An alert copies the triggering event's entities (host, process, user, ...) so it can be read alone.
    ...buildEventFields().filter((f) => !f.templateOnly),
    ...ecsMany('event', ['severity', 'risk_score', 'reason', 'created']),
    ecs('message'),
    ...ecsMany('rule', ['id', 'uuid', 'name', 'description', 'version', 'category', 'ruleset', 'reference', 'author', 'license']),
    ecs('threat.framework'),
    ...['tactic', 'technique', 'technique.subtechnique'].flatMap((p) => ecsMany(`threat.${p}`, ['id', 'name', 'reference'])),
    al('rule_id', 'keyword'),
    al('rule_version', 'keyword'),
    al('source_event_ids', 'keyword', { array: true }),
    al('source_index', 'keyword', { array: true }),
    al('window.start', 'date'),
    al('window.end', 'date'),
    al('suppression_key', 'keyword'),
    al('suppressed_count', 'long'),
    al('status', 'keyword'),
    al('updated', 'date'),
    // Rule health documents (event.kind "state") share the index: the engine's role already writes there.
    ...['runs', 'errors', 'alerts', 'duplicates', 'suppressed', 'truncated_runs', 'gap_ms', 'last_duration_ms'].map(
      (n): FieldDef => ({ name: `auditsight.rule_health.${n}`, type: 'long', origin: 'auditsight' }),
    ),
    ...['last_run', 'covered_until'].map((n): FieldDef => ({ name: `auditsight.rule_health.${n}`, type: 'date', origin: 'auditsight' })),
    keyword('auditsight.rule_health.last_error', 'auditsight'),
  ];
}

const cache: Partial<Record<DocKind, readonly FieldDef[]>> = {};
export function fieldDefs(kind: DocKind): readonly FieldDef[] {
  return (cache[kind] ??= Object.freeze(checked(kind === 'events' ? buildEventFields() : buildAlertFields())));
}
export const eventFields = (): readonly FieldDef[] => fieldDefs('events');
export const alertFields = (): readonly FieldDef[] => fieldDefs('alerts');

export function fieldDef(kind: DocKind, name: string): FieldDef | undefined {
  return fieldDefs(kind).find((f) => f.name === name);
}

/** Duplicate names would silently override each other in a mapping; fail at load instead. */
function checked(defs: FieldDef[]): FieldDef[] {
  const seen = new Set<string>();
  for (const d of defs) {
    if (seen.has(d.name)) throw new Error(`field ${d.name} is defined twice`);
    seen.add(d.name);
  }
  return defs;
}
