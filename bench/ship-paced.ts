// bench:ship part 3 (paced): the shipper's CPU and memory at a live rate, with nothing else competing.
//
// Why: on a small box the live part's workload (1000 fork+execs/s under audit) takes more than a core by
// itself, so the shipper runs starved next to it and its figure follows the load more than the code. Here
// a capture from that very workload (`--part live --save-capture FILE`) is written to a fresh audit.log
// record by record, each its own write() as auditd does, at the pace its own timestamps give (pauses over
// a second cut to one) and restamped with the time it is written at, as if it happened now (the shipper
// compares record time with its own clock: the process table forgets processes that left /proc a few
// seconds of record time after they did); the shipper, as the installed command runs it, tails that file
// into Elasticsearch. Measured from the first write
// until Elasticsearch acknowledged every event: the shipper's CPU (per second of capture, and per event)
// and RSS. Every event is then counted in Elasticsearch (exactly once).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import YAML from 'yaml';
import { describeMachineShares, machineShares, readMachineCpu, readProc, summarize, ProcSampler } from '../common/proc-stats';
import { setup } from '../elastic-templates/src/setup';
import { buildCli } from '../scripts/build-cli';
import { sleep } from './args';
import { esOutputConfig, freePort, metric, REFERENCE, WRAPPER } from './ship-live';
import type { ShipBenchContext } from './ship-throughput';
import { laurelPaced } from './laurel-ref';

export interface PacedOptions {
  /** A capture (audit.log lines), e.g. from `--part live --save-capture FILE`. */
  logFile: string;
  /** 1 = the recorded pace; 2 = twice as fast. */
  speed: number;
  /**
   * Runs, each with a fresh shipper, queue and index. On a shared VM one run's CPU figure moves 10-20%
   * with the steal of the moment; several runs, each printed with its steal, show the spread.
   */
  runs: number;
  /** A Laurel binary: each run then also feeds Laurel the same capture at the same pace (laurel-ref.ts). */
  laurel?: string;
}

/** One run's figures, for the summary of several. */
interface PacedRun {
  ok: boolean;
  perExecUs: number;
  steal: number | undefined;
  rssMean: number;
  /** Laurel's CPU per execve on the same input, right after the shipper's run. */
  laurelUs?: number;
}

