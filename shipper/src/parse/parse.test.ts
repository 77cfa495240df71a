import { expect } from 'chai';
import { parseLine } from './parse';
import type { AuditRecord } from './types';
import { recordTypeName, recordTypeNumber } from './record-types';
import { ParseStats } from './stats';

function rec(line: string): AuditRecord {
  const r = parseLine(line, undefined, { encodings: true });
  if (!r.ok) throw new Error(`expected ok, got: ${r.error.error}`);
  return r.record;
}

describe('parse: parseLine', () => {
  it('reads the header: type, number, time, serial, node', () => {
    const r = rec('node=web-1 type=SYSCALL msg=audit(1490137971.011:50406): arch=c000003e syscall=42 success=yes');
    expect(r.type).to.equal('SYSCALL');
    expect(r.typeNumber).to.equal(1300);
    expect(r.timestampMs).to.equal(1490137971011);
    expect(r.timestampText).to.equal('1490137971.011');
    expect(r.serial).to.equal(50406);
    expect(r.node).to.equal('web-1');
    expect(Object.fromEntries(r.fields)).to.deep.equal({ arch: 'c000003e', syscall: '42', success: 'yes' });
    // A key named like an Object.prototype member is just a key.
    const p = rec('type=USER_CMD msg=audit(1.000:2): pid=1 __proto__=x constructor=y');
    expect([...p.fields]).to.deep.equal([['pid', '1'], ['__proto__', 'x'], ['constructor', 'y']]);
  });

  it('keeps UNKNOWN[n] as printed, with its number; unknown names parse without a number', () => {
    const u = rec('type=UNKNOWN[1336] msg=audit(1.000:1): uring_op=18');
    expect(u.type).to.equal('UNKNOWN[1336]');
    expect(u.typeNumber).to.equal(1336);
    const c = rec('type=CKADDR msg=audit(1.000:2): saddr=0200');
    expect(c.type).to.equal('CKADDR');
    expect(c.typeNumber).to.equal(undefined);
    expect(recordTypeNumber('CWD')).to.equal(1307);
    expect(recordTypeName(1420)).to.equal('MAC_TASK_CONTEXTS');
    expect(recordTypeName(1999)).to.equal('UNKNOWN[1999]');
  });

  it('reads the kernel printk form (numeric type, no msg=)', () => {
    const r = rec('type=1400 audit(1524662933.080:61207): apparmor="DENIED" operation="ptrace"');
    expect(r.type).to.equal('AVC');
    expect(r.typeNumber).to.equal(1400);
    expect(r.fields.get('apparmor')).to.equal('DENIED');
  });

  it('decodes quoted, (null), and hex values only where audit hex-encodes', () => {
    const r = rec(
      'type=SYSCALL msg=audit(1.002:3): a0=1000 comm="sh" exe=2F746D702F6120622F78 key=(null) tty=(none) ses=4294967295',
    );
    expect(r.fields.get('a0')).to.equal('1000'); // SYSCALL a0 is a number that looks like hex: untouched
    expect(r.fields.get('comm')).to.equal('sh');
    expect(r.fields.get('exe')).to.equal('/tmp/a b/x');
    expect(r.fields.get('key')).to.equal('(null)');
    expect(r.fields.get('tty')).to.equal('(none)');
    expect(Object.fromEntries(r.encodings ?? [])).to.deep.equal({ comm: 'quoted', exe: 'hex', key: 'null' });
    // Without the option (the pipeline's call) the same values, and no encodings Map.
    const plain = parseLine('type=SYSCALL msg=audit(1.002:3): a0=1000 comm="sh" exe=2F746D702F6120622F78 key=(null) tty=(none) ses=4294967295');
    expect(plain.ok && plain.record.encodings).to.equal(undefined);
    expect(plain.ok && Object.fromEntries(plain.record.fields)).to.deep.equal(Object.fromEntries(r.fields));
  });

  it('decodes multi-key rule keys keeping the \\x01 separator, and cuts an unquoted value at a quote', () => {
    const r = rec('type=SYSCALL msg=audit(1.002:3): comm="grep" key=65786563013634626974"');
    expect(r.fields.get('key')).to.equal('exec\x0164bit');
  });

  it('flattens the nested msg of user-space records; kernel-written fields win over nested ones', () => {
    const r = rec(
      "type=USER_LOGIN msg=audit(1.000:9): pid=1 uid=0 auid=1000 ses=2 msg='op=login auid=0 acct=726F6F74 exe=\"/usr/sbin/sshd\" hostname=? addr=10.0.0.1 terminal=ssh res=failed'",
    );
    expect(r.fields.get('auid')).to.equal('1000');
    expect(r.fields.get('op')).to.equal('login');
    expect(r.fields.get('acct')).to.equal('root');
    expect(r.fields.get('exe')).to.equal('/usr/sbin/sshd');
    expect(r.fields.get('hostname')).to.equal('?');
    expect(r.fields.get('res')).to.equal('failed');
    expect(r.fields.has('msg')).to.equal(false);
  });

  it('later duplicates win inside one level (exe=? exe="/usr/sbin/sshd")', () => {
    const r = rec("type=USER_LOGOUT msg=audit(1.000:424): pid=1298 uid=0 msg='op=login id=1000 exe=? exe=\"/usr/sbin/sshd\" res=success'");
    expect(r.fields.get('exe')).to.equal('/usr/sbin/sshd');
    expect(r.encodings?.get('exe')).to.equal('quoted');
  });

  it('normalizes SELinux AVC text, old LOGIN and old PAM layouts like go-libaudit', () => {
    const avc = rec('type=AVC msg=audit(1.000:1): avc:  denied  { read write } for  pid=1494 comm="x"');
    expect(avc.fields.get('seresult')).to.equal('denied');
    expect(avc.fields.get('seperms')).to.equal('read,write');
    expect(avc.fields.get('pid')).to.equal('1494');
    const login = rec('type=LOGIN msg=audit(1.000:2): login pid=26125 uid=0 old auid=4294967295 new auid=0 old ses=4294967295 new ses=1172');
    expect(Object.fromEntries(login.fields)).to.include({ old_auid: '4294967295', new_auid: '0', old_ses: '4294967295', new_ses: '1172' });
    const pam = rec(
      "type=USER_END msg=audit(1.000:3): user pid=13015 uid=0 msg='PAM: session close acct=root : exe=\"/usr/sbin/crond\" (hostname=?, addr=?, terminal=cron res=success)'",
    );
    expect(Object.fromEntries(pam.fields)).to.include({ acct: 'root', hostname: '?', addr: '?', terminal: 'cron', res: 'success' });
  });

  it('reads the ENRICHED part after \\x1d into enriched, braces kept', () => {
    const r = rec(
      'type=SOCKADDR msg=audit(1666825569.818:23260118): saddr=02000000000000000000000000000000\x1dSADDR={ saddr_fam=inet laddr=0.0.0.0 lport=0 } UID="root"',
    );
    expect(Object.fromEntries(r.fields)).to.deep.equal({ saddr: '02000000000000000000000000000000' });
    expect(r.enriched).to.deep.equal({ SADDR: '{ saddr_fam=inet laddr=0.0.0.0 lport=0 }', UID: 'root' });
  });

  it('reassembles split EXECVE arguments (aN_len, aN[i]) and decodes hex arguments', () => {
    const r = rec('type=EXECVE msg=audit(1.000:4): argc=3 a0="ls" a1=2D6C2061 a2_len=6 a2[0]=616263 a2[1]=646566');
    expect(Object.fromEntries(r.fields)).to.deep.equal({ argc: '3', a0: 'ls', a1: '-l a', a2_len: '6', a2: 'abcdef' });
    expect(Object.fromEntries(r.encodings ?? [])).to.deep.equal({ a0: 'quoted', a1: 'hex', a2: 'hex' });
  });

  it('decodes a UTF-8 character split across aN[i] pieces', () => {
    const r = rec('type=EXECVE msg=audit(1.000:5): argc=1 a0_len=2 a0[0]=C3 a0[1]=A9');
    expect(r.fields.get('a0')).to.equal('é');
  });

  it('decodes PROCTITLE into a spaced title and an argv', () => {
    const r = rec('type=PROCTITLE msg=audit(1708028025.033:10): proctitle=6E63002D6C002D70003535353535');
    expect(r.fields.get('proctitle')).to.equal('nc -l -p 55555');
    expect(r.argv).to.deep.equal(['nc', '-l', '-p', '55555']);
    const q = rec('type=PROCTITLE msg=audit(1.000:296): proctitle="(systemd)"');
    expect(q.fields.get('proctitle')).to.equal('(systemd)');
    expect(q.argv).to.equal(undefined);
  });

  it('TTY data is hex-decoded, a 00 data in another record type is not', () => {
    expect(rec('type=TTY msg=audit(1.000:6): data=6C730D').fields.get('data')).to.equal('ls\r');
    expect(rec('type=INTEGRITY_DATA msg=audit(1.000:7): data=00').fields.get('data')).to.equal('00');
  });

  it('strips CR/LF, keeps raw without them', () => {
    const r = rec('type=EOE msg=audit(1.000:8): \r\n');
    expect(r.raw).to.equal('type=EOE msg=audit(1.000:8): ');
    expect(r.fields.size).to.equal(0);
  });

  it('returns clear errors for malformed headers', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /empty line/],
      ['hello world', /does not start with type=/],
      ['type=UNKNOWN[1329] msg=?', /missing msg=audit\(/],
      ['type=SYSCALL msg=audit(abc:1): x=1', /invalid timestamp/],
      ['type=SYSCALL msg=audit(1.000:x): x=1', /invalid serial/],
      ['type=SYSCALL msg=audit(1.000:99999999999): x=1', /serial/],
      ['node=abc', /node= prefix/],
    ];
    for (const [line, re] of cases) {
      const r = parseLine(line, 'f.log:1');
      expect(r.ok, line).to.equal(false);
      if (!r.ok) {
        expect(r.error.error).to.match(re);
        expect(r.error.raw).to.equal(line);
        expect(r.error.source).to.equal('f.log:1');
      }
    }
  });

  it('rejects serials above uint32', () => {
    const r = parseLine('type=SYSCALL msg=audit(1.000:4294967296): x=1');
    expect(r.ok).to.equal(false);
    expect(rec('type=SYSCALL msg=audit(1.000:4294967295): x=1').serial).to.equal(4294967295);
  });

  it('ParseStats counts results by outcome, type and error', () => {
    const s = new ParseStats();
    s.count(parseLine('type=EOE msg=audit(1.000:1): '));
    s.count(parseLine('bad'));
    expect(s.toJSON()).to.deep.equal({
      lines: 2, ok: 1, failed: 1, errors: { 'line does not start with type= (or node=... type=)': 1 },
    });
    expect(s.types.get('EOE')).to.equal(1);
  });
});
