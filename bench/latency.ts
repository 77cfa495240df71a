// npm run bench:latency: end-to-end latency on the real kernel. auditd writes audit.log with the recommended
// rules loaded (the live harness), the shipper tails it in-process with the production batching defaults,
// and a workload runs N execs of `/bin/true auditsight-lat-<uuid>-<i>` at a steady rate. For each exec:
// wall time just before spawn -> the moment a `term` search on process.args finds its `executed` document.
// The issue's target: every exec searchable within 2 s. Prints count, found, missing, p50/p95/p99/max,
// the ship latency from the documents (event.ingested - @timestamp), the machine and its load.
//
// Needs root (audit rules). Elasticsearch: ELASTICSEARCH_URL (and ELASTICSEARCH_USERNAME/_PASSWORD/_API_KEY/
// _CA) if set, else a managed node started and stopped here.
//
// Options: --count N (200), --rate PER_S (10), --timeout-s S (30, per marker; then counted as missing),
//          --poll-ms MS (100), --set key=value (a shipper config key, repeatable: a tuned run, printed as such).
import type { Client, estypes } from '@elastic/elasticsearch';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createClient } from '../common/es/client';
import { describeMachineShares, machineShares, readMachineCpu, type MachineShares } from '../common/proc-stats';
import { clusterInfo } from '../common/es/info';
import { removeNamespace } from '../elastic-templates/src/fixtures';
import { setup } from '../elastic-templates/src/setup';
import { loadConfig, type FlagValue } from '../shipper/src/config';
import { Daemon } from '../shipper/src/daemon/daemon';
import { withLiveAudit } from '../shipper/src/inputs/live-audit';
import { benchElasticsearch } from './es';
import { log, numArg, setArgs, sleep } from './args';

const RULES = path.resolve(__dirname, '../shipper/rules/auditsight.rules');
const TARGET_MS = 2000;
const WARMUP_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------------- options


// ---------------------------------------------------------------------------------------------- helpers


