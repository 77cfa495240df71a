// Parse benchmark: parse + coalesce + normalize + enrich + JSON out, auditsight vs go-libaudit's own
// `auparse -i -format json` (parse + reassemble + coalesce/normalize + uid/gid names + JSON out), on the same
// generated file (bench/gen-log.ts: >= 1M events built from the corpora's real records), in the same run.
//
// Both run as separate processes pinned to the same single CPU (taskset), go with GOMAXPROCS=1: our pipeline
// is single-threaded, and pinning keeps Go's parallel GC and Node's helper threads from using a second core.
// Both write their JSON to /dev/null. Figures: wall time and CPU time (user+sys, from /usr/bin/time); on a
// shared, loaded machine CPU time is the steadier of the two, and the ratio in one run is what to compare.
// Ours includes Node/tsx start-up (~0.3-1 s), so small files understate us.
//
// Run: npm run bench:parse [-- --events 1000000 --runs 2 --keep --node /path/to/other/node ...]
// --node (repeatable) runs our side once more per interpreter, in the same run against the same auparse
// figure: how the pipeline's cost depends on the Node.js (V8) release the shipper is installed with.
// Environment: BENCH_EVENTS, BENCH_CPU (cpu to pin to), AUPARSE (a prebuilt auparse binary).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../test/corpora';
import { runParse } from '../shipper/src/cli/commands/parse';
import { repeatedArg } from './args';
import { buildAuparse } from './auparse';
import { generateLog } from './gen-log';

interface Timing {
  wallS: number;
  cpuS: number;
  maxRssMb: number;
  ok: boolean;
  stderr: string;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i === -1 ? undefined : process.argv[i + 1];
}

function tryRun(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): string | undefined {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts }).trim();
  } catch {
    return undefined;
  }
}

