// auditd as the live benches run it: the system's configuration with a private log (and, for the Laurel
// reference, a private plugin_dir), started and stopped by the bench when no auditd runs already.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sleep } from './args';
import type { ShipBenchContext } from './ship-throughput';

/** `auditctl -s` as key -> value (enabled, pid, lost, backlog, ...). */
export function auditStatus(): Record<string, string> {
  const out = execFileSync('auditctl', ['-s'], { encoding: 'utf8' });
  return Object.fromEntries(out.split('\n').map((l) => l.trim().split(' ')).filter((p) => p.length >= 2).map(([k, ...v]) => [k!, v.join(' ')]));
}

/**
 * auditd -n -c <dir>: the system's auditd.conf with a private, non-rotating log file, plus `extra` lines
 * (e.g. a private plugin_dir). Undefined when an auditd already runs.
 */
export function startOwnAuditd(ctx: ShipBenchContext, name = 'auditd', extra: string[] = []): { proc: ChildProcess; conf: string; logPath: string; ready: Promise<void>; stop: () => Promise<void> } | undefined {
  const before = auditStatus();
  if (Number(before.pid) > 0) return undefined;
  const confDir = path.join(ctx.dir, name);
  fs.mkdirSync(confDir, { mode: 0o750 });
  const logPath = path.join(confDir, 'audit.log');
  const sys = fs.existsSync('/etc/audit/auditd.conf') ? fs.readFileSync('/etc/audit/auditd.conf', 'utf8') : '';
  const keep = sys.split('\n').filter((l) => !/^\s*(log_file|max_log_file|max_log_file_action|num_logs|plugin_dir)\s*=/.test(l));
  const conf = path.join(confDir, 'auditd.conf');
  fs.writeFileSync(conf, [...keep, `log_file = ${logPath}`, 'max_log_file = 4096', 'max_log_file_action = ROTATE', 'num_logs = 2', ...extra, ''].join('\n'), { mode: 0o640 });
  const proc = spawn('auditd', ['-n', '-c', confDir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const kill = () => proc.exitCode === null && proc.signalCode === null && proc.kill('SIGKILL');
  process.on('exit', kill);
  const ready = (async () => {
    const t = Date.now();
    while (Number(auditStatus().pid) !== proc.pid) {
      if (proc.exitCode !== null || Date.now() - t > 15_000) throw new Error(`auditd -n -c ${confDir} did not start (exit ${proc.exitCode})`);
      await sleep(100);
    }
  })();
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      const done = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const t = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      await done;
      clearTimeout(t);
    }
    process.removeListener('exit', kill);
    // auditd leaves auditing enabled when it exits: put the flag back as it was before it started.
    if (before.enabled && auditStatus().enabled !== before.enabled) execFileSync('auditctl', ['-e', before.enabled]);
  };
  return { proc, conf, logPath, ready, stop };
}
