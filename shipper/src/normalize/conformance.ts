// Conformance of the normalize stage against two public oracles (read from the shared corpora at run time):
//  1. go-libaudit aucoalesce/testdata/*.yaml -> *.json.golden. Compared at go-libaudit's own level: our
//     intermediate AuditEvent is printed in go-libaudit's Event JSON shape (goLibauditJson) and compared
//     with the golden. This checks interpretation + coalescing + the normalization vocabulary without
//     re-implementing Auditbeat's ECS mapping on the oracle side.
//  2. Auditbeat auditbeat/testdata/*.log -> *.log-expected.json: our real ECS output (normalize()) against
//     Auditbeat's documents, with the golden test's fixed uid/gid table as the resolver.
// Comparison is per leaf field (arrays of objects by index). Fields only we emit by design (ADDITIONS) are not
// differences; every other field present on only one side, or with another value, is one.
import * as fs from 'node:fs';
import * as path from 'node:path';
import YAML from 'yaml';
import { corpusPath } from '../../../test/corpora';
import type { AuditRecord } from '../parse/types';
import { parseLine } from '../parse/parse';
import type { RecordGroup } from '../coalesce/types';
import { Coalescer } from '../coalesce';
import { applyNormalization } from './apply-normalization';
import { buildAuditEvent, extractProcess, type AuditEvent } from './audit-event';
import { auditEventType, recordTypeNumber } from './tables/event-type';
import { normalize } from './index';
import type { IdResolver } from './to-ecs';

export interface Difference {
  event: string;
  field: string;
  ours: unknown;
  theirs: unknown;
}

export interface CorpusReport {
  corpus: string;
  events: number;
  exactMatches: number;
  fieldsCompared: number;
  fieldsMatching: number;
  differences: Difference[];
}

/** Fields we add on purpose (DIFFERENCES.md); not counted when the oracle lacks them. */
export const ADDITIONS: ReadonlySet<string> = new Set([
  '@timestamp',
  'ecs.version',
  'event.module',
  'event.dataset',
  'host.name',
  'process.args_count',
  'process.exit_code',
  'auditd.warnings',
]);

type Flat = Map<string, unknown>;

function flatten(v: unknown, prefix: string, out: Flat): Flat {
  if (Array.isArray(v)) {
    if (v.length && v.every((x) => typeof x === 'object' && x !== null)) v.forEach((x, i) => flatten(x, `${prefix}.${i}`, out));
    else if (v.length) out.set(prefix, v);
  } else if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) flatten(x, prefix ? `${prefix}.${k}` : k, out);
  } else if (v !== undefined) {
    out.set(prefix, v);
  }
  return out;
}

/**
 * Equal as Elasticsearch indexes them: a keyword and a one-element array of it, a numeric string and the
 * number (ports), and related.user as a set (Auditbeat builds it from a Go map, so its order is random).
 */
function sameValue(field: string, a: unknown, b: unknown): boolean {
  if (field === 'related.user' && Array.isArray(a) && Array.isArray(b)) return [...a].sort().join('\0') === [...b].sort().join('\0');
  if (field === '@timestamp') return Date.parse(String(a)) === Date.parse(String(b)); // Go trims trailing zeros
  const norm = (x: unknown): unknown => (Array.isArray(x) && x.length === 1 ? x[0] : x);
  const x = norm(a);
  const y = norm(b);
  if (typeof x === 'number' || typeof y === 'number') return String(x) === String(y);
  return JSON.stringify(x) === JSON.stringify(y);
}

export function compare(name: string, ours: unknown, theirs: unknown, ignore: ReadonlySet<string>, report: CorpusReport): void {
  const o = flatten(ours, '', new Map());
  const t = flatten(theirs, '', new Map());
  let diffs = 0;
  for (const field of new Set([...o.keys(), ...t.keys()])) {
    if (ignore.has(field)) continue;
    if (!t.has(field) && ADDITIONS.has(field)) continue;
    report.fieldsCompared++;
    if (o.has(field) && t.has(field) && sameValue(field, o.get(field), t.get(field))) {
      report.fieldsMatching++;
      continue;
    }
    diffs++;
    report.differences.push({ event: name, field, ours: o.get(field), theirs: t.get(field) });
  }
  report.events++;
  if (diffs === 0) report.exactMatches++;
}

function parseLines(text: string): AuditRecord[] {
  const out: AuditRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const r = parseLine(line);
    if (r.ok) out.push(r.record);
  }
  return out;
}

/** The real coalescer over a whole file (record time as the clock, then flush). */
export function coalesceAll(records: AuditRecord[]): RecordGroup[] {
  const c = new Coalescer({ clock: 'record' });
  const out: RecordGroup[] = [];
  for (const r of records) out.push(...c.push(r));
  out.push(...c.flush());
  return out;
}

