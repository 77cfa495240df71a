// npm run bench:ship: the shipper's throughput and its cost on a live host (issue #4).
//
// Part 1, throughput (bench/ship-throughput.ts): sustained events/s of `auditsight ship` from a large log
// into Elasticsearch, compared in the same run with the ceiling of raw `_bulk` requests carrying the same
// pre-built documents (best of a few batch sizes x concurrencies); prints both and the ratio ours/ceiling,
// and checks every run by _id (no missing, no duplicates).
// Part 2, live (bench/ship-live.ts): under real auditd with the recommended rules, the shipper as its own
// process (from /usr/local/bin/auditsight-node, which the rules exclude) while a C workload runs 1000
// execs/s; the shipper's CPU share of one core and RSS from /proc, auditd's and Elasticsearch's CPU for
// context, next to the published reference (Laurel 21%, Auditbeat 54.5% of a core at 1000 exec/s) and the
// goal (below 15% including shipping, RSS below 150 MB).
//
// Needs root for part 2 (audit rules, /usr/local/bin) and gcc. Elasticsearch: ELASTICSEARCH_URL (and
// ELASTICSEARCH_USERNAME/_PASSWORD/_API_KEY/_CA) if set, else a managed node started and stopped here.
// The figures are only as quiet as the machine: the load average and the busiest processes are printed.
//
// Options: --part throughput|live|all (all)
//   part 1: --events N (200000; generated log), --log FILE (instead of generating),
//           --ceiling BATCHxCONC,... (2000x1,2000x2,5000x2,5000x4)
//   part 2: --seconds S (30), --rate EXECS_PER_S (1000), --self-audit (run the shipper from the plain node),
//           --node-flags=FLAGS (V8 flags instead of shipper/install/auditsight.sh's; "" for none),
//           --node PATH (the interpreter to install as /usr/local/bin/auditsight-node for the run),
//           --rules recommended|exec (exec: only the execve rules, one event per exec, as the references)
//   part 3, paced (only when asked: --part paced): --capture FILE (from part 2's --save-capture FILE),
//           --speed X (1: the recorded pace), --runs N (1; each printed with the hypervisor's steal, then
//           a summary). The shipper tails the capture written record by record at its recorded pace,
//           with no workload competing (bench/ship-paced.ts says why). --laurel BIN: each run then feeds
//           Laurel (`cargo install laurel`) the same capture at the same pace, a reference measured in
//           the same run, and prints the ratio (bench/laurel-ref.ts says why).
//   part 2 also: --save-capture FILE (write what auditd logged during the run, for part 3), --laurel BIN
//           (then the same workload under auditd with Laurel as its plugin, bench/laurel-live.ts)
//   all:    --set key=value (a shipper config key, repeatable: a tuned run, printed as such)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { createClient } from '../common/es/client';
import { clusterInfo } from '../common/es/info';
import { benchElasticsearch } from './es';
import { log, numArg, setArgs, strArg } from './args';
import { runLive } from './ship-live';
import { runPaced } from './ship-paced';
import { runThroughput, type ShipBenchContext } from './ship-throughput';


function rulesArg(): 'recommended' | 'exec' {
  const r = strArg('rules') ?? 'recommended';
  if (r !== 'recommended' && r !== 'exec') throw new Error(`--rules expects recommended | exec, got ${JSON.stringify(r)}`);
  return r;
}

function ceilingArg(): Array<{ batch: number; concurrency: number }> {
  const s = strArg('ceiling') ?? '2000x1,2000x2,5000x2,5000x4';
  return s.split(',').map((t) => {
    const m = /^\s*(\d+)x(\d+)\s*$/.exec(t);
    if (!m || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`--ceiling expects BATCHxCONCURRENCY,..., got ${JSON.stringify(t)}`);
    return { batch: Number(m[1]), concurrency: Number(m[2]) };
  });
}


function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown cpu'} x ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, kernel ${os.release()}, node ${process.version}`;
}

