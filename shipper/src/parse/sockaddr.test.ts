import { expect } from 'chai';
import { decodeSockaddr, ipv6Text } from './sockaddr';

function ok(hex: string, opts?: { bigEndian?: boolean }) {
  const r = decodeSockaddr(hex, opts);
  if (!r.ok) throw new Error(r.error);
  return r.sockaddr;
}

describe('parse: decodeSockaddr', () => {
  it('inet: address and port (network order)', () => {
    expect(ok('02000050A9FEA9FE0000000000000000')).to.include({ family: 'ipv4', familyNumber: 2, ip: '169.254.169.254', port: 80 });
  });

  it('inet6: compressed address, port, flow info and scope id', () => {
    const sa = ok('0A0001BB0000000120010DB8000000000000000000000001' + '02000000');
    expect(sa).to.include({ family: 'ipv6', ip: '2001:db8::1', port: 443, flowInfo: 1, scopeId: 2 });
    expect(ok('0A000016000000000000000000000000000000000000000000000000').ip).to.equal('::');
  });

  it('IPv6 text: RFC 5952 (longest zero run, first on a tie, no single-group ::), IPv4-mapped as IPv4', () => {
    const b = (hex: string) => Buffer.from(hex, 'hex');
    expect(ipv6Text(b('20010db8000000010000000000000001'))).to.equal('2001:db8:0:1::1');
    expect(ipv6Text(b('20010db8000100000001000000000000'))).to.equal('2001:db8:1:0:1::');
    expect(ipv6Text(b('20010db8000000000001000000000001'))).to.equal('2001:db8::1:0:0:1');
    expect(ipv6Text(b('20010db8000100010001000100010001'))).to.equal('2001:db8:1:1:1:1:1:1');
    expect(ipv6Text(b('00000000000000000000ffffc0a80001'))).to.equal('192.168.0.1');
  });

  it('unix: path, unnamed, abstract (trailing padding dropped, inner NULs as @)', () => {
    expect(ok('01002F746D702F7800')).to.include({ family: 'unix', path: '/tmp/x' });
    expect(ok('0100')).to.include({ family: 'unix', path: '' });
    const abs = ok('0100' + '00' + Buffer.from('dbus-abc').toString('hex') + '0000');
    expect(abs).to.include({ path: '@dbus-abc', abstract: true });
    expect(ok('0100' + '00' + Buffer.from('a\0b').toString('hex')).path).to.equal('@a@b');
  });

  it('netlink: port id and groups in host order', () => {
    expect(ok('10000000D2040000' + '01000000')).to.include({ family: 'netlink', netlinkPid: 1234, netlinkGroups: 1 });
    expect(ok('0010000000000000000004D2', { bigEndian: true })).to.include({ netlinkPid: 0, netlinkGroups: 1234 });
  });

  it('big-endian hosts: guessed from the family bytes, or given', () => {
    expect(ok('0002D903000000000000000000000000')).to.include({ family: 'ipv4', port: 55555, ip: '0.0.0.0', bigEndian: true });
    expect(ok('0002D9037F000001', { bigEndian: true }).ip).to.equal('127.0.0.1');
  });

  it('other families keep their number; malformed input gives an error, never throws', () => {
    expect(ok('1100000000000000')).to.include({ family: '17', familyNumber: 17 });
    expect(ok('00000000000000000000000000000000')).to.include({ family: '0' });
    for (const bad of ['', '02', '020', 'zz00', '0200', '0A000016']) {
      const r = decodeSockaddr(bad);
      expect(r.ok, bad).to.equal(false);
      if (!r.ok) expect(r.error).to.match(/saddr/);
    }
  });
});
