// Turning stored documents into the API's shapes, and the query fragments that decide what counts as an
// exec, a network or a file event. Kept apart from the service so both stay readable.
import type { AlertDocument } from '../../elastic-templates/src/alert';
import type { estypes } from '@elastic/elasticsearch';
import type { EcsEvent } from '../../common/ecs/event';
import type { AlertSummary, FileEntry, NetworkEntry, ProcessSummary, SearchHit, TimelineEntry, TimelineKind } from './types';

type Q = estypes.QueryDslQueryContainer;
export type Hit = estypes.SearchHit<EcsEvent>;

/** Auditbeat's actions for socket syscalls (connect, accept, bind, listen, sendto, recvfrom). */
export const NETWORK_ACTIONS = [
  'connected-to',
  'accepted-connection-from',
  'bound-socket',
  'listen-for-connections',
  'sent-to',
  'received-from',
] as const;
/** File changes worth a line in a session timeline: covering tracks shows up as these. */
export const FILE_CHANGE_ACTIONS = ['deleted', 'renamed'] as const;

const term = (field: string, value: string): Q => ({ term: { [field]: value } });
/**
 * A filter-only bool. The cast is deliberate: @types/chai declares a global Object.prototype.should, so an
 * object literal without `should` fails to match QueryDslBoolQuery's `should` in strict TypeScript.
 */
export const and = (...qs: Q[]): Q => ({ bool: { filter: qs } as estypes.QueryDslBoolQuery });

/** An execve: Auditbeat says `executed`; the ECS Linux event model says process/start. */
export const EXEC: Q = {
  bool: {
    should: [term('event.action', 'executed'), and(term('event.category', 'process'), term('event.type', 'start'))],
    minimum_should_match: 1,
  },
};
export const END: Q = and(term('event.category', 'process'), term('event.type', 'end'));
export const NETWORK: Q = {
  bool: {
    should: [
      { terms: { 'event.action': [...NETWORK_ACTIONS] } },
      term('event.category', 'network'),
      { exists: { field: 'destination.ip' } },
      { exists: { field: 'source.ip' } },
    ],
    minimum_should_match: 1,
  },
};
/**
 * File events, but not execs (which also carry the executable's PATH record). A path is required: go-libaudit
 * files some pathless events under category file too (the LOGIN record of a /proc/self/loginuid write is
 * `changed-login-id-to`, category authentication+file), which would be empty rows in a files table.
 */
export const FILE: Q = {
  bool: {
    should: [{ exists: { field: 'file.path' } }, and(term('event.category', 'file'), { exists: { field: 'auditd.paths' } })],
    minimum_should_match: 1,
    must_not: [EXEC, NETWORK],
  },
};
export const FILE_CHANGE: Q = {
  bool: { should: [{ terms: { 'event.action': [...FILE_CHANGE_ACTIONS] } }, term('event.type', 'deletion')], minimum_should_match: 1 },
};

/** Sort for paged listings: time, then audit sequence and ids as tiebreakers so search_after is stable. */
export const PAGE_SORT: estypes.Sort = [
  { '@timestamp': { order: 'asc' } },
  { 'auditd.sequence': { order: 'asc', unmapped_type: 'long' } },
  { 'host.id': { order: 'asc', unmapped_type: 'keyword' } },
  { 'event.id': { order: 'asc', unmapped_type: 'keyword' } },
];

/**
 * Sort for listings scoped to a process or a login session, i.e. to one host and one boot: audit serial
 * first. The kernel stamps a syscall's time when it *enters* but numbers the event when it *exits*, so a
 * blocking call is dated when it started waiting: in a real capture, `nc -l`'s accept carries the time of
 * its listen, before the client that connected to it had even been started. Serial order is the order the
 * calls completed, which is the story's order. Time stays the tiebreaker for documents without a serial.
 */
/**
 * Latest and earliest event of one process. Audit times have 4 ms resolution, so an exec right after
 * another (`bash -c 'bash -i'` execs in place) often shares its millisecond; the serial breaks the tie.
 */
