import { expect } from 'chai';
import type { AuditRecord } from '../parse/types';
import { parseLine } from '../parse/parse';
import type { RecordGroup } from '../coalesce/types';
import { normalize, TAG_INCOMPLETE } from './index';
import { Coalescer } from '../coalesce';
import { usableFieldName } from './to-ecs';

function rec(line: string): AuditRecord {
  const r = parseLine(line);
  if (!r.ok) throw new Error(r.error.error);
  return r.record;
}

function group(lines: string[], completedBy: RecordGroup['completedBy'] = 'eoe'): RecordGroup {
  const records = lines.map(rec);
  const f = records[0];
  return { node: f.node, timestampMs: f.timestampMs, timestampText: f.timestampText, serial: f.serial, records, completedBy };
}

const CONNECT = [
  'type=SYSCALL msg=audit(1492753107.096:9004): arch=c000003e syscall=42 success=no exit=-115 a0=5 a1=7ffc12ac3ab0 a2=10 a3=4 items=0 ppid=1 pid=1648 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="google_ip_forwa" exe="/usr/bin/python3.5" key="net"',
  'type=SOCKADDR msg=audit(1492753107.096:9004): saddr=02000050A9FEA9FE0000000000000000',
  'type=PROCTITLE msg=audit(1492753107.096:9004): proctitle=2F7573722F62696E2F707974686F6E33002F7573722F62696E2F676F6F676C655F69705F666F7277617264696E675F6461656D6F6E',
  'type=EOE msg=audit(1492753107.096:9004):',
];