/** Our intermediate event in go-libaudit's Event JSON shape (aucoalesce.Event marshalled). */
export function goLibauditJson(ev: AuditEvent): Record<string, unknown> {
  const ent = (e: { id?: string; name?: string }) => ({ ...(e.name ? { name: e.name } : {}), ...(e.id ? { id: e.id } : {}) });
  const addr = (a: AuditEvent['source']) => a && { ip: a.ip, port: a.port, path: a.path };
  return {
    '@timestamp': new Date(ev.timestampMs).toISOString(),
    sequence: ev.sequence,
    category: auditEventType(recordTypeNumber(ev.type)),
    record_type: ev.type.toLowerCase(),
    result: ev.result,
    session: ev.session,
    tags: ev.tags,
    summary: ev.summary,
    user: { ids: Object.fromEntries(ev.ids), selinux: ev.selinux },
    process: { ...ev.process, args: ev.process.args?.length ? ev.process.args : undefined },
    file: ev.file,
    source: addr(ev.source),
    destination: addr(ev.destination),
    network: ev.direction && { direction: ev.direction },
    data: Object.fromEntries(ev.data),
    paths: ev.paths,
    ecs: {
      event: { kind: ev.ecs.kind, category: ev.ecs.category, type: ev.ecs.type, outcome: ev.ecs.outcome },
      user: { ...ent(ev.ecs.user), effective: ent(ev.ecs.effective), target: ent(ev.ecs.target), changes: ent(ev.ecs.changes) },
      group: ent(ev.ecs.group),
    },
  };
}

const GO_DIR = ['go-libaudit', 'aucoalesce', 'testdata'];

export function goLibauditConformance(): CorpusReport {
  const report: CorpusReport = { corpus: 'go-libaudit aucoalesce', events: 0, exactMatches: 0, fieldsCompared: 0, fieldsMatching: 0, differences: [] };
  const dir = corpusPath(...GO_DIR);
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.yaml')).sort()) {
    const tests = (YAML.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { tests: Record<string, string> }).tests;
    const golden = JSON.parse(fs.readFileSync(path.join(dir, f.replace(/\.yaml$/, '.json.golden')), 'utf8')) as Array<{
      test_name: string;
      event: unknown;
    }>;
    const byName = new Map(golden.map((g) => [g.test_name, g.event]));
    for (const [name, text] of Object.entries(tests)) {
      const ev = buildAuditEvent(parseLines(text));
      const label = `${f.replace(/\.yaml$/, '')}/${name}`;
      const theirs = byName.get(name);
      if (!ev || theirs === undefined) {
        report.events++;
        report.differences.push({ event: label, field: '(event)', ours: ev ? 'event' : undefined, theirs: theirs ? 'event' : undefined });
        continue;
      }
      applyNormalization(ev);
      extractProcess(ev);
      compare(label, goLibauditJson(ev), theirs, new Set(), report);
    }
  }
  return report;
}

/** The fixed identity table of Auditbeat's golden test (NOTES.md), plus root, which its goldens name too. */
export const AUDITBEAT_GOLDEN_IDS: IdResolver = (() => {
  const users = new Map([['0', 'root'], ['1000', 'vagrant'], ['1001', 'alice'], ['1002', 'oldbob'], ['1003', 'charlie'], ['1004', 'testuser'], ['9999', 'bob']]);
  const groups = new Map([['0', 'root'], ['1000', 'vagrant'], ['1001', 'alice'], ['1002', 'oldbob'], ['1003', 'charlie'], ['1004', 'testgroup'], ['9999', 'bob']]);
  const inverse = (m: Map<string, string>) => new Map([...m].map(([k, v]) => [v, k]));
  const userIds = inverse(users);
  const groupIds = inverse(groups);
  return {
    userName: (id) => users.get(id),
    groupName: (id) => groups.get(id),
    userId: (n) => userIds.get(n),
    groupId: (n) => groupIds.get(n),
  };
})();

export function auditbeatConformance(): CorpusReport {
  const report: CorpusReport = { corpus: 'auditbeat testdata', events: 0, exactMatches: 0, fieldsCompared: 0, fieldsMatching: 0, differences: [] };
  const dir = corpusPath('auditbeat', 'testdata');
  // The golden documents carry no @timestamp (it is not part of the beat event's Fields).
  const ignore = new Set(['@timestamp']);
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.log')).sort()) {
    const golden = JSON.parse(fs.readFileSync(path.join(dir, f + '-expected.json'), 'utf8')) as unknown[];
    // Our coalescer emits in serial order, Auditbeat's goldens follow the log: pair them by serial.
    const bySerial = new Map<number, RecordGroup>();
    for (const g of coalesceAll(parseLines(fs.readFileSync(path.join(dir, f), 'utf8')))) bySerial.set(g.serial, g);
    golden.forEach((doc, i) => {
      const serial = (doc as { auditd?: { sequence?: number } }).auditd?.sequence ?? -1;
      const g = bySerial.get(serial);
      bySerial.delete(serial);
      const ours = g && normalize(g, { resolver: AUDITBEAT_GOLDEN_IDS, includeWarnings: false });
      compare(`${f}#${i}`, ours, doc, ignore, report);
    });
    for (const g of bySerial.values()) compare(`${f}:${g.serial}`, normalize(g), undefined, ignore, report);
  }
  return report;
}

export function formatReport(r: CorpusReport): string {
  const lines = [
    `${r.corpus}: ${r.events} events, ${r.exactMatches} exact matches; ${r.fieldsMatching}/${r.fieldsCompared} fields agree, ${r.differences.length} differences`,
  ];
  for (const d of r.differences) lines.push(`  ${d.event}  ${d.field}: ours=${JSON.stringify(d.ours)} theirs=${JSON.stringify(d.theirs)}`);
  return lines.join('\n');
}
