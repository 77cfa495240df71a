// A Laurel process-tree trace through the real stages: parse -> coalesce -> normalize -> enrich. Guards the
// contract between normalize's output (pid, ppid, syscall names, exit, ses, tty) and what enrich reads.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { corpusPath } from '../../../test/corpora';
import type { EcsEvent } from '../../../common/ecs/event';
import { parseLine } from '../parse';
import { Coalescer } from '../coalesce';
import type { RecordGroup } from '../coalesce/types';
import { normalize } from '../normalize';
import { Enricher } from './enricher';
import { entityId } from './ids';

function pipeline(file: string): EcsEvent[] {
  return run(fs.readFileSync(corpusPath('laurel', 'src', 'testdata', file), 'utf8'));
}

function run(text: string): EcsEvent[] {
  const co = new Coalescer({ clock: 'record' });
  const groups: RecordGroup[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('type=')) continue;
    const r = parseLine(line);
    if (r.ok) groups.push(...co.push(r.record));
  }
  groups.push(...co.flush());
  return groups.map((g) => normalize(g));
}

describe('enrich: real pipeline on a Laurel trace', () => {
  it('shell-proc-trace: normalize output carries what enrich needs, and the tree comes out right', () => {
    const events = pipeline('shell-proc-trace.txt');
    const en = new Enricher({ host: { id: 'laurel-host', name: 'laurel-host' } });
    const out = events.map((e) => en.enrich(e));
    const clone = out.find((e) => e.auditd?.data?.syscall === 'clone')!;
    expect(clone.process).to.deep.include({ pid: 71432 });
    expect(clone.auditd?.data?.exit).to.equal('71505');

    const sed = out.find((e) => e.process?.executable === '/usr/bin/sed')!;
    expect(sed.event.action).to.equal('executed'); // go-libaudit's vocabulary is left alone
    expect(en.ancestors(sed.process!.entity_id!).map((a) => a.pid)).to.deep.equal([71506, 71505, 71432, 3505]);
    expect(sed.process?.parent?.entity_id).to.equal(entityId('laurel-host', 71506, Date.parse('2023-04-27T15:24:05.530Z')));
    expect(sed.process?.Ext?.ancestry).to.have.length(4);
    const bash = en.ancestors(sed.process!.entity_id!)[2];
    expect(sed.process?.entry_leader?.entity_id).to.equal(bash.entityId);
    expect(sed.process?.interactive).to.equal(true);
    expect(sed.process?.tty?.char_device).to.deep.equal({ major: 136, minor: 7 });

    // The script's process: forked by bash, exec kept the id, process.previous remembers bash.
    const script = out.find((e) => e.process?.args?.[1] === './src/testdata/double-fork/test-script.sh')!;
    expect(script.process?.entity_id).to.equal(entityId('laurel-host', 71505, Date.parse('2023-04-27T15:24:05.526Z')));
    expect(script.process?.previous?.[0]?.executable).to.equal('/usr/bin/bash');
  });

  it('an ssh login written as raw audit lines: LOGIN/USER_START/USER_LOGIN give the entry leader its meta', () => {
    let serial = 100;
    const t0 = 1714557600;
    const sys = (dt: number, nr: number, pid: number, ppid: number, exit: number, exe: string, o: { uid?: number; tty?: string; ses?: number; args?: string[]; cwd?: string } = {}) => {
      const ts = `${t0}.${String(dt).padStart(3, '0')}:${serial++}`;
      const uid = o.uid ?? 0;
      const head = `type=SYSCALL msg=audit(${ts}): arch=c000003e syscall=${nr} success=yes exit=${exit} a0=1200011 a1=0 a2=0 a3=0 items=0 ppid=${ppid} pid=${pid} auid=1000 uid=${uid} gid=${uid} euid=${uid} suid=${uid} fsuid=${uid} egid=${uid} sgid=${uid} fsgid=${uid} tty=${o.tty ?? '(none)'} ses=${o.ses ?? 5} comm="${exe.split('/').pop()}" exe="${exe}" key=(null)`;
      const lines = [head];
      if (o.args) lines.push(`type=EXECVE msg=audit(${ts}): argc=${o.args.length} ${o.args.map((a, i) => `a${i}="${a}"`).join(' ')}`);
      if (o.cwd) lines.push(`type=CWD msg=audit(${ts}): cwd="${o.cwd}"`);
      return [...lines, `type=EOE msg=audit(${ts}): `].join('\n');
    };
    const user = (dt: number, type: string, msg: string) => `type=${type} msg=audit(${t0}.${String(dt).padStart(3, '0')}:${serial++}): pid=1000 uid=0 auid=1000 ses=5 subj=unconfined msg='${msg}'`;
    const text = [
      `type=LOGIN msg=audit(${t0}.000:${serial++}): pid=1000 uid=0 subj=unconfined old-auid=4294967295 auid=1000 tty=(none) old-ses=4294967295 ses=5 res=1`,
      user(1, 'USER_START', 'op=PAM:session_open grantors=pam_loginuid acct="bob" exe="/usr/sbin/sshd" hostname=203.0.113.7 addr=203.0.113.7 terminal=ssh res=success'),
      sys(10, 56, 1000, 900, 1010, '/usr/sbin/sshd'),
      sys(20, 56, 1010, 1000, 1011, '/usr/sbin/sshd', { uid: 1000 }),
      sys(30, 59, 1011, 1010, 0, '/usr/bin/bash', { uid: 1000, tty: 'pts0', args: ['-bash'], cwd: '/home/bob' }),
      user(31, 'USER_LOGIN', 'op=login id=1000 exe="/usr/sbin/sshd" hostname=203.0.113.7 addr=203.0.113.7 terminal=/dev/pts/0 res=success'),
      sys(40, 56, 1011, 1010, 1020, '/usr/bin/bash', { uid: 1000, tty: 'pts0' }),
      sys(50, 59, 1020, 1011, 0, '/usr/bin/nc.traditional', { uid: 1000, tty: 'pts0', args: ['nc', '-l', '-p', '4444', '-e', '/bin/sh'], cwd: '/home/bob' }),
    ].join('\n');
    const en = new Enricher({ host: { id: 'web01-id', name: 'web01' } });
    const out = run(text).map((e) => en.enrich(e));
    const nc = out.find((e) => e.process?.executable === '/usr/bin/nc.traditional')!.process!;
    const bashId = entityId('web01-id', 1011, (t0 * 1000) + 20);
    expect(nc.entry_leader).to.deep.include({ entity_id: bashId, pid: 1011, executable: '/usr/bin/bash', entry_meta: { type: 'sshd', source: { ip: '203.0.113.7' } } });
    expect(nc.session_leader?.entity_id).to.equal(bashId);
    expect(nc.group_leader?.entity_id).to.equal(nc.entity_id);
    expect(nc.parent).to.deep.include({ entity_id: bashId, user: { id: '1000' } });
    expect(en.ancestors(nc.entity_id!).map((a) => a.pid)).to.deep.equal([1011, 1010, 1000, 900]);
    // sshd [priv] is not part of the session it opened, and its uid stays 0 despite LOGIN's user fields.
    const login = out[0].process!;
    expect(login.entry_leader).to.equal(undefined);
    expect(en.process(login.entity_id!)?.uid).to.equal('0');
  });
});