export const LATEST: estypes.Sort = [{ '@timestamp': { order: 'desc' } }, { 'auditd.sequence': { order: 'desc', unmapped_type: 'long' } }];
export const EARLIEST: estypes.Sort = [{ '@timestamp': { order: 'asc' } }, { 'auditd.sequence': { order: 'asc', unmapped_type: 'long' } }];

export const SCOPED_SORT: estypes.Sort = [
  { 'auditd.sequence': { order: 'asc', unmapped_type: 'long' } },
  { '@timestamp': { order: 'asc' } },
  { 'host.id': { order: 'asc', unmapped_type: 'keyword' } },
  { 'event.id': { order: 'asc', unmapped_type: 'keyword' } },
];

function userRef(u: { id?: string; name?: string } | undefined): { id?: string; name?: string } | undefined {
  if (!u || (u.id === undefined && u.name === undefined)) return undefined;
  return { id: u.id, name: u.name };
}

export function summarize(hit: Hit, entityId: string): ProcessSummary {
  const s = hit._source ?? ({} as EcsEvent);
  const p = s.process ?? {};
  return {
    entity_id: p.entity_id ?? entityId,
    captured: true,
    executable: p.executable,
    name: p.name,
    args: p.args,
    command_line: p.command_line,
    working_directory: p.working_directory,
    pid: p.pid,
    ppid: p.parent?.pid,
    parent_entity_id: p.parent?.entity_id,
    start: p.start,
    user: userRef(s.user),
    login_user: userRef(s.user?.audit),
    host: s.host ? { id: s.host.id, name: s.host.name ?? s.host.hostname } : undefined,
    entry_leader_entity_id: p.entry_leader?.entity_id,
    session_leader_entity_id: p.session_leader?.entity_id,
    timestamp: s['@timestamp'],
  };
}

/** What a child's event says about its parent, for parents that left no event of their own. */
export function stubFromChild(hit: Hit, entityId: string): ProcessSummary {
  const s = hit._source ?? ({} as EcsEvent);
  const pp = s.process?.parent ?? {};
  return {
    entity_id: entityId,
    captured: false,
    executable: pp.executable,
    name: pp.name,
    args: pp.args,
    pid: pp.pid,
    start: pp.start,
    host: s.host ? { id: s.host.id, name: s.host.name ?? s.host.hostname } : undefined,
  };
}

function kindOf(s: EcsEvent): TimelineKind {
  const a = s.event?.action ?? '';
  if (a === 'executed' || (s.event?.category?.includes('process') && s.event?.type?.includes('start'))) return 'exec';
  if ((NETWORK_ACTIONS as readonly string[]).includes(a) || s.event?.category?.includes('network')) return 'network';
  if (s.event?.category?.includes('process') && s.event?.type?.includes('end')) return 'end';
  return 'file';
}

const endpoint = (e?: { ip?: string; port?: number }) => (e?.ip ? (e.port !== undefined ? `${e.ip}:${e.port}` : e.ip) : undefined);

type Endpoint = { ip?: string; port?: number };

/**
 * Where the event's socket address goes. go-libaudit (hence the pipeline) sets source only for incoming
 * calls (accept: the peer) and destination only for outgoing ones (connect); a bind's SOCKADDR stays in
 * auditd.data.socket.{addr,port} alone. Without this a bind would show no address at all: it is shown as
 * the destination (`bound-socket -> 127.0.0.1:4444`, the address the socket was bound to).
 */
function sides(s: EcsEvent): { source?: Endpoint; destination?: Endpoint } {
  const src = s.source ? { ip: s.source.ip, port: s.source.port } : undefined;
  let dst = s.destination ? { ip: s.destination.ip, port: s.destination.port } : undefined;
  const sock = s.auditd?.data?.socket;
  if (!src && !dst && s.event?.action === 'bound-socket' && sock && typeof sock === 'object' && sock.addr) {
    const port = sock.port !== undefined && /^\d{1,5}$/.test(sock.port) ? Number(sock.port) : undefined;
    dst = { ip: sock.addr, port };
  }
  return { source: src, destination: dst };
}

