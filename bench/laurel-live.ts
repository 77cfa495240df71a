// bench:ship part 2's same-machine reference: Laurel as what its published figure measured, an auditd
// plugin, under the same workload and rules, right after the shipper's run (`--part live --laurel BIN`).
//
// Why live and not only paced (laurel-ref.ts): the published 21% counts auditd, its dispatcher and Laurel
// together, and live Laurel gets each record in its own read and enriches processes that still exist, so
// it costs about twice what the paced replay shows. The fair comparison is stack against stack on one
// machine: auditd + the shipper against auditd (dispatching to the plugin) + Laurel.
//
// auditd runs with a private configuration directory (the system's auditd.conf, a private log and a
// private plugin_dir holding only Laurel's plugin file): nothing under /etc/audit is touched.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { processTree, readProc } from '../common/proc-stats';
import { withLiveAudit } from '../shipper/src/inputs/live-audit';
import { sleep } from './args';
import { laurelConfig, laurelEvents, laurelVersion } from './laurel-ref';
import { startOwnAuditd } from './own-auditd';
import type { ShipBenchContext } from './ship-throughput';

export interface LaurelLiveOptions {
  laurel: string;
  rulesFile: string;
  /** The compiled workload (exec-workload.c) and its rate and length. */
  exe: string;
  rate: number;
  seconds: number;
}

export interface LaurelLive {
  version: string;
  /** CPU over the workload's run and 2 s of drain after it, per second of workload. */
  auditd: number;
  laurel: number;
  /** JSON lines Laurel wrote (one per event). */
  events: number;
  execs: number;
}

/** The plugin file auditd reads from its plugin_dir: Laurel on the dispatcher's string stream. */
export function laurelPluginConf(bin: string, config: string): string {
  return ['active = yes', 'direction = out', `path = ${bin}`, 'type = always', `args = --config ${config}`, 'format = string', ''].join('\n');
}

/** A process's command name, or undefined once it is gone. */
function commOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The measurement, or why it was skipped. */
export async function laurelLive(ctx: ShipBenchContext, o: LaurelLiveOptions): Promise<LaurelLive | string> {
  const dir = path.join(ctx.dir, 'laurel-live');
  const plugins = path.join(dir, 'plugins.d');
  fs.mkdirSync(plugins, { recursive: true });
  const config = path.join(dir, 'laurel.toml');
  fs.writeFileSync(config, laurelConfig(dir));
  fs.writeFileSync(path.join(plugins, 'laurel.conf'), laurelPluginConf(o.laurel, config), { mode: 0o640 });
  const own = startOwnAuditd(ctx, 'auditd-laurel', [`plugin_dir = ${plugins}`]);
  if (!own) return 'skipped: an auditd was already running, and its plugins cannot be changed without reconfiguring it';
  try {
    await own.ready;
    const auditdPid = own.proc.pid!;
    let laurelPid: number | undefined;
    for (let t = Date.now(); laurelPid === undefined && Date.now() - t < 10_000; await sleep(100)) {
      laurelPid = processTree(auditdPid).slice(1).find((p) => commOf(p) === 'laurel');
    }
    if (laurelPid === undefined) throw new Error(`auditd (pid ${auditdPid}) did not start Laurel from ${plugins}`);
    const version = await laurelVersion(o.laurel);
    let figures: { auditd: number; laurel: number; execs: number } | undefined;
    await withLiveAudit(o.rulesFile, async () => {
      const a0 = readProc(auditdPid)!;
      const l0 = readProc(laurelPid)!;
      const t0 = Date.now();
      const w = spawn(o.exe, [String(o.rate), String(o.seconds)], { env: { MARKER: `auditsight-laurel-${Date.now()}` }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      w.stdout!.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((r) => w.once('exit', (c) => r(c)));
      if (code !== 0) throw new Error(`workload exited ${code}: ${out}`);
      // Per second of workload, as the shipper's window is: the CPU of the drain after it counts, its
      // idle seconds do not.
      const workloadS = (Date.now() - t0) / 1000;
      await sleep(2000); // the records still in auditd's and Laurel's hands
      const a1 = readProc(auditdPid)!;
      const l1 = readProc(laurelPid)!;
      figures = { auditd: (a1.cpuS - a0.cpuS) / workloadS, laurel: (l1.cpuS - l0.cpuS) / workloadS, execs: (JSON.parse(out) as { started: number }).started };
    }, { logPath: own.logPath, markerTimeoutMs: 300_000 });
    return { version, ...figures!, events: laurelEvents(dir) };
  } finally {
    await own.stop();
  }
}
