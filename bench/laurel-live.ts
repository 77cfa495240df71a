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
import { readProc } from '../common/proc-stats';
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
  /** Shares of one core over the workload's run plus 2 s of drain. */
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

/** Children of `pid` (from /proc), for finding the plugin auditd started. */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      /* gone */
    }
  }
  return out;
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
      laurelPid = childrenOf(auditdPid).find((p) => fs.readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'laurel');
    }
    if (laurelPid === undefined) throw new Error(`auditd (pid ${auditdPid}) did not start Laurel from ${plugins}`);
    const version = await laurelVersion(o.laurel);
    let figures: { auditd: number; laurel: number; execs: number } | undefined;
    await withLiveAudit(o.rulesFile, async () => {
      const a0 = readProc(auditdPid)!;
      const l0 = readProc(laurelPid)!;
      const w = spawn(o.exe, [String(o.rate), String(o.seconds)], { env: { MARKER: `auditsight-laurel-${Date.now()}` }, stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      w.stdout!.on('data', (d) => (out += d));
      const code = await new Promise<number | null>((r) => w.once('exit', (c) => r(c)));
      if (code !== 0) throw new Error(`workload exited ${code}: ${out}`);
      await sleep(2000); // the records still in auditd's and Laurel's hands
      const a1 = readProc(auditdPid)!;
      const l1 = readProc(laurelPid)!;
      const wallS = (a1.atMs - a0.atMs) / 1000;
      figures = { auditd: (a1.cpuS - a0.cpuS) / wallS, laurel: (l1.cpuS - l0.cpuS) / wallS, execs: (JSON.parse(out) as { started: number }).started };
    }, { logPath: own.logPath, markerTimeoutMs: 300_000 });
    return { version, ...figures!, events: laurelEvents(dir) };
  } finally {
    await own.stop();
  }
}
