// A hand-built, realistic event set for the insider story, indexed into throwaway indices with a minimal
// explicit mapping (until elastic-templates/ exists): Bob logs in over ssh, sudo's to a root shell, writes
// /sbin/service1 (a bind shell: nc -l -p 4444 -e /bin/sh), runs it, someone connects, and Bob deletes his
// ~/.bash_history. Shapes follow Auditbeat's auditd module plus the ECS Linux event model's leaders.
import type { AlertDocument } from '../../elastic-templates/src/alert';
import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import type { EcsEvent } from '../../common/ecs/event';
import type { IndexConfig } from '../common/types';

export const HOSTILE = '<img src=x onerror=alert(1)>';

const HOST = { id: '4f1b0c5d2e8a4a17b9d3c6e2f0a1b2c3', name: 'web-01', hostname: 'web-01' };
const T0 = Date.parse('2026-03-14T09:00:00.000Z');

const eid = (name: string) => createHash('sha256').update(`bob-story\0${name}`).digest('hex').slice(0, 32);

/** Entity ids of the story's processes, for assertions. */
export const E = {
  systemd: eid('systemd'),
  sshdListener: eid('sshd-listener'),
  sshd: eid('sshd'),
  bash: eid('bash'),
  id: eid('id'),
  sudo: eid('sudo'),
  rootBash: eid('root-bash'),
  cat: eid('cat'),
  chmod: eid('chmod'),
  service1: eid('service1'),
  nc: eid('nc'),
  remoteSh: eid('remote-sh'),
  whoami: eid('whoami'),
  rm: eid('rm'),
  evil: eid('evil'),
  evilParent: eid('evil-parent'),
  bigLeader: eid('big-leader'),
};

interface P {
  id: string;
  pid: number;
  exe: string;
  args: string[];
  cwd: string;
  user: [string, string];
  auid: [string, string];
  parent?: { id: string; pid: number; exe?: string; args?: string[] };
  entry?: string;
  session?: string;
  host?: typeof HOST;
}

const bob: [string, string] = ['1000', 'bob'];
const root: [string, string] = ['0', 'root'];

let seq = 1000;
function base(p: P, t: number, event: EcsEvent['event']): EcsEvent {
  seq += 1;
  const ref = (id: string | undefined) => (id ? { entity_id: id } : undefined);
  return {
    '@timestamp': new Date(T0 + t).toISOString(),
    ecs: { version: '8.11.0' },
    event: { module: 'auditd', id: `ev-${seq}`, ...event },
    host: p.host ?? HOST,
    user: { id: p.user[0], name: p.user[1], audit: { id: p.auid[0], name: p.auid[1] } },
    process: {
      entity_id: p.id,
      pid: p.pid,
      executable: p.exe,
      name: p.exe.slice(p.exe.lastIndexOf('/') + 1),
      args: p.args,
      args_count: p.args.length,
      command_line: p.args.join(' '),
      working_directory: p.cwd,
      start: new Date(T0 + t).toISOString(),
      parent: p.parent ? { entity_id: p.parent.id, pid: p.parent.pid, executable: p.parent.exe, args: p.parent.args } : undefined,
      entry_leader: ref(p.entry),
      session_leader: ref(p.session),
    },
    auditd: { message_type: 'syscall', sequence: seq, result: 'success', session: '7' },
  };
}

const exec = (p: P, t: number) =>
  base(p, t, { kind: 'event', category: ['process'], type: ['start'], action: 'executed', outcome: 'success' });
const end = (p: P, t: number, code: number) => {
  const e = base(p, t, { kind: 'event', category: ['process'], type: ['end'], action: 'end', outcome: 'success' });
  e.process = { ...e.process, end: e['@timestamp'], exit_code: code };
  return e;
};
const file = (p: P, t: number, action: string, path: string, type: string) => {
  const e = base(p, t, { kind: 'event', category: ['file'], type: [type], action, outcome: 'success' });
  e.file = { path, name: path.slice(path.lastIndexOf('/') + 1), directory: path.slice(0, path.lastIndexOf('/')) };
  e.auditd = { ...e.auditd, paths: [{ name: path, nametype: type === 'deletion' ? 'DELETE' : 'NORMAL' }] };
  return e;
};
const net = (p: P, t: number, action: string, src?: [string, number], dst?: [string, number], direction?: string) => {
  const e = base(p, t, { kind: 'event', category: ['network'], type: ['connection'], action, outcome: 'success' });
  if (src) e.source = { ip: src[0], port: src[1] };
  if (dst) e.destination = { ip: dst[0], port: dst[1] };
  e.network = { transport: 'tcp', direction };
  return e;
};

