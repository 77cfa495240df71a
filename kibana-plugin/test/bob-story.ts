// A hand-built, realistic event set for the insider story, indexed into a throwaway namespace set up with
// auditsight's real templates (test/real-index.ts): Bob logs in over ssh, sudo's to a root shell, writes
// /sbin/service1 (a bind shell: nc -l -p 4444 -e /bin/sh), runs it, someone connects, and Bob deletes his
// ~/.bash_history. Shapes follow Auditbeat's auditd module plus the ECS Linux event model's leaders; every
// field must be one the real schema maps (indexBobStory checks), since an unmapped field would be kept in
// _source but silently unsearchable (the templates are dynamic: false). For what the real pipeline makes
// of a real capture, see nested-workload.ts and common/nested-workload.real.test.ts.
import type { AlertDocument } from '../../elastic-templates/src/alert';
import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import type { EcsEvent } from '../../common/ecs/event';
import { leafPaths } from '../../elastic-templates/src/fixtures';
import { eventId } from '../../shipper/src/outputs/ids';
import type { IndexConfig } from '../common/types';
import { createDocs, realNamespace } from './real-index';

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
/**
 * A bind as the pipeline (go-libaudit's vocabulary) writes it: the SOCKADDR only under auditd.data.socket,
 * no source/destination (the query service shows it as the destination).
 */
const bind = (p: P, t: number, ip: string, port: number) => {
  const e = base(p, t, { kind: 'event', category: ['network'], type: ['start'], action: 'bound-socket', outcome: 'success' });
  e.auditd = { ...e.auditd, data: { syscall: 'bind', socket: { family: 'ipv4', addr: ip, port: String(port) } } };
  return e;
};
/** listen(2) has no SOCKADDR record: a real listen event carries no address at all. */
const listen = (p: P, t: number) =>
  base(p, t, { kind: 'event', category: ['network'], type: ['start'], action: 'listen-for-connections', outcome: 'success' });

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
    bind(nc, 50 * s + 10, '0.0.0.0', 4444),
    listen(nc, 50 * s + 11),
    // NOT the pipeline's shape: a real accept has the peer as source and no destination (go-libaudit has
    // only the peer's SOCKADDR). The local 10.0.0.5:4444 is kept because standalone/browser.test.ts pins
    // the rendered line `accepted-connection-from 198.51.100.7:51234 -> 10.0.0.5:4444`.
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
      auditsight: { alert: { rule_id: rule.id, source_event_ids: [eventId(trigger)] } },
    },
  };
}

export interface IndexedStory {
  indices: IndexConfig;
  alertIds: { nc: string; rm: string; evil: string };
  ncExecEventId: string;
  cleanup(): Promise<void>;
}

/**
 * Sets up a fresh namespace (named from prefix) with the real templates, indexes the story (plus a big
 * session of n) with `create` under the shipper's deterministic ids, refreshes, and checks that every
 * field of every document is one the schema maps.
 */
export async function indexBobStory(client: Client, prefix: string, opts: { bigSession?: number } = {}): Promise<IndexedStory> {
  const ns = await realNamespace(client, prefix);
  try {
    const s = story();
    const h = hostile();
    const docs = [...s.events, ...h.events, ...(opts.bigSession ? bigSession(opts.bigSession) : [])];
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
    const [events, alerts] = [ns.indices.events[0]!, ns.indices.alerts[0]!];
    await createDocs(client, events, docs.map((doc) => ({ _id: eventId(doc), doc })));
    await createDocs(client, alerts, a.map((x) => ({ _id: x._id, doc: x.doc })));
    await expectMapped(client, events, docs);
    await expectMapped(client, alerts, a.map((x) => x.doc));
    return {
      indices: ns.indices,
      alertIds: { nc: 'alert-nc-bind-shell', rm: 'alert-history-deleted', evil: 'alert-evil' },
      ncExecEventId: eventId(ncExec),
      cleanup: () => ns.cleanup(),
    };
  } catch (e) {
    await ns.cleanup();
    throw e;
  }
}

/** Every leaf of the documents is a field the index maps (or lies inside a flattened one, auditd.paths). */
async function expectMapped(client: Client, index: string, docs: object[]): Promise<void> {
  const caps = await client.fieldCaps({ index, fields: ['*'] });
  const mapped = new Set(Object.keys(caps.fields));
  const flattened = Object.entries(caps.fields).filter(([, t]) => 'flattened' in t).map(([f]) => `${f}.`);
  const leaves = new Set<string>();
  for (const d of docs) leafPaths(d, '', leaves);
  const unmapped = [...leaves].filter((f) => !mapped.has(f) && !flattened.some((p) => f.startsWith(p))).sort();
  if (unmapped.length) throw new Error(`bob-story fields the real schema does not map (unsearchable): ${unmapped.join(', ')}`);
}