describe('normalize', () => {
  it('maps a failed connect to the Auditbeat shape', () => {
    const e = normalize(group(CONNECT));
    expect(e.event).to.include({ kind: 'event', action: 'connected-to', outcome: 'failure', module: 'auditd' });
    expect(e.event.category).to.deep.equal(['network']);
    expect(e.event.type).to.deep.equal(['connection', 'start']);
    expect(e.destination).to.deep.equal({ ip: '169.254.169.254', port: 80 });
    expect(e.network).to.deep.equal({ direction: 'egress' });
    expect(e.auditd?.data).to.deep.include({ syscall: 'connect', arch: 'x86_64', exit: 'EINPROGRESS' });
    expect(e.auditd?.data?.socket).to.deep.equal({ family: 'ipv4', addr: '169.254.169.254', port: '80' });
    expect(e.auditd?.summary).to.deep.equal({
      actor: { primary: 'unset', secondary: '0' },
      object: { primary: '169.254.169.254', secondary: '80', type: 'socket' },
      how: 'google_ip_forwa', // python interpreter: comm names the script
    });
    expect(e.tags).to.deep.equal(['net']);
    expect(e.process).to.deep.include({ pid: 1648, name: 'google_ip_forwa', title: '/usr/bin/python3 /usr/bin/google_ip_forwarding_daemon' });
    expect(e.process?.parent).to.deep.equal({ pid: 1 });
    expect(e.user).to.include({ id: '0' });
    expect(e.user?.audit).to.equal(undefined); // auid unset
    expect(e.event.original).to.deep.equal(CONNECT);
    expect(e['@timestamp']).to.equal('2017-04-21T05:38:27.096Z');
  });

  it('takes names from ENRICHED values, host.name from node=, and args from EXECVE', () => {
    const GS = '\x1d';
    const e = normalize(
      group([
        `node=web-1 type=SYSCALL msg=audit(1700000000.123:77): arch=c00000b7 syscall=221 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=10 pid=11 auid=1000 uid=1000 gid=1000 euid=0 suid=0 fsuid=0 egid=1000 sgid=1000 fsgid=1000 tty=pts0 ses=3 comm="sudo" exe="/usr/bin/sudo" key=(null)${GS}ARCH=aarch64 SYSCALL=execve AUID="alice" UID="alice" GID="alice" EUID="root" SUID="root" FSUID="root" EGID="alice" SGID="alice" FSGID="alice"`,
        'node=web-1 type=EXECVE msg=audit(1700000000.123:77): argc=3 a0="sudo" a1="-u" a2="bob"',
        `node=web-1 type=PATH msg=audit(1700000000.123:77): item=0 name="/usr/bin/sudo" inode=5 dev=08:01 mode=0104755 ouid=0 ogid=0 rdev=00:00 nametype=NORMAL${GS}OUID="root" OGID="root"`,
        'node=web-1 type=EOE msg=audit(1700000000.123:77):',
      ]),
    );
    expect(e.host).to.deep.equal({ name: 'web-1' });
    expect(e.event.action).to.equal('executed');
    expect(e.auditd?.data?.arch).to.equal('aarch64');
    expect(e.auditd?.data?.syscall).to.equal('execve');
    expect(e.user).to.deep.include({ id: '1000', name: 'alice' });
    expect(e.user?.audit).to.deep.equal({ id: '1000', name: 'alice' });
    expect(e.user?.effective).to.deep.equal({ id: '0', name: 'root', group: { id: '1000', name: 'alice' } });
    expect(e.process).to.deep.include({ args: ['sudo', '-u', 'bob'], args_count: 3, executable: '/usr/bin/sudo' });
    expect(e.file).to.deep.include({ path: '/usr/bin/sudo', mode: '4755', uid: '0', owner: 'root', group: 'root' });
    expect(e.auditd?.summary?.actor).to.deep.equal({ primary: 'alice', secondary: 'alice' });
  });

  it('uses an injected resolver and reports exit_group status as process.exit_code', () => {
    const e = normalize(
      group([
        'type=SYSCALL msg=audit(1700000001.000:78): arch=c000003e syscall=231 a0=2 items=0 ppid=1 pid=99 auid=1001 uid=1001 gid=1001 euid=1001 suid=1001 fsuid=1001 egid=1001 sgid=1001 fsgid=1001 tty=(none) ses=5 comm="false" exe="/usr/bin/false" key=(null)',
      ]),
      { resolver: { userName: (id) => (id === '1001' ? 'carol' : undefined) } },
    );
    expect(e.user).to.deep.include({ id: '1001', name: 'carol' });
    expect(e.process?.exit_code).to.equal(2);
    expect(e.tags).to.equal(undefined);
  });

  it('never throws: odd groups still ship their raw lines with warnings', () => {
    const eoeOnly = normalize(group(['type=EOE msg=audit(1700000002.000:79):']));
    expect(eoeOnly.tags).to.include(TAG_INCOMPLETE);
    expect(eoeOnly.event.original).to.have.length(1);
    expect(eoeOnly.auditd?.warnings?.[0]).to.match(/no records/);

    const noSyscall = normalize(
      group(['type=CWD msg=audit(1700000003.000:80): cwd="/tmp"', 'type=PATH msg=audit(1700000003.000:80): item=0 name="x" mode=zz'], 'evicted'),
    );
    expect(noSyscall.auditd?.warnings).to.include('missing syscall message in compound event');
    expect(noSyscall.tags).to.include(TAG_INCOMPLETE);
    expect(noSyscall.event.original).to.have.length(2);

    const noArch = normalize(group(['type=SYSCALL msg=audit(1700000004.000:81): syscall=59 success=yes pid=1']));
    expect(noArch.auditd?.data?.syscall).to.equal('59');
    expect(noArch.auditd?.warnings?.join(' ')).to.match(/arch key not found/);

    const empty = normalize({ timestampMs: 0, timestampText: '0.000', serial: 1, records: [], completedBy: 'flush' });
    expect(empty.event.original).to.deep.equal([]);
  });

  it('eventOriginal: false leaves the raw records out, except where normalization was lossy', () => {
    const lines = [
      'type=SYSCALL msg=audit(1700000001.000:78): arch=c000003e syscall=231 a0=2 items=0 ppid=1 pid=99 auid=1001 uid=1001 gid=1001 euid=1001 suid=1001 fsuid=1001 egid=1001 sgid=1001 fsgid=1001 tty=(none) ses=5 comm="false" exe="/usr/bin/false" key=(null)',
    ];
    const kept = normalize(group(lines));
    const lean = normalize(group(lines), { eventOriginal: false });
    expect(kept.event.original).to.deep.equal(lines);
    expect(JSON.parse(JSON.stringify(lean)).event).to.not.have.property('original');
    // Everything else is the same document.
    expect(JSON.parse(JSON.stringify({ ...lean, event: { ...lean.event, original: lines } }))).to.deep.equal(JSON.parse(JSON.stringify(kept)));
    // Lossy: a dropped field name, an incomplete group, an EOE alone. Their raw text is the only full record.
    const dropped = `type=USER_CMD msg=audit(1700000000.100:7): pid=1 uid=0 auid=0 ses=1 msg='a..b=1 cmd=6C73 res=success'`;
    expect(normalize(group([dropped]), { eventOriginal: false }).event.original).to.deep.equal([dropped]);
    const partial = ['type=CWD msg=audit(1700000003.000:80): cwd="/tmp"'];
    expect(normalize(group(partial, 'evicted'), { eventOriginal: false }).event.original).to.deep.equal(partial);
    expect(normalize(group(['type=EOE msg=audit(1700000002.000:79):']), { eventOriginal: false }).event.original).to.have.length(1);
  });

  it('does not let hostile keys reach Object.prototype', () => {
    const e = normalize(group(['type=USER_CMD msg=audit(1700000005.000:82): pid=1 uid=0 auid=0 ses=1 msg=\'__proto__=x constructor=y cwd="/" cmd=6C73 res=success\'']));
    expect(({} as Record<string, unknown>).x).to.equal(undefined);
    expect(e.auditd?.data?.cmd).to.equal('ls');
  });
});

describe('normalize: field names an attacker shapes', () => {
  it('drops names Elasticsearch would reject the whole document for, with a warning, and keeps event.original', () => {
    const line = `type=USER_CMD msg=audit(1700000000.100:7): pid=1 uid=0 auid=0 ses=1 msg='a..b=1 .x=2 y.=3 cmd=6C73 res=success'`;
    const r = parseLine(line);
    if (!r.ok) throw new Error(r.error.error);
    const c = new Coalescer();
    const [group] = [...c.push(r.record), ...c.flush()];
    const ev = normalize(group);
    expect(ev.auditd?.data).to.deep.equal({ cmd: 'ls' });
    expect(ev.auditd?.warnings).to.have.length(3);
    expect(ev.event.original).to.deep.equal([line]);
    expect(usableFieldName('ok_name')).to.equal(true);
    for (const bad of ['', '  ', '.a', 'a.', 'a..b']) expect(usableFieldName(bad), bad).to.equal(false);
  });
});
