// coalesce against the public corpora: go-libaudit's reassembler testdata (same outcomes as its
// reassembler_test.go), audit-userspace's auparse_test.ref event walk, the 48 aucoalesce events
// (also interleaved), and laurel's traces.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { corpusPath } from '../../../test/corpora';
import { parseLine } from '../parse/parse';
import type { AuditRecord } from '../parse/types';
import { Coalescer } from './coalescer';
import type { CoalescerOptions } from './coalescer';
import type { RecordGroup } from './types';
import { compareSerial } from './sequence';

function parseAll(text: string): AuditRecord[] {
  return text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^(node=\S+ )?type=/.test(l))
    .map((l) => {
      const r = parseLine(l);
      if (!r.ok) throw new Error(`${r.error.error}: ${l}`);
      return r.record;
    });
}

function run(records: AuditRecord[], opts: CoalescerOptions): { groups: RecordGroup[]; c: Coalescer } {
  const c = new Coalescer(opts);
  const groups: RecordGroup[] = [];
  for (const r of records) groups.push(...c.push(r));
  groups.push(...c.flush());
  return { groups, c };
}

describe('coalesce: corpora', () => {
  describe("go-libaudit testdata, as reassembler_test.go (maxInFlight 5, timeout 2 s)", () => {
    const cases: Array<[string, number, Array<[number, number]>]> = [
      ['normal.log', 0, [[58, 2], [59, 5], [60, 5], [61, 4], [62, 1]]],
      ['lost_messages.log', 9, [[49, 2], [59, 5], [60, 5], [61, 4], [62, 1]]],
      ['out_of_order.log', 0, [[58, 2], [59, 5], [60, 5], [61, 4], [62, 1]]],
      ['rollover.log', 0, [[4294967294, 1], [4294967295, 1], [0, 1], [1, 1], [2, 1]]],
    ];
    for (const [file, dropped, events] of cases) {
      it(`${file}: ${events.length} events, ${dropped} lost`, () => {
        const records = parseAll(fs.readFileSync(corpusPath('go-libaudit', 'testdata', file), 'utf8'));
        const { groups, c } = run(records, { maxInFlight: 5, timeoutMs: 2000, clock: { nowMs: () => 0 } });
        expect(groups.map((g) => [g.serial, g.records.length])).to.deep.equal(events);
        for (const g of groups) expect(g.records.every((r) => r.serial === g.serial)).to.equal(true);
        expect(c.stats.missing).to.equal(dropped);
        expect(c.stats.gaps).to.equal(dropped > 0 ? 1 : 0);
        if (dropped > 0) expect(c.takeGaps()).to.deep.equal([{ node: undefined, after: 49, before: 59, missing: 9, timestampMs: 1492037291036 }]);
      });
    }
  });

  describe('audit-userspace auparse_test.ref: events and their record counts', () => {
    const ref = fs.readFileSync(corpusPath('audit-userspace', 'auparse', 'test', 'auparse_test.ref'), 'utf8');
    /** "event N has K records" counts of one "Starting Test N" section. */
    const section = (n: number) =>
      [...ref.slice(ref.indexOf(`Starting Test ${n},`), ref.indexOf(`Starting Test ${n + 1},`)).matchAll(/^event \d+ has (\d+) records/gm)].map(
        (m) => Number(m[1]),
      );
    const log = (name: string) => parseAll(fs.readFileSync(corpusPath('audit-userspace', 'auparse', 'test', name), 'utf8'));

    it('Test 4, test.log: 7 events (LOGIN+SYSCALL+PROCTITLE is one event, as auparse has it)', () => {
      const { groups } = run(log('test.log'), {});
      expect(groups.map((g) => g.records.length)).to.deep.equal(section(4));
      expect(section(4)).to.deep.equal([4, 1, 1, 3, 1, 1, 1]);
      expect(groups[3].records.map((r) => r.type)).to.deep.equal(['LOGIN', 'SYSCALL', 'PROCTITLE']);
      expect(groups[3].completedBy).to.equal('eoe');
    });

    it('Test 5, test.log then test2.log: 14 events', () => {
      const c = new Coalescer();
      const groups: RecordGroup[] = [];
      for (const name of ['test.log', 'test2.log']) {
        for (const r of log(name)) groups.push(...c.push(r));
        groups.push(...c.flush()); // one input file after the other, like auparse's file list
      }
      expect(groups.map((g) => g.records.length)).to.deep.equal(section(5));
      expect(groups).to.have.length(14);
    });

    it('Test 11, test4.log: the two LONG events (7 and 6 records)', () => {
      const { groups } = run(log('test4.log'), {});
      expect(groups.map((g) => g.records.length)).to.deep.equal(section(11));
      expect(section(11)).to.deep.equal([7, 6]);
    });
  });

  describe('go-libaudit aucoalesce testdata (48 named events)', () => {
    const dir = corpusPath('go-libaudit', 'aucoalesce', 'testdata');
    const events: Array<{ name: string; records: AuditRecord[] }> = [];
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.yaml'))) {
      const doc = parseYaml(fs.readFileSync(path.join(dir, f), 'utf8')) as { tests: Record<string, string> };
      for (const [name, text] of Object.entries(doc.tests)) events.push({ name: `${f} ${name}`, records: parseAll(text) });
    }
    const nonEoe = (rs: AuditRecord[]) => rs.filter((r) => r.type !== 'EOE');

    it('each event alone is exactly one group holding all its records but EOE', () => {
      expect(events).to.have.length(48);
      const how: Record<string, number> = {};
      for (const e of events) {
        const { groups } = run(e.records, {});
        expect(groups, e.name).to.have.length(1);
        expect(groups[0].records, e.name).to.deep.equal(nonEoe(e.records));
        how[groups[0].completedBy] = (how[groups[0].completedBy] ?? 0) + 1;
      }
      // 'flush': lone kernel records with no EOE in the sample (CONFIG_CHANGE, ANOM_ABEND, LOGIN, ...).
      expect(how).to.deep.equal({ eoe: 22, single: 19, flush: 7 });
    });

    it('all 48 interleaved record by record (one node) still give the same 48 groups', () => {
      const queues = events.map((e) => [...e.records]);
      const mixed: AuditRecord[] = [];
      while (queues.some((q) => q.length > 0)) for (const q of queues) if (q.length > 0) mixed.push(q.shift() as AuditRecord);
      const { groups } = run(mixed, { clock: { nowMs: () => 0 } });
      const byKey = new Map(groups.map((g) => [`${g.timestampText}:${g.serial}`, g.records]));
      expect(groups).to.have.length(48);
      for (const e of events) {
        const key = `${e.records[0].timestampText}:${e.records[0].serial}`;
        expect(byKey.get(key), e.name).to.deep.equal(nonEoe(e.records));
      }
      // Emitted in serial order, rollover-aware: 28860764 is more than 2^24 from the others, so it
      // sorts as the pre-wrap serial, first.
      const serials = groups.map((g) => g.serial);
      expect(serials).to.deep.equal([...serials].sort(compareSerial));
      expect(serials[0]).to.equal(28860764);
    });
  });

  describe('laurel traces', () => {
    const trace = (name: string) => parseAll(fs.readFileSync(corpusPath('laurel', 'src', 'testdata', name), 'utf8'));

    it('shell-proc-trace and its reordered variant give the same 9 events', () => {
      const a = run(trace('shell-proc-trace.txt'), { clock: 'record' }).groups;
      const b = run(trace('shell-proc-trace-reordered.txt'), { clock: 'record' }).groups;
      expect(a.map((g) => g.serial)).to.have.length(9);
      expect(b.map((g) => [g.serial, g.records.length])).to.deep.equal(a.map((g) => [g.serial, g.records.length]));
      expect(a.every((g) => g.completedBy === 'eoe')).to.equal(true);
    });

    it('a PROCTITLE written before its SYSCALL does not split the event (record-syscall-nullkey)', () => {
      const { groups, c } = run(trace('record-syscall-nullkey.txt'), {});
      expect(groups.map((g) => `${g.serial}:${g.records.map((r) => r.type).join('+')}`)).to.deep.equal([
        '102336:SYSCALL',
        '102337:SYSCALL',
        '225:PROCTITLE+PATH+SYSCALL',
      ]);
      expect(c.stats.resets).to.equal(1); // 102337 -> 225 with a later time: another boot, not a gap
      expect(c.stats.gaps).to.equal(0);
    });

    it('EOE-less trace (proc-trace-dpkg-l) completes on the record clock: 23 events', () => {
      const { groups, c } = run(trace('proc-trace-dpkg-l.txt'), { clock: 'record' });
      expect(groups).to.have.length(23);
      expect(c.stats).to.include({ timeout: 16, flush: 7, gaps: 0 });
      for (const g of groups) expect(new Set(g.records.map((r) => r.serial)).size).to.equal(1);
    });
  });
});
