// bench:ship part 2 (live): the shipper's CPU share and memory while a steady exec workload runs under
// real auditd with the recommended rules. See bench/ship.ts for how to run it.
//
// The shipper runs as its own process, `auditsight ship --config <generated yaml>` tailing the live
// audit.log into Elasticsearch, from the interpreter path the rules exclude (/usr/local/bin/auditsight-node,
// as shipper/README.md installs it; copied from this node for the run if absent, and removed after), so it
// does not audit its own connects. The workload is a small C program compiled here with gcc: fork +
// execve("/bin/true", marker) at a fixed rate (clock_nanosleep on absolute deadlines); it reports what it
// achieved. During the workload the shipper, auditd and Elasticsearch are read from /proc every second.
// Afterwards the workload's `executed` documents are counted in Elasticsearch.
import type { estypes } from '@elastic/elasticsearch';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import YAML from 'yaml';
import type { EsConnection } from '../common/es/client';
import { cpuSecondsOf, describeMachineShares, machineShares, processTree, ProcSampler, readMachineCpu, readProc, summarize, type ProcSample } from '../common/proc-stats';
import { removeNamespace } from '../elastic-templates/src/fixtures';
import { setup } from '../elastic-templates/src/setup';
import { withLiveAudit } from '../shipper/src/inputs/live-audit';
import { sleep } from './args';
import { buildCli } from '../scripts/build-cli';
import type { ShipBenchContext } from './ship-throughput';
import { laurelLive } from './laurel-live';
import { auditStatus, startOwnAuditd } from './own-auditd';

const RULES = path.resolve(__dirname, '../shipper/rules/auditsight.rules');
const ROOT = path.resolve(__dirname, '..');
/** The installed command (shipper/README.md): the bundle, run from SHIPPER_NODE with the production V8 flags. */
export const WRAPPER = path.join(ROOT, 'shipper', 'install', 'auditsight.sh');
/** The interpreter path shipper/rules/auditsight.rules excludes (`-a never,exit -F exe=...`). */
export const SHIPPER_NODE = '/usr/local/bin/auditsight-node';

export const REFERENCE = { laurel: 0.21, auditbeat: 0.545, goalCpu: 0.15, goalRssBytes: 150e6 };

export interface LiveOptions {
  seconds: number;
  rate: number;
  /** Run the shipper from the plain node (not excluded by the rules): it then audits its own activity. */
  selfAudit: boolean;
  /** V8 flags instead of the installed wrapper's (AUDITSIGHT_NODE_FLAGS; '' = none). */
  nodeFlags?: string;
  /** The interpreter to install as /usr/local/bin/auditsight-node for this run (default: this node). */
  node?: string;
  /**
   * 'recommended': shipper/rules/auditsight.rules (clone, execve, exit_group...: ~4 documents per exec).
   * 'exec': only its execve rules and exclusions, one event per exec, as the published references measure
   * (Laurel's load generator counts exec events; its figure includes auditd).
   */
  rules: 'recommended' | 'exec';
  /** Write the capture (every line auditd wrote during the run) here, for part 3 (--part paced). */
  saveCapture?: string;
  /** A Laurel binary: after the shipper's run, the same workload under auditd with Laurel as its plugin (laurel-live.ts). */
  laurel?: string;
}

/** The recommended rules file cut down to its control lines, exclusions and `-k exec` rules. */
function execOnlyRules(dir: string): string {
  const keep = fs.readFileSync(RULES, 'utf8').split('\n').filter((l) => /^-(D|b|f)\b|^--backlog_wait_time|^-a never,exit|-k exec$/.test(l.trim()));
  const file = path.join(dir, 'exec-only.rules');
  fs.writeFileSync(file, `${keep.join('\n')}\n`);
  return file;
}

/** The workload, compiled with gcc at bench time (a Node spawn loop costs more than the exec it measures). */
const WORKLOAD_C = path.join(__dirname, 'exec-workload.c');

interface WorkloadReport {
  requested: number;
  started: number;
  fork_failed: number;
  exit_ok: number;
  exit_bad: number;
  span_s: number;
  rate: number;
  elapsed_s: number;
  max_lag_ms: number;
  late_10ms: number;
  self_cpu_s: number;
  children_cpu_s: number;
}

