// bench:ship part 3's same-machine reference: Laurel, fed the very capture the shipper gets, at the same
// pace, right after it.
//
// Why: the goal (15% of a core at 1000 exec/s) was set against published figures (Laurel 21%, Auditbeat
// 54.5%), measured on an EC2 t2.small, with auditd and its dispatcher counted in Laurel's. A share of a
// core depends on the core: this VM's steal alone moves a run by 10-20%. Laurel, run here on the same
// records and pace, is a reference measured in the same run, and the ratio to it does not depend on the
// machine. It is a lower bound of the work, not an equal: Laurel parses, coalesces, enriches (its process
// tree, /proc) and writes JSON lines to a local file; the shipper does that, maps to ECS, keeps a durable
// queue and ships to Elasticsearch with acknowledgements.
//
// Laurel is not a dependency of this repository (GPL-3.0): `--laurel BIN` points at a binary built with
// `cargo install laurel` (its build needs libclang-dev). Without it, this part is skipped and says so.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writePaced, type PacedLine } from './ship-paced';

export interface LaurelFigures {
  /** Laurel's user+system CPU over its whole life (start, the paced input, the drain after it). */
  cpuS: number;
  /** JSON lines it wrote: one per audit event it coalesced. */
  events: number;
  version: string;
  wroteS: number;
}

/** Laurel's own configuration for a run: stdin in, one unrotated log in `dir`, no state file. */
export function laurelConfig(dir: string): string {
  return [
    `directory = ${JSON.stringify(dir)}`,
    'input = "stdin"',
    'statusreport-period = 0',
    '[auditlog]',
    'file = "audit.log"',
    'size = 100000000000',
    'generations = 1',
    '[state]',
    'file = ""',
    '',
  ].join('\n');
}

/** What `laurel --version` prints. */
export function laurelVersion(bin: string): Promise<string> {
  return new Promise<string>((resolve) => {
    const v = spawn(bin, ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let out = '';
    v.stdout.on('data', (d) => (out += d));
    v.once('error', () => resolve('unknown version'));
    v.once('exit', () => resolve(out.trim() || 'unknown version'));
  });
}

/** Events Laurel wrote to the log laurelConfig(dir) names: one JSON line each. */
export function laurelEvents(dir: string): number {
  const file = path.join(dir, 'audit.log');
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The children's user and system seconds, from the second line bash's `times` prints. */
export function childTimes(out: string): number {
  const m = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/.exec(out.trim());
  if (!m) throw new Error(`no CPU times in ${JSON.stringify(out.slice(-200))}`);
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}

export async function laurelPaced(bin: string, lines: PacedLine[], speed: number, dir: string, aborted: () => boolean): Promise<LaurelFigures> {
  fs.mkdirSync(dir, { recursive: true });
  const conf = path.join(dir, 'laurel.toml');
  fs.writeFileSync(conf, laurelConfig(dir));
  const version = await laurelVersion(bin);
  // bash reaps Laurel and prints its rusage (`times`): the CPU of all its threads, to its very end.
  const child = spawn('bash', ['-c', '"$0" -c "$1"; s=$?; times; exit $s', bin, conf], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.stdin.on('error', () => undefined); // an early exit is reported below, with its stderr
  const wroteS = await writePaced(lines, speed, (b) => void child.stdin.write(b), aborted);
  child.stdin.end();
  const code = await exited;
  if (code !== 0) throw new Error(`laurel exited with ${code}: ${err.slice(-1000)}`);
  return { cpuS: childTimes(out), events: laurelEvents(dir), version, wroteS };
}
