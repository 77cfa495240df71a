// Captures kibana-plugin/test/fixtures/nested-workload.log from the real kernel audit subsystem:
//
//   sudo npx tsx kibana-plugin/test/capture-nested.ts
//
// The workload of nested-workload.ts runs as root in a fresh audit session (the wrapper writes
// /proc/self/loginuid, which gives it a new `ses`, then execs `bash -c ...`), while auditd records with
// the project's recommended rules (shipper/rules/auditsight.rules) through the live-audit harness, which
// takes the machine-wide capture lock and restores the audit state afterwards. A loopback listener
// outside the session (this process) gives python's connect a real peer. Only the lines of that session
// are kept (linesOfSession, shared with the detection fixture capture), so the file stays small.
//
// NOT for CI: the fixture is committed; tests replay it. Needs root, auditd, nc (netcat-openbsd), python3.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { linesOfSession } from '../../detections/fixtures-capture/capture';
import { withLiveAudit } from '../../shipper/src/inputs/live-audit';
import { runLines } from '../../shipper/src/pipeline';
import { Enricher } from '../../shipper/src/enrich';
import { FIXTURE_HOST } from '../../detections/fixtures-capture/pipeline';
import { ENTRY_ARGV, EXE, LOOPBACK, NESTED_FIXTURE, PORT_OUT, PROCESSES, STORY } from './nested-workload';

const ROOT = path.resolve(__dirname, '..', '..');
const RULES_FILE = path.join(ROOT, 'shipper', 'rules', 'auditsight.rules');
const ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C' };
/** Sessions captured per run; the first one whose events tell the whole STORY is kept. */
const ATTEMPTS = 3;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fixture's expectations name resolved binaries: refuse a machine where the names resolve elsewhere. */
function checkExecutables(): void {
  for (const [name, want] of Object.entries(EXE)) {
    // stdin not a socket: bash sources ~/.bashrc when it thinks rshd started it (stdin a socket, as
    // node's default pipes are), and root's may prepend to PATH.
    const r = spawnSync('/bin/bash', ['-c', `readlink -f "$(command -v ${name})"`], { encoding: 'utf8', env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    const got = r.stdout.trim();
    if (got !== want) throw new Error(`${name} resolves to ${got || '(nothing)'} here, the workload expects ${want}: install it or update EXE`);
  }
}

/**
 * Opens a new audit session and execs the workload in it; returns the session id. Async (not spawnSync,
 * as capture.ts does) because this process also serves the outside listener while the workload runs. The
 * wrapper's own exec happens before loginuid is written, so it is not part of the session; the session
 * starts with the exec of `bash -c`, which is therefore its entry leader.
 */
function runInFreshSession(): Promise<string> {
  const wrapper = 'echo 0 > /proc/self/loginuid || exit 97\nread -r SES < /proc/self/sessionid\necho "SES=$SES" >&2\nexec "$@"';
  return new Promise((resolve, reject) => {
    // stdin /dev/null, not node's default socketpair: bash would take that for rshd and source ~/.bashrc.
    const child = spawn('/bin/bash', ['-c', wrapper, 'wrapper', ...ENTRY_ARGV], { cwd: '/tmp', env: ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ses = /SES=(\d+)/.exec(err)?.[1];
      if (code !== 0 || !ses) reject(new Error(`workload exited ${code}: ${err.trim()}`));
      else resolve(ses);
    });
  });
}

/** Why a session's lines do not tell the STORY (undefined when they do). Runs the real pipeline. */
export function storyProblems(lines: string[]): string | undefined {
  const { events } = runLines(lines, { enricher: new Enricher({ host: FIXTURE_HOST }) });
  const seqs: number[] = [];
  for (const step of STORY) {
    const p = PROCESSES[step.proc];
    const action = step.kind === 'exec' ? 'executed' : step.action;
    const ev = events.find((e) => e.event.action === action && e.process?.executable === p.exe &&
      JSON.stringify(e.process?.args) === JSON.stringify(p.args));
    if (!ev) return `no ${action} by ${p.args.slice(0, 2).join(' ')}`;
    seqs.push(ev.auditd?.sequence ?? -1);
  }
  const i = STORY.findIndex((s) => s.kind === 'network' && s.action === 'accepted-connection-from');
  if (seqs[i]! < seqs[i - 1]!) return 'the accept was recorded before the connect that caused it';
  return undefined;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run as root: the capture drives auditd and writes /proc/self/loginuid');
  checkExecutables();
  // The peer of python's first connect: outside the session, so none of its records are kept.
  const listener = net.createServer((s) => s.destroy());
  await new Promise<void>((resolve, reject) => listener.once('error', reject).listen(PORT_OUT, LOOPBACK, resolve));
  try {
    const { lines, value: sessions } = await withLiveAudit(RULES_FILE, async () => {
      const out: string[] = [];
      for (let i = 0; i < ATTEMPTS; i++) {
        out.push(await runInFreshSession());
        await sleep(300);
      }
      return out;
    });
    for (const ses of sessions) {
      const got = linesOfSession(lines, ses);
      const problem = storyProblems(got);
      if (problem) {
        console.log(`  ses=${ses}: ${got.length} lines, rejected: ${problem}`);
        continue;
      }
      fs.mkdirSync(path.dirname(NESTED_FIXTURE), { recursive: true });
      fs.writeFileSync(NESTED_FIXTURE, got.join('\n') + '\n');
      console.log(`  ses=${ses}: ${got.length} lines written to ${path.relative(ROOT, NESTED_FIXTURE)}`);
      return;
    }
    throw new Error(`none of the ${ATTEMPTS} sessions told the whole story; nothing written`);
  } finally {
    listener.close();
  }
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