function machine(): Record<string, string> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: String(cpus.length),
    memory: `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    load: os.loadavg().map((l) => l.toFixed(1)).join(' '),
    kernel: os.release(),
    node: process.version,
    go: tryRun('go', ['version']) ?? 'not found',
  };
}

/** Runs a command pinned to one CPU under /usr/bin/time; stdout is discarded by the command itself. */
function timed(cpu: string | undefined, cmd: string[], env: NodeJS.ProcessEnv, tmp: string): Timing {
  const tf = path.join(tmp, 'time.txt');
  const pin = cpu !== undefined ? ['taskset', '-c', cpu] : [];
  const r = spawnSync('/usr/bin/time', ['-f', '%e %U %S %M', '-o', tf, ...pin, ...cmd], {
    cwd: repoRoot,
    env,
    encoding: 'utf8',
    maxBuffer: 256 << 20,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const [e, u, s, m] = fs.readFileSync(tf, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  return { wallS: e, cpuS: u + s, maxRssMb: m / 1024, ok: r.status === 0, stderr: r.stderr ?? '' };
}

function canPin(cpu: string): boolean {
  return tryRun('taskset', ['-c', cpu, 'true']) !== undefined;
}

/** Child mode: the real `auditsight parse` code path, output to /dev/null, enrichment on unless --no-enrich. */
async function child(file: string, enrich: boolean): Promise<void> {
  const sink = fs.createWriteStream('/dev/null');
  const t0 = process.hrtime.bigint();
  const code = await runParse(file, { enrich }, { stdout: sink, stderr: process.stderr });
  await new Promise((r) => sink.end(r));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  process.stderr.write(`BENCH ${JSON.stringify({ ms, code })}\n`);
  process.exitCode = code;
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const events = Number(arg('--events') ?? process.env.BENCH_EVENTS ?? 1_000_000);
  const runs = Number(arg('--runs') ?? 1);
  const keep = process.argv.includes('--keep');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-bench-'));
  try {
    const m = machine();
    console.log('machine:', Object.entries(m).map(([k, v]) => `${k}=${v}`).join(', '));
    const cpu = process.env.BENCH_CPU ?? String(Math.max(0, os.cpus().length - 1));
    const pinned = canPin(cpu) ? cpu : undefined;
    console.log(pinned !== undefined ? `both tools pinned to cpu ${pinned} (single core; GOMAXPROCS=1)` : 'taskset unavailable: not pinned');

    const auparse = buildAuparse(tmp);
    const log = generateLog(path.join(tmp, 'bench.log'), events);
    const mb = log.bytes / 1e6;
    console.log(`input: ${fmt(log.events)} events, ${fmt(log.lines)} lines, ${mb.toFixed(1)} MB, from ${log.templates} corpus events (${log.file})`);

    // Same data, both tools: how many events each emits (go-libaudit splits some events, see the report).
    if (auparse) {
      const sample = path.join(tmp, 'sample.log');
      const s = generateLog(sample, Math.min(events, 20_000));
      const goOut = spawnSync(auparse, ['-i', '-format', 'json', '-in', sample], { encoding: 'utf8', maxBuffer: 1 << 30 });
      const goEvents = goOut.stdout.split('\n').filter(Boolean).length;
      console.log(`sanity (${fmt(s.events)}-event sample): go-libaudit emitted ${fmt(goEvents)} events; auditsight emits exactly one per event`);
    }

    // Our side under each interpreter: this one, then any --node (its version is part of the label).
    const nodes = [process.execPath, ...repeatedArg('node')].map((bin) => {
      const version = tryRun(bin, ['--version']);
      if (!version) throw new Error(`--node ${bin}: cannot run it`);
      return { bin, label: bin === process.execPath ? '' : ` (node ${version})` };
    });
    if (nodes.length > 1) console.log(`interpreters: ${nodes.map((n) => `${n.bin} ${tryRun(n.bin, ['--version'])}`).join(', ')}`);
    const nodeCmd = (bin: string) => [bin, '--require', 'tsx/cjs', path.join(repoRoot, 'bench', 'parse.ts'), '--child', log.file];
    const goCmd = auparse ? [auparse, '-i', '-format', 'json', '-in', log.file, '-out', '/dev/null'] : undefined;
    const line = (name: string, t: Timing) =>
      `  ${name.padEnd(nodes.length > 1 ? 42 : 22)} wall ${t.wallS.toFixed(2)} s (${fmt(events / t.wallS)} events/s, ${(mb / t.wallS).toFixed(1)} MB/s)  ` +
      `cpu ${t.cpuS.toFixed(2)} s (${fmt(events / t.cpuS)} events/s, ${(mb / t.cpuS).toFixed(1)} MB/s)  rss ${t.maxRssMb.toFixed(0)} MB`;
    const ours = (bin: string, extra: string[]): Timing => {
      const t = timed(pinned, [...nodeCmd(bin), ...extra], { ...process.env }, tmp);
      if (!t.ok) console.error(t.stderr);
      return t;
    };
    for (let r = 1; r <= runs; r++) {
      console.log(`run ${r}:`);
      const mine = nodes.map((n) => {
        // The headline: the whole pipeline as the shipper runs it (enrich included; auparse has no such stage).
        const full = ours(n.bin, []);
        console.log(line(`auditsight${n.label}`, full));
        // Same work as auparse -i (parse, coalesce, normalize, names, JSON): the like-for-like comparison.
        const bare = ours(n.bin, ['--no-enrich']);
        console.log(line(`auditsight --no-enrich${n.label}`, bare));
        return { ...n, full, bare };
      });
      if (goCmd) {
        const go = timed(pinned, goCmd, { ...process.env, GOMAXPROCS: '1' }, tmp);
        if (!go.ok) console.error(go.stderr.slice(-2000));
        console.log(line('go-libaudit auparse -i', go));
        const ratio = (t: Timing) => `wall ${(go.wallS / t.wallS).toFixed(2)}, cpu ${(go.cpuS / t.cpuS).toFixed(2)}`;
        for (const m of mine) {
          console.log(`  ratio ours${m.label}/go-libaudit (throughput, >1 = we are faster): full pipeline ${ratio(m.full)}; --no-enrich ${ratio(m.bare)}`);
        }
      }
    }
    console.log(`(load average at end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')})`);
  } finally {
    if (keep) console.log(`kept ${tmp}`);
    else fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  void child(process.argv[3], !process.argv.includes('--no-enrich'));
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
