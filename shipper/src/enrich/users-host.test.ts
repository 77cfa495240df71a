// uid/gid name resolution (with refresh on change) and host facts, through injected fake filesystems.
import { expect } from 'chai';
import { Enricher } from './enricher';
import { applyHost, parseOsRelease, readHostInfo } from './host';
import { fakeFs, syscallEvent } from './testing';
import type { FsReader } from './types';
import { parseGroup, parsePasswd, UserResolver } from './users';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\n# comment\nbob:x:1000:1000:Bob,,,:/home/bob:/bin/bash\ntoor:x:0:0::/root:/bin/sh\n';
const GROUP = 'root:x:0:\nsudo:x:27:bob\nbob:x:1000:\n';

describe('enrich: users and groups', () => {
  it('parses passwd and group; the first entry for an id wins, as getpwuid() does', () => {
    expect([...parsePasswd(PASSWD)]).to.deep.equal([['0', 'root'], ['1000', 'bob']]);
    expect(parseGroup(GROUP).get('27')).to.equal('sudo');
  });

  it('re-reads /etc/passwd when its mtime changes, at most once per interval', () => {
    const files: Record<string, string> = { '/etc/passwd': PASSWD, '/etc/group': GROUP };
    const mtimes: Record<string, number> = { '/etc/passwd': 1, '/etc/group': 1 };
    let reads = 0;
    const base = fakeFs(files, {}, mtimes);
    const fs: FsReader = { ...base, readFile: (p) => (reads++, files[p]) };
    let now = 0;
    const r = new UserResolver(fs, { now: () => now, refreshIntervalMs: 1000 });
    expect(r.userName('1001')).to.equal(undefined);
    files['/etc/passwd'] += 'alice:x:1001:1001::/home/alice:/bin/bash\n';
    mtimes['/etc/passwd'] = 2;
    const readsBefore = reads;
    expect(r.userName('1001')).to.equal(undefined); // within the interval: no file access at all
    expect(reads).to.equal(readsBefore);
    now = 1500;
    expect(r.userName('1001')).to.equal('alice');
    expect(r.userName('1000')).to.equal('bob');
    expect(r.userName('4294967295')).to.equal(undefined);
  });

  it('fills names wherever normalize left only an id, but keeps names the record carried', () => {
    const en = new Enricher({ users: new UserResolver(fakeFs({ '/etc/passwd': PASSWD, '/etc/group': GROUP })) });
    const ev = syscallEvent({ t: 0, syscall: 'fchownat', pid: 5, ppid: 1, exe: '/usr/bin/chown', uid: '1000', euid: '0', auid: '1000' });
    ev.user!.group = { id: '1000' };
    ev.user!.audit = { id: '1000', name: 'bob-at-the-time' }; // ENRICHED AUID="..." wins
    ev.group = { id: '27' };
    ev.file = { path: '/tmp/x', uid: '1000', gid: '0' };
    en.enrich(ev);
    expect(ev.user).to.deep.include({ id: '1000', name: 'bob', group: { id: '1000', name: 'bob' } });
    expect(ev.user?.audit).to.deep.equal({ id: '1000', name: 'bob-at-the-time' });
    expect(ev.user?.effective).to.deep.equal({ id: '0', name: 'root' });
    expect(ev.group).to.deep.equal({ id: '27', name: 'sudo' });
    expect(ev.file).to.deep.include({ owner: 'bob', group: 'root' });
    expect(ev.process?.user).to.deep.equal({ id: '0', name: 'root' });
  });
});

describe('enrich: host facts', () => {
  const fs = fakeFs({
    '/etc/machine-id': '4c4c4544003510518034b2c04f4a3332\n',
    '/proc/sys/kernel/random/boot_id': 'a1b2c3d4-0000-4000-8000-000000000001\n',
    '/proc/sys/kernel/hostname': 'web01\n',
    '/proc/sys/kernel/osrelease': '6.8.0-31-generic\n',
    '/etc/os-release': 'PRETTY_NAME="Ubuntu 24.04 LTS"\nNAME="Ubuntu"\nVERSION_ID="24.04"\nID=ubuntu\nID_LIKE=debian\n',
  });

  it('reads machine-id, boot id, hostname, kernel and os-release once', () => {
    expect(readHostInfo(fs, { architecture: 'x86_64' })).to.deep.equal({
      id: '4c4c4544003510518034b2c04f4a3332',
      name: 'web01',
      hostname: 'web01',
      bootId: 'a1b2c3d4-0000-4000-8000-000000000001',
      architecture: 'x86_64',
      os: { type: 'linux', family: 'debian', name: 'Ubuntu', version: '24.04', kernel: '6.8.0-31-generic', platform: 'ubuntu' },
    });
    expect(parseOsRelease('NAME="Red Hat Enterprise Linux"\nID="rhel"\n')).to.deep.include({ NAME: 'Red Hat Enterprise Linux', ID: 'rhel' });
  });

  it('keeps host fields normalize already set', () => {
    const ev = syscallEvent({ t: 0, syscall: 'getpid', pid: 1, ppid: 0, exe: '/sbin/init' });
    ev.host = { name: 'web01', ip: ['10.0.0.5'] };
    applyHost(ev, readHostInfo(fs, { architecture: 'aarch64' }));
    expect(ev.host).to.deep.include({ id: '4c4c4544003510518034b2c04f4a3332', name: 'web01', ip: ['10.0.0.5'], architecture: 'aarch64', boot: { id: 'a1b2c3d4-0000-4000-8000-000000000001' } });
  });
});
