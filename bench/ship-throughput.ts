// bench:ship part 1 (throughput): a large audit log shipped by the real daemon into Elasticsearch, against
// the ceiling of raw `_bulk` requests carrying the same documents. See bench/ship.ts for how to run it.
//
//  1. The log (generated from real corpus records, or --log FILE) is run through the pipeline offline with
//     the same host enrichment as the daemon: the documents (JSON, fixed event.ingested) and their _ids.
//  2. Ceiling: for each batch size x concurrency, the pre-built bodies (serialized before the clock starts)
//     are POSTed to `<target>/_bulk` with `create` ops into a fresh namespace; events/s from the first
//     request to the last response. The best trial is the ceiling.
//  3. Ours: the daemon, in this process, tails the log from its start with the production settings (or
//     --set), into a fresh namespace. Events/s from start() to the moment Elasticsearch has acknowledged
//     every expected event (the output's shipped + 409 counters; no refresh in the timed part).
//  Every run is then checked by _id: no missing, no unexpected, no duplicate documents.
import type { Client } from '@elastic/elasticsearch';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EsConnection } from '../common/es/client';
import { cpuSecondsOf, processTree } from '../common/proc-stats';
import { removeNamespace } from '../elastic-templates/src/fixtures';
import { setup } from '../elastic-templates/src/setup';
import { loadConfig, type FlagValue } from '../shipper/src/config';
import { Daemon } from '../shipper/src/daemon/daemon';
import { compareIds, idsIn } from '../shipper/src/daemon/testing';
import { Enricher, nodeFsReader, readHostInfo } from '../shipper/src/enrich';
import { eventId } from '../shipper/src/outputs/ids';
import { withIngested } from '../shipper/src/outputs/shipped';
import { createPipeline } from '../shipper/src/pipeline';
import { generateLog } from './gen-log';

export interface ShipBenchContext {
  client: Client;
  conn: EsConnection;
  /** Managed Elasticsearch: the launcher's pid (its JVM is a child); undefined for ELASTICSEARCH_URL. */
  esPid?: number;
  dir: string;
  log: (m: string) => void;
  aborted: () => boolean;
  /** --set key=value pairs (a tuned run). */
  tuned: Array<[string, string]>;
}

export interface ThroughputOptions {
  events: number;
  logFile?: string;
  /** Ceiling trials: events per bulk request x requests in flight. */
  ceiling: Array<{ batch: number; concurrency: number }>;
}

const mb = (bytes: number) => bytes / 1e6;
const f0 = (n: number) => Math.round(n).toLocaleString('en-US');

interface Docs {
  ids: string[];
  json: string[];
  bytes: number;
}

/** The documents the shipper will produce for `file`: same pipeline, same host enrichment, offline. */
function buildDocs(file: string): { docs: Docs; lines: number; ms: number; kinds: string } {
  const t0 = Date.now();
  const text = fs.readFileSync(file, 'utf8');
  const ingested = new Date().toISOString();
  const docs: Docs = { ids: [], json: [], bytes: 0 };
  const p = createPipeline({
    enricher: new Enricher({ host: readHostInfo(nodeFsReader()) }),
    coalesce: { clock: 'record' },
    onEvent: (ev) => {
      const j = JSON.stringify(withIngested(ev, ingested));
      docs.ids.push(eventId(ev));
      docs.json.push(j);
      docs.bytes += Buffer.byteLength(j);
    },
  });
  let lines = 0;
  for (let i = 0; i < text.length; ) {
    let j = text.indexOf('\n', i);
    if (j < 0) j = text.length;
    if (j > i) {
      p.push(text.slice(i, j));
      lines++;
    }
    i = j + 1;
  }
  p.flush();
  const st = p.stats;
  const other = docs.ids.length - st.groups - st.parseErrors - st.gaps;
  const kinds = `${f0(st.groups)} audit events, ${f0(st.parseErrors)} pipeline_error, ${f0(st.gaps)} gap, ${f0(other)} derived by enrichment (fork events)`;
  return { docs, lines, ms: Date.now() - t0, kinds };
}

interface TrialResult {
  batch: number;
  concurrency: number;
  ms: number;
  requests: number;
  retriedRequests: number;
  statuses: Record<string, number>;
  check: { missing: number; unexpected: number; duplicates: number; count: number };
  esCpuS?: number;
}