export function timelineEntry(hit: Hit): TimelineEntry {
  const s = hit._source ?? ({} as EcsEvent);
  const p = s.process ?? {};
  return {
    id: hit._id ?? '',
    timestamp: s['@timestamp'],
    kind: kindOf(s),
    action: s.event?.action,
    entity_id: p.entity_id,
    parent_entity_id: p.parent?.entity_id,
    pid: p.pid,
    executable: p.executable,
    args: p.args,
    working_directory: p.working_directory,
    user: s.user?.name,
    login_user: s.user?.audit?.name,
    file_path: s.file?.path,
    destination: endpoint(sides(s).destination),
    source: endpoint(s.source),
    outcome: s.event?.outcome,
  };
}

/** What every per-event row shows: which event, when, what, and by which process. */
function eventHead(hit: Hit, s: EcsEvent) {
  return { id: hit._id ?? '', timestamp: s['@timestamp'], action: s.event?.action, entity_id: s.process?.entity_id, executable: s.process?.executable };
}

export function networkEntry(hit: Hit): NetworkEntry {
  const s = hit._source ?? ({} as EcsEvent);
  return {
    ...eventHead(hit, s),
    transport: s.network?.transport,
    direction: s.network?.direction,
    ...sides(s),
    outcome: s.event?.outcome,
  };
}

export function fileEntry(hit: Hit): FileEntry {
  const s = hit._source ?? ({} as EcsEvent);
  // A rename's PATH records name both the old and the new path; ECS has file.target_path for the latter.
  const names = (s.auditd?.paths ?? []).map((p) => p.name).filter((n): n is string => !!n);
  const target = s.file?.target_path ?? (s.event?.action === 'renamed' ? names.find((n) => n !== s.file?.path) : undefined);
  return {
    ...eventHead(hit, s),
    path: s.file?.path ?? names[0],
    target_path: target,
    outcome: s.event?.outcome,
  };
}

export function searchHit(hit: Hit): SearchHit {
  const s = hit._source ?? ({} as EcsEvent);
  return {
    id: hit._id ?? '',
    index: hit._index,
    timestamp: s['@timestamp'],
    action: s.event?.action,
    host: s.host?.name ?? s.host?.hostname,
    user: s.user?.name,
    entity_id: s.process?.entity_id,
    executable: s.process?.executable,
    args: s.process?.args,
    working_directory: s.process?.working_directory,
    file_path: s.file?.path,
  };
}

/** The alert documents the detection engine writes (elastic-templates/src/alert.ts): ECS event.kind alert. */
export type AlertDoc = AlertDocument;

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** ECS event.severity is numeric; these are the levels Elastic Security (and our rules) use. */
export function severityLabel(n: number | undefined): string | undefined {
  if (n === undefined) return undefined;
  return n >= 99 ? 'critical' : n >= 73 ? 'high' : n >= 47 ? 'medium' : 'low';
}

export function alertSummary(hit: estypes.SearchHit<AlertDoc>): AlertSummary {
  const s = hit._source ?? ({} as AlertDoc);
  const tactics = list(s.threat?.tactic?.name);
  const ids = list(s.threat?.technique?.id);
  const names = list(s.threat?.technique?.name);
  const techniques = ids.length ? ids.map((id, i) => [id, names[i]].filter(Boolean).join(' ')) : names;
  const a = s.auditsight?.alert;
  return {
    id: hit._id ?? '',
    index: hit._index,
    timestamp: s['@timestamp'],
    rule: s.rule ? { id: s.rule.id, name: s.rule.name } : undefined,
    severity: severityLabel(s.event?.severity),
    risk_score: s.event?.risk_score,
    reason: s.event?.reason ?? s.message,
    tactics,
    techniques,
    host: s.host?.name ?? s.host?.hostname,
    user: s.user?.audit?.name ?? s.user?.name,
    entity_id: s.process?.entity_id,
    executable: s.process?.executable,
    args: s.process?.args,
    entry_leader_entity_id: s.process?.entry_leader?.entity_id,
    source_event_ids: a?.source_event_ids ?? [],
  };
}
