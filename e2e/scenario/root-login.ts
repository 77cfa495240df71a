// Records real root ssh logins under auditd with the recommended rules: one interactive (`ssh -tt ... bash -i`)
// and one with a command (`ssh root@host /bin/echo ...`). A root login is where the entry-leader inference
// cannot use uids: pam_motd's `sh -c run-parts` runs as root in the new audit session before root's own shell,
// exactly like root's shell. The capture keeps those two sessions only; enrich/root-login.test.ts replays it.
//   sudo npx tsx e2e/scenario/root-login.ts
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { linesOfSession } from '../../detections/fixtures-capture/capture';
import { withLiveAudit } from '../../shipper/src/inputs/live-audit';
import { RULES } from './capture';
import { prepare, SSH_PORT, type Prepared } from './insider';

const OUT = path.resolve(__dirname, '..', '..', 'shipper', 'src', 'enrich', 'testdata', 'root-ssh-login.log');
export const INTERACTIVE_MARK = 'auditsight-root-interactive';
export const COMMAND_MARK = 'auditsight-root-command';

function sshArgs(p: Prepared): string[] {
  return ['-i', p.keyFile, '-p', String(SSH_PORT), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR'];
}

async function interactive(p: Prepared): Promise<void> {
  const s = spawn('ssh', ['-tt', ...sshArgs(p), 'root@127.0.0.1', 'bash --noprofile --norc -i'], { stdio: ['pipe', 'pipe', 'pipe'] });
  await new Promise((r) => setTimeout(r, 1000));
  s.stdin!.write(`/bin/echo ${INTERACTIVE_MARK}\n`);
  await new Promise((r) => setTimeout(r, 500));
  s.stdin!.write('exit\n');
  await new Promise<void>((r) => s.once('exit', () => r()));
}

function command(p: Prepared): void {
  const r = spawnSync('ssh', [...sshArgs(p), 'root@127.0.0.1', `/bin/echo ${COMMAND_MARK}`], { encoding: 'utf8' });
  if (!r.stdout.includes(COMMAND_MARK)) throw new Error(`root ssh with a command failed: ${r.stderr}`);
}

/**
 * Audit sessions opened by root ssh logins: sshd's PAM session_open for acct root. (USER_LOGIN would miss the
 * login with a command: sshd writes it only for sessions with a tty.)
 */
export function rootSessions(lines: string[]): string[] {
  return lines
    .filter((l) => l.startsWith('type=USER_START') && /op=PAM:session_open/.test(l) && /acct="root"/.test(l) && /exe="\/usr\/sbin\/sshd/.test(l) && /\bres=success/.test(l))
    .map((l) => /\bses=(\d+)/.exec(l)?.[1])
    .filter((s): s is string => s !== undefined);
}

async function main(): Promise<void> {
  const p = await prepare();
  // root's key login, restored afterwards: the machine's own /root/.ssh is left as it was.
  const sshDir = '/root/.ssh';
  const keys = path.join(sshDir, 'authorized_keys');
  const hadDir = fs.existsSync(sshDir);
  const before = fs.existsSync(keys) ? fs.readFileSync(keys) : undefined;
  fs.mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  fs.appendFileSync(keys, fs.readFileSync(`${p.keyFile}.pub`), { mode: 0o600 });
  try {
    const r = await withLiveAudit(RULES, async () => {
      await interactive(p);
      command(p);
    });
    const sessions = rootSessions(r.lines);
    if (sessions.length !== 2) throw new Error(`expected 2 root ssh sessions in the capture, found ${sessions.length}`);
    const kept = sessions.flatMap((ses) => linesOfSession(r.lines, ses));
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, `${kept.join('\n')}\n`);
    console.log(`captured ${r.lines.length} lines; kept ${kept.length} of root sessions ${sessions.join(', ')} in ${OUT}`);
  } finally {
    if (before !== undefined) fs.writeFileSync(keys, before);
    else if (hadDir) fs.rmSync(keys, { force: true });
    else fs.rmSync(sshDir, { recursive: true, force: true });
    p.cleanup();
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
