// Helpers for the live pipeline test (live.test.ts): run a command in a fresh audit login session while a
// withLiveAudit capture records it, and run the real `auditsight parse` on what was captured.
//
// runInFreshSession is the async equivalent of kibana-plugin/test/capture-nested.ts's runInFreshSession
// (not exported there, and capture.ts's runInSession is synchronous, which would block the loopback
// listener this process serves, and cds into the fixture directory): the wrapper writes
// /proc/self/loginuid (a new `ses`), reports the session id with shell builtins only, then execs the
// command, which becomes the session's first exec and so its entry leader.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EcsEvent } from '../../../common/ecs/event';

/** A fixed environment: root's own PATH may start with shims (pyenv) or sourced additions. */
export const SESSION_ENV = { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C' };

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Where `name` resolves through SESSION_ENV's PATH, symlinks followed: what the kernel reports as exe. */
export function resolveExecutable(name: string): string {
  if (name.includes('/')) return fs.realpathSync(name);
  for (const dir of SESSION_ENV.PATH.split(':')) {
    const p = path.join(dir, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return fs.realpathSync(p);
    } catch {
      /* not here */
    }
  }
  throw new Error(`${name} not found on ${SESSION_ENV.PATH}`);
}

/** Opens a new audit session, execs `argv` in it and waits for it; resolves to the session id. */
export function runInFreshSession(argv: string[], timeoutMs = 30_000): Promise<string> {
  const wrapper = 'echo 0 > /proc/self/loginuid || exit 97\nread -r SES < /proc/self/sessionid\necho "SES=$SES" >&2\nexec "$@"';
  return new Promise((resolve, reject) => {
    // stdin /dev/null, not node's default socketpair: bash would take that for rshd and source ~/.bashrc.
    const child = spawn('/bin/bash', ['-c', wrapper, 'wrapper', ...argv], { cwd: '/tmp', env: SESSION_ENV, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const ses = /SES=(\d+)/.exec(err)?.[1];
      if (code !== 0 || !ses) reject(new Error(`workload exited ${code ?? signal}: ${err.trim()}`));
      else resolve(ses);
    });
  });
}

export interface ParseRun {
  code: number | null;
  events: EcsEvent[];
  stderr: string;
}

/** `node bin/auditsight.js parse FILE`, the real CLI as a child process; stdout parsed as NDJSON. */
export function auditsightParse(file: string, timeoutMs = 60_000): Promise<ParseRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin', 'auditsight.js'), 'parse', file], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const text = Buffer.concat(out).toString('utf8');
      try {
        resolve({ code, stderr, events: text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as EcsEvent) });
      } catch (e) {
        reject(new Error(`auditsight parse printed a line that is not JSON (${(e as Error).message}); stderr: ${stderr}`));
      }
    });
  });
}