async function freshTarget(ctx: ShipBenchContext, prefix: string): Promise<{ ns: string; target: string }> {
  const ns = `${prefix}_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
  const rep = await setup(ctx.client, { namespace: ns });
  return { ns, target: rep.targets.events.name };
}

async function verify(ctx: ShipBenchContext, target: string, expected: Set<string>) {
  const ids = await idsIn(ctx.client, target);
  const res = { ...compareIds(expected, ids), count: ids.length };
  const odd = ids.filter((id) => !expected.has(id)).slice(0, 5);
  if (odd.length) {
    // Say what they are: the shipper made events the offline pipeline did not (e.g. split by a timeout).
    const r = await ctx.client.search({ index: target, size: odd.length, query: { ids: { values: odd } }, _source: ['event.kind', 'event.action', 'event.type', 'auditd.sequence', '@timestamp', 'tags', 'auditd.summary'] });
    for (const h of r.hits.hits) ctx.log(`unexpected document ${h._id}: ${JSON.stringify(h._source)}`);
  }
  return res;
}

const esCpu = (ctx: ShipBenchContext) => (ctx.esPid ? cpuSecondsOf(processTree(ctx.esPid)) : undefined);

/** POST pre-built bodies to `<target>/_bulk`, `concurrency` in flight; a batch with a 429/5xx item is sent again whole. */
async function rawBulk(ctx: ShipBenchContext, target: string, bodies: Buffer[], concurrency: number) {
  const statuses: Record<string, number> = {};
  let next = 0;
  let requests = 0;
  let retriedRequests = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= bodies.length || ctx.aborted()) return;
      for (let attempt = 0; ; attempt++) {
        requests++;
        const r = (await ctx.client.transport.request(
          { method: 'POST', path: `/${encodeURIComponent(target)}/_bulk`, querystring: { filter_path: 'errors,items.*.status,items.*.error.type' }, bulkBody: bodies[i]! },
          { maxRetries: 0, requestTimeout: 300_000 },
        )) as { errors: boolean; items: Array<Record<string, { status: number; error?: { type: string } }>> };
        const st = r.items.map((it) => Object.values(it)[0]!.status);
        const retry = st.some((s) => s === 429 || s >= 500);
        if (retry && attempt < 5) {
          retriedRequests++;
          await new Promise((res) => setTimeout(res, 250 * 2 ** attempt));
          continue;
        }
        for (const s of st) statuses[s] = (statuses[s] ?? 0) + 1;
        break;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { statuses, requests, retriedRequests };
}

function bodiesOf(docs: Docs, batch: number, from = 0, to = docs.ids.length): Buffer[] {
  const out: Buffer[] = [];
  for (let i = from; i < to; i += batch) {
    const parts: string[] = [];
    for (let k = i; k < Math.min(to, i + batch); k++) parts.push(`{"create":{"_id":"${docs.ids[k]}"}}\n${docs.json[k]}\n`);
    out.push(Buffer.from(parts.join(''), 'utf8'));
  }
  return out;
}

async function ceilingTrial(ctx: ShipBenchContext, docs: Docs, expected: Set<string>, batch: number, concurrency: number): Promise<TrialResult> {
  const { ns, target } = await freshTarget(ctx, 'bench_ship_raw');
  try {
    const bodies = bodiesOf(docs, batch);
    const cpu0 = esCpu(ctx);
    const t0 = performance.now();
    const r = await rawBulk(ctx, target, bodies, concurrency);
    const ms = performance.now() - t0;
    const cpu1 = esCpu(ctx);
    const check = await verify(ctx, target, expected);
    return { batch, concurrency, ms, ...r, check, esCpuS: cpu0 !== undefined && cpu1 !== undefined ? cpu1 - cpu0 : undefined };
  } finally {
    await removeNamespace(ctx.client, ns).catch((e) => ctx.log(`namespace ${ns} not removed: ${(e as Error).message}`));
  }
}

interface ShipperResult {
  ms: number;
  startMs: number;
  shipped: number;
  duplicates: number;
  retried: number;
  failedRequests: number;
  deadLettered: number;
  pipelineEvents: number;
  check: { missing: number; unexpected: number; duplicates: number; count: number };
  settingsText: string;
  selfCpuS: number;
  esCpuS?: number;
}

async function shipperRun(ctx: ShipBenchContext, file: string, expected: Set<string>): Promise<ShipperResult> {
  const { ns, target } = await freshTarget(ctx, 'bench_ship');
  const values: Array<[string, unknown]> = [
    ['input.type', 'tail'],
    ['input.path', file],
    ['input.from', 'start'],
    ['state_dir', path.join(ctx.dir, `state-${ns}`)],
    ['metrics.listen', 'off'],
    ['logging.level', 'warn'],
    // The log is synthetic (not this kernel's): polling the kernel's lost counter would only add noise.
    ['kernel.lost_poll_interval_s', 0],
    ['outputs.elasticsearch.url', ctx.conn.url],
    ['outputs.elasticsearch.namespace', ns],
  ];
  if (ctx.conn.apiKey) values.push(['outputs.elasticsearch.api_key', ctx.conn.apiKey]);
  if (ctx.conn.username) values.push(['outputs.elasticsearch.username', ctx.conn.username], ['outputs.elasticsearch.password', ctx.conn.password ?? '']);
  if (ctx.conn.caFile) values.push(['outputs.elasticsearch.ca', ctx.conn.caFile]);
  const flags: FlagValue[] = [...values, ...ctx.tuned].map(([key, value]) => ({ key, value, flag: ctx.tuned.some(([k]) => k === key) ? `--set ${key}` : key }));
  const { config, settings } = loadConfig({ env: {}, flags });
  const show = ['input.coalesce_timeout_ms', 'queue.fsync', 'queue.max_bytes', 'outputs.elasticsearch.batch.max_events', 'outputs.elasticsearch.batch.max_bytes', 'outputs.elasticsearch.flush_interval_ms', 'enrich.enabled'];
  const settingsText = show.map((k) => `${k}=${JSON.stringify(settings.get(k)?.value)}${settings.get(k)?.source === 'default' ? '' : ` (${settings.get(k)?.source})`}`).join(', ');
  const n = expected.size;
  const daemon = new Daemon({ config });
  try {
    const cpu0 = process.cpuUsage();
    const es0 = esCpu(ctx);
    const t0 = performance.now();
    await daemon.start();
    const startMs = performance.now() - t0;
    const done = () => daemon.metrics.total('elasticsearch', 'shipped') + daemon.metrics.total('elasticsearch', 'duplicates') + daemon.metrics.total('elasticsearch', 'deadLettered');
    let last = -1;
    let lastChange = performance.now();
    let lastLog = performance.now();
    while (done() < n) {
      if (ctx.aborted()) throw new Error('aborted');
      if (daemon.status === 'failed') throw new Error(`the shipper failed: ${JSON.stringify(daemon.health())}`);
      const d = done();
      if (d !== last) {
        last = d;
        lastChange = performance.now();
      } else if (performance.now() - lastChange > 180_000) {
        throw new Error(`no progress for 180 s at ${d}/${n} acknowledged (status ${daemon.status}, pipeline events ${daemon.pipeline?.stats.events})`);
      }
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        ctx.log(`shipper: ${f0(d)}/${f0(n)} acknowledged, ${f0((d * 1000) / (performance.now() - t0))} ev/s so far`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const es1 = esCpu(ctx);
    const m = daemon.metrics;
    const res = {
      ms,
      startMs,
      shipped: m.total('elasticsearch', 'shipped'),
      duplicates: m.total('elasticsearch', 'duplicates'),
      retried: m.total('elasticsearch', 'retried'),
      failedRequests: m.total('elasticsearch', 'failedRequests'),
      deadLettered: m.total('elasticsearch', 'deadLettered'),
      pipelineEvents: daemon.pipeline?.stats.events ?? 0,
      settingsText,
      selfCpuS: (cpu.user + cpu.system) / 1e6,
      esCpuS: es0 !== undefined && es1 !== undefined ? es1 - es0 : undefined,
    };
    await daemon.stop('bench done');
    return { ...res, check: await verify(ctx, target, expected) };
  } finally {
    await daemon.stop().catch(() => undefined);
    await removeNamespace(ctx.client, ns).catch((e) => ctx.log(`namespace ${ns} not removed: ${(e as Error).message}`));
  }
}

const exact = (c: { missing: number; unexpected: number; duplicates: number; count: number }) =>
  `${c.count} documents; missing ${c.missing}, unexpected ${c.unexpected}, duplicate ids ${c.duplicates}${c.missing || c.unexpected || c.duplicates ? '  <-- NOT EXACT' : ''}`;

/** Runs part 1 and prints its result; returns false when a count check failed. */
export async function runThroughput(ctx: ShipBenchContext, o: ThroughputOptions): Promise<boolean> {
  let file = o.logFile;
  let source = 'given with --log';
  if (!file) {
    file = path.join(ctx.dir, 'bench.log');
    const t = Date.now();
    generateLog(file, o.events);
    source = `generated from real corpus records in ${((Date.now() - t) / 1000).toFixed(1)} s`;
  }
  const logBytes = fs.statSync(file).size;
  ctx.log(`log ${file}: ${mb(logBytes).toFixed(1)} MB (${source}); building the documents offline`);
  const built = buildDocs(file);
  let docs: Docs | undefined = built.docs;
  const expected = new Set(docs.ids);
  const n = expected.size;
  const docBytes = docs.bytes;
  ctx.log(`${f0(docs.ids.length)} documents (${f0(n)} distinct ids), ${mb(docBytes).toFixed(1)} MB of JSON, from ${f0(built.lines)} lines in ${(built.ms / 1000).toFixed(1)} s`);
  if (n !== docs.ids.length) throw new Error(`the pipeline produced ${docs.ids.length} events but ${n} distinct ids`);

  // Warm Elasticsearch's JIT and caches so that the first measured trial is not penalized.
  {
    const { ns, target } = await freshTarget(ctx, 'bench_ship_warm');
    const w = Math.min(docs.ids.length, 20_000);
    await rawBulk(ctx, target, bodiesOf(docs, 2000, 0, w), 2);
    await removeNamespace(ctx.client, ns).catch(() => undefined);
    ctx.log(`Elasticsearch warmed up with ${f0(w)} documents (throwaway namespace)`);
  }

  const trials: TrialResult[] = [];
  for (const c of o.ceiling) {
    if (ctx.aborted()) throw new Error('aborted');
    const r = await ceilingTrial(ctx, docs, expected, c.batch, c.concurrency);
    trials.push(r);
    ctx.log(`raw _bulk ${c.batch} x ${c.concurrency}: ${f0((n * 1000) / r.ms)} ev/s (${(r.ms / 1000).toFixed(1)} s); ${exact(r.check)}`);
  }
  docs = undefined; // ~2x the JSON in heap: not there while the daemon runs in this process

  ctx.log(`shipper: tailing ${file} from its start`);
  const s = await shipperRun(ctx, file, expected);
  ctx.log(`shipper: ${f0((n * 1000) / s.ms)} ev/s (${(s.ms / 1000).toFixed(1)} s); ${exact(s.check)}`);

  const best = trials.reduce((a, b) => (b.ms < a.ms ? b : a));
  const evs = (msv: number) => (n * 1000) / msv;
  const ours = evs(s.ms);
  const tuned = ctx.tuned.length > 0;
  const cores = (cpuS: number | undefined, msv: number) => (cpuS === undefined ? 'n/a' : `${(cpuS / (msv / 1000)).toFixed(2)} cores`);
  console.log(`\nbench:ship part 1: throughput${tuned ? ' (TUNED shipper settings)' : ' (production default shipper settings)'}`);
  console.log(`  log                      ${file}: ${f0(built.lines)} lines, ${mb(logBytes).toFixed(1)} MB (${o.logFile ? source : `${f0(o.events)} events ${source}`})`);
  console.log(`  documents                ${f0(n)} (${built.kinds}), ${mb(docBytes).toFixed(1)} MB of JSON (${Math.round(docBytes / n)} bytes each on average); built offline by the same pipeline + host enrichment`);
  console.log(`  ceiling: raw _bulk       pre-serialized NDJSON bodies, create ops with the same _ids, POST <target>/_bulk (filter_path on the response), fresh namespace each`);
  for (const t of trials) {
    const st = Object.entries(t.statuses).map(([k, v]) => `${k}: ${v}`).join(', ');
    console.log(
      `    ${String(t.batch).padStart(5)} docs x ${t.concurrency} in flight  ${f0(evs(t.ms)).padStart(7)} ev/s  ${(mb(docBytes) / (t.ms / 1000)).toFixed(1).padStart(5)} MB/s of JSON  ${(t.ms / 1000).toFixed(1)} s, ${t.requests} requests (${t.retriedRequests} resent for 429/5xx), item status ${st}; Elasticsearch ${cores(t.esCpuS, t.ms)}; ${exact(t.check)}${t === best ? '  <- best' : ''}`,
    );
  }
  console.log(`  ours: auditsight ship    ${s.settingsText}; tail from the start, daemon in this process`);
  console.log(`    ${f0(ours).padStart(7)} ev/s  ${(mb(logBytes) / (s.ms / 1000)).toFixed(1)} MB/s of audit.log  ${(mb(docBytes) / (s.ms / 1000)).toFixed(1)} MB/s of JSON  ${(s.ms / 1000).toFixed(1)} s (start() ${Math.round(s.startMs)} ms included) until Elasticsearch acknowledged all`);
  console.log(`    shipped ${s.shipped}, 409 ${s.duplicates}, retried ${s.retried}, failed requests ${s.failedRequests}, dead-lettered ${s.deadLettered}, pipeline events ${s.pipelineEvents}`);
  console.log(`    CPU: this process (daemon + bench polling) ${cores(s.selfCpuS, s.ms)}, Elasticsearch ${cores(s.esCpuS, s.ms)}`);
  console.log(`    in Elasticsearch: ${exact(s.check)}`);
  console.log(`  ratio ours / ceiling     ${(ours / evs(best.ms)).toFixed(2)}  (${f0(ours)} / ${f0(evs(best.ms))} ev/s; ceiling = ${best.batch} x ${best.concurrency})`);
  const bad = [...trials.map((t) => t.check), s.check].some((c) => c.missing || c.unexpected || c.duplicates);
  return !bad;
}
