import { expect } from 'chai';
import { Coalescer } from './coalescer';
import type { Clock, RecordGroup } from './types';
import { compareSerial, endOfEvent } from './sequence';
import { parseLine } from '../parse/parse';
import type { AuditRecord } from '../parse/types';

class FakeClock implements Clock {
  now = 1_000_000;
  nowMs(): number {
    return this.now;
  }
}

function r(line: string): AuditRecord {
  const p = parseLine(line);
  if (!p.ok) throw new Error(p.error.error);
  return p.record;
}

const sys = (serial: number, ts = '1.000', node?: string) =>
  r(`${node ? `node=${node} ` : ''}type=SYSCALL msg=audit(${ts}:${serial}): arch=c000003e syscall=59 success=yes`);
const cwd = (serial: number, ts = '1.000', node?: string) => r(`${node ? `node=${node} ` : ''}type=CWD msg=audit(${ts}:${serial}): cwd="/"`);
const eoe = (serial: number, ts = '1.000', node?: string) => r(`${node ? `node=${node} ` : ''}type=EOE msg=audit(${ts}:${serial}): `);
const proctitle = (serial: number, ts = '1.000') => r(`type=PROCTITLE msg=audit(${ts}:${serial}): proctitle="ls"`);
const userLogin = (serial: number, ts = '1.000') =>
  r(`type=USER_LOGIN msg=audit(${ts}:${serial}): pid=1 uid=0 auid=0 ses=1 msg='op=login acct="root" res=success'`);

const brief = (gs: RecordGroup[]) => gs.map((g) => `${g.serial}:${g.records.map((x) => x.type).join('+')}:${g.completedBy}`);

