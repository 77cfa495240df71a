// Test fixtures: a fully populated event and alert. Typed DeepRequired so the compiler demands every leaf
// of EcsEvent / AlertDocument: a field added to the type without a value here fails `tsc`, and then
// fields.test.ts fails until the field has a definition. That is how field names stay in one place.
import type { Client } from '@elastic/elasticsearch';
import type { EcsEvent, EcsProcessRef } from '../../common/ecs/event';
import type { AlertDocument } from './alert';
import { names } from './templates';

export type DeepRequired<T> = T extends (infer U)[] ? DeepRequired<U>[] : T extends object ? { [K in keyof T]-?: DeepRequired<T[K]> } : T;

type Ref = DeepRequired<EcsProcessRef>;

function ref(pid: number, executable: string, args: string[], extra: Partial<Ref> = {}): Ref {
  return {
    entity_id: `ZTI4Zjk1ZjgtY2Y1Zi00YjQ2LWI2ODEtNGY3ZTM5NDE5ZjUy-${pid}`,
    pid,
    start: '2024-05-01T10:00:00.000Z',
    end: '2024-05-01T10:05:00.000Z',
    executable,
    name: executable.split('/').pop()!,
    args,
    args_count: args.length,
    command_line: args.join(' '),
    title: args.join(' '),
    working_directory: '/tmp',
    exit_code: 0,
    interactive: true,
    same_as_process: false,
    tty: { char_device: { major: 136, minor: 0 } },
    user: { id: '1000', name: 'alice' },
    group: { id: '1000', name: 'alice' },
    real_user: { id: '1000', name: 'alice' },
    saved_user: { id: '1000', name: 'alice' },
    entry_meta: { type: 'sshd', source: { ip: '203.0.113.7' } },
    ...extra,
  };
}

/** The execve of `nc -l -p 4444 -e /bin/sh` from an SSH login shell, as the shipper would emit it. */
export function fullEvent(): DeepRequired<EcsEvent> {
  const ncArgs = ['nc', '-l', '-p', '4444', '-e', '/bin/sh'];
  const bash = ref(4100, '/usr/bin/bash', ['-bash']);
  const sshd = ref(4099, '/usr/sbin/sshd', ['sshd: alice [priv]'], { interactive: false });
  const sshdRoot = ref(1000, '/usr/sbin/sshd', ['/usr/sbin/sshd', '-D'], { interactive: false, tty: { char_device: { major: 0, minor: 0 } } });
  const user = { id: '1000', name: 'alice', group: { id: '1000', name: 'alice' } };
  return {
    '@timestamp': '2024-05-01T10:01:02.345Z',
    ecs: { version: '8.0.0' },
    event: {
      kind: 'event',
      category: ['process'],
      type: ['start'],
      action: 'executed',
      outcome: 'success',
      module: 'auditd',
      dataset: 'auditd_manager.auditd',
      original: [
        'type=SYSCALL msg=audit(1714557662.345:9876): arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1 a2=55d2 a3=0 items=2 ppid=4100 pid=4242 auid=1000 uid=1000 gid=1000 euid=1000 ses=3 tty=pts0 comm="nc" exe="/usr/bin/nc.openbsd" key="exec"',
        'type=EXECVE msg=audit(1714557662.345:9876): argc=6 a0="nc" a1="-l" a2="-p" a3="4444" a4="-e" a5="/bin/sh"',
      ],
      id: '9876',
      ingested: '2024-05-01T10:01:03.000Z',
      sequence: 9876,
    },
    service: { type: 'auditd' },
    tags: ['exec'],
    host: {
      id: '8f7e3941-9f52-4b46-b681-4f7e39419f52',
      name: 'web-1',
      hostname: 'web-1',
      boot: { id: 'b2c3d4e5-0000-4000-8000-000000000001' },
      os: { type: 'linux', family: 'debian', name: 'Ubuntu', version: '22.04.4 LTS (Jammy Jellyfish)', kernel: '5.15.0-105-generic', platform: 'ubuntu' },
      architecture: 'x86_64',
      ip: ['10.1.2.3', 'fe80::1'],
    },
    agent: { type: 'auditsight', version: '0.1.0', id: 'agent-1', name: 'web-1' },
    user: {
      ...user,
      audit: user,
      effective: user,
      filesystem: user,
      saved: user,
      target: { id: '0', name: 'root', group: { id: '0', name: 'root' } },
      changes: user,
      selinux: { user: 'unconfined_u', role: 'unconfined_r', domain: 'unconfined_t', level: 's0-s0', category: 'c0.c1023' },
    },
    group: { id: '1000', name: 'alice' },
    process: {
      ...ref(4242, '/usr/bin/nc.openbsd', ncArgs, { working_directory: '/home/alice' }),
      parent: { ...bash, parent: sshd },
      entry_leader: { ...bash, parent: { ...sshd, session_leader: sshdRoot } },
      session_leader: { ...bash, parent: { ...sshd, session_leader: sshdRoot } },
      group_leader: ref(4242, '/usr/bin/nc.openbsd', ncArgs),
      previous: [{ args: ['-bash'], args_count: 1, executable: '/usr/bin/bash' }],
      Ext: { ancestry: [bash.entity_id, sshd.entity_id, sshdRoot.entity_id] },
    },
    file: {
      path: '/usr/bin/nc.openbsd',
      name: 'nc.openbsd',
      directory: '/usr/bin',
      extension: 'openbsd',
      device: '00:00',
      inode: '1835245',
      mode: '0755',
      uid: '0',
      gid: '0',
      owner: 'root',
      group: 'root',
      target_path: '/etc/alternatives/nc',
      selinux: { user: 'system_u', role: 'object_r', domain: 'bin_t', level: 's0' },
    },
    source: { ip: '203.0.113.7', port: 51234, path: '/run/a.sock', address: '203.0.113.7' },
    destination: { ip: '10.20.30.40', port: 4444, path: '/run/b.sock', address: '10.20.30.40' },
    network: { direction: 'ingress', transport: 'tcp', type: 'ipv4', protocol: 'nc' },
    related: { user: ['alice', 'root'], ip: ['203.0.113.7', '10.20.30.40'], hosts: ['web-1'] },
    auditd: {
      message_type: 'syscall',
      sequence: 9876,
      result: 'success',
      session: '3',
      summary: { actor: { primary: 'alice', secondary: 'alice' }, object: { type: 'file', primary: '/usr/bin/nc.openbsd', secondary: '' }, how: '/usr/bin/nc.openbsd' },
      data: { syscall: 'execve', arch: 'x86_64', a0: '55d0', a1: '55d1', a2: '55d2', a3: '0', exit: '0', tty: 'pts0', argc: '6', items: '2',
        socket: { family: 'ipv4', addr: '0.0.0.0', port: '4444', saddr: '0200115C000000000000000000000000' } },
      paths: [
        { item: '0', name: '/usr/bin/nc', inode: '1835245', dev: '08:01', mode: '0100755', ouid: '0', ogid: '0', rdev: '00:00', nametype: 'NORMAL' },
        { item: '1', name: '/lib64/ld-linux-x86-64.so.2', inode: '1837000', dev: '08:01', mode: '0100755', ouid: '0', ogid: '0', rdev: '00:00', nametype: 'NORMAL' },
      ],
      warnings: ['example warning'],
    },
    error: { message: 'none', type: 'none' },
  };
}

