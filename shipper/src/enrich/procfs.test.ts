// Seeding the process table from /proc: a fake tree with exact expectations, and this machine's real /proc.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { Enricher } from './enricher';
import { entityId } from './ids';
import { nodeFsReader, parseStat, procStartTimes, readBootTimeMs, readProcProcess } from './procfs';
import { fakeFs, syscallEvent } from './testing';

const BTIME = 1_714_550_000; // s
const HOST = { id: 'm-seed', name: 'web01' };
const ms = (ticks: number) => BTIME * 1000 + ticks * 10;

/** One /proc/PID directory: stat fields from proc(5), with flags, pgrp, session, tty_nr and starttime. */
function proc(pid: number, o: { comm: string; ppid: number; pgid: number; sid: number; tty?: number; start: number; exe?: string; argv?: string[]; cwd?: string; uid?: number; auid?: number; ses?: number; kthread?: boolean }) {
  const fields = ['S', o.ppid, o.pgid, o.sid, o.tty ?? 0, -1, o.kthread ? 0x00208040 : 0x00400100, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 1, 0, o.start, 1000, 100];
  const files: Record<string, string> = {
    [`/proc/${pid}/stat`]: `${pid} (${o.comm}) ${fields.join(' ')}\n`,
    [`/proc/${pid}/cmdline`]: o.argv ? `${o.argv.join('\0')}\0` : '',
    [`/proc/${pid}/status`]: `Name:\t${o.comm}\nUid:\t${o.uid ?? 0}\t${o.uid ?? 0}\t${o.uid ?? 0}\t${o.uid ?? 0}\n`,
    [`/proc/${pid}/loginuid`]: String(o.auid ?? 4294967295),
    [`/proc/${pid}/sessionid`]: String(o.ses ?? 4294967295),
  };
  const links: Record<string, string> = {};
  if (o.exe) links[`/proc/${pid}/exe`] = o.exe;
  if (o.cwd) links[`/proc/${pid}/cwd`] = o.cwd;
  return { files, links };
}

function fakeProc(extra: Array<ReturnType<typeof proc>> = []) {
  const parts = [
    ...extra,
    proc(1, { comm: 'systemd', ppid: 0, pgid: 1, sid: 1, start: 1, exe: '/usr/lib/systemd/systemd', argv: ['/sbin/init'] }),
    proc(2, { comm: 'kthreadd', ppid: 0, pgid: 0, sid: 0, start: 1, kthread: true }),
    proc(35, { comm: 'kworker/0:1', ppid: 2, pgid: 0, sid: 0, start: 5, kthread: true }),
    proc(800, { comm: 'sshd', ppid: 1, pgid: 800, sid: 800, start: 900, exe: '/usr/sbin/sshd', argv: ['sshd: /usr/sbin/sshd -D [listener]'] }),
    proc(1000, { comm: 'sshd', ppid: 800, pgid: 1000, sid: 1000, start: 50_000, exe: '/usr/sbin/sshd', argv: ['sshd: bob [priv]'], auid: 1000, ses: 5 }),
    proc(1010, { comm: 'sshd', ppid: 1000, pgid: 1000, sid: 1000, start: 50_010, exe: '/usr/sbin/sshd', argv: ['sshd: bob@pts/0'], uid: 1000, auid: 1000, ses: 5 }),
    proc(1011, { comm: 'bash', ppid: 1010, pgid: 1011, sid: 1011, tty: 34816, start: 50_020, exe: '/usr/bin/bash', argv: ['-bash'], cwd: '/home/bob', uid: 1000, auid: 1000, ses: 5 }),
    proc(1020, { comm: 'sleep (x) y', ppid: 1011, pgid: 1020, sid: 1011, tty: 34816, start: 60_000, exe: '/usr/bin/sleep', argv: ['sleep', '600'], uid: 1000, auid: 1000, ses: 5 }),
  ];
  const files: Record<string, string> = { '/proc/stat': `cpu  1 2 3\nbtime ${BTIME}\nprocesses 9\n` };
  const links: Record<string, string> = {};
  for (const p of parts) Object.assign(files, p.files) && Object.assign(links, p.links);
  return fakeFs(files, links);
}