/** Nearest-rank percentile of an ascending array. */
function pct(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function dist(values: number[]): { n: number; min: number; p50: number; p95: number; p99: number; max: number; mean: number } {
  const s = [...values].sort((a, b) => a - b);
  return { n: s.length, min: s[0] ?? NaN, p50: pct(s, 50), p95: pct(s, 95), p99: pct(s, 99), max: s.at(-1) ?? NaN, mean: s.length ? s.reduce((a, b) => a + b, 0) / s.length : NaN };
}

const ms = (v: number) => (Number.isFinite(v) ? `${Math.round(v)}`.padStart(6) : '     -');

function distLine(label: string, values: number[]): string {
  const d = dist(values);
  return `  ${label.padEnd(36)} n=${String(d.n).padStart(4)}  p50 ${ms(d.p50)}  p95 ${ms(d.p95)}  p99 ${ms(d.p99)}  max ${ms(d.max)}  (min ${Math.round(d.min)}, mean ${Math.round(d.mean)}) ms`;
}

function machine(): string {
  const cpus = os.cpus();
  const la = os.loadavg().map((x) => x.toFixed(2)).join(', ');
  return `${cpus[0]?.model ?? 'unknown cpu'} x ${cpus.length} cores (os.availableParallelism ${os.availableParallelism()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, kernel ${os.release()}, load average ${la}`;
}

function topProcesses(n = 5): string[] {
  try {
    // ps reads /proc; %CPU is the lifetime average of each process, good enough to say who shares the box.
    const out = require('node:child_process').execFileSync('ps', ['-eo', 'pcpu,user,comm', '--sort=-pcpu'], { encoding: 'utf8' }) as string;
    return out.trim().split('\n').slice(1, n + 1).map((l) => l.trim());
  } catch {
    return [];
  }
}

// ---------------------------------------------------------------------------------------------- samples

interface Sample {
  i: number;
  marker: string;
  /** Wall time just before spawn(). */
  spawnMs: number;
  /** Wall time the poll response that contained the document arrived (upper bound of time-to-searchable). */
  foundMs?: number;
  /** When that poll request was sent (the document became searchable after the previous poll was sent). */
  foundPollSentMs?: number;
  /** @timestamp of the document (the kernel's audit time). */
  tsMs?: number;
  /** event.ingested of the document (when the shipper sent it). */
  ingestedMs?: number;
  docs?: number;
  missing?: boolean;
  spawnError?: string;
  exit?: number | null;
}

interface Poller {
  /** Resolves when no marker is outstanding and spawning is over (or aborted). */
  done: Promise<void>;
  add(s: Sample): void;
  finishSpawning(): void;
  queryMs: number[];
  errors: number;
  polls: number;
}

/**
 * One `terms` query for every outstanding marker every pollMs. A marker is found when an `executed` document
 * carrying it in process.args is visible; it is given up (missing) timeoutMs after its spawn.
 */
function startPoller(client: Client, index: string, pollMs: number, timeoutMs: number, aborted: () => boolean): Poller {
  const outstanding = new Map<string, Sample>();
  let spawning = true;
  const p: Poller = {
    done: Promise.resolve(),
    add: (s) => outstanding.set(s.marker, s),
    finishSpawning: () => (spawning = false),
    queryMs: [],
    errors: 0,
    polls: 0,
  };
  p.done = (async () => {
    for (;;) {
      const now = Date.now();
      for (const [m, s] of outstanding) {
        if (now - s.spawnMs > timeoutMs) {
          s.missing = true;
          outstanding.delete(m);
        }
      }
      if (aborted() || (!spawning && outstanding.size === 0)) {
        for (const s of outstanding.values()) s.missing = true;
        return;
      }
      const sent = Date.now();
      if (outstanding.size) {
        const markers = [...outstanding.keys()];
        // Cast as detections/src/engine/run.ts does: chai's global Object.should breaks the bool typing.
        const query = { bool: { filter: [{ terms: { 'process.args': markers } }, { term: { 'event.action': 'executed' } }] } } as unknown as estypes.QueryDslQueryContainer;
        try {
          const r = await client.search(
            {
              index,
              size: Math.min(10_000, markers.length * 2 + 10),
              query,
              _source: ['process.args', '@timestamp', 'event.ingested'],
            },
            { requestTimeout: 10_000, maxRetries: 0 },
          );
          const got = Date.now();
          p.polls++;
          p.queryMs.push(got - sent);
          for (const h of r.hits.hits) {
            const src = h._source as { process?: { args?: string[] }; '@timestamp'?: string; event?: { ingested?: string } };
            for (const a of src.process?.args ?? []) {
              const s = outstanding.get(a);
              if (!s) continue;
              if (s.foundMs === undefined) {
                s.foundMs = got;
                s.foundPollSentMs = sent;
                s.tsMs = Date.parse(src['@timestamp'] ?? '');
                s.ingestedMs = Date.parse(src.event?.ingested ?? '');
              }
              s.docs = (s.docs ?? 0) + 1;
            }
          }
          for (const h of r.hits.hits) {
            for (const a of (h._source as { process?: { args?: string[] } }).process?.args ?? []) outstanding.delete(a);
          }
        } catch (e) {
          p.errors++;
          if (p.errors <= 5) log(`poll failed (${p.errors}): ${(e as Error).message}`);
        }
      }
      await sleep(sent + pollMs - Date.now());
    }
  })();
  return p;
}

function spawnTrue(arg: string): Promise<{ exit: number | null; error?: string }> {
  return new Promise((resolve) => {
    let p;
    try {
      p = spawn('/bin/true', [arg], { stdio: 'ignore' });
    } catch (e) {
      resolve({ exit: null, error: (e as Error).message });
      return;
    }
    p.once('error', (e) => resolve({ exit: null, error: e.message }));
    p.once('exit', (code) => resolve({ exit: code }));
  });
}

// ---------------------------------------------------------------------------------------------- main

async function main(): Promise<void> {
  const count = Math.floor(numArg('count', 200, 1));
  const rate = numArg('rate', 10, 0.01);
  const timeoutMs = numArg('timeout-s', 30, 1) * 1000;
  const pollMs = numArg('poll-ms', 100, 10);
  const tuned = setArgs();
  if (process.getuid?.() !== 0) throw new Error('bench:latency needs root: it loads audit rules (sudo npm run bench:latency)');

  let aborted = false;
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) {
      console.error(`${sig} again: exiting now; the audit rules may NOT be restored (auditctl -D; auditctl -R <your rules>)`);
      process.exit(130);
    }
    console.error(`${sig}: stopping the workload and cleaning up (send it again to exit at once)`);
    aborted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const loadBefore = os.loadavg();
  log(`machine: ${machine()}`);
  const top = topProcesses();
  if (top.length) log(`busiest processes (lifetime %CPU, user, command): ${top.join(' | ')}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-bench-latency-'));
  const { conn, es } = await benchElasticsearch();
  const client = createClient(conn);
  const ns = `bench_lat_${Date.now().toString(36)}_${Math.floor(Math.random() * 1e6).toString(36)}`;
  let daemon: Daemon | undefined;
  let installed = false;
  try {
    const info = await clusterInfo(client); // not GET /: the minimal distribution lacks it
    const rep = await setup(client, { namespace: ns });
    installed = true;
    const target = rep.targets.events.name;
    log(`Elasticsearch ${info.version} (${info.nodes} node${info.nodes === 1 ? '' : 's'}), namespace ${ns}, ${rep.variant} variant, events target ${target} (${rep.targets.events.type})`);

    // The shipper's configuration: production defaults, except where it reads from/writes to and its
    // logging; --set overrides are the "tuned" run and are printed as such.
    const values: Array<[string, unknown]> = [
      ['input.type', 'tail'],
      ['input.from', 'end'],
      ['state_dir', path.join(dir, 'state')],
      ['metrics.listen', 'off'],
      ['logging.level', 'warn'],
      ['outputs.elasticsearch.url', conn.url],
      ['outputs.elasticsearch.namespace', ns],
    ];
    if (conn.apiKey) values.push(['outputs.elasticsearch.api_key', conn.apiKey]);
    if (conn.username) values.push(['outputs.elasticsearch.username', conn.username], ['outputs.elasticsearch.password', conn.password ?? '']);
    if (conn.caFile) values.push(['outputs.elasticsearch.ca', conn.caFile]);
    const flagsFor = (logPath: string): FlagValue[] =>
      [...values, ['input.path', logPath] as [string, unknown], ...tuned].map(([key, value]) => ({ key, value, flag: tuned.some(([k]) => k === key) ? `--set ${key}` : key }));

    let result: Awaited<ReturnType<typeof runWorkload>> | undefined;
    const capture = await withLiveAudit(RULES, async (cap) => {
      const { config, settings } = loadConfig({ env: {}, flags: flagsFor(cap.logPath) });
      const show = ['input.coalesce_timeout_ms', 'queue.fsync', 'outputs.elasticsearch.batch.max_events', 'outputs.elasticsearch.batch.max_bytes', 'outputs.elasticsearch.flush_interval_ms', 'enrich.enabled', 'kernel.lost_poll_interval_s'];
      const settingsText = show.map((k) => `${k}=${JSON.stringify(settings.get(k)?.value)}${settings.get(k)?.source === 'default' ? '' : ` (${settings.get(k)?.source})`}`).join(', ');
      log(`shipper settings: ${settingsText}; tail poll 250 ms + inotify; tailing ${cap.logPath} from the end`);
      daemon = new Daemon({ config });
      await daemon.start();
      try {
        result = await runWorkload(client, target, daemon, { count, rate, timeoutMs, pollMs, aborted: () => aborted });
        result.settingsText = settingsText;
        result.tuned = tuned.length > 0;
      } finally {
        await daemon.stop('bench done');
      }
      return result;
    });
    if (!result) throw new Error('no result');

    // Cross-check against the raw log: the execs of missing markers, were they even written by auditd?
    const inLog = new Set<string>();
    for (const l of capture.lines) {
      if (!l.startsWith('type=EXECVE ')) continue;
      const m = /auditsight-lat-[0-9a-f-]+-\d+/.exec(l);
      if (m) inLog.add(m[0]);
    }
    const loadAfter = os.loadavg();
    report(result, { loadBefore, loadAfter, inLog, refresh: await refreshInfo(client, target), esVersion: info.version, ns, rulesRestored: sameRules(capture.rulesBefore, capture.rulesAfter) });
    if (result.samples.some((s) => s.missing) || aborted) process.exitCode = 1;
  } finally {
    await daemon?.stop().catch(() => undefined);
    if (installed && !es) await removeNamespace(client, ns).catch((e) => log(`namespace ${ns} not removed: ${(e as Error).message}`));
    await client.close();
    if (es) await es.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function sameRules(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

async function refreshInfo(client: Client, target: string): Promise<string> {
  try {
    const r = await client.indices.getSettings({ index: target, include_defaults: true, flat_settings: true });
    return Object.entries(r)
      .map(([index, s]) => {
        const v = (k: string) => (s.settings as Record<string, unknown> | undefined)?.[k] ?? (s.defaults as Record<string, unknown> | undefined)?.[k];
        const explicit = (s.settings as Record<string, unknown> | undefined)?.['index.refresh_interval'] !== undefined;
        return `${index}: index.refresh_interval ${v('index.refresh_interval')}${explicit ? ' (set on the index)' : ' (cluster default)'}, search.idle.after ${v('index.search.idle.after')}`;
      })
      .join('; ');
  } catch (e) {
    return `unknown (${(e as Error).message})`;
  }
}

interface WorkloadResult {
  samples: Sample[];
  warmupMs: number;
  runMs: number;
  achievedRate: number;
  maxLagMs: number;
  loadDuring: number[];
  /** All CPUs during the run: busy and stolen shares (undefined without /proc/stat). */
  machine?: MachineShares;
  poller: Poller;
  shipper: { lines: number; events: number; shipped: number; duplicates: number; retried: number; deadLettered: number; failedRequests: number; gaps: number };
  settingsText?: string;
  tuned?: boolean;
  count: number;
  rate: number;
  pollMs: number;
  timeoutMs: number;
}

async function runWorkload(
  client: Client,
  target: string,
  daemon: Daemon,
  o: { count: number; rate: number; timeoutMs: number; pollMs: number; aborted: () => boolean },
): Promise<WorkloadResult> {
  const run = randomUUID();
  // Warm-up: one exec that must come through before measuring. It proves the chain works (rules, tail,
  // pipeline, output, mapping of process.args) and keeps the first-write index creation out of the figures.
  const warm: Sample = { i: -1, marker: `auditsight-lat-${run}-warmup`, spawnMs: Date.now() };
  const wp = startPoller(client, target, o.pollMs, WARMUP_TIMEOUT_MS, o.aborted);
  wp.add(warm);
  wp.finishSpawning();
  await spawnTrue(warm.marker);
  await wp.done;
  if (warm.foundMs === undefined) {
    throw new Error(`warm-up exec not searchable in ${target} within ${WARMUP_TIMEOUT_MS / 1000} s (shipper status ${daemon.status}, events ${daemon.pipeline?.stats.events ?? 0}, shipped ${daemon.metrics.total('elasticsearch', 'shipped')}); is auditd writing the log the shipper tails?`);
  }
  const warmupMs = warm.foundMs - warm.spawnMs;
  log(`warm-up exec searchable after ${warmupMs} ms; ${o.count} execs at ${o.rate}/s (about ${Math.round(o.count / o.rate)} s)`);

  const before = {
    lines: daemon.pipeline.stats.lines,
    events: daemon.pipeline.stats.events,
    gaps: daemon.pipeline.stats.gaps,
    ...Object.fromEntries((['shipped', 'duplicates', 'retried', 'deadLettered', 'failedRequests'] as const).map((k) => [k, daemon.metrics.total('elasticsearch', k)])),
  } as Record<string, number>;
  const cpu0 = readMachineCpu();
  const loadDuring: number[] = [];
  const loadTimer = setInterval(() => loadDuring.push(os.loadavg()[0]!), 1000);
  const samples: Sample[] = [];
  const exits: Promise<void>[] = [];
  const poller = startPoller(client, target, o.pollMs, o.timeoutMs, o.aborted);
  const interval = 1000 / o.rate;
  const t0 = Date.now() + 50;
  let maxLagMs = 0;
  try {
    for (let i = 0; i < o.count && !o.aborted(); i++) {
      const due = t0 + i * interval;
      await sleep(due - Date.now());
      const s: Sample = { i, marker: `auditsight-lat-${run}-${i}`, spawnMs: Date.now() };
      maxLagMs = Math.max(maxLagMs, s.spawnMs - due);
      samples.push(s);
      poller.add(s);
      exits.push(
        spawnTrue(s.marker).then((r) => {
          s.exit = r.exit;
          s.spawnError = r.error;
        }),
      );
      if ((i + 1) % Math.max(1, Math.round(o.rate * 5)) === 0) {
        const found = samples.filter((x) => x.foundMs !== undefined).length;
        log(`spawned ${i + 1}/${o.count}, found ${found}`);
      }
    }
    const runMs = Date.now() - t0;
    poller.finishSpawning();
    await Promise.all(exits);
    await poller.done;
    const cpu1 = readMachineCpu();
    const after = {
      lines: daemon.pipeline.stats.lines,
      events: daemon.pipeline.stats.events,
      gaps: daemon.pipeline.stats.gaps,
      ...Object.fromEntries((['shipped', 'duplicates', 'retried', 'deadLettered', 'failedRequests'] as const).map((k) => [k, daemon.metrics.total('elasticsearch', k)])),
    } as Record<string, number>;
    const d = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    return {
      samples,
      warmupMs,
      runMs,
      achievedRate: samples.length > 1 ? ((samples.length - 1) * 1000) / (samples.at(-1)!.spawnMs - samples[0]!.spawnMs) : NaN,
      maxLagMs,
      loadDuring,
      machine: machineShares(cpu0, cpu1),
      poller,
      shipper: { lines: d('lines'), events: d('events'), shipped: d('shipped'), duplicates: d('duplicates'), retried: d('retried'), deadLettered: d('deadLettered'), failedRequests: d('failedRequests'), gaps: d('gaps') },
      count: o.count,
      rate: o.rate,
      pollMs: o.pollMs,
      timeoutMs: o.timeoutMs,
    };
  } finally {
    clearInterval(loadTimer);
  }
}

function report(
  r: WorkloadResult,
  x: { loadBefore: number[]; loadAfter: number[]; inLog: Set<string>; refresh: string; esVersion: string; ns: string; rulesRestored: boolean },
): void {
  const found = r.samples.filter((s) => s.foundMs !== undefined);
  const missing = r.samples.filter((s) => s.foundMs === undefined);
  const searchable = found.map((s) => s.foundMs! - s.spawnMs);
  const ship = found.filter((s) => Number.isFinite(s.ingestedMs) && Number.isFinite(s.tsMs)).map((s) => s.ingestedMs! - s.tsMs!);
  const spawnToKernel = found.filter((s) => Number.isFinite(s.tsMs)).map((s) => s.tsMs! - s.spawnMs);
  const ingestedToFound = found.filter((s) => Number.isFinite(s.ingestedMs)).map((s) => s.foundMs! - s.ingestedMs!);
  const lowerBound = found.map((s) => s.foundPollSentMs! - s.spawnMs); // visible no later than found, not before the poll before
  const d = dist(searchable);
  const within = searchable.filter((v) => v <= TARGET_MS).length;
  const la = (v: number[]) => v.map((n) => n.toFixed(2)).join(' ');
  const ld = r.loadDuring.length ? dist(r.loadDuring) : undefined;

  console.log(`\nbench:latency result${r.tuned ? ' (TUNED settings)' : ' (production default settings)'}`);
  console.log(`  machine                            ${machine().replace(/, load average.*$/, '')}`);
  console.log(`  load average (1/5/15 min)          before ${la(x.loadBefore)}; during the run (1-min) ${ld ? `min ${ld.min.toFixed(2)} / mean ${ld.mean.toFixed(2)} / max ${ld.max.toFixed(2)}` : '-'}; after ${la(x.loadAfter)}`);
  if (r.machine !== undefined) console.log(`  machine CPU during the run         ${describeMachineShares(r.machine, os.cpus().length)} (all processes, from /proc/stat)`);
  console.log(`  Elasticsearch                      ${x.esVersion}, namespace ${x.ns}; ${x.refresh}`);
  console.log(`  shipper settings                   ${r.settingsText}`);
  console.log(`  workload                           ${r.count} x /bin/true <marker>, ${r.rate}/s requested, ${r.achievedRate.toFixed(2)}/s achieved (max spawn lag ${Math.round(r.maxLagMs)} ms), ${(r.runMs / 1000).toFixed(1)} s`);
  console.log(`  polling                            every ${r.pollMs} ms, one terms query; ${r.poller.polls} polls, query p50 ${Math.round(dist(r.poller.queryMs).p50)} ms / max ${Math.round(dist(r.poller.queryMs).max)} ms, ${r.poller.errors} failed; give up after ${r.timeoutMs / 1000} s`);
  console.log(`  shipper during the run             ${r.shipper.lines} lines read, ${r.shipper.events} events (all audit activity on the box, not only the workload), ${r.shipper.shipped} shipped, ${r.shipper.duplicates} 409, ${r.shipper.retried} retried, ${r.shipper.failedRequests} failed bulk requests, ${r.shipper.deadLettered} dead-lettered, ${r.shipper.gaps} sequence gaps`);
  console.log(`  warm-up exec (not counted)         ${r.warmupMs} ms`);
  console.log('');
  console.log(`  count ${r.samples.length}   found ${found.length}   missing ${missing.length}   within ${TARGET_MS} ms: ${within}/${r.samples.length} (${((within / Math.max(1, r.samples.length)) * 100).toFixed(1)}%)`);
  console.log(distLine('exec -> searchable (spawn -> hit)', searchable));
  console.log(distLine('ship: event.ingested - @timestamp', ship));
  console.log('  breakdown:');
  console.log(distLine('  spawn -> @timestamp (kernel)', spawnToKernel));
  console.log(distLine('  event.ingested -> hit', ingestedToFound));
  console.log(distLine('  spawn -> poll before the hit', lowerBound));
  console.log(`  p95 / target                       ${d.p95.toFixed(0)} / ${TARGET_MS} ms = ${(d.p95 / TARGET_MS).toFixed(2)}  ${d.p95 <= TARGET_MS ? '(within the target)' : '(ABOVE the target)'}`);
  const multi = found.filter((s) => (s.docs ?? 0) > 1).length;
  if (multi) console.log(`  note: ${multi} markers had more than one executed document`);
  const bad = r.samples.filter((s) => s.spawnError || (s.exit !== 0 && s.exit !== undefined));
  if (bad.length) console.log(`  note: ${bad.length} spawns failed or exited non-zero (first: ${bad[0]!.spawnError ?? `exit ${bad[0]!.exit}`})`);
  if (missing.length) {
    const logged = missing.filter((s) => x.inLog.has(s.marker)).length;
    console.log(`  missing: ${logged} of ${missing.length} were in audit.log (EXECVE record) but not found in Elasticsearch; ${missing.length - logged} never reached audit.log`);
    console.log(`  first missing markers: ${missing.slice(0, 5).map((s) => s.i).join(', ')}`);
  }
  console.log(`  EXECVE records of the workload in audit.log: ${r.samples.filter((s) => x.inLog.has(s.marker)).length}/${r.samples.length}; audit rules restored: ${x.rulesRestored ? 'yes' : 'NO'}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