const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '-');
const mib = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? `${(v / 1e6).toFixed(1)} MB` : '-');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** The shipper's `outputs.elasticsearch` for the bench's cluster and namespace. */
export function esOutputConfig(conn: EsConnection, namespace: string): Record<string, unknown> {
  return {
    url: conn.url,
    namespace,
    ...(conn.apiKey ? { api_key: conn.apiKey } : {}),
    ...(conn.username ? { username: conn.username, password: conn.password ?? '' } : {}),
    ...(conn.caFile ? { ca: conn.caFile } : {}),
  };
}

/** Prometheus text -> sum of a metric's samples whose labels include `labels` (e.g. `output="elasticsearch"`). */
export function metric(text: string, name: string, labels = ''): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
    if (labels && !line.includes(labels)) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1)) || 0;
  }
  return sum;
}

/** Runs part 2 and prints its result; returns false when something did not add up (workload lost, shipper died). */
export async function runLive(ctx: ShipBenchContext, o: LiveOptions): Promise<boolean> {
  if (process.getuid?.() !== 0) throw new Error('bench:ship live part needs root: it loads audit rules (sudo npm run bench:ship)');
  const { client } = ctx;

  // The workload program.
  const src = path.join(ctx.dir, 'exec-workload.c');
  const exe = path.join(ctx.dir, 'exec-workload');
  fs.copyFileSync(WORKLOAD_C, src);
  execFileSync('gcc', ['-O2', '-Wall', '-o', exe, src], { stdio: ['ignore', 'inherit', 'inherit'] });

  // The shipper as a production install runs it: the bundle, through the installed wrapper.
  const bundle = await buildCli();
  ctx.log(`built ${path.relative(ROOT, bundle)} (npm run build)`);
  const shipperFlags = o.nodeFlags ?? /AUDITSIGHT_NODE_FLAGS-([^}]*)\}/.exec(fs.readFileSync(WRAPPER, 'utf8'))?.[1]?.trim() ?? '?';

  // The shipper's interpreter, as a production install has it.
  let nodeBin = process.execPath;
  let installedNode = false;
  let nodeNote: string;
  if (o.selfAudit) {
    nodeNote = `${process.execPath} (--self-audit: NOT excluded by the rules, the shipper's own connects and children are audited and shipped too)`;
  } else {
    nodeBin = SHIPPER_NODE;
    if (o.node !== undefined && fs.existsSync(SHIPPER_NODE)) throw new Error(`--node: ${SHIPPER_NODE} is already installed; remove it first (this run would overwrite it)`);
    if (!fs.existsSync(SHIPPER_NODE)) {
      const from = o.node ?? process.execPath;
      fs.copyFileSync(from, SHIPPER_NODE);
      fs.chmodSync(SHIPPER_NODE, 0o755);
      installedNode = true;
      const version = execFileSync(SHIPPER_NODE, ['-v'], { encoding: 'utf8' }).trim();
      nodeNote = `${SHIPPER_NODE} (${version}, copied from ${from} for this run, as shipper/README.md installs it; removed afterwards), excluded by the rules`;
    } else {
      nodeNote = `${SHIPPER_NODE} (already installed, ${execFileSync(SHIPPER_NODE, ['-v'], { encoding: 'utf8' }).trim()}), excluded by the rules`;
    }
  }

  const ns = `bench_ship_live_${Date.now().toString(36)}`;
  const target = (await setup(client, { namespace: ns })).targets.events.name;
  const port = await freePort();
  const run = randomUUID();
  const marker = `auditsight-ship-${run}`;
  const children: ChildProcess[] = [];
  const killAll = () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  };
  process.on('exit', killAll);
  const stderrFile = path.join(ctx.dir, 'shipper.stderr');
  let shipper: ChildProcess | undefined;

  try {
    // auditd: the distribution's auditd.conf rotates at 8 MB x 5 files, less than a 30 s run at 1000
    // execs/s writes (~3 events, ~3 KB per exec), and withLiveAudit reads the capture back from its start.
    // So unless an auditd already runs, start one here with the same configuration except a private log
    // file that does not rotate during the run (the shipper tails that file).
    const rulesFile = o.rules === 'exec' ? execOnlyRules(ctx.dir) : RULES;
    const own = startOwnAuditd(ctx);
    if (own) ctx.log(`auditd pid ${own.proc.pid} started here with ${own.conf} (the system's auditd.conf, log_file ${own.logPath}, max_log_file 4096 MB)`);
    else ctx.log('auditd already running: using it and its log rotation as configured');
    if (own) await own.ready;
    type Value = Awaited<ReturnType<typeof measure>>;
    let value: Value | undefined;
    let capture: { rulesBefore: string[]; rulesAfter: string[]; lines: string[] } | undefined;
    let captureError: Error | undefined;
    const measure = async (cap: { logPath: string }) => {
      const cfg: Record<string, unknown> = {
        input: { type: 'tail', path: cap.logPath, from: 'end' },
        state_dir: path.join(ctx.dir, 'state-live'),
        metrics: { listen: `127.0.0.1:${port}` },
        logging: { level: 'warn' },
        outputs: { elasticsearch: esOutputConfig(ctx.conn, ns) },
      };
      const yml = path.join(ctx.dir, 'auditsight.yml');
      fs.writeFileSync(yml, YAML.stringify(cfg), { mode: 0o600 });
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AUDITSIGHT_') && !k.startsWith('ELASTICSEARCH_')));
      const args = ['ship', '--config', yml, ...ctx.tuned.flatMap(([k, v]) => ['--set', `${k}=${v}`])];
      const errFd = fs.openSync(stderrFile, 'w');
      const startedAt = Date.now();
      // The installed command: the wrapper execs the interpreter in place, so this pid is the shipper's.
      const wenv = { ...env, AUDITSIGHT_HOME: ROOT, AUDITSIGHT_NODE: nodeBin, ...(o.nodeFlags !== undefined ? { AUDITSIGHT_NODE_FLAGS: o.nodeFlags } : {}) };
      shipper = spawn(WRAPPER, args, { env: wenv, stdio: ['ignore', 'ignore', errFd] });
      fs.closeSync(errFd);
      children.push(shipper);
      const pid = shipper.pid!;
      const exited = () => shipper!.exitCode !== null || shipper!.signalCode !== null;
      const why = () => `shipper ${exited() ? `exited (${shipper!.exitCode ?? shipper!.signalCode})` : 'running'}; stderr: ${fs.readFileSync(stderrFile, 'utf8').slice(-2000)}`;
      ctx.log(`shipper pid ${pid}: ${path.relative(ROOT, WRAPPER)} ${args.slice(0, 3).join(' ')} (${nodeBin} ${shipperFlags} dist/auditsight.cjs)${ctx.tuned.length ? ' --set ...' : ''} (tail ${cap.logPath} from the end, metrics 127.0.0.1:${port})`);

      // Ready: /healthz 200.
      for (;;) {
        if (exited() || ctx.aborted()) throw new Error(`shipper not ready: ${why()}`);
        if (Date.now() - startedAt > 120_000) throw new Error(`shipper not healthy after 120 s: ${why()}`);
        const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
        if (ok) break;
        await sleep(200);
      }
      const readyMs = Date.now() - startedAt;

      // Warm-up: one exec of the marker must arrive before measuring (rules, tail, pipeline, output, mapping).
      const countMarker = async (m = marker): Promise<{ executed: number; byAction: Record<string, number> }> => {
        await client.indices.refresh({ index: target });
        const query = { term: { 'process.args': m } } as unknown as estypes.QueryDslQueryContainer;
        const r = await client.search({ index: target, size: 0, query, aggs: { a: { terms: { field: 'event.action', size: 20 } } } });
        const buckets = ((r.aggregations?.a as { buckets?: Array<{ key: string; doc_count: number }> } | undefined)?.buckets ?? []);
        const byAction = Object.fromEntries(buckets.map((b) => [b.key, b.doc_count]));
        return { executed: byAction.executed ?? 0, byAction };
      };
      execFileSync('/bin/true', [`${marker}-warmup`]);
      const warmT = Date.now();
      while ((await countMarker(`${marker}-warmup`)).executed < 1) {
        if (exited() || ctx.aborted()) throw new Error(`warm-up: ${why()}`);
        if (Date.now() - warmT > 60_000) throw new Error(`warm-up exec not in ${target} within 60 s; ${why()}`);
        await sleep(250);
      }
      const warmMs = Date.now() - warmT;
      ctx.log(`shipper healthy after ${readyMs} ms; warm-up exec searchable after ${warmMs} ms`);

      // Idle baseline: the shipper with only the box's background activity.
      await sleep(2000);
      const idle = new ProcSampler(pid).start();
      const idleMetrics0 = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      await sleep(10_000);
      idle.stop();
      const idleMetrics1 = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const idleS = (idle.last!.atMs - idle.first!.atMs) / 1000;
      const idleEvents = (metric(idleMetrics1, 'auditsight_events_in_total') - metric(idleMetrics0, 'auditsight_events_in_total')) / idleS;
      ctx.log(`idle baseline: shipper ${pct(idle.meanCpu())} of a core, ${idleEvents.toFixed(0)} events/s of background audit activity`);

      // The measured window: the workload's run.
      const auditdPid = Number(auditStatus().pid);
      const k0 = auditStatus();
      const m0 = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const esPids = ctx.esPid ? processTree(ctx.esPid) : [];
      const es0 = cpuSecondsOf(esPids);
      const mc0 = readMachineCpu();
      const load0 = os.loadavg();
      // Children of the shipper: esbuild (tsx's transpiler service, started at load) and the `auditctl -s`
      // polls of the kernel lost counter (reaped: their CPU lands in the shipper's cutime/cstime).
      const kids = () => processTree(pid).slice(1);
      const childCpu = () => (readProc(pid)?.childCpuS ?? 0) + cpuSecondsOf(kids());
      const childNames = kids().map((k) => fs.readFileSync(`/proc/${k}/comm`, 'utf8').trim());
      const child0 = childCpu();
      const sShip = new ProcSampler(pid).start();
      const sAuditd = new ProcSampler(auditdPid).start();
      const loads: number[] = [];
      const loadTimer = setInterval(() => loads.push(os.loadavg()[0]!), 1000);
      ctx.log(`workload: ${o.rate} execs/s for ${o.seconds} s (marker ${marker})`);
      const w = spawn(exe, [String(o.rate), String(o.seconds)], { env: { MARKER: marker }, stdio: ['ignore', 'pipe', 'inherit'] });
      children.push(w);
      let out = '';
      w.stdout!.on('data', (d) => (out += d));
      const abortTimer = setInterval(() => ctx.aborted() && w.kill('SIGTERM'), 200);
      const wExit = await new Promise<number | null>((r) => w.once('exit', (c) => r(c)));
      clearInterval(abortTimer);
      sShip.stop();
      sAuditd.stop();
      const child1 = childCpu();
      const treeRss = [pid, ...kids()].reduce((a, k) => a + (readProc(k)?.rss ?? 0), 0);
      clearInterval(loadTimer);
      const mc1 = readMachineCpu();
      const es1 = cpuSecondsOf(esPids);
      const m1 = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      if (wExit !== 0) throw new Error(`workload exited ${wExit}: ${out}`);
      const wl = JSON.parse(out) as WorkloadReport;
      const windowS = (sShip.last!.atMs - sShip.first!.atMs) / 1000;
      ctx.log(`workload done: ${wl.started} execs in ${wl.span_s.toFixed(2)} s = ${wl.rate.toFixed(1)}/s; waiting for the shipper to catch up`);

      // Catch-up: every executed document of the workload in Elasticsearch (or no progress for 30 s).
      let got = await countMarker();
      let lastChange = Date.now();
      let prev = got.executed;
      while (got.executed < wl.started && Date.now() - lastChange < 30_000 && !ctx.aborted() && !exited()) {
        await sleep(500);
        got = await countMarker();
        if (got.executed !== prev) lastChange = Date.now();
        prev = got.executed;
      }
      const caughtUp: ProcSample | undefined = readProc(pid);
      const caughtUpS = caughtUp ? (caughtUp.atMs - sShip.first!.atMs) / 1000 : NaN;
      const m2 = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text().catch(() => '');
      const k1 = auditStatus();
      const final = readProc(pid);

      // Stop the shipper gracefully (it drains) and collect what it said.
      shipper.kill('SIGTERM');
      const t = setTimeout(() => shipper!.kill('SIGKILL'), 30_000);
      const code = await new Promise<number | null>((r) => (exited() ? r(shipper!.exitCode) : shipper!.once('exit', (c) => r(c))));
      clearTimeout(t);
      return {
        wl, windowS, idle, idleEvents, readyMs, warmMs, sShip, sAuditd, caughtUp, caughtUpS, final, code,
        es: { cpuS: es1 - es0, found: esPids.length > 0 },
        childNames, childCpuS: child1 - child0, treeRss,
        machine: machineShares(mc0, mc1),
        load0, loads, load1: os.loadavg(),
        m0, m1, m2, k0, k1, got,
      };
    };
    try {
      capture = await withLiveAudit(rulesFile, async (cap) => (value = await measure(cap)), { logPath: own?.logPath, markerTimeoutMs: 300_000 });
    } catch (e) {
      if (!value) throw e;
      captureError = e as Error; // the measurement is there; only the read-back of the capture failed
    } finally {
      if (own) await own.stop();
    }
    const r = value!;
    if (o.saveCapture && capture) {
      fs.writeFileSync(o.saveCapture, `${capture.lines.join('\n')}\n`);
      ctx.log(`capture saved: ${capture.lines.length} lines in ${o.saveCapture} (for --part paced --capture)`);
    }
    const rulesRestored = capture ? capture.rulesBefore.length === capture.rulesAfter.length && capture.rulesBefore.every((x, i) => x === capture!.rulesAfter[i]) : false;
    const execveInLog = capture ? String(capture.lines.filter((l) => l.startsWith('type=EXECVE ') && l.includes(marker)).length) : `unknown (${captureError?.message})`;

    const d = (name: string, labels = '') => metric(r.m1, name, labels) - metric(r.m0, name, labels);
    const evIn = d('auditsight_events_in_total') / r.windowS;
    const lines = d('auditsight_input_lines_total') / r.windowS;
    const shippedWin = d('auditsight_events_out_total', 'output="elasticsearch"') / r.windowS;
    const shipCpu = summarize(r.sShip.cpu);
    const rss = summarize(r.sShip.rss);
    const meanCpu = r.sShip.meanCpu();
    const hwm = r.final?.hwm;
    const hwmWindow = r.sShip.last?.hwm;
    const auditdCpu = summarize(r.sAuditd.cpu);
    const inclCatchup = r.caughtUp ? (r.caughtUp.cpuS - r.sShip.first!.cpuS) / r.windowS : NaN;
    // CPU per event from the window's start until caught up (starvation-proof: work done / CPU spent), and
    // what that costs at the requested rate with the workload's events per exec.
    const evTotal = metric(r.m2, 'auditsight_events_in_total') - metric(r.m0, 'auditsight_events_in_total');
    const cpuPerEv = r.caughtUp && evTotal > 0 ? (r.caughtUp.cpuS - r.sShip.first!.cpuS) / evTotal : NaN;
    // Every document the shipper made per exec: clone, its derived fork, execve, exit_group, plus the little
    // background activity (the marker's own documents are only two of these).
    const evPerExec = evTotal / Math.max(1, r.wl.started);
    const lost = Number(r.k1.lost) - Number(r.k0.lost);
    const la = (v: number[]) => v.map((x) => x.toFixed(2)).join(' ');
    const ld = summarize(r.loads);

    console.log(`\nbench:ship part 2: live CPU and memory${ctx.tuned.length ? ' (TUNED shipper settings)' : ' (production default shipper settings)'}, rules: ${o.rules === 'exec' ? 'execve only (--rules exec: one event per exec, as the published references count)' : 'recommended (shipper/rules/auditsight.rules)'}`);
    console.log(`  load average (1/5/15)    before ${la(r.load0)}; during (1-min) mean ${ld.mean.toFixed(2)} / max ${ld.max.toFixed(2)}; after ${la(r.load1)}; machine CPU during the window: ${describeMachineShares(r.machine, os.cpus().length)}`);
    console.log(`  shipper                  separate process: ${nodeNote}; ${path.relative(ROOT, WRAPPER)} ship --config <yaml>, the installed command: the bundle built here (npm run build), V8 flags ${shipperFlags || '(none)'}${o.nodeFlags !== undefined ? ' (--node-flags)' : ' (the wrapper\'s)'}; (tail from the end, production defaults${ctx.tuned.length ? ` + ${ctx.tuned.map(([k, v]) => `--set ${k}=${v}`).join(' ')}` : ''}); healthy after ${r.readyMs} ms, warm-up exec searchable after ${r.warmMs} ms`);
    console.log(`  idle baseline (10 s)     shipper ${pct(r.idle.meanCpu())} of a core with ${r.idleEvents.toFixed(0)} background events/s`);
    console.log(`  workload                 fork+execve /bin/true <marker> (C, clock_nanosleep): ${wl(r.wl)}`);
    console.log(`  in Elasticsearch         executed documents of the marker: ${r.got.executed} of ${r.wl.started} execs; all its documents by event.action: ${Object.entries(r.got.byAction).map(([k, v]) => `${k} ${v}`).join(', ')}; EXECVE records in audit.log: ${execveInLog}`);
    console.log(`  achieved                 ${((r.got.executed - 1) / r.wl.span_s).toFixed(1)} exec/s by Elasticsearch's count over the workload's span (workload's own count ${r.wl.rate.toFixed(1)}/s)`);
    console.log(`  shipper saw (/metrics)   ${evIn.toFixed(0)} events/s, ${lines.toFixed(0)} lines/s read, ${shippedWin.toFixed(0)} events/s acknowledged by Elasticsearch, over the ${r.windowS.toFixed(1)} s window`);
    console.log(`  shipper CPU              mean ${pct(meanCpu)} of one core over the window (1 s samples: mean ${pct(shipCpu.mean)}, max ${pct(shipCpu.max)}, n=${shipCpu.n}); until Elasticsearch had every exec (${r.caughtUpS.toFixed(1)} s after the start): ${pct(inclCatchup)} per second of workload`);
    const dupTotal = metric(r.m2, 'auditsight_output_duplicates_total') - metric(r.m0, 'auditsight_output_duplicates_total');
    console.log(`  shipper until caught up  ${evTotal} events in, ${metric(r.m2, 'auditsight_events_out_total') - metric(r.m0, 'auditsight_events_out_total')} acknowledged, ${dupTotal} answered 409 (an event whose _id already existed: e.g. the rest of an event split by the coalesce timeout)`);
    console.log(`  shipper CPU per event    ${(cpuPerEv * 1e6).toFixed(0)} µs (${r.caughtUp ? (r.caughtUp.cpuS - r.sShip.first!.cpuS).toFixed(1) : '-'} CPU-s for ${evTotal} events, window start to caught up); the shipper handled ${evPerExec.toFixed(2)} events per exec (all it read in that time / execs), so ${o.rate} exec/s would take ${pct(cpuPerEv * evPerExec * o.rate)} of a core plus the idle baseline`);
    console.log(`  shipper children         ${r.childNames.join(', ') || 'none'} at the start of the window; their CPU in the window (auditctl polls included) ${pct(r.childCpuS / r.windowS)} of a core`);
    console.log(`  shipper memory           RSS mean ${mib(rss.mean)}, max ${mib(rss.max)} during the window; VmHWM (lifetime peak) ${mib(hwmWindow)} at the end of the window, ${mib(hwm)} after the catch-up; with children ${mib(r.treeRss)} at the end of the window`);
    console.log(`  auditd                   mean ${pct(r.sAuditd.meanCpu())} of one core (1 s max ${pct(auditdCpu.max)}); kernel lost +${lost}, backlog ${r.k1.backlog} at the end`);
    console.log(`  Elasticsearch            ${r.es.found ? `${pct(r.es.cpuS / r.windowS)} of one core (JVM tree)` : 'not managed here: CPU not read'}; workload itself ${pct((r.wl.self_cpu_s + r.wl.children_cpu_s) / r.wl.elapsed_s)} (fork loop + /bin/true children)`);
    console.log(`  reference at 1000 exec/s Laurel ${pct(REFERENCE.laurel)} of a core, Auditbeat ${pct(REFERENCE.auditbeat)} (published); goal below ${pct(REFERENCE.goalCpu)} including shipping, RSS below ${REFERENCE.goalRssBytes / 1e6} MB`);
    const rateNote = Math.abs(r.wl.rate - o.rate) / o.rate > 0.05 ? ` (NOTE: achieved ${r.wl.rate.toFixed(0)}/s, not ${o.rate}/s)` : '';
    // When the shipper fell behind (a busy box), the window's CPU share understates its cost: the work it
    // had not done yet was done after. Then the cost is the CPU until Elasticsearch had every exec.
    const lagged = r.caughtUpS - r.windowS > 5;
    const cost = lagged ? inclCatchup : meanCpu;
    const cpuOk = cost < REFERENCE.goalCpu;
    const rssOk = rss.max < REFERENCE.goalRssBytes;
    console.log(`  verdict                  CPU ${pct(cost)} ${lagged ? '(it fell behind: CPU until caught up, per workload second)' : '(window mean)'} ${cpuOk ? '<' : '>='} ${pct(REFERENCE.goalCpu)} goal: ${cpuOk ? 'MET' : 'NOT MET'}; RSS max ${mib(rss.max)} ${rssOk ? '<' : '>='} ${REFERENCE.goalRssBytes / 1e6} MB goal: ${rssOk ? 'MET' : 'NOT MET'}${rateNote}`);
    console.log(`  shipper exit             ${r.code} after SIGTERM; audit rules restored: ${rulesRestored ? 'yes' : captureError ? `unknown (${captureError.message})` : 'NO'}`);
    if (r.code !== 0) console.log(`  shipper stderr (tail)    ${fs.readFileSync(stderrFile, 'utf8').slice(-1500)}`);
    if (o.laurel !== undefined && !ctx.aborted()) {
      const l = await laurelLive(ctx, { laurel: o.laurel, rulesFile, exe, rate: o.rate, seconds: o.seconds });
      const ours = r.sAuditd.meanCpu() + meanCpu;
      if (typeof l === 'string') console.log(`  Laurel, same workload    ${l}`);
      else {
        console.log(`  Laurel, same workload    ${l.version} as auditd's plugin, its own run right after (${l.execs} execs, ${l.events} events written): auditd ${pct(l.auditd)} + Laurel ${pct(l.laurel)} = ${pct(l.auditd + l.laurel)} of one core`);
        console.log(`  ratio                    shipper ${pct(meanCpu)} / Laurel ${pct(l.laurel)} = ${(meanCpu / l.laurel).toFixed(2)}x; auditd + shipper ${pct(ours)} / auditd + Laurel ${pct(l.auditd + l.laurel)} = ${(ours / (l.auditd + l.laurel)).toFixed(2)}x; the goal against the published stack: shipper / (auditd + Laurel) below ${(REFERENCE.goalCpu / REFERENCE.laurel).toFixed(2)}x, here ${(meanCpu / (l.auditd + l.laurel)).toFixed(2)}x`);
      }
    }
    return r.got.executed === r.wl.started && r.code === 0 && rulesRestored;
  } finally {
    killAll();
    process.removeListener('exit', killAll);
    if (installedNode) fs.rmSync(SHIPPER_NODE, { force: true });
    await removeNamespace(client, ns).catch((e) => ctx.log(`namespace ${ns} not removed: ${(e as Error).message}`));
  }
}

function wl(w: WorkloadReport): string {
  return `${w.started}/${w.requested} started (${w.fork_failed} fork failures, ${w.exit_bad} bad exits), ${w.rate.toFixed(1)}/s over ${w.span_s.toFixed(2)} s; max lag ${w.max_lag_ms.toFixed(1)} ms, ${w.late_10ms} more than 10 ms late`;
}