export function fullAlert(): DeepRequired<AlertDocument> {
  const ev = fullEvent();
  return {
    ...ev,
    '@timestamp': '2024-05-01T10:01:10.000Z',
    event: { ...ev.event, kind: 'alert', severity: 73, risk_score: 73.5, reason: 'nc listening with -e /bin/sh on web-1', created: '2024-05-01T10:01:10.000Z' },
    message: 'Netcat bind shell: nc -l -p 4444 -e /bin/sh',
    rule: {
      id: 'netcat-bind-shell',
      uuid: '7c2e0c3a-2f5b-4c7e-9a53-0a1b2c3d4e5f',
      name: 'Netcat bind shell',
      description: 'nc started with -e, which binds a shell to a network port',
      version: '1',
      category: 'execution',
      ruleset: 'auditsight-linux',
      reference: 'https://attack.mitre.org/techniques/T1059/004/',
      author: ['auditsight'],
      license: 'Apache-2.0',
    },
    threat: {
      framework: 'MITRE ATT&CK',
      tactic: { id: ['TA0002'], name: ['Execution'], reference: ['https://attack.mitre.org/tactics/TA0002/'] },
      technique: {
        id: ['T1059'],
        name: ['Command and Scripting Interpreter'],
        reference: ['https://attack.mitre.org/techniques/T1059/'],
        subtechnique: { id: ['T1059.004'], name: ['Unix Shell'], reference: ['https://attack.mitre.org/techniques/T1059/004/'] },
      },
    },
    auditsight: {
      alert: {
        rule_id: 'netcat-bind-shell',
        rule_version: '1',
        source_event_ids: ['abc123'],
        source_index: ['auditsight-events-default-000001'],
        window: { start: '2024-05-01T10:00:00.000Z', end: '2024-05-01T10:01:10.000Z' },
        suppression_key: 'web-1|netcat-bind-shell',
        suppressed_count: 0,
        status: 'open',
        updated: '2024-05-01T10:01:10.000Z',
      },
      rule_health: {
        runs: 12,
        errors: 1,
        alerts: 1,
        duplicates: 3,
        suppressed: 0,
        truncated_runs: 0,
        gap_ms: 0,
        last_run: '2024-05-01T10:01:10.000Z',
        last_duration_ms: 41,
        last_error: 'timeout',
        covered_until: '2024-05-01T10:01:10.000Z',
      },
    },
  };
}

/** Dotted leaf paths of a document; arrays of objects contribute their elements' paths (no indices). */
export function leafPaths(v: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(v)) {
    if (v.length && v.every((x) => x && typeof x === 'object')) for (const x of v) leafPaths(x, prefix, out);
    else out.add(prefix);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) leafPaths(x, prefix ? `${prefix}.${k}` : k, out);
  } else out.add(prefix);
  return out;
}

/** A namespace no other test (or test run) uses. */
export function testNamespace(prefix = 't'): string {
  return `${prefix}${process.pid}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
}

/** Removes everything setup created for a namespace (tests only; there is no uninstall in the product). */
export async function removeNamespace(client: Client, namespace: string): Promise<void> {
  const ev = names('events', namespace, 'minimal');
  const al = names('alerts', namespace, 'minimal');
  const ignore = { ignore: [404] };
  await client.indices.delete({ index: `${ev.target.type === 'alias' ? ev.target.pattern : ''},${al.readName}-*`, expand_wildcards: 'all' }, ignore);
  await client.indices.deleteIndexTemplate({ name: `${ev.indexTemplate},${al.indexTemplate}` }, ignore).catch(() => undefined);
  for (const n of [ev, al]) await client.cluster.deleteComponentTemplate({ name: `${n.componentMappings},${n.componentSettings}` }, ignore).catch(() => undefined);
}