function loadavg(): string {
  return os.loadavg().map((x) => x.toFixed(2)).join(' ');
}

function topProcesses(n = 5): string {
  try {
    // %CPU is each process's lifetime average: enough to say who shares the box.
    const out = execFileSync('ps', ['-eo', 'pcpu,user,comm', '--sort=-pcpu'], { encoding: 'utf8' });
    return out.trim().split('\n').slice(1, n + 1).map((l) => l.trim().replace(/\s+/g, ' ')).join(' | ');
  } catch {
    return '-';
  }
}

async function main(): Promise<void> {
  const part = strArg('part') ?? 'all';
  if (!['throughput', 'live', 'paced', 'all'].includes(part)) throw new Error(`--part expects throughput, live, paced or all, got ${JSON.stringify(part)}`);
  const throughput = { events: Math.floor(numArg('events', 200_000, 1)), logFile: strArg('log'), ceiling: ceilingArg() };
  const live = { seconds: numArg('seconds', 30, 1), rate: numArg('rate', 1000, 1), selfAudit: process.argv.includes('--self-audit'), nodeFlags: strArg('node-flags'), node: strArg('node'), rules: rulesArg(), saveCapture: strArg('save-capture'), laurel: strArg('laurel') };
  const paced = { logFile: strArg('capture') ?? '', speed: numArg('speed', 1, 0.01), runs: Math.floor(numArg('runs', 1, 1)), laurel: strArg('laurel') };
  if (part === 'paced' && !fs.existsSync(paced.logFile)) throw new Error(`--part paced needs --capture FILE (a capture from --part live --save-capture FILE); got ${JSON.stringify(paced.logFile)}`);
  const tuned = setArgs();
  if (throughput.logFile && !fs.existsSync(throughput.logFile)) throw new Error(`--log ${throughput.logFile}: no such file`);
  if ((part === 'live' || part === 'all') && process.getuid?.() !== 0) throw new Error('the live part needs root (sudo npm run bench:ship, or --part throughput)');

  let aborted = false;
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    if (++signals > 1) {
      console.error(`${sig} again: exiting now; audit rules, the managed Elasticsearch and /usr/local/bin/auditsight-node may be left behind`);
      process.exit(130);
    }
    console.error(`${sig}: stopping and cleaning up (send it again to exit at once)`);
    aborted = true;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const loadBefore = loadavg();
  log(`machine: ${machine()}`);
  log(`load average (1/5/15 min) before: ${loadBefore}`);
  log(`busiest processes (lifetime %CPU, user, command): ${topProcesses()}`);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-bench-ship-'));
  fs.chmodSync(dir, 0o755);
  const { conn, es } = await benchElasticsearch();
  const client = createClient(conn);
  let ok = true;
  try {
    const info = await clusterInfo(client);
    log(`Elasticsearch ${info.version} (${info.nodes} node${info.nodes === 1 ? '' : 's'})${es ? `, managed here (pid ${es.pid})` : ''}`);
    if (tuned.length) log(`TUNED run: ${tuned.map(([k, v]) => `--set ${k}=${v}`).join(' ')}`);
    const ctx: ShipBenchContext = { client, conn, esPid: es?.pid, dir, log, aborted: () => aborted, tuned };
    if (part === 'paced') ok = await runPaced(ctx, paced);
    if (part === 'throughput' || part === 'all') ok = (await runThroughput(ctx, throughput)) && ok;
    if ((part === 'live' || part === 'all') && !aborted) {
      log(`load average before part 2: ${loadavg()}`);
      ok = (await runLive(ctx, live)) && ok;
    }
  } finally {
    await client.close();
    if (es) await es.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\nmachine ${machine()}; load average before ${loadBefore}, after ${loadavg()}`);
  console.log(`busiest processes at the end (lifetime %CPU, user, command): ${topProcesses()}`);
  if (!ok || aborted) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
