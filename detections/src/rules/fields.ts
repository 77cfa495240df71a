// Default field -> Elasticsearch type map for auditsight events (common/ecs/event.ts), with the types
// ECS assigns. KQL compiles differently per type (keyword -> term/wildcard, text -> match, date ->
// range), so rules compile against this unless the caller passes the live mapping (the engine should
// pass `_field_caps` of the events index, which wins over this list).
import type { FieldTypeMap } from '../kql';

const PROCESS_LEAF: Record<string, string> = {
  entity_id: 'keyword',
  pid: 'long',
  start: 'date',
  end: 'date',
  executable: 'keyword',
  name: 'keyword',
  args: 'keyword',
  args_count: 'long',
  command_line: 'wildcard',
  title: 'keyword',
  working_directory: 'keyword',
  exit_code: 'long',
  interactive: 'boolean',
  same_as_process: 'boolean',
  'tty.char_device.major': 'long',
  'tty.char_device.minor': 'long',
  'user.id': 'keyword',
  'user.name': 'keyword',
  'group.id': 'keyword',
  'group.name': 'keyword',
  'real_user.id': 'keyword',
  'real_user.name': 'keyword',
  'saved_user.id': 'keyword',
  'saved_user.name': 'keyword',
  'entry_meta.type': 'keyword',
  'entry_meta.source.ip': 'ip',
};

const PROCESS_PREFIXES = [
  'process',
  'process.parent',
  'process.parent.parent',
  'process.entry_leader',
  'process.entry_leader.parent',
  'process.entry_leader.parent.session_leader',
  'process.session_leader',
  'process.session_leader.parent',
  'process.session_leader.parent.session_leader',
  'process.group_leader',
];

const USER_PREFIXES = ['user', 'user.audit', 'user.effective', 'user.filesystem', 'user.saved', 'user.target', 'user.changes'];

const keywords = (prefix: string, names: string[]) => Object.fromEntries(names.map((n) => [`${prefix}.${n}`, 'keyword']));

function build(): Record<string, string> {
  const map: Record<string, string> = {
    '@timestamp': 'date',
    tags: 'keyword',
    'ecs.version': 'keyword',
    'service.type': 'keyword',
    ...keywords('event', ['kind', 'category', 'type', 'action', 'outcome', 'module', 'dataset', 'original', 'id']),
    'event.ingested': 'date',
    'event.sequence': 'long',
    ...keywords('host', ['id', 'name', 'hostname', 'boot.id', 'architecture']),
    ...keywords('host.os', ['type', 'family', 'name', 'version', 'kernel', 'platform']),
    'host.ip': 'ip',
    ...keywords('agent', ['type', 'version', 'id', 'name']),
    ...keywords('group', ['id', 'name']),
    ...keywords('user.selinux', ['user', 'role', 'domain', 'level', 'category']),
    ...keywords('file', ['path', 'name', 'directory', 'extension', 'device', 'inode', 'mode', 'uid', 'gid', 'owner', 'group', 'target_path']),
    ...keywords('file.selinux', ['user', 'role', 'domain', 'level']),
    ...keywords('network', ['direction', 'transport', 'type', 'protocol']),
    'related.user': 'keyword',
    'related.ip': 'ip',
    'related.hosts': 'keyword',
    'error.message': 'match_only_text',
    'error.type': 'keyword',
    ...keywords('auditd', ['message_type', 'result', 'session', 'warnings', 'summary.how']),
    ...keywords('auditd.summary', ['actor.primary', 'actor.secondary', 'object.type', 'object.primary', 'object.secondary']),
    'auditd.sequence': 'long',
    'process.previous.args': 'keyword',
    'process.previous.args_count': 'long',
    'process.previous.executable': 'keyword',
  };
  for (const p of ['source', 'destination']) Object.assign(map, { [`${p}.ip`]: 'ip', [`${p}.port`]: 'long' }, keywords(p, ['path', 'address']));
  for (const p of USER_PREFIXES) Object.assign(map, keywords(p, ['id', 'name', 'group.id', 'group.name']));
  for (const p of PROCESS_PREFIXES) for (const [leaf, type] of Object.entries(PROCESS_LEAF)) map[`${p}.${leaf}`] = type;
  return map;
}

export const AUDITSIGHT_FIELD_TYPES: FieldTypeMap = Object.freeze(build());

/**
 * Prefixes whose subfields are dynamic (auditd.data.* holds whatever the kernel records carried), so a
 * field under them that the map does not list is not suspected to be a typo.
 */
export const DYNAMIC_FIELD_PREFIXES = ['auditd.data.', 'auditd.paths.', 'labels.'];
