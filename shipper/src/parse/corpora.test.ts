// parse against the public corpora (../shared/corpora): every real line, the go-libaudit goldens field
// by field, audit-userspace's auparse_test.ref, and real values from laurel, integrations and auditbeat.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { corporaDir, corpusPath } from '../../../test/corpora';
import { parseLine } from './parse';
import type { AuditRecord } from './types';
import { goView, notComparable } from './golden.testlib';
import { execveArgs } from './values';
import { decodeSockaddr } from './sockaddr';

function walk(dir: string): string[] {
  return fs.readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return fs.statSync(p).isDirectory() ? walk(p) : [p];
  });
}

function lines(file: string): string[] {
  const ls = fs.readFileSync(file, 'utf8').split('\n');
  if (ls[ls.length - 1] === '') ls.pop();
  return ls;
}

function records(...parts: string[]): AuditRecord[] {
  return lines(corpusPath(...parts))
    .filter((l) => /^(node=\S+ )?type=/.test(l))
    .map((l) => {
      const r = parseLine(l, undefined, { encodings: true });
      if (!r.ok) throw new Error(`${parts.join('/')}: ${r.error.error}: ${l}`);
      return r.record;
    });
}

const AUDIT_LINE = /^\s*(node=\S+ )?type=/;

describe('parse: corpora', () => {
  it('parses every audit line of every corpus log (.log, .txt, aucoalesce .yaml); only the 2 headerless lines fail', () => {
    const files = walk(corporaDir).filter((f) => /\.(log|txt|yaml)$/.test(f) && !/(NOTES|README|LICENSE|normalizations)/.test(f));
    let total = 0;
    const failures: string[] = [];
    const types = new Set<string>();
    for (const f of files) {
      lines(f).forEach((l, i) => {
        if (!AUDIT_LINE.test(l)) return;
        total++;
        const r = parseLine(l.trimStart(), `${path.relative(corporaDir, f)}:${i + 1}`);
        if (r.ok) types.add(r.record.type);
        else failures.push(`${r.error.source} ${r.error.raw}`);
      });
    }
    expect(files.length).to.equal(76);
    expect(total).to.equal(956); // 833 in .log/.txt + 123 in the aucoalesce .yaml
    expect(types.size).to.equal(60);
    // Both are a header-less record in the source itself (no audit(...) stamp).
    expect(failures).to.deep.equal([
      'go-libaudit/auparse/testdata/audit-rhel7.log:31 type=UNKNOWN[1329] msg=?',
      'integrations-auditd/test-auditd-raw.log:42 type=UNKNOWN[1329] msg=g\x05',
    ]);
  });

  it('matches go-libaudit auparse goldens field by field (7 files)', () => {
    const dir = corpusPath('go-libaudit', 'auparse', 'testdata');
    let recordsCompared = 0;
    let fieldsCompared = 0;
    let skipped = 0;
    const diffs: string[] = [];
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.log'))) {
      const golden = JSON.parse(fs.readFileSync(path.join(dir, f + '.golden'), 'utf8')) as Array<{
        record_type: string; sequence: number; '@timestamp': string; keys?: string[]; data?: Record<string, string>;
      } | null>;
      const ls = lines(path.join(dir, f));
      expect(ls.length, f).to.equal(golden.length);
      ls.forEach((l, i) => {
        const g = golden[i];
        const r = parseLine(l);
        // go-libaudit returns no message (null) exactly where we return an error.
        expect(r.ok, `${f}:${i + 1}`).to.equal(g !== null);
        if (!r.ok || g === null) return;
        recordsCompared++;
        expect(r.record.type.toLowerCase()).to.equal(g.record_type);
        expect(r.record.serial).to.equal(g.sequence);
        expect(r.record.timestampMs).to.equal(Date.parse(g['@timestamp']));
        const v = goView(r.record);
        expect(v.keys, `${f}:${i + 1} keys`).to.deep.equal(g.keys ?? []);
        const gd = g.data ?? {};
        for (const k of new Set([...Object.keys(gd), ...Object.keys(v.data)])) {
          if (notComparable(r.record.type, k, r.record.fields.get(k))) {
            skipped++;
            continue;
          }
          fieldsCompared++;
          if (gd[k] !== v.data[k]) diffs.push(`${f}:${i + 1} ${k}: golden ${gd[k]} ours ${v.data[k]}`);
        }
      });
    }
    expect(diffs).to.deep.equal([]);
    expect(recordsCompared).to.equal(83);
    expect(fieldsCompared).to.equal(975);
    // arch/syscall names, negative exit as errno names, SECCOMP sig names: tables of normalize.
    expect(skipped).to.equal(31);
  });

  describe("audit-userspace auparse_test.ref (field names in order, raw and decoded values)", () => {
    interface RefRecord { type: string; fields: Array<[string, string, string]> }
    /** Records of one "Starting Test N" section: `        key=raw (interpretation)` lines. */
    function refSection(n: number): RefRecord[] {
      const text = fs.readFileSync(corpusPath('audit-userspace', 'auparse', 'test', 'auparse_test.ref'), 'utf8');
      const start = text.indexOf(`Starting Test ${n},`);
      const end = text.indexOf(`Starting Test ${n + 1},`);
      const out: RefRecord[] = [];
      for (const l of text.slice(start, end).split('\n')) {
        const m = /^ {4}record \d+ of type \d+\((\w+)\)/.exec(l);
        if (m) out.push({ type: m[1], fields: [] });
        else if (l.startsWith('        ') && out.length > 0) {
          const s = l.slice(8);
          const eq = s.indexOf('=');
          const key = s.slice(0, eq);
          const rest = s.slice(eq + 1);
          const raw = rest.startsWith('"') ? rest.slice(0, rest.indexOf('"', 1) + 1) : rest.slice(0, rest.indexOf(' ('));
          if (key !== 'type') out[out.length - 1].fields.push([key, raw, rest.slice(raw.length + 2, -1)]);
        }
      }
      return out;
    }

    function compare(ref: RefRecord[], ours: AuditRecord[]): number {
      expect(ours.map((r) => r.type)).to.deep.equal(ref.map((r) => r.type));
      let n = 0;
      ref.forEach((rr, i) => {
        const o = ours[i];
        expect([...o.fields.keys()], `${rr.type} field names`).to.deep.equal(rr.fields.map((f) => f[0]));
        for (const [key, raw, interp] of rr.fields) {
          const enc = o.encodings?.get(key);
          // Decoded values equal auparse's interpretation; others are the raw text without quotes.
          const want = enc === 'hex' ? interp : raw.startsWith('"') ? raw.slice(1, -1) : raw;
          expect(o.fields.get(key), `${rr.type} ${key}`).to.equal(want);
          n++;
        }
      });
      return n;
    }

    it('test.log (Test 4): 12 records, 131 fields', () => {
      expect(compare(refSection(4), records('audit-userspace', 'auparse', 'test', 'test.log'))).to.equal(131);
    });

    it('test4.log, EXECVE argc=48 and argc=216 (Test 11): 13 records, every argument', () => {
      const ours = records('audit-userspace', 'auparse', 'test', 'test4.log');
      expect(compare(refSection(11), ours)).to.equal(390);
      const second = execveArgs(ours.filter((r) => r.serial === 27091));
      expect(second.argc).to.equal(216);
      expect(second.args).to.have.length(216);
      expect(second.complete).to.equal(true);
      expect(second.args[0]).to.equal('/usr/bin/m4');
      expect(second.args[215]).to.equal('configure.ac');
      // PROCTITLE (first 128 bytes of the command line) is a prefix of the same argv.
      const title = ours.find((r) => r.serial === 27091 && r.type === 'PROCTITLE') as AuditRecord;
      const argv = title.argv as string[];
      expect(argv.slice(0, -1)).to.deep.equal(second.args.slice(0, argv.length - 1));
    });
  });

  it('laurel: a long argument split over 3 EXECVE records (a1_len, a1[0..2]) joins back', () => {
    const rs = records('laurel', 'src', 'testdata', 'record-execve-long.txt');
    const ex = execveArgs(rs);
    expect(ex.argc).to.equal(2);
    expect(ex.complete).to.equal(true);
    expect(ex.args[0]).to.equal('/bin/echo');
    // The kernel's aN_len counts logged characters: 2 per byte for a hex-encoded argument.
    expect(Number(rs.find((r) => r.type === 'EXECVE')?.fields.get('a1_len'))).to.equal(16384);
    expect(ex.args[1]).to.have.length(8192);
    expect(ex.args[1]).to.match(/^baaa/);
    expect(rs[0].enriched).to.include({ ARCH: 'x86_64', SYSCALL: 'execve', AUID: 'user' });
  });

  it('integrations: oversized EXECVE, record 1 equals the pipeline process.args, a17 spans 2 records', () => {
    const rs = records('integrations-auditd', 'test-oversized-execve.log');
    const expected = JSON.parse(fs.readFileSync(corpusPath('integrations-auditd', 'test-oversized-execve.log-expected.json'), 'utf8'))
      .expected[0].process.args as string[];
    expect(expected).to.have.length(18);
    const first = Array.from({ length: 18 }, (_, i) => rs[0].fields.get(`a${i}`));
    expect(first.slice(0, 17)).to.deep.equal(expected.slice(0, 17));
    // The ingest pipeline leaves the a17[0] piece hex; we decode it.
    expect(first[17]).to.equal(Buffer.from(expected[17], 'hex').toString('utf8'));
    const ex = execveArgs(rs);
    expect(ex.args[17]).to.have.length(7067); // this synthetic file gives a17_len=7067 in bytes
    expect(ex.args[17].startsWith(first[17] ?? "\u0000")).to.equal(true);
    expect(ex.args[17]).to.contain('function f101(a,b) { return a+b }');
  });

  it('laurel: perl reverse shell argv, node= prefix, io_uring record', () => {
    const perl = records('laurel', 'src', 'testdata', 'record-perl-reverse-shell.txt');
    const ex = execveArgs(perl);
    expect(ex.args.slice(0, 2)).to.deep.equal(['perl', '-e']);
    expect(ex.args[2]).to.match(/^use Socket;\$i="10\.0\.0\.1";\$p=1234;socket\(S,PF_INET/);
    expect(perl.find((r) => r.type === 'PROCTITLE')?.argv?.slice(0, 2)).to.deep.equal(['perl', '-e']);
    const uring = records('laurel', 'src', 'testdata', 'record-uringop.txt')[0];
    expect(uring.type).to.equal('URINGOP');
    expect(uring.fields.get('uring_op')).to.equal('18');
    const nodes = records('integrations-auditd', 'test-auditd-enriched.log').map((r) => r.node);
    expect(nodes).to.deep.equal([undefined, undefined, undefined, 'praorem001']);
  });

  it('sockaddr of real records decodes to the right family, address and port', () => {
    const saddr = (...p: string[]) => records(...p).filter((r) => r.type === 'SOCKADDR').map((r) => decodeSockaddr(r.fields.get('saddr') ?? ''));
    const connect = saddr('laurel', 'src', 'testdata', 'record-connect.txt');
    expect(connect.map((s) => s.ok && [s.sockaddr.family, s.sockaddr.ip, s.sockaddr.port])).to.deep.equal([
      ['ipv4', '127.0.0.1', 11211],
      ['ipv6', '::1', 11211],
    ]);
    const [be] = saddr('laurel', 'src', 'testdata', 'record-bind-ipv4-bigendian.txt'); // ppc64 host
    expect(be.ok && be.sockaddr).to.include({ family: 'ipv4', ip: '0.0.0.0', port: 55555, bigEndian: true });
    const [nscd] = saddr('laurel', 'src', 'testdata', 'record-nscd.txt');
    expect(nscd.ok && nscd.sockaddr).to.include({ family: 'unix', path: '/var/run/nscd/socket' });
    const [nl] = saddr('laurel', 'src', 'testdata', 'record-service-start.txt');
    expect(nl.ok && nl.sockaddr).to.include({ family: 'netlink', netlinkPid: 0 });
    // The connect of the "two oracles" note in the corpora README: 169.254.169.254:80.
    const doc = parseYaml(fs.readFileSync(corpusPath('go-libaudit', 'aucoalesce', 'testdata', 'ubuntu-16.10-linux-4.8.0.yaml'), 'utf8'));
    const line = (doc.tests['connect syscall'] as string).split('\n').find((l) => l.includes('type=SOCKADDR')) as string;
    const r = parseLine(line);
    const s = r.ok ? decodeSockaddr(r.record.fields.get('saddr') ?? '') : undefined;
    expect(s?.ok && s.sockaddr).to.include({ family: 'ipv4', ip: '169.254.169.254', port: 80 });
  });

  it('auditbeat: every auditd.data value Auditbeat ships equals our field (bar arch/syscall names), process.title = proctitle', () => {
    const dir = corpusPath('auditbeat', 'testdata');
    let same = 0;
    let titles = 0;
    const diffs: string[] = [];
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('-expected.json'))) {
      for (const doc of JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Array<Record<string, any>>) {
        const original = doc.event?.original;
        const rs = (Array.isArray(original) ? original : [original]).filter(Boolean).map((l: string) => {
          const r = parseLine(l);
          if (!r.ok) throw new Error(`${f}: ${r.error.error}`);
          return r.record;
        });
        const union: Record<string, string> = Object.assign({}, ...rs.map((r) => Object.fromEntries(r.fields)));
        for (const [k, v] of Object.entries((doc.auditd?.data ?? {}) as Record<string, string>)) {
          if (union[k] === undefined || k === 'arch' || k === 'syscall') continue;
          if (union[k] === v) same++;
          else diffs.push(`${f} ${k}: ${v} vs ${union[k]}`);
        }
        if (doc.process?.title) {
          expect(rs.find((r) => r.type === 'PROCTITLE')?.fields.get('proctitle'), f).to.equal(doc.process.title);
          titles++;
        }
      }
    }
    expect(diffs).to.deep.equal([]);
    expect(same).to.equal(252);
    expect(titles).to.equal(4);
  });
});
