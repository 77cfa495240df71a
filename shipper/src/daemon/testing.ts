// Test helpers for the daemon: a realistic audit stream built from the public corpora (real records,
// rewritten serials and times), a writer process appending it, the ids it must produce, and the ids
// Elasticsearch actually holds. Used by the daemon tests and bench/outage.ts.
import type { Client } from '@elastic/elasticsearch';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { corpusPath } from '../../../test/corpora';
import type { ShipConfig } from '../config/types';
import { loadConfig, type FlagValue } from '../config';
import { Enricher, nodeFsReader, readHostInfo } from '../enrich';
import { eventId } from '../outputs/ids';
import { runLines } from '../pipeline';

const STAMP = /audit\((\d+)\.(\d+):(\d+)\)/;

/** Real events from the corpora that coalesce alone into exactly one clean event (EOE-terminated or one record). */
export function corpusTemplates(): string[][] {
  const files = [
    'auditbeat/testdata/sudo.log', 'auditbeat/testdata/setuid.log', 'auditbeat/testdata/passwd.log', 'auditbeat/testdata/userlogin.log',
    'go-libaudit/auparse/testdata/audit-ubuntu16.log', 'go-libaudit/auparse/testdata/audit-rhel6.log',
    // Multi-record events (SYSCALL, EXECVE, CWD, PATH, PROCTITLE, EOE): shells, forks, connects.
    'laurel/src/testdata/shell-proc-trace.txt', 'laurel/src/testdata/fork-sleep-exec.txt', 'laurel/src/testdata/proc-trace-dpkg-l.txt',
    'laurel/src/testdata/record-connect.txt', 'laurel/src/testdata/record-perl-reverse-shell.txt',
  ];
  const out: string[][] = [];
  for (const f of files) {
    const groups = new Map<string, string[]>();
    for (const line of fs.readFileSync(corpusPath(f), 'utf8').split('\n')) {
      const m = STAMP.exec(line);
      if (!m || line.startsWith('node=')) continue; // relayed records: another host's namespace
      const k = m[0];
      if (!groups.has(k)) groups.set(k, []);
      groups.get(k)!.push(line);
    }
    for (const g of groups.values()) {
      if (g.length > 1 && !g.at(-1)!.includes('type=EOE')) continue;
      const r = runLines(g);
      if (r.events.length === 1 && r.stats.parseErrors === 0 && r.stats.gaps === 0) out.push(g);
    }
  }
  if (out.length < 10) throw new Error(`only ${out.length} usable corpus events`);
  return out;
}

/**
 * `count` events cycling through the templates, serials from `firstSerial` on (contiguous: no gaps), one
 * millisecond apart from `baseMs`. Returns the text (newline-terminated lines).
 */
export function auditStream(count: number, opts: { firstSerial?: number; baseMs?: number } = {}): string {
  const t = corpusTemplates();
  const first = opts.firstSerial ?? 1000;
  const base = opts.baseMs ?? Date.UTC(2026, 0, 1);
  const parts: string[] = [];
  for (let i = 0; i < count; i++) {
    const ms = base + i;
    const stamp = `audit(${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}:${first + i})`;
    for (const l of t[i % t.length]) parts.push(l.replace(STAMP, stamp));
  }
  return parts.join('\n') + '\n';
}

/** The _ids the shipper must produce for a stream: the same pipeline and host enrichment, offline. */
export function expectedIds(text: string): Set<string> {
  const enricher = new Enricher({ host: readHostInfo(nodeFsReader()) });
  const { events } = runLines(text.split('\n'), { enricher });
  return new Set(events.map((e) => eventId(e)));
}

/**
 * A writer process appending `src` to `dst` at about `bytesPerSec`, in chunks that ignore line boundaries
 * (a reader must cope with half-written lines), like auditd's buffered writes.
 */
export function startWriter(src: string, dst: string, bytesPerSec: number): { proc: ChildProcess; done: Promise<number | null> } {
  const script = `
    const fs = require('fs');
    const [src, dst, rate] = process.argv.slice(-3);
    const data = fs.readFileSync(src);
    const fd = fs.openSync(dst, 'a');
    let off = 0;
    const per = Math.max(1, Math.ceil(Number(rate) / 20));
    const t = setInterval(() => {
      const n = Math.min(data.length - off, 1 + Math.floor(Math.random() * 2 * per));
      fs.writeSync(fd, data, off, n);
      off += n;
      if (off >= data.length) { clearInterval(t); fs.closeSync(fd); }
    }, 50);`;
  const proc = spawn(process.execPath, ['-e', script, src, dst, String(bytesPerSec)], { stdio: 'inherit' });
  const done = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, done };
}

/** Every _id in `index` (scroll; _id cannot be sorted on in 8.x). */
export async function idsIn(client: Client, index: string): Promise<string[]> {
  await client.indices.refresh({ index });
  const ids: string[] = [];
  let r = await client.search({ index, scroll: '1m', size: 5000, _source: false, sort: ['_doc'] });
  while (r.hits.hits.length) {
    for (const h of r.hits.hits) ids.push(h._id!);
    r = await client.scroll({ scroll_id: r._scroll_id!, scroll: '1m' });
  }
  if (r._scroll_id) await client.clearScroll({ scroll_id: r._scroll_id }).catch(() => undefined);
  return ids;
}

/**
 * What a test failure needs to say about documents that should not be there: their action, sequence, tags
 * and first raw record (an event split by the coalesce timeout, say, shows as a TAG_EVENT_PART tag).
 */
export async function describeUnexpected(client: Client, index: string, expected: Set<string>): Promise<string> {
  const extra = (await idsIn(client, index)).filter((id) => !expected.has(id)).slice(0, 10);
  if (!extra.length) return 'none';
  const r = await client.search<Record<string, any>>({ index, size: extra.length, query: { ids: { values: extra } } });
  return r.hits.hits
    .map((h) => JSON.stringify({ id: h._id, action: h._source?.event?.action, seq: h._source?.auditd?.sequence, tags: h._source?.tags, original: h._source?.event?.original?.[0]?.slice(0, 160) }))
    .join('\n');
}

export async function countIn(client: Client, index: string): Promise<number> {
  try {
    await client.indices.refresh({ index });
    return (await client.count({ index })).count;
  } catch {
    return -1; // unreachable (outage tests) or not there yet
  }
}

export function compareIds(expected: Set<string>, got: string[]): { missing: number; unexpected: number; duplicates: number } {
  const seen = new Set<string>();
  let duplicates = 0;
  let unexpected = 0;
  for (const id of got) {
    if (seen.has(id)) duplicates++;
    seen.add(id);
    if (!expected.has(id)) unexpected++;
  }
  let missing = 0;
  for (const id of expected) if (!seen.has(id)) missing++;
  return { missing, unexpected, duplicates };
}

export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string, everyMs = 200): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A config for tests: no file, no environment, the given keys (flag syntax: {'queue.policy': 'block'}). */
export function testConfig(values: Record<string, unknown>): ShipConfig {
  const flags: FlagValue[] = Object.entries({ 'logging.level': 'warn', 'kernel.lost_poll_interval_s': 0, ...values }).map(([key, value]) => ({ key, value, flag: key }));
  return loadConfig({ env: {}, flags }).config;
}