describe('enrich: seeding from /proc', () => {
  it('parses stat lines whose comm has spaces and parentheses', () => {
    expect(parseStat('42 (a) b) (c) S 1 42 42 0')).to.deep.equal({ comm: 'a) b) (c', fields: ['S', '1', '42', '42', '0'] });
  });

  it('builds entries, ids, parents and leaders from a fake /proc tree', () => {
    const en = new Enricher({ host: HOST });
    expect(en.seedFromProc(fakeProc())).to.equal(6); // kernel threads skipped
    const bash = en.process(entityId(HOST.id, 1011, ms(50_020)))!;
    expect(bash).to.deep.include({ pid: 1011, ppid: 1010, origin: 'proc', tty: 'pts0', ses: '5', auid: '1000', uid: '1000' });
    expect(bash.image).to.deep.equal({ executable: '/usr/bin/bash', name: 'bash', args: ['-bash'], workingDirectory: '/home/bob' });
    expect(en.ancestors(bash.entityId).map((a) => a.pid)).to.deep.equal([1010, 1000, 800, 1]);

    // A new command typed into the seeded shell links to it, and inherits its session.
    const ev = en.enrich(syscallEvent({ t: ms(70_000), syscall: 'execve', pid: 1030, ppid: 1011, exe: '/usr/bin/id', args: ['id'], uid: '1000', ses: '5', auid: '1000', tty: 'pts0' }));
    expect(ev.process?.parent?.entity_id).to.equal(bash.entityId);
    expect(ev.process?.entry_leader).to.deep.include({ entity_id: bash.entityId, entry_meta: { type: 'sshd' } });
    expect(ev.process?.session_leader?.entity_id).to.equal(bash.entityId);
    expect(ev.process?.group_leader?.entity_id).to.equal(ev.process?.entity_id);

    // sleep: kernel pgid/sid win over inference.
    const sleep = en.enrich(syscallEvent({ t: ms(70_001), syscall: 'nanosleep', pid: 1020, ppid: 1011, exe: '/usr/bin/sleep', ses: '5', tty: 'pts0' }));
    expect(sleep.process).to.deep.include({ entity_id: entityId(HOST.id, 1020, ms(60_000)), start: new Date(ms(60_000)).toISOString(), args: ['sleep', '600'] });
    expect(sleep.process?.group_leader?.pid).to.equal(1020);
    expect(sleep.process?.session_leader?.pid).to.equal(1011);

    // The sshd listener is a daemon: its own entry leader, entered through init.
    const sshd = en.enrich(syscallEvent({ t: ms(70_002), syscall: 'accept', pid: 800, ppid: 1, exe: '/usr/sbin/sshd' }));
    expect(sshd.process?.entry_leader).to.deep.include({ pid: 800, entry_meta: { type: 'init' } });
  });

  it('keeps restored ids for processes still alive and replaces reused pids', () => {
    const before = new Enricher({ host: HOST });
    // Seen live before the restart: bash forked at ms(50_020) (the fork time is what /proc also says).
    before.enrich(syscallEvent({ t: ms(50_010), syscall: 'clone', pid: 1010, ppid: 1000, exe: '/usr/sbin/sshd', exit: 1011, a0: '1200011', ses: '5', auid: '1000' }));
    // pid 1020 used to be another process, started before the current sleep.
    before.enrich(syscallEvent({ t: ms(55_000), syscall: 'execve', pid: 1020, ppid: 1011, exe: '/usr/bin/vim', args: ['vim'], ses: '5', tty: 'pts0' }));
    const after = Enricher.restore(JSON.parse(JSON.stringify(before.snapshot())));
    after.seedFromProc(fakeProc());
    const e = (pid: number) => after.enrich(syscallEvent({ t: ms(80_000), syscall: 'getpid', pid, ppid: pid === 1011 ? 1010 : 1011, exe: '', ses: '5' })).process?.entity_id;
    expect(e(1011)).to.equal(entityId(HOST.id, 1011, ms(50_010))); // restored fork time kept
    expect(e(1020)).to.equal(entityId(HOST.id, 1020, ms(60_000))); // vim is gone, sleep is new
  });

  it('ends processes that exited unaudited (gone from /proc, or their pid reused), and forgets the leaves', () => {
    const en = new Enricher({ host: HOST });
    en.seedFromProc(fakeProc());
    // Exec-only rules: three commands run from bob's shell; none of their exits is audited.
    const run = (t: number, pid: number, exe: string) => en.enrich(syscallEvent({ t: ms(t), syscall: 'execve', pid, ppid: 1011, exe, args: [exe], ses: '5', tty: 'pts0' })).process!.entity_id!;
    const ls = run(70_000, 1030, '/usr/bin/ls');
    const id = run(70_100, 1031, '/usr/bin/id');
    const vim = run(70_200, 1040, '/usr/bin/vim');
    // /proc now: the seeded processes, and pid 1040 held by a later process (vim's pid reused).
    const reader = fakeProc([proc(1040, { comm: 'cron', ppid: 1, pgid: 1040, sid: 1040, start: 90_000, exe: '/usr/sbin/cron' })]);
    expect(en.endGoneFromProc(reader, { nowMs: ms(95_000) })).to.equal(3);
    for (const e of [ls, id, vim]) expect(en.process(e)?.endMs).to.equal(ms(95_000));
    const seeded: Array<[number, number]> = [[1, 1], [800, 900], [1000, 50_000], [1010, 50_010], [1011, 50_020], [1020, 60_000]];
    for (const [pid, start] of seeded) expect(en.process(entityId(HOST.id, pid, ms(start)))?.endMs, `pid ${pid}`).to.equal(undefined);
    // Ended leaves stay while records up to endedLeafMs (5 s) past the sweep may still come for them.
    en.enrich(syscallEvent({ t: ms(95_000) + 4_000, syscall: 'getpid', pid: 1011, ppid: 1010, exe: '/usr/bin/bash', ses: '5', tty: 'pts0' }));
    expect(en.endGoneFromProc(reader, { nowMs: ms(95_400) })).to.equal(0);
    for (const e of [ls, id, vim]) expect(en.process(e)).to.not.equal(undefined);
    // Then the next sweep lets them go; the shell (a parent) stays.
    en.enrich(syscallEvent({ t: ms(95_000) + 5_001, syscall: 'getpid', pid: 1011, ppid: 1010, exe: '/usr/bin/bash', ses: '5', tty: 'pts0' }));
    expect(en.endGoneFromProc(reader, { nowMs: ms(95_600) })).to.equal(0);
    for (const e of [ls, id, vim]) expect(en.process(e)).to.equal(undefined);
    expect(en.process(entityId(HOST.id, 1011, ms(50_020)))).to.not.equal(undefined);
  });

  it('tells from the real /proc when this process started, and that an exited one is gone', function () {
    if (!fs.existsSync('/proc/self/stat')) this.skip();
    const exited = spawnSync(process.execPath, ['-e', '0']).pid!;
    const reader = nodeFsReader();
    const startOf = procStartTimes(reader);
    expect(startOf(process.pid)).to.equal(readProcProcess(reader, process.pid, readBootTimeMs(reader)!)!.startMs);
    expect(startOf(process.pid)).to.be.within(Date.now() - 3_600_000, Date.now());
    expect(startOf(exited)).to.equal(undefined);
  });

  it('reads this very process from the real /proc', function () {
    if (!fs.existsSync('/proc/self/stat')) this.skip();
    const reader = nodeFsReader();
    const boot = readBootTimeMs(reader)!;
    const me = readProcProcess(reader, process.pid, boot)!;
    expect(me.pid).to.equal(process.pid);
    expect(me.ppid).to.equal(process.ppid);
    expect(me.executable).to.equal(fs.realpathSync(process.execPath));
    expect(me.args).to.deep.equal(fs.readFileSync(`/proc/${process.pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0'));
    expect(me.args?.some((a) => a.includes('mocha'))).to.equal(true);
    expect(me.cwd).to.equal(process.cwd());
    expect(Math.abs(me.startMs - (Date.now() - process.uptime() * 1000))).to.be.below(3000);

    const en = new Enricher({ host: { id: 'this-machine', name: 'this-machine' } });
    expect(en.seedFromProc(reader)).to.be.greaterThan(0);
    const mine = en.process(entityId('this-machine', process.pid, me.startMs))!;
    expect(mine.image.executable).to.equal(me.executable);
    expect(mine.ppid).to.equal(process.ppid);
  });
});
