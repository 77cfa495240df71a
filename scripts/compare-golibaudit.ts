// Live oracle: one audit log through our parse -> coalesce -> normalize and through go-libaudit's own
// `auparse -i -format json`, compared event by event at go-libaudit's level (our intermediate AuditEvent printed
// in go-libaudit's Event JSON shape, as the golden-file conformance does; the comparison code is
// shipper/src/normalize/conformance.ts's, so "equal" means the same thing here and in conformance.test.ts).
//
// Events are paired by (sequence, @timestamp). go-libaudit's reassembler sometimes splits an event ours keeps
// whole (it treats LOGIN as a single-record type, and its in-flight bound is 5); the extra pieces show up as
// events present on one side only. Lines starting with `node=` are rejected by go-libaudit's ParseLogLine, so
// their events are ours only. go runs with `-id=false`: uid -> name lookups would read this machine's
// /etc/passwd, which says nothing about a log captured elsewhere (pass --id to turn them on anyway).
//
// Run: npx tsx scripts/compare-golibaudit.ts AUDIT_LOG [--summary] [--max N] [--id] [--auparse PATH]
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildAuparse } from '../bench/auparse';
import { parseLine } from '../shipper/src/parse';
import type { AuditRecord } from '../shipper/src/parse/types';
import { applyNormalization } from '../shipper/src/normalize/apply-normalization';
import { buildAuditEvent, extractProcess } from '../shipper/src/normalize/audit-event';
import { coalesceAll, compare, formatReport, goLibauditJson, type CorpusReport } from '../shipper/src/normalize/conformance';

interface Side {
  key: string;
  doc: Record<string, unknown>;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

/** Our events at go-libaudit's level, in the order our coalescer emits them. */
export function oursAtGoLevel(text: string): { events: Side[]; unparsed: number } {
  const records: AuditRecord[] = [];
  let unparsed = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const r = parseLine(line);
    if (r.ok) records.push(r.record);
    else unparsed++;
  }
  const events: Side[] = [];
  for (const g of coalesceAll(records)) {
    const ev = buildAuditEvent(g.records);
    if (!ev) continue;
    applyNormalization(ev);
    extractProcess(ev);
    const doc = goLibauditJson(ev);
    events.push({ key: `${ev.sequence}@${Date.parse(String(doc['@timestamp']))}`, doc });
  }
  return { events, unparsed };
}

export function goEvents(auparse: string, file: string, idLookup: boolean): { events: Side[]; log: string } {
  const r = spawnSync(auparse, ['-i', `-id=${idLookup}`, '-format', 'json', '-in', file], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`auparse failed (${r.status}): ${r.stderr}`);
  const events = r.stdout
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => {
      const doc = JSON.parse(l) as Record<string, unknown>;
      return { key: `${String(doc.sequence)}@${Date.parse(String(doc['@timestamp']))}`, doc };
    });
  return { events, log: r.stderr };
}

/** Pairs by key (several events with one key pair up in order) and compares each pair. */
export function comparePaired(ours: Side[], theirs: Side[], corpus: string): CorpusReport {
  const report: CorpusReport = { corpus, events: 0, exactMatches: 0, fieldsCompared: 0, fieldsMatching: 0, differences: [] };
  const pending = new Map<string, Side[]>();
  for (const t of theirs) pending.set(t.key, [...(pending.get(t.key) ?? []), t]);
  for (const o of ours) {
    const list = pending.get(o.key);
    const t = list?.shift();
    if (list && list.length === 0) pending.delete(o.key);
    if (t) compare(o.key, o.doc, t.doc, new Set(), report);
    else {
      report.events++;
      report.differences.push({ event: o.key, field: '(event)', ours: 'event', theirs: undefined });
    }
  }
  for (const list of pending.values()) {
    for (const t of list) {
      report.events++;
      report.differences.push({ event: t.key, field: '(event)', ours: undefined, theirs: 'event' });
    }
  }
  return report;
}

function main(): void {
  const file = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !['--max', '--auparse'].includes(all[i - 1]));
  if (!file) {
    console.error('usage: npx tsx scripts/compare-golibaudit.ts AUDIT_LOG [--summary] [--max N] [--id] [--auparse PATH]');
    process.exit(2);
  }
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-oracle-'));
  try {
    const auparse = arg('--auparse') ?? buildAuparse(tmp);
    if (!auparse) process.exit(2);
    const ours = oursAtGoLevel(fs.readFileSync(file, 'utf8'));
    const go = goEvents(auparse, file, process.argv.includes('--id'));
    const report = comparePaired(ours.events, go.events, path.basename(file));
    const lines = formatReport(report).split('\n');
    const max = Number(arg('--max') ?? 200);
    console.log(lines[0]);
    console.log(`  ours: ${ours.events.length} events (${ours.unparsed} unparseable lines); go-libaudit: ${go.events.length} events`);
    if (!process.argv.includes('--summary')) {
      for (const l of lines.slice(1, 1 + max)) console.log(l);
      if (lines.length - 1 > max) console.log(`  ... ${lines.length - 1 - max} more (--max N)`);
    }
    // Which fields disagree most: the quickest way to see a systematic difference in a big capture.
    const byField = new Map<string, number>();
    for (const d of report.differences) byField.set(d.field, (byField.get(d.field) ?? 0) + 1);
    const top = [...byField].sort((a, b) => b[1] - a[1]).slice(0, 25);
    if (top.length) console.log('differences by field:\n' + top.map(([f, n]) => `  ${String(n).padStart(6)}  ${f}`).join('\n'));
    const goWarnings = go.log.split('\n').filter(Boolean);
    if (goWarnings.length) console.log(`go-libaudit stderr: ${goWarnings.length} lines, e.g. ${goWarnings.slice(0, 3).join(' | ')}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module) main();