describe('coalesce: Coalescer', () => {
  it('groups by serial, EOE completes (EOE itself not kept), single-record types complete at once', () => {
    const c = new Coalescer({ clock: new FakeClock() });
    expect(c.push(sys(10))).to.deep.equal([]);
    expect(c.push(cwd(10))).to.deep.equal([]);
    expect(brief(c.push(eoe(10)))).to.deep.equal(['10:SYSCALL+CWD:eoe']);
    expect(brief(c.push(userLogin(11)))).to.deep.equal(['11:USER_LOGIN:single']);
    expect(c.inFlight).to.equal(0);
    expect(c.stats).to.include({ records: 4, groups: 2, eoe: 1, single: 1, gaps: 0 });
  });

  it('PROCTITLE (always last in a kernel event) completes; the EOE after it is counted, not grouped', () => {
    const c = new Coalescer({ clock: new FakeClock() });
    c.push(sys(5));
    expect(brief(c.push(proctitle(5)))).to.deep.equal(['5:SYSCALL+PROCTITLE:eoe']);
    expect(c.push(eoe(5))).to.deep.equal([]);
    expect(c.stats.eoeWithoutGroup).to.equal(1);
  });

  it('interleaved events come out whole and in serial order; a complete event waits for an earlier one', () => {
    const c = new Coalescer({ clock: new FakeClock() });
    c.push(sys(20));
    c.push(sys(21));
    c.push(cwd(20));
    expect(c.push(eoe(21))).to.deep.equal([]); // 21 done but 20 is older and still open
    expect(brief(c.push(eoe(20)))).to.deep.equal(['20:SYSCALL+CWD:eoe', '21:SYSCALL:eoe']);
  });

  it('out-of-order arrival is sorted by serial before emission', () => {
    const c = new Coalescer({ clock: new FakeClock() });
    c.push(sys(32));
    c.push(sys(30));
    c.push(sys(31));
    expect(brief(c.flush())).to.deep.equal(['30:SYSCALL:flush', '31:SYSCALL:flush', '32:SYSCALL:flush']);
    expect(c.stats.gaps).to.equal(0);
  });

  it('times out an event without EOE on the injected clock (default 2 s)', () => {
    const clock = new FakeClock();
    const c = new Coalescer({ clock });
    c.push(sys(40));
    clock.now += 1999;
    expect(c.tick()).to.deep.equal([]);
    clock.now += 1;
    expect(brief(c.tick())).to.deep.equal(['40:SYSCALL:timeout']);
    expect(c.stats.timeout).to.equal(1);
  });

  it("'record' clock: timeouts follow the log's own time (fast replays)", () => {
    const c = new Coalescer({ clock: 'record', timeoutMs: 2000 });
    c.push(sys(50, '100.000'));
    expect(c.push(sys(51, '101.999'))).to.deep.equal([]);
    expect(brief(c.push(sys(52, '102.000')))).to.deep.equal(['50:SYSCALL:timeout']);
  });

  it('bounds events in flight: the oldest is evicted incomplete, then whatever it unblocks', () => {
    const c = new Coalescer({ clock: new FakeClock(), maxInFlight: 3 });
    c.push(sys(60));
    c.push(sys(61));
    c.push(eoe(61));
    c.push(sys(62));
    expect(brief(c.push(sys(63)))).to.deep.equal(['60:SYSCALL:evicted', '61:SYSCALL:eoe']);
    expect(c.inFlight).to.equal(2);
    expect(c.stats.evicted).to.equal(1);
  });

  it('counts sequence gaps per node, with their bounds', () => {
    // reorderMs 0: gaps are reported as soon as the event after them is complete (see the reorder tests).
    const c = new Coalescer({ clock: new FakeClock(), reorderMs: 0 });
    for (const [s, node] of [[1, 'a'], [2, 'a'], [100, 'b'], [5, 'a'], [101, 'b'], [110, 'b']] as const) {
      c.push(r(`node=${node} type=USER_END msg=audit(1.000:${s}): pid=1 uid=0 msg='op=x res=success'`));
    }
    const gaps = c.takeGaps();
    expect(gaps.map((g) => [g.node, g.after, g.before, g.missing])).to.deep.equal([
      ['a', 2, 5, 2],
      ['b', 101, 110, 8],
    ]);
    expect(c.stats).to.include({ gaps: 2, missing: 10, late: 0 });
  });

  it('serial rollover (0xFFFFFFFF -> 0) is not a gap; a restart (reboot) is a reset; a straggler is late', () => {
    const seen: number[] = [];
    const c = new Coalescer({ clock: new FakeClock(), onGap: (g) => seen.push(g.missing), reorderMs: 0 });
    for (const s of [4294967294, 4294967295, 0, 1]) c.push(userLogin(s));
    expect(c.stats.gaps).to.equal(0);
    c.push(userLogin(40, '1000.000')); // gap 2..39
    expect(seen).to.deep.equal([38]);
    c.push(userLogin(7, '2000.000')); // behind, newer time: counter restarted
    expect(c.stats.resets).to.equal(1);
    c.push(userLogin(8, '2000.001'));
    c.push(userLogin(6, '1999.000')); // behind, older time: late
    expect(c.stats.late).to.equal(1);
    expect(seen).to.deep.equal([38]);
    expect(c.takeGaps()).to.deep.equal([]); // with onGap, nothing is kept
  });

  it('two single-record events that arrive out of serial order are a reordering, not a loss', () => {
    // Concurrent processes: the kernel stamps 1035 first, but queues 1036 first. Nothing else in flight.
    const clock = new FakeClock();
    const c = new Coalescer({ clock });
    expect(brief(c.push(userLogin(1034)))).to.deep.equal(['1034:USER_LOGIN:single']);
    expect(c.push(userLogin(1036))).to.deep.equal([]); // 1035 missing: held for the reorder window
    expect(brief(c.push(userLogin(1035)))).to.deep.equal(['1035:USER_LOGIN:single', '1036:USER_LOGIN:single']);
    expect(c.stats).to.include({ gaps: 0, missing: 0, late: 0 });
  });

  it('a real hole is reported once the reorder window (default 100 ms) has passed, and holds nothing longer', () => {
    const clock = new FakeClock();
    const c = new Coalescer({ clock });
    c.push(userLogin(1));
    expect(c.push(userLogin(5))).to.deep.equal([]);
    expect(c.push(userLogin(6))).to.deep.equal([]); // behind the held head, in order
    clock.now += 99;
    expect(c.tick()).to.deep.equal([]);
    clock.now += 1;
    expect(brief(c.tick())).to.deep.equal(['5:USER_LOGIN:single', '6:USER_LOGIN:single']);
    expect(c.takeGaps().map((g) => [g.after, g.before, g.missing])).to.deep.equal([[1, 5, 3]]);
    // A late 2 after the window is a straggler, as before.
    c.push(userLogin(2));
    expect(c.stats).to.include({ gaps: 1, late: 1 });
  });

  it('a later group with an already emitted serial and time is numbered as part 2, even after other events', () => {
    const c = new Coalescer({ clock: new FakeClock() });
    const svc = r(`type=SERVICE_START msg=audit(1.000:20): pid=1 uid=0 msg='unit=x res=success'`);
    expect(brief(c.push(svc))).to.deep.equal(['20:SERVICE_START:single']);
    expect(brief(c.push(userLogin(21)))).to.deep.equal(['21:USER_LOGIN:single']);
    c.push(sys(20)); // the sendto that carried the message, stamped with its serial
    const [late] = c.push(eoe(20));
    expect([late.serial, late.part, late.records.map((x) => x.type)]).to.deep.equal([20, 2, ['SYSCALL']]);
    expect(c.push(userLogin(22))[0].part).to.equal(undefined);
  });

  it('the in-flight bound releases a complete event held for the reorder window as complete, not evicted', () => {
    const c = new Coalescer({ clock: new FakeClock(), maxInFlight: 2 });
    c.push(userLogin(1));
    c.push(userLogin(5)); // held: 2..4 missing
    c.push(userLogin(6));
    const out = c.push(userLogin(7)); // 3 in flight > 2
    expect(brief(out)[0]).to.equal('5:USER_LOGIN:single');
    expect(c.stats.evicted).to.equal(0);
  });

  it('auditd DAEMON_* records (their own serials) are grouped but do not move the sequence', () => {
    const c = new Coalescer({ clock: new FakeClock() });
    c.push(userLogin(385));
    c.push(r('type=DAEMON_START msg=audit(1.000:7798): op=start ver=2.4.1 res=success'));
    c.push(userLogin(386));
    expect(c.stats).to.include({ groups: 3, gaps: 0, late: 0, resets: 0 });
  });

  it('flush keeps how complete events were completed and marks the rest', () => {
    const c = new Coalescer({ clock: new FakeClock() });
    c.push(sys(70));
    c.push(sys(71));
    c.push(eoe(71));
    expect(brief(c.flush())).to.deep.equal(['70:SYSCALL:flush', '71:SYSCALL:eoe']);
    expect(c.flush()).to.deep.equal([]);
  });

  it('two events in flight with one serial but different times (auditd restarted) stay apart', () => {
    const c = new Coalescer({ clock: new FakeClock() });
    expect(c.push(sys(5, '1.000'))).to.deep.equal([]);
    expect(c.push(sys(5, '9.000'))).to.deep.equal([]);
    c.push(cwd(5, '9.000'));
    c.push(cwd(5, '1.000'));
    const out = [...c.push(eoe(5, '1.000')), ...c.push(eoe(5, '9.000'))];
    expect(out.map((g) => `${g.timestampText}:${g.records.map((x) => x.type).join('+')}`)).to.have.members(['1.000:SYSCALL+CWD', '9.000:SYSCALL+CWD']);
    expect(c.inFlight).to.equal(0);
  });

  it('events in flight whose serials share an index slot (1024 apart) keep their own records', () => {
    const c = new Coalescer({ clock: new FakeClock(), reorderMs: 0 });
    for (const s of [100, 1124, 2148]) expect(c.push(sys(s))).to.deep.equal([]);
    c.push(cwd(1124));
    c.push(cwd(100));
    expect(brief(c.push(eoe(100)))).to.deep.equal(['100:SYSCALL+CWD:eoe']);
    // The slot is free again: a record of an event that overflowed is still found, a new event takes the slot.
    c.push(cwd(2148));
    expect(c.push(sys(3172))).to.deep.equal([]);
    expect(c.push(eoe(2148))).to.deep.equal([]); // complete, but 1124 is still ahead of it
    expect(brief(c.push(eoe(1124)))).to.deep.equal(['1124:SYSCALL+CWD:eoe', '2148:SYSCALL+CWD:eoe']);
    c.push(cwd(3172));
    expect(brief(c.push(eoe(3172)))).to.deep.equal(['3172:SYSCALL+CWD:eoe']);
    expect(c.inFlight).to.equal(0);
  });

  it("gives back the caller's tags of each group's records, EOE's too, and says when a record was dropped", () => {
    const c = new Coalescer({ clock: new FakeClock() });
    c.push(sys(1), 10);
    c.push(sys(2), 11);
    c.push(cwd(1), 12);
    expect(c.lastDropped).to.equal(false);
    const [g1] = c.push(eoe(1), 13);
    expect(g1.tags).to.deep.equal([10, 12, 13]);
    const [g2] = c.push(proctitle(2), 14);
    expect(g2.tags).to.deep.equal([11, 14]);
    expect(c.push(eoe(2), 15)).to.deep.equal([]);
    expect(c.lastDropped).to.equal(true);
  });

  it('endOfEvent follows audit-userspace audit_is_last_record', () => {
    expect(endOfEvent(1320)).to.equal('eoe'); // EOE
    expect(endOfEvent(1327)).to.equal('eoe'); // PROCTITLE
    for (const t of [1005, 1100, 1112, 1123, 1200, 2000, 2100, 2404, 1406, 1419]) expect(endOfEvent(t), String(t)).to.equal('single');
    for (const t of [1006, 1300, 1302, 1305, 1309, 1400, 1700, 1701, undefined]) expect(endOfEvent(t), String(t)).to.equal(undefined);
  });

  it('compareSerial sorts across the uint32 wrap like go-libaudit (TestSequenceNumSliceSort)', () => {
    const max = 4294967295;
    const seqs = [max - 5, max - 4, 0, 1, 2, max - 3, max - 2, max, 3, 4];
    expect(seqs.sort(compareSerial)).to.deep.equal([max - 5, max - 4, max - 3, max - 2, max, 0, 1, 2, 3, 4]);
  });
});