/** The processes of the story, parents before children. */
function story() {
  const S = { entry: E.bash, session: E.bash };
  const sshd: P = { id: E.sshd, pid: 2201, exe: '/usr/sbin/sshd', args: ['sshd: bob [priv]'], cwd: '/', user: root, auid: bob,
    parent: { id: E.sshdListener, pid: 812, exe: '/usr/sbin/sshd', args: ['/usr/sbin/sshd', '-D'] } };
  const bash: P = { id: E.bash, pid: 2205, exe: '/bin/bash', args: ['-bash'], cwd: '/home/bob', user: bob, auid: bob,
    parent: { id: E.sshd, pid: 2201, exe: '/usr/sbin/sshd' }, ...S };
  const id: P = { id: E.id, pid: 2210, exe: '/usr/bin/id', args: ['id'], cwd: '/home/bob', user: bob, auid: bob, parent: { id: E.bash, pid: 2205, exe: '/bin/bash' }, ...S };
  const sudo: P = { id: E.sudo, pid: 2230, exe: '/usr/bin/sudo', args: ['sudo', 'bash'], cwd: '/home/bob', user: bob, auid: bob, parent: { id: E.bash, pid: 2205, exe: '/bin/bash' }, ...S };
  const rootBash: P = { id: E.rootBash, pid: 2231, exe: '/bin/bash', args: ['bash'], cwd: '/home/bob', user: root, auid: bob, parent: { id: E.sudo, pid: 2230, exe: '/usr/bin/sudo' }, ...S };
  const inRoot = { cwd: '/root', user: root, auid: bob, parent: { id: E.rootBash, pid: 2231, exe: '/bin/bash' }, ...S };
  const cat: P = { id: E.cat, pid: 2240, exe: '/usr/bin/cat', args: ['cat'], ...inRoot };
  const chmod: P = { id: E.chmod, pid: 2241, exe: '/usr/bin/chmod', args: ['chmod', '+x', '/sbin/service1'], ...inRoot };
  const service1: P = { id: E.service1, pid: 2250, exe: '/bin/sh', args: ['/bin/sh', '/sbin/service1'], ...inRoot };
  const nc: P = { id: E.nc, pid: 2251, exe: '/bin/nc.traditional', args: ['nc', '-l', '-p', '4444', '-e', '/bin/sh'], ...inRoot,
    parent: { id: E.service1, pid: 2250, exe: '/bin/sh' } };
  const remoteSh: P = { id: E.remoteSh, pid: 2260, exe: '/bin/sh', args: ['/bin/sh'], ...inRoot, parent: { id: E.nc, pid: 2251, exe: '/bin/nc.traditional' } };
  const whoami: P = { id: E.whoami, pid: 2261, exe: '/usr/bin/whoami', args: ['whoami'], ...inRoot, parent: { id: E.remoteSh, pid: 2260, exe: '/bin/sh' } };
  const rm: P = { id: E.rm, pid: 2270, exe: '/bin/rm', args: ['rm', '/home/bob/.bash_history'], cwd: '/home/bob', user: bob, auid: bob,
    parent: { id: E.bash, pid: 2205, exe: '/bin/bash' }, ...S };
  const s = 1000;
  const events: EcsEvent[] = [
    (() => {
      const e = base(sshd, 0, { kind: 'event', category: ['authentication'], type: ['start'], action: 'logged-in', outcome: 'success' });
      e.source = { ip: '203.0.113.50', port: 50022 };
      return e;
    })(),
    exec(bash, 2 * s),
    exec(id, 5 * s), end(id, 5 * s + 20, 0),
    exec(sudo, 10 * s),
    exec(rootBash, 12 * s),
    exec(cat, 20 * s), file(cat, 20 * s + 10, 'opened-file', '/sbin/service1', 'creation'), end(cat, 40 * s, 0),
    exec(chmod, 45 * s), file(chmod, 45 * s + 5, 'changed-file-permissions-of', '/sbin/service1', 'change'), end(chmod, 45 * s + 10, 0),
    exec(service1, 50 * s),
    exec(nc, 50 * s + 5),
    net(nc, 50 * s + 10, 'bound-socket', undefined, ['0.0.0.0', 4444]),
    net(nc, 50 * s + 11, 'listen-for-connections', undefined, ['0.0.0.0', 4444]),
    net(nc, 90 * s, 'accepted-connection-from', ['198.51.100.7', 51234], ['10.0.0.5', 4444], 'ingress'),
    exec(remoteSh, 90 * s + 5),
    exec(whoami, 95 * s), end(whoami, 95 * s + 10, 0),
    end(rootBash, 120 * s, 0), end(sudo, 120 * s + 5, 0),
    exec(rm, 130 * s), file(rm, 130 * s + 2, 'deleted', '/home/bob/.bash_history', 'deletion'), end(rm, 130 * s + 5, 0),
  ];
  return { events, nc, rm };
}

