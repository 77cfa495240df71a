import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import * as zlib from 'node:zlib';
import { runLines } from '../pipeline/pipeline';
import { Enricher } from './enricher';
import { syscallEvent } from './testing';

// The first 0.4 s of a real capture of bench:ship's live workload: a C program fork+execs `/bin/true m1`
// 1000 times a second under auditd with shipper/rules/auditsight.rules (clone, execve, exit_group).
const CAPTURE = path.join(__dirname, 'testdata', 'exec-1000s.log.gz');
const HOST = { id: 'h', name: 'h' };

describe('enricher memory on a busy host', () => {
  const lines = zlib.gunzipSync(fs.readFileSync(CAPTURE)).toString('utf8').split('\n');

  it('drops ended children that never forked, and ships the same documents as when keeping them', () => {
    const keep = new Enricher({ host: HOST });
    const kept = runLines(lines, { enricher: keep }).events;
    const drop = new Enricher({ host: HOST, endedLeafMs: 50 });
    const dropped = runLines(lines, { enricher: drop }).events;

    const execs = kept.filter((e) => e.event.action === 'executed' && e.process?.args?.join(' ') === '/bin/true m1');
    expect(execs.length).to.be.greaterThan(390);
    // The real parent of every child is the workload, and all children ended (exit_group seen).
    const wl = kept.find((e) => e.event.action === 'executed' && e.process?.executable?.endsWith('/wl'))!;
    for (const e of execs) expect(e.process?.parent?.entity_id).to.equal(wl.process!.entity_id);
    expect(kept.filter((e) => e.event.action === 'end' && e.process?.name === 'true').length).to.be.greaterThan(390);

    // Same documents, byte for byte: the expiry changes what is held, never what is shipped.
    expect(dropped.length).to.equal(kept.length);
    expect(JSON.stringify(dropped)).to.equal(JSON.stringify(kept));
    // Held: every child without it, only those of the last 50 ms (~50 at 1000/s) with it.
    expect(keep.size).to.be.greaterThan(400);
    expect(drop.size).to.be.lessThan(100);
    expect(drop.process(wl.process!.entity_id!)?.image.executable).to.match(/\/wl$/); // the live parent stays
    const lastChild = execs.at(-1)!.process!.entity_id!;
    expect(drop.process(lastChild)?.endMs, 'ended within the grace: still known').to.be.a('number');
    expect(drop.process(execs[0].process!.entity_id!), 'ended long ago: gone').to.equal(undefined);
  });

  it('keeps an ended process that has children (their parent, leader and ancestry)', () => {
    const en = new Enricher({ host: HOST, endedLeafMs: 10 });
    const T = Date.UTC(2026, 0, 1);
    en.enrich(syscallEvent({ t: T, syscall: 'execve', pid: 100, ppid: 1, exe: '/usr/bin/daemonize', args: ['daemonize'] }));
    en.enrich(syscallEvent({ t: T + 1, syscall: 'clone', pid: 100, ppid: 1, exe: '/usr/bin/daemonize', exit: 101, a0: '1200011' }));
    en.enrich(syscallEvent({ t: T + 2, syscall: 'exit_group', pid: 100, ppid: 1, exe: '/usr/bin/daemonize', a0: '0' }));
    // Much later, other processes end (which runs the expiry); the orphan still names its real parent.
    for (let i = 0; i < 5; i++) {
      en.enrich(syscallEvent({ t: T + 1000 + i * 100, syscall: 'execve', pid: 200 + i, ppid: 1, exe: '/bin/true', args: ['true'] }));
      en.enrich(syscallEvent({ t: T + 1001 + i * 100, syscall: 'exit_group', pid: 200 + i, ppid: 1, exe: '/bin/true', a0: '0' }));
    }
    const child = en.enrich(syscallEvent({ t: T + 2000, syscall: 'execve', pid: 101, ppid: 100, exe: '/usr/sbin/mydaemon', args: ['mydaemon'] }));
    expect(child.process?.parent?.executable).to.equal('/usr/bin/daemonize');
    // init (the parent placeholder), daemonize and its child. Every /bin/true went once record time was
    // 10 ms past its end (the last one by this very event, not only when another process ends).
    expect(en.size).to.equal(3);
  });

  it('does not keep alive the input text that process names and arguments were cut from', () => {
    // Values parsed from a line are V8 slices of the chunk the input read. 40 long-lived processes, each
    // seen in its own 1 MB chunk: without owned copies, the table pinned all 40 MB.
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const en = new Enricher({ host: HOST });
    const T = Date.UTC(2026, 0, 1);
    const used = () => {
      gc();
      return v8.getHeapStatistics().used_heap_size;
    };
    const before = used();
    for (let i = 0; i < 40; i++) {
      const chunk = `${String(i).padStart(4, '0')}${'x'.repeat(1 << 20)}/usr/local/sbin/a-long-daemon-name --with-a-long-argument /srv/var/lib/data`;
      const tail = chunk.slice(1 << 20);
      const exe = tail.slice(4, 34);
      const args = [tail.slice(4, 34), tail.slice(35, 59)];
      en.enrich(syscallEvent({ t: T + i, syscall: 'execve', pid: 1000 + i, ppid: 1, exe, args, cwd: tail.slice(60) }));
    }
    const grown = used() - before;
    expect(en.size).to.be.at.least(40);
    expect(grown, `heap grew ${(grown / 1e6).toFixed(1)} MB`).to.be.lessThan(8e6);
  });
});
