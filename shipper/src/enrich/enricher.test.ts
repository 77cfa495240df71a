// The insider scenario end to end through the enricher: Bob logs in over ssh, sudo runs /sbin/service1,
// which starts `nc -l -p 4444 -e /bin/sh`; then pid reuse, snapshot/restore and the LRU bound.
import { expect } from 'chai';
import type { EcsEvent } from '../../../common/ecs/event';
import { Enricher } from './enricher';
import { entityId } from './ids';
import { fakeFs, syscallEvent, userEvent } from './testing';
import { UserResolver } from './users';

const HOST = { id: 'f0e1d2c3b4a5968778695a4b3c2d1e0f', name: 'web01', hostname: 'web01', bootId: 'b007', architecture: 'x86_64', os: { type: 'linux', family: 'debian', name: 'Ubuntu', version: '24.04', kernel: '6.8.0-31-generic', platform: 'ubuntu' } };
const T = Date.parse('2024-05-01T10:00:00.000Z');
const id = (pid: number, t: number) => entityId(HOST.id, pid, t);
const bob = { ses: '5', auid: '1000', tty: 'pts0' };

function users(): UserResolver {
  return new UserResolver(fakeFs({ '/etc/passwd': 'root:x:0:0:root:/root:/bin/bash\nbob:x:1000:1000:Bob:/home/bob:/bin/bash\n', '/etc/group': 'root:x:0:\nbob:x:1000:\n' }));
}

/** The whole story, as normalize would hand it over (t in ms after T). */
function story(): EcsEvent[] {
  return [
    // sshd [priv] 1000 (child of the listener 900) gets Bob's loginuid and session 5.
    userEvent({ t: T, type: 'login', pid: 1000, ses: '5', auid: '1000', action: 'changed-login-id-to' }),
    userEvent({ t: T + 1, type: 'user_start', pid: 1000, exe: '/usr/sbin/sshd', ses: '5', auid: '1000', addr: '203.0.113.7', action: 'started-session', terminal: 'ssh' }),
    syscallEvent({ t: T + 10, syscall: 'clone', pid: 1000, ppid: 900, exe: '/usr/sbin/sshd', exit: 1010, a0: '1200011', ses: '5', auid: '1000' }),
    syscallEvent({ t: T + 20, syscall: 'clone', pid: 1010, ppid: 1000, exe: '/usr/sbin/sshd', exit: 1011, a0: '1200011', ses: '5', auid: '1000', uid: '1000' }),
    syscallEvent({ t: T + 30, syscall: 'execve', pid: 1011, ppid: 1010, exe: '/usr/bin/bash', args: ['-bash'], cwd: '/home/bob', uid: '1000', ...bob }),
    // sshd writes USER_LOGIN only after the shell started.
    userEvent({ t: T + 31, type: 'user_login', pid: 1000, exe: '/usr/sbin/sshd', ses: '5', auid: '1000', addr: '203.0.113.7', action: 'logged-in', terminal: '/dev/pts/0' }),
    syscallEvent({ t: T + 40, syscall: 'clone', pid: 1011, ppid: 1010, exe: '/usr/bin/bash', exit: 1020, a0: '1200011', uid: '1000', ...bob }),
    syscallEvent({ t: T + 50, syscall: 'execve', pid: 1020, ppid: 1011, exe: '/usr/bin/sudo', args: ['sudo', '/sbin/service1'], uid: '1000', euid: '0', ...bob }),
    syscallEvent({ t: T + 60, syscall: 'clone', pid: 1020, ppid: 1011, exe: '/usr/bin/sudo', exit: 1021, a0: '1200011', uid: '0', ...bob }),
    syscallEvent({ t: T + 70, syscall: 'execve', pid: 1021, ppid: 1020, exe: '/usr/bin/dash', args: ['/bin/sh', '/sbin/service1'], uid: '0', ...bob }),
    syscallEvent({ t: T + 80, syscall: 'clone', pid: 1021, ppid: 1020, exe: '/usr/bin/dash', exit: 1022, a0: '1200011', uid: '0', ...bob }),
    syscallEvent({ t: T + 90, syscall: 'execve', pid: 1022, ppid: 1021, exe: '/usr/bin/nc.traditional', args: ['nc', '-l', '-p', '4444', '-e', '/bin/sh'], uid: '0', ...bob }),
    syscallEvent({ t: T + 100, syscall: 'listen', pid: 1022, ppid: 1021, exe: '/usr/bin/nc.traditional', uid: '0', action: 'listen-for-connections', ...bob }),
    syscallEvent({ t: T + 110, syscall: 'unlinkat', pid: 1011, ppid: 1010, exe: '/usr/bin/bash', uid: '1000', action: 'deleted', ...bob }),
    syscallEvent({ t: T + 120, syscall: 'exit_group', pid: 1022, ppid: 1021, exe: '/usr/bin/nc.traditional', a0: '1', uid: '0', ...bob }),
    // pid 1022 is handed out again: bash forks and runs ls.
    syscallEvent({ t: T + 130, syscall: 'clone', pid: 1011, ppid: 1010, exe: '/usr/bin/bash', exit: 1022, a0: '1200011', uid: '1000', ...bob }),
    syscallEvent({ t: T + 140, syscall: 'execve', pid: 1022, ppid: 1011, exe: '/usr/bin/ls', args: ['ls'], uid: '1000', ...bob }),
  ];
}