/** A process whose path and args are an XSS payload, whose parent was never captured. */
function hostile() {
  const host = { id: 'b7c9d1e3f5a7b9c1d3e5f7a9b1c3d5e7', name: 'db-02', hostname: 'db-02' };
  const evil: P = { id: E.evil, pid: 3000, exe: `/tmp/${HOSTILE}`, args: [`/tmp/${HOSTILE}`, HOSTILE, '"><script>alert(2)</script>'],
    cwd: `/tmp/${HOSTILE}`, user: ['1001', 'mallory'], auid: ['1001', 'mallory'], parent: { id: E.evilParent, pid: 2999 }, host };
  return { events: [exec(evil, 200_000)], evil };
}

/** n exec events in one session on another host: the "large session" case. */
export function bigSession(n: number): EcsEvent[] {
  const host = { id: 'c0ffee00c0ffee00c0ffee00c0ffee00', name: 'build-03', hostname: 'build-03' };
  const leader: P = { id: E.bigLeader, pid: 5000, exe: '/bin/bash', args: ['-bash'], cwd: '/home/ci', user: ['1002', 'ci'], auid: ['1002', 'ci'],
    entry: E.bigLeader, session: E.bigLeader, host };
  const out = [exec(leader, 300_000)];
  for (let i = 0; i < n - 1; i++) {
    const p: P = { ...leader, id: eid(`big-${i}`), pid: 5001 + i, exe: '/usr/bin/make', args: ['make', `step-${i}`],
      parent: { id: E.bigLeader, pid: 5000, exe: '/bin/bash' } };
    // Several events per millisecond on purpose: paging must not lose or repeat ties.
    out.push(exec(p, 300_001 + Math.floor(i / 4)));
  }
  return out;
}

function alertDoc(id: string, trigger: EcsEvent, rule: { id: string; name: string }, severity: number, risk: number,
  tactic: [string, string], technique: [string, string], reason: string): { _id: string; doc: AlertDocument } {
  return {
    _id: id,
    // The shape the detection engine writes (detections/src/engine/alert.ts).
    doc: {
      '@timestamp': new Date(Date.parse(trigger['@timestamp']) + 30_000).toISOString(),
      event: { kind: 'alert', category: trigger.event.category, type: ['info'], action: trigger.event.action, severity, risk_score: risk, reason },
      rule,
      threat: { framework: 'MITRE ATT&CK', tactic: { id: [tactic[0]], name: [tactic[1]] }, technique: { id: [technique[0]], name: [technique[1]] } },
      message: `${rule.name}: ${reason}`,
      host: trigger.host,
      user: trigger.user,
      process: trigger.process,
      auditsight: { alert: { rule_id: rule.id, source_event_ids: [trigger.event.id!] } },
    },
  };
}