const STAMP = /audit\((\d+)\.(\d{3}):\d+\)/;
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(1)}%` : '-');
const mb = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? `${(v / 1e6).toFixed(1)} MB` : '-');

export interface PacedLine {
  ms: number;
  stampAt: number;
  head: string;
  tail: string;
}

/**
 * The capture's lines with their time (ms), in file order; unstamped lines take the previous time. Pauses
 * longer than a second (the live part's idle baseline before its workload) are cut to a second, and a
 * record stamped earlier than the one before it (auditd logs in serial order, not time order) is due then.
 */
export function pacedLines(file: string): PacedLine[] {
  let stamp = NaN;
  let at = 0;
  // Paced time of each original stamp: records of one event share a stamp, and keep sharing one when a
  // later event's record came between them.
  const atOf = new Map<number, number>();
  const out: PacedLine[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    const m = STAMP.exec(line);
    let stampAt = at;
    if (m) {
      const t = Number(m[1]) * 1000 + Number(m[2]);
      if (Number.isFinite(stamp)) at += Math.min(1000, Math.max(0, t - stamp));
      stamp = t;
      stampAt = atOf.get(t) ?? at;
      if (!atOf.has(t)) atOf.set(t, stampAt);
    }
    if (!Number.isFinite(stamp)) continue;
    // The line around its SECONDS.MILLIS, which is written anew (an unstamped line goes as it is).
    const from = m ? m.index + 'audit('.length : line.length;
    const to = m ? from + m[1]!.length + 1 + m[2]!.length : line.length;
    out.push({ ms: at, stampAt, head: line.slice(0, from), tail: `${line.slice(to)}\n` });
  }
  if (out.length === 0) throw new Error(`--log ${file}: no audit records`);
  return out;
}

/** execve records in the capture (its exec events). */
const execsOf = (lines: PacedLine[]) => lines.filter((l) => l.tail.includes(' syscall=59 ')).length;
/** Seconds the capture takes to write at `speed`. */
const spanOf = (lines: PacedLine[], speed: number) => (lines[lines.length - 1]!.ms - lines[0]!.ms) / 1000 / speed;

/** A paced line stamped `ms` (epoch) when it had a stamp. */
function restamped(l: { head: string; tail: string }, ms: number): Buffer {
  if (!l.head.endsWith('audit(')) return Buffer.from(l.head + l.tail);
  const t = Math.floor(ms);
  return Buffer.from(`${l.head}${Math.floor(t / 1000)}.${String(t % 1000).padStart(3, '0')}${l.tail}`);
}

/**
 * The writer: every record due by now, each in its own write(), checked every millisecond, stamped with
 * the time it is written at. Returns the seconds the writing took.
 */
export async function writePaced(lines: PacedLine[], speed: number, write: (b: Buffer) => void, aborted: () => boolean): Promise<number> {
  const t0 = lines[0]!.ms;
  const w0 = performance.now();
  const wall0 = Date.now();
  let i = 0;
  while (i < lines.length && !aborted()) {
    const due = t0 + (performance.now() - w0) * speed;
    for (; i < lines.length && lines[i]!.ms <= due; i++) write(restamped(lines[i]!, wall0 + (lines[i]!.stampAt - t0) / speed));
    await sleep(1);
  }
  return (performance.now() - w0) / 1000;
}

export async function runPaced(ctx: ShipBenchContext, o: PacedOptions): Promise<boolean> {
  const lines = pacedLines(o.logFile);
  const bundle = await buildCli();
  const runs: PacedRun[] = [];
  for (let run = 1; run <= o.runs && !ctx.aborted(); run++) {
    const r = await pacedRun(ctx, o, lines, bundle, run);
    if (o.laurel !== undefined && !ctx.aborted()) r.laurelUs = await laurelRun(ctx, o, lines, run, r.perExecUs);
    runs.push(r);
  }
  if (o.laurel === undefined) console.log('\n  (no same-machine reference: --laurel BIN feeds Laurel the same capture, see bench/laurel-ref.ts)');
  if (runs.length > 1) {
    console.log(`\nbench:ship part 3: ${runs.length} runs, least steal first (compare builds by runs of similar steal)`);
    const order = runs.map((r, i) => ({ ...r, run: i + 1 })).sort((a, b) => (a.steal ?? 1) - (b.steal ?? 1));
    for (const r of order) {
      const ref = r.laurelUs === undefined ? '' : `  Laurel ${r.laurelUs.toFixed(0)} µs (${(r.perExecUs / r.laurelUs).toFixed(2)}x)`;
      console.log(`  run ${r.run}  ${r.perExecUs.toFixed(0).padStart(4)} µs per execve  steal ${r.steal === undefined ? '-' : `${(r.steal * 100).toFixed(1)}%`}  RSS mean ${mb(r.rssMean)}${ref}${r.ok ? '' : '  MISMATCH'}`);
    }
  }
  return runs.length > 0 && runs.every((r) => r.ok);
}

/** Laurel on the same capture and pace (after the shipper stopped, so they do not compete); its µs per execve. */
async function laurelRun(ctx: ShipBenchContext, o: PacedOptions, lines: PacedLine[], run: number, shipperUs: number): Promise<number> {
  const execs = execsOf(lines);
  const spanS = spanOf(lines, o.speed);
  const machine0 = readMachineCpu();
  const l = await laurelPaced(o.laurel!, lines, o.speed, path.join(ctx.dir, `laurel-${run}`), ctx.aborted);
  const machine = machineShares(machine0, readMachineCpu());
  const us = (l.cpuS / Math.max(1, execs)) * 1e6;
  console.log(`  Laurel, same input       ${l.version}: ${l.cpuS.toFixed(1)} CPU-s = ${pct(l.cpuS / spanS)} of one core per second of capture, ${us.toFixed(0)} µs per execve; ${l.events} events written (stdin -> local JSON file, no shipping)`);
  console.log(`  machine CPU (Laurel)     ${describeMachineShares(machine, os.cpus().length)}`);
  console.log(`  ratio                    shipper ${shipperUs.toFixed(0)} µs / Laurel ${us.toFixed(0)} µs = ${(shipperUs / us).toFixed(2)}x CPU per execve on this machine (Laurel alone, on stdin in large reads; --part live --laurel compares the stacks as the published 21% counts them, auditd included)`);
  return us;
}

/** One run against `bundle` (the CLI built once for all runs). */
async function pacedRun(ctx: ShipBenchContext, o: PacedOptions, lines: PacedLine[], bundle: string, run: number): Promise<PacedRun> {
  const spanS = spanOf(lines, o.speed);
  const execs = execsOf(lines);
  ctx.log(`paced: ${lines.length} records of ${o.logFile}, ${execs} execve, over ${spanS.toFixed(1)} s at ${o.speed}x their recorded pace (${(execs / spanS).toFixed(0)} execs/s)`);

  const ns = `bench_ship_paced_${Date.now().toString(36)}_${run}`;
  const target = (await setup(ctx.client, { namespace: ns })).targets.events.name;
  const dir = path.join(ctx.dir, `paced-${run}`);
  fs.mkdirSync(dir, { recursive: true });
  const logPath = path.join(dir, 'audit.log');
  fs.writeFileSync(logPath, '');
  const port = await freePort();
  const cfg = {
    input: { type: 'tail', path: logPath, from: 'start' },
    state_dir: path.join(dir, 'state'),
    metrics: { listen: `127.0.0.1:${port}` },
    logging: { level: 'warn' },
    kernel: { lost_poll_interval_s: 0 }, // the capture's kernel is not this one
    outputs: { elasticsearch: esOutputConfig(ctx.conn, ns) },
  };
  const yml = path.join(dir, 'auditsight.yml');
  fs.writeFileSync(yml, YAML.stringify(cfg), { mode: 0o600 });
  const args = ['ship', '--config', yml, ...ctx.tuned.flatMap(([k, v]) => ['--set', `${k}=${v}`])];
  const errFile = path.join(dir, 'shipper.stderr');
  const errFd = fs.openSync(errFile, 'w');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('AUDITSIGHT_') && !k.startsWith('ELASTICSEARCH_')));
  // The installed command (its V8 flags), from this interpreter: no auditd is involved here.
  const shipper: ChildProcess = spawn(WRAPPER, args, { env: { ...env, AUDITSIGHT_HOME: path.dirname(path.dirname(bundle)), AUDITSIGHT_NODE: process.execPath }, stdio: ['ignore', 'ignore', errFd] });
  fs.closeSync(errFd);
  const exited = () => shipper.exitCode !== null || shipper.signalCode !== null;
  const why = () => `shipper ${exited() ? `exited (${shipper.exitCode ?? shipper.signalCode})` : 'running'}; stderr: ${fs.readFileSync(errFile, 'utf8').slice(-2000)}`;
  const metrics = () => fetch(`http://127.0.0.1:${port}/metrics`).then((r) => r.text());
  try {
    const started = Date.now();
    while (!(await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false))) {
      if (exited() || ctx.aborted() || Date.now() - started > 120_000) throw new Error(`shipper not healthy: ${why()}`);
      await sleep(200);
    }
    await sleep(2000); // settled after start
    const pid = shipper.pid!;
    const sampler = new ProcSampler(pid).start();
    const machine0 = readMachineCpu();

    const fd = fs.openSync(logPath, 'a');
    const wroteS = await writePaced(lines, o.speed, (b) => fs.writeSync(fd, b), ctx.aborted);
    fs.closeSync(fd);

    // Caught up: every event in acknowledged, and no new event for 3 s (the coalescer's timeout flushes
    // the last ones).
    let m = await metrics();
    let last = -1;
    let stableSince = Date.now();
    for (;;) {
      const evIn = metric(m, 'auditsight_events_in_total');
      const acked = metric(m, 'auditsight_events_out_total', 'output="elasticsearch"') + metric(m, 'auditsight_output_duplicates_total', 'output="elasticsearch"');
      if (evIn !== last) {
        last = evIn;
        stableSince = Date.now();
      }
      if (acked >= evIn && Date.now() - stableSince > 3000) break;
      if (exited() || ctx.aborted() || Date.now() - stableSince > 60_000) throw new Error(`not caught up (${acked} of ${evIn} acknowledged): ${why()}`);
      await sleep(250);
      m = await metrics();
    }
    const end = readProc(pid)!;
    const machine = machineShares(machine0, readMachineCpu());
    sampler.stop();
    const evIn = metric(m, 'auditsight_events_in_total');
    await ctx.client.indices.refresh({ index: target });
    const inEs = (await ctx.client.count({ index: target })).count;
    const cpuS = end.cpuS - sampler.first!.cpuS;
    const rss = summarize(sampler.rss);
    const share = cpuS / spanS;
    // CPU per execve, times 1000: the share of a core at 1000 execs/s, if the cost is linear in the rate.
    const perExec = execs > 0 ? (cpuS / execs) * 1000 : NaN;

    console.log(`\nbench:ship part 3${o.runs > 1 ? `, run ${run} of ${o.runs}` : ''}: paced replay of a live capture${ctx.tuned.length ? ' (TUNED shipper settings)' : ' (production default shipper settings)'}`);
    console.log(`  capture                  ${o.logFile}: ${lines.length} records, ${execs} execve, ${spanS.toFixed(1)} s at ${o.speed}x (${(execs / spanS).toFixed(0)} execs/s, ${(lines.length / spanS).toFixed(0)} records/s), one write() per record; written in ${wroteS.toFixed(1)} s`);
    console.log(`  shipper                  ${path.relative(process.cwd(), WRAPPER)} ship (the installed command, ${process.execPath} ${process.version}), tail -> Elasticsearch ${target}`);
    console.log(`  in Elasticsearch         ${inEs} documents for ${evIn} events the shipper made (${inEs === evIn ? 'each exactly once' : 'MISMATCH'}), ${(evIn / Math.max(1, execs)).toFixed(2)} events per execve`);
    console.log(`  shipper CPU              ${cpuS.toFixed(1)} CPU-s from the first write to the last acknowledgement = ${pct(share)} of one core per second of capture; ${((cpuS / Math.max(1, evIn)) * 1e6).toFixed(0)} µs per event`);
    console.log(`  at 1000 execs/s          ${pct(perExec)} of one core (${((cpuS / Math.max(1, execs)) * 1e6).toFixed(0)} µs of CPU per execve, everything the shipper did included)`);
    console.log(`  machine CPU              ${describeMachineShares(machine, os.cpus().length)}, from the first write to the last acknowledgement`);
    console.log(`  shipper memory           RSS mean ${mb(rss.mean)}, max ${mb(rss.max)} (1 s samples); VmHWM ${mb(end.hwm)}`);
    console.log(`  reference at 1000 exec/s Laurel ${pct(REFERENCE.laurel)} of a core, Auditbeat ${pct(REFERENCE.auditbeat)} (published, live); goal below ${pct(REFERENCE.goalCpu)}, RSS below ${REFERENCE.goalRssBytes / 1e6} MB`);
    return { ok: inEs === evIn, perExecUs: (cpuS / Math.max(1, execs)) * 1e6, steal: machine?.steal, rssMean: rss.mean };
  } finally {
    if (!exited()) {
      shipper.kill('SIGTERM');
      const t = setTimeout(() => shipper.kill('SIGKILL'), 30_000);
      await new Promise((r) => (exited() ? r(null) : shipper.once('exit', r)));
      clearTimeout(t);
    }
  }
}