describe('enrich: Enricher on the insider scenario', () => {
  let out: EcsEvent[];
  let en: Enricher;
  before(() => {
    en = new Enricher({ host: HOST, users: users() });
    out = story().map((e) => en.enrich(e));
  });
  const proc = (i: number) => out[i].process!;

  it('derives documented, deterministic entity ids (fork time, else first record)', () => {
    // Pinned literal: changing the scheme breaks every stored id, so it must be a deliberate change.
    expect(id(1022, T + 80)).to.equal(entityId('f0e1d2c3b4a5968778695a4b3c2d1e0f', 1022, 1714557600080));
    expect(entityId('h', 1, 0)).to.match(/^[0-9a-f]{32}$/);
    expect(proc(0).entity_id).to.equal(id(1000, T)); // first seen through the LOGIN record
    expect(proc(4).entity_id).to.equal(id(1011, T + 20)); // bash: forked at T+20, exec keeps the id
    expect(proc(11).entity_id).to.equal(id(1022, T + 80));
    expect(proc(11).start).to.equal(new Date(T + 80).toISOString());
  });

  it('keeps the entity id across exec and records process.previous', () => {
    expect(proc(7).entity_id).to.equal(id(1020, T + 40));
    // The image before exec is the one inherited from the parent at fork (ECS RFC 0030: bash's previous is sshd).
    expect(proc(4).previous).to.deep.equal([{ executable: '/usr/sbin/sshd' }]);
    expect(proc(7).previous).to.deep.equal([{ executable: '/usr/bin/bash', args: ['-bash'], args_count: 1 }]);
    expect(proc(9).previous).to.deep.equal([{ executable: '/usr/bin/sudo', args: ['sudo', '/sbin/service1'], args_count: 2 }]);
  });

  it('fills the parent from the table', () => {
    expect(proc(11).parent).to.deep.equal({
      entity_id: id(1021, T + 60), pid: 1021, start: new Date(T + 60).toISOString(), executable: '/usr/bin/dash', name: 'dash',
      args: ['/bin/sh', '/sbin/service1'], args_count: 2, interactive: true, tty: { char_device: { major: 136, minor: 0 } }, user: { id: '0', name: 'root' },
    });
  });

  it('gives every process of the login the same entry leader: the shell below sshd, with entry_meta', () => {
    const bash = id(1011, T + 20);
    for (const i of [4, 7, 9, 11, 12, 13, 14, 16]) expect(proc(i).entry_leader?.entity_id, `event ${i}`).to.equal(bash);
    expect(proc(11).entry_leader).to.deep.include({ pid: 1011, executable: '/usr/bin/bash', args: ['-bash'], interactive: true, user: { id: '1000', name: 'bob' } });
    expect(proc(11).entry_leader?.entry_meta).to.deep.equal({ type: 'sshd', source: { ip: '203.0.113.7' } });
    expect(proc(11).entry_leader?.parent).to.deep.equal({ entity_id: id(1010, T + 10), pid: 1010, start: new Date(T + 10).toISOString() });
    // sshd itself is the way in, not part of the session.
    expect(proc(2).entry_leader).to.equal(undefined);
  });

  it('infers session and process-group leaders the way Session View reads them', () => {
    const bash = id(1011, T + 20);
    expect(proc(11).session_leader?.entity_id).to.equal(bash);
    expect(proc(4).session_leader?.entity_id).to.equal(bash);
    // bash put `sudo ...` in its own process group; sh and nc stay in it.
    expect(proc(7).group_leader?.entity_id).to.equal(id(1020, T + 40));
    expect(proc(11).group_leader?.entity_id).to.equal(id(1020, T + 40));
    expect(proc(4).group_leader?.entity_id).to.equal(bash);
  });

  it('exposes the ancestry as a function and as process.Ext.ancestry', () => {
    const nc = id(1022, T + 80);
    const pids = en.ancestors(nc).map((a) => a.pid);
    expect(pids).to.deep.equal([1021, 1020, 1011, 1010, 1000, 900]);
    expect(en.ancestors(nc)[2]).to.deep.equal({ entityId: id(1011, T + 20), pid: 1011, start: new Date(T + 20).toISOString(), executable: '/usr/bin/bash', args: ['-bash'] });
    expect(proc(11).Ext?.ancestry).to.deep.equal(en.ancestors(nc).map((a) => a.entityId));
  });

  it('completes non-exec events of a process from the table', () => {
    expect(proc(12)).to.deep.include({ entity_id: id(1022, T + 80), args: ['nc', '-l', '-p', '4444', '-e', '/bin/sh'], args_count: 6, interactive: true });
    expect(proc(13)).to.deep.include({ entity_id: id(1011, T + 20), args: ['-bash'], working_directory: '/home/bob' });
  });

  it('ends the process on exit_group and gives a reused pid a new entity id', () => {
    expect(proc(14)).to.deep.include({ entity_id: id(1022, T + 80), end: new Date(T + 120).toISOString(), exit_code: 1 });
    expect(proc(16).entity_id).to.equal(id(1022, T + 130)).and.not.equal(id(1022, T + 80));
    expect(proc(16).previous).to.deep.equal([{ executable: '/usr/bin/bash', args: ['-bash'], args_count: 1 }]);
    expect(en.ancestors(proc(16).entity_id!).map((a) => a.pid)).to.deep.equal([1011, 1010, 1000, 900]);
  });

  it('stamps host facts and resolves user names, keeping names the record carried', () => {
    expect(out[4].host).to.deep.equal({ id: HOST.id, name: 'web01', hostname: 'web01', boot: { id: 'b007' }, architecture: 'x86_64', os: HOST.os });
    expect(out[7].user).to.deep.include({ id: '1000', name: 'bob' });
    expect(out[7].user?.effective).to.deep.equal({ id: '0', name: 'root' });
    expect(out[7].user?.audit).to.deep.equal({ id: '1000', name: 'bob' });
    expect(out[7].related?.user).to.have.members(['bob', 'root']);
    const ev = syscallEvent({ t: T + 200, syscall: 'openat', pid: 1011, ppid: 1010, exe: '/usr/bin/bash', uid: '1000', ...bob });
    ev.user!.name = 'bob-from-ENRICHED';
    expect(en.enrich(ev).user?.name).to.equal('bob-from-ENRICHED');
  });

  it('does not stamp this host or its /etc/passwd names on events relayed from another node', () => {
    const ev = en.enrich(syscallEvent({ t: T, syscall: 'execve', pid: 77, ppid: 1, exe: '/bin/true', args: ['true'], uid: '1000', host: 'db02' }));
    expect(ev.host).to.deep.equal({ name: 'db02' });
    expect(ev.user?.name).to.equal(undefined);
    expect(ev.process?.entity_id).to.equal(entityId('db02', 77, T));
  });

  it('gives identical documents after snapshot, a JSON round trip and restore', () => {
    const all = story();
    const reference = new Enricher({ host: HOST, users: users() });
    const expected = all.map((e) => reference.enrich(structuredClone(e)));
    const first = new Enricher({ host: HOST, users: users() });
    const part1 = all.slice(0, 9).map((e) => first.enrich(structuredClone(e)));
    // What the daemon writes: the JSON of the live table, which must be the JSON of the detached copy.
    const json = first.snapshotJson();
    expect(json).to.equal(JSON.stringify(first.snapshot()));
    const disk = JSON.parse(json);
    const second = Enricher.restore(disk, { users: users() });
    const part2 = all.slice(9).map((e) => second.enrich(structuredClone(e)));
    expect([...part1, ...part2]).to.deep.equal(expected);
    expect(second.ancestors(id(1022, T + 80))).to.deep.equal(reference.ancestors(id(1022, T + 80)));
  });

  it('stays within maxProcesses on a busy host and keeps recent chains intact', () => {
    const small = new Enricher({ host: HOST, maxProcesses: 100 });
    let t = T;
    for (let i = 0; i < 5000; i++) {
      const pid = 10_000 + i;
      small.enrich(syscallEvent({ t: t++, syscall: 'clone', pid: 500, ppid: 1, exe: '/usr/sbin/cron', exit: pid, a0: '1200011' }));
      small.enrich(syscallEvent({ t: t++, syscall: 'execve', pid, ppid: 500, exe: '/bin/true', args: ['true'] }));
      small.enrich(syscallEvent({ t: t++, syscall: 'exit_group', pid, ppid: 500, exe: '/bin/true', a0: '0' }));
      expect(small.size).to.be.at.most(100);
    }
    const last = small.enrich(syscallEvent({ t, syscall: 'openat', pid: 14_999, ppid: 500, exe: '/bin/true' }));
    // 14999 ended, so this is a new process on that pid; its parent cron is still known (recently used).
    expect(last.process?.parent?.executable).to.equal('/usr/sbin/cron');
    expect(last.process?.entry_leader?.entry_meta?.type).to.equal('init');
  });

  it('a child that execs and exits before its parent\'s clone record arrives keeps one entity id', () => {
    // Seen live (CI): dash forks /bin/echo, which execs, prints and exits before dash's clone returns, so
    // the clone record (timestamped at syscall entry) comes after the child's exit_group.
    const e2 = new Enricher({ host: HOST });
    e2.enrich(syscallEvent({ t: T, syscall: 'execve', pid: 500, ppid: 400, exe: '/usr/bin/dash', args: ['sh', '-c', 'x'] }));
    const exec = e2.enrich(syscallEvent({ t: T + 5, syscall: 'execve', pid: 501, ppid: 500, exe: '/usr/bin/echo', args: ['/bin/echo', 'hi'] }));
    const exit = e2.enrich(syscallEvent({ t: T + 6, syscall: 'exit_group', pid: 501, ppid: 500, exe: '/usr/bin/echo', a0: '0' }));
    const clone = e2.enrich(syscallEvent({ t: T + 4, syscall: 'clone', pid: 500, ppid: 400, exe: '/usr/bin/dash', exit: 501, a0: '1200011' }));
    const fork = e2.takeDerived()![0]!;
    expect(clone.process?.pid).to.equal(500);
    expect(exit.process?.end).to.equal(new Date(T + 6).toISOString());
    expect([fork.event.action, fork.process?.pid]).to.deep.equal(['fork', 501]);
    expect(fork.process?.entity_id).to.equal(exec.process?.entity_id).and.equal(exit.process?.entity_id);
    expect(fork.process?.parent?.entity_id).to.equal(clone.process?.entity_id);
  });

  it('treats a changed ppid as re-parenting only when the new parent is init or an ancestor', () => {
    const e2 = new Enricher({ host: HOST });
    const ev = (t: number, pid: number, ppid: number, exe: string) => e2.enrich(syscallEvent({ t, syscall: 'execve', pid, ppid, exe, args: [exe] }));
    ev(T, 200, 100, '/bin/a');
    ev(T + 1, 300, 200, '/bin/b');
    ev(T + 2, 400, 300, '/bin/c');
    expect(ev(T + 3, 400, 1, '/bin/d').process?.entity_id).to.equal(entityId(HOST.id, 400, T + 2)); // orphaned -> init
    expect(ev(T + 4, 300, 100, '/bin/e').process?.entity_id).to.equal(entityId(HOST.id, 300, T + 1)); // subreaper ancestor
    expect(ev(T + 5, 300, 999, '/bin/f').process?.entity_id).to.equal(entityId(HOST.id, 300, T + 5)); // reused pid
  });
});