export const EVENT_MAPPING = {
  dynamic: false,
  properties: {
    '@timestamp': { type: 'date' },
    message: { type: 'text' },
    event: { properties: Object.fromEntries(['kind', 'category', 'type', 'action', 'outcome', 'id', 'module', 'dataset'].map((f) => [f, { type: 'keyword' }])) },
    host: { properties: { id: { type: 'keyword' }, name: { type: 'keyword' }, hostname: { type: 'keyword' }, ip: { type: 'ip' } } },
    user: { properties: { id: { type: 'keyword' }, name: { type: 'keyword' }, audit: { properties: { id: { type: 'keyword' }, name: { type: 'keyword' } } } } },
    process: { properties: procProps(true) },
    file: { properties: { path: { type: 'keyword' }, name: { type: 'keyword' }, directory: { type: 'keyword' }, target_path: { type: 'keyword' } } },
    source: { properties: { ip: { type: 'ip' }, port: { type: 'long' } } },
    destination: { properties: { ip: { type: 'ip' }, port: { type: 'long' } } },
    network: { properties: { transport: { type: 'keyword' }, direction: { type: 'keyword' } } },
    auditd: { properties: { sequence: { type: 'long' }, session: { type: 'keyword' }, message_type: { type: 'keyword' }, paths: { properties: { name: { type: 'keyword' } } } } },
    rule: { properties: { id: { type: 'keyword' }, name: { type: 'keyword' } } },
    threat: { properties: { tactic: { properties: { id: { type: 'keyword' }, name: { type: 'keyword' } } }, technique: { properties: { id: { type: 'keyword' }, name: { type: 'keyword' } } } } },
    auditsight: { properties: { alert: { properties: { rule_id: { type: 'keyword' }, source_event_ids: { type: 'keyword' } } } } },
  },
} as const;

function procProps(nested: boolean): Record<string, unknown> {
  const p: Record<string, unknown> = {
    entity_id: { type: 'keyword' }, pid: { type: 'long' }, executable: { type: 'keyword' }, name: { type: 'keyword' },
    args: { type: 'keyword' }, command_line: { type: 'keyword' }, working_directory: { type: 'keyword' },
    start: { type: 'date' }, end: { type: 'date' }, exit_code: { type: 'long' },
  };
  if (nested) for (const k of ['parent', 'entry_leader', 'session_leader']) p[k] = { properties: procProps(false) };
  return p;
}

export interface IndexedStory {
  indices: IndexConfig;
  alertIds: { nc: string; rm: string; evil: string };
  ncExecEventId: string;
  cleanup(): Promise<void>;
}

/** Creates two fresh indices named from prefix, indexes the story (plus a big session of n), refreshes. */
export async function indexBobStory(client: Client, prefix: string, opts: { bigSession?: number } = {}): Promise<IndexedStory> {
  const events = `${prefix}-events`;
  const alerts = `${prefix}-alerts`;
  for (const index of [events, alerts]) await client.indices.create({ index, mappings: EVENT_MAPPING as never });
  const s = story();
  const h = hostile();
  const docs = [...s.events, ...h.events, ...(opts.bigSession ? bigSession(opts.bigSession) : [])];
  const ops = docs.flatMap((d) => [{ index: { _index: events, _id: d.event.id } }, d]);
  const ncExec = s.events.find((e) => e.process?.entity_id === E.nc && e.event.action === 'executed')!;
  const rmExec = s.events.find((e) => e.process?.entity_id === E.rm && e.event.action === 'executed')!;
  const a = [
    alertDoc('alert-nc-bind-shell', ncExec, { id: 'netcat-bind-shell', name: 'Netcat bind shell (nc -e)' }, 73, 73,
      ['TA0002', 'Execution'], ['T1059.004', 'Unix Shell'], 'nc listening with -e /bin/sh on web-01 by bob (as root)'),
    alertDoc('alert-history-deleted', rmExec, { id: 'bash-history-deleted', name: 'Shell history deleted' }, 47, 47,
      ['TA0005', 'Defense Evasion'], ['T1070.003', 'Clear Command History'], 'bob deleted /home/bob/.bash_history'),
    alertDoc('alert-evil', h.events[0], { id: 'exec-from-tmp', name: `Execution from /tmp ${HOSTILE}` }, 21, 21,
      ['TA0002', 'Execution'], ['T1059', 'Command and Scripting Interpreter'], `ran ${HOSTILE}`),
  ];
  for (const x of a) ops.push({ index: { _index: alerts, _id: x._id } }, x.doc as never);
  const r = await client.bulk({ operations: ops, refresh: true });
  if (r.errors) throw new Error(`bulk failed: ${JSON.stringify(r.items.find((i) => i.index?.error))}`);
  return {
    indices: { events: [events], alerts: [alerts] },
    alertIds: { nc: 'alert-nc-bind-shell', rm: 'alert-history-deleted', evil: 'alert-evil' },
    ncExecEventId: ncExec.event.id!,
    async cleanup() {
      await client.indices.delete({ index: [events, alerts], ignore_unavailable: true });
    },
  };
}
