import { expect } from 'chai';
import { constants } from 'node:os';
import { recordTypeNumber as parseRecordTypeNumber } from '../../parse/record-types';
import { archName } from './arch';
import { ERRNO_NAMES } from './errno.generated';
import { auditEventType, recordTypeNumber } from './event-type';
import { RECORD_TYPE_NAMES } from './record-types.generated';
import { SYSCALL_NAMES } from './syscalls.generated';

describe('normalize tables', () => {
  it('name syscalls per arch', () => {
    expect(SYSCALL_NAMES.x86_64[59]).to.equal('execve');
    expect(SYSCALL_NAMES.x86_64[42]).to.equal('connect');
    expect(SYSCALL_NAMES.aarch64[221]).to.equal('execve');
    expect(SYSCALL_NAMES.i386[11]).to.equal('execve');
    expect(SYSCALL_NAMES.arm[11]).to.equal('execve');
  });
  it('name arches like go-libaudit', () => {
    expect(archName('c000003e')).to.equal('x86_64');
    expect(archName('C00000B7')).to.equal('aarch64');
    expect(archName('40000003')).to.equal('i386');
    expect(archName('deadbeef')).to.equal('unknown[deadbeef]');
  });
  it('name errnos as the kernel does (agrees with Node for every errno Node knows)', () => {
    expect(ERRNO_NAMES[115]).to.equal('EINPROGRESS');
    for (const [name, n] of Object.entries(constants.errno)) {
      if (name === 'EWOULDBLOCK' || name === 'EDEADLOCK' || name === 'ENOTSUP') continue; // aliases
      expect(ERRNO_NAMES[n], name).to.equal(name);
    }
  });
  it('agree with the parse stage on record type numbers', () => {
    for (const [n, name] of Object.entries(RECORD_TYPE_NAMES)) {
      const p = parseRecordTypeNumber(name);
      if (p !== undefined) expect(p, name).to.equal(Number(n));
    }
    expect(recordTypeNumber('UNKNOWN[1329]')).to.equal(1329);
  });
  it('categorize record types like go-libaudit', () => {
    expect(auditEventType(recordTypeNumber('SYSCALL'))).to.equal('audit-rule');
    expect(auditEventType(recordTypeNumber('USER_LOGIN'))).to.equal('user-login');
    expect(auditEventType(recordTypeNumber('USER_ROLE_CHANGE'))).to.equal('mac');
    expect(auditEventType(recordTypeNumber('CONFIG_CHANGE'))).to.equal('configuration');
    expect(auditEventType(undefined)).to.equal('unknown');
  });
});
