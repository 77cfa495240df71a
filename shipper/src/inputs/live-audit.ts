// Live audit harness for tests (pipeline live test, detection fixture capture, end-to-end scenario):
// load a rules file into the real kernel, run a workload, get back the raw audit.log lines it caused,
// and leave the machine's audit configuration as it was.
//
// It never skips: when the kernel or the environment refuses (not root, audit compiled out, a
// container without CAP_AUDIT_CONTROL, rules locked with -e 2, auditctl rejecting a rule) it throws an
// Error saying exactly which, so a test using it fails with the reason.
//
// The capture window is delimited by USER records written with `auditctl -m` (they pass through the
// same kernel queue as syscall records, so everything the workload caused before it returned lies
// between them), and the log is read with the Tailer so an auditd rotation mid-capture loses nothing.
import { processAlive } from '../../../common/process';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Tailer } from './tail';
import { encodeTailCheckpoint, fingerprint, FP_MAX, readPrefix } from './tail-files';

export interface LiveCapture {
  /** Unique id of this capture; it is in both marker records. */
  readonly id: string;
  /** The audit log being read. */
  readonly logPath: string;
  /** Write an extra USER marker record (`auditsight-marker <id> <label>`) into the capture. */
  mark(label: string): Promise<void>;
}

export interface LiveAuditResult<T> {
  /** Raw audit.log lines strictly between the start and end markers, in log order. */
  lines: string[];
  /** What the workload returned. */
  value: T;
  /** The marker lines themselves. */
  startMarker: string;
  endMarker: string;
  /** `auditctl -l` while the capture ran (the rules as the kernel understood them). */
  rulesLoaded: string[];
  /** `auditctl -l` before the capture, and after restoring: both read under the lock, so a test can
   *  check the restore without racing another process's capture. */
  rulesBefore: string[];
  rulesAfter: string[];
}

export interface LiveAuditOptions {
  /** Default: log_file from /etc/audit/auditd.conf, else /var/log/audit/audit.log. */
  logPath?: string;
  /** How long to wait for the end marker to reach the log. Default 15 s. */
  markerTimeoutMs?: number;
  /** How long to wait for another process's capture to finish. Default 5 min. */
  lockTimeoutMs?: number;
  lockFile?: string;
}

const AUDITD_CONF = '/etc/audit/auditd.conf';
const MARKER = 'auditsight-marker';

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

function run(cmd: string, args: string[]): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { encoding: 'utf8', timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as NodeJS.ErrnoException).code === 'number' ? Number((err as NodeJS.ErrnoException).code) : 127) : 0;
      resolve({ code, stdout, stderr: err && !stderr ? err.message : stderr });
    });
  });
}

function findBinary(name: string): string {
  for (const dir of ['/usr/sbin', '/sbin', '/usr/bin', '/bin']) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  throw new Error(`withLiveAudit: ${name} not found in /usr/sbin, /sbin, /usr/bin, /bin (install the auditd package)`);
}

/** auditctl, throwing with its own words when it fails. */
async function auditctl(args: string[], what: string): Promise<string> {
  const r = await run(findBinary('auditctl'), args);
  // auditctl -R exits non-zero and names the line on a bad rule; some errors only go to stderr.
  if (r.code !== 0 || /^Error/m.test(r.stderr)) {
    throw new Error(`withLiveAudit: ${what} failed: auditctl ${args.join(' ')} (exit ${r.code}): ${(r.stderr || r.stdout).trim()}`);
  }
  return r.stdout;
}

type Status = Record<string, string>;

async function auditStatus(): Promise<Status> {
  const out = await auditctl(['-s'], 'reading the kernel audit status (root with CAP_AUDIT_CONTROL and a kernel with CONFIG_AUDIT are needed)');
  const st: Status = {};
  for (const l of out.split('\n')) {
    const m = /^(\S+) (.*)$/.exec(l.trim());
    if (m) st[m[1]!] = m[2]!;
  }
  return st;
}

async function listRules(): Promise<string[]> {
  const out = await auditctl(['-l'], 'listing the audit rules');
  return out.split('\n').filter((l) => l.trim() !== '' && l.trim() !== 'No rules');
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One capture at a time machine-wide: rules and auditd are global state. Stale locks (dead pid) are taken over. */
async function acquireLock(file: string, timeoutMs: number): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
      return () => {
        try {
          if (fs.readFileSync(file, 'utf8').trim() === String(process.pid)) fs.unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`withLiveAudit: cannot create lock ${file}: ${(e as Error).message}`);
    }
    const holder = Number(fs.readFileSync(file, 'utf8').trim());
    if (holder === process.pid) throw new Error('withLiveAudit: nested call in the same process (a capture is already running here)');
    if (!Number.isInteger(holder) || holder <= 0 || !processAlive(holder)) {
      fs.rmSync(file, { force: true }); // stale: its owner died without cleaning up
      continue;
    }
    if (Date.now() > deadline) throw new Error(`withLiveAudit: another live audit capture is running (pid ${holder}, lock ${file})`);
    await sleep(200);
  }
}

function readConf(): Record<string, string> {
  if (!fs.existsSync(AUDITD_CONF)) throw new Error(`withLiveAudit: ${AUDITD_CONF} is missing (install the auditd package)`);
  const conf: Record<string, string> = {};
  for (const l of fs.readFileSync(AUDITD_CONF, 'utf8').split('\n')) {
    const m = /^\s*([a-z_]+)\s*=\s*(.*?)\s*$/.exec(l);
    if (m) conf[m[1]!] = m[2]!;
  }
  return conf;
}

/**
 * auditctl -R. When it fails it often says nothing at all (exit 1, empty output), so the file is then
 * replayed rule by rule to name the line and auditctl's reason. The state is restored afterwards anyway.
 */
async function loadRules(file: string): Promise<void> {
  const r = await run(findBinary('auditctl'), ['-R', file]);
  if (r.code === 0 && !/^Error/m.test(r.stderr)) return;
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!.trim();
    if (l === '' || l.startsWith('#')) continue;
    // auditctl reads rule files by splitting on whitespace, with no quoting: do the same.
    const one = await run(findBinary('auditctl'), l.split(/\s+/));
    if (one.code !== 0 || /^Error/m.test(one.stderr)) {
      throw new Error(`withLiveAudit: loading ${file} failed at line ${i + 1} (${l}): ${(one.stderr || one.stdout).trim() || `exit ${one.code}`}`);
    }
  }
  throw new Error(`withLiveAudit: loading ${file} failed: auditctl -R (exit ${r.code}): ${(r.stderr || r.stdout).trim() || 'no message'}`);
}

/** Start auditd in the foreground as our child (no systemd here); resolves once the kernel knows its pid. */
async function startAuditd(): Promise<ChildProcess> {
  const child = spawn(findBinary('auditd'), ['-n'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  let exited: number | null | undefined;
  child.on('exit', (code) => (exited = code));
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`withLiveAudit: auditd -n exited with ${exited} at start: ${stderr.trim()}`);
    const st = await auditStatus();
    if (Number(st.pid) === child.pid) return child;
    await sleep(100);
  }
  child.kill('SIGKILL');
  throw new Error(`withLiveAudit: auditd -n (pid ${child.pid}) did not register with the kernel within 10 s: ${stderr.trim()}`);
}

async function stopAuditd(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(t);
}

async function mark(text: string): Promise<void> {
  await auditctl(['-m', text], 'writing a marker record (needs auditd running)');
}

/** Read the log from `startToken` until a line matches `isEnd`; lines after `isStart` are kept. */
async function readBetween(logPath: string, startToken: string, isStart: (l: string) => boolean, isEnd: (l: string) => boolean, timeoutMs: number) {
  const t = new Tailer({ path: logPath, checkpoint: startToken, pollMs: 50 });
  const it = t.batches()[Symbol.asyncIterator]();
  const lines: string[] = [];
  let startMarker: string | undefined;
  const deadline = Date.now() + timeoutMs;
  try {
    let pending = it.next();
    while (Date.now() < deadline) {
      const r = await Promise.race([pending, sleep(100).then(() => 'tick' as const)]);
      if (r === 'tick') continue;
      if (r.done) break;
      pending = it.next();
      for (const { line } of r.value) {
        if (startMarker === undefined) {
          if (isStart(line)) startMarker = line;
        } else if (isEnd(line)) {
          return { lines, startMarker, endMarker: line };
        } else lines.push(line);
      }
    }
  } finally {
    await t.close();
  }
  throw new Error(`withLiveAudit: ${startMarker ? 'end' : 'start'} marker not found in ${logPath} within ${timeoutMs} ms (is auditd writing there? write_logs, log_file in ${AUDITD_CONF})`);
}

/**
 * Load `rulesFile`, run `workload`, return the raw audit lines between a start and an end marker,
 * then restore the previous rules, kernel settings and auditd state (even when the workload throws).
 */
export async function withLiveAudit<T>(rulesFile: string, workload: (capture: LiveCapture) => Promise<T>, opts: LiveAuditOptions = {}): Promise<LiveAuditResult<T>> {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) {
    throw new Error(`withLiveAudit: must run as root (uid is ${process.getuid()}): loading audit rules needs CAP_AUDIT_CONTROL`);
  }
  if (!fs.existsSync(rulesFile)) throw new Error(`withLiveAudit: rules file not found: ${rulesFile}`);
  const status = await auditStatus();
  if (status.enabled === '2') throw new Error('withLiveAudit: audit rules are locked (enabled 2, set with -e 2): only a reboot unlocks them');
  const conf = readConf();
  if ((conf.write_logs ?? 'yes').toLowerCase() === 'no') throw new Error(`withLiveAudit: write_logs = no in ${AUDITD_CONF}: auditd writes no log to read`);
  const logPath = opts.logPath ?? conf.log_file ?? '/var/log/audit/audit.log';

  if (capturing) throw new Error('withLiveAudit: nested call in the same process (a capture is already running here)');
  // Inside withAuditLock the lock is already ours.
  const release = lockHeld ? () => undefined : await acquireLock(lockPath(opts), opts.lockTimeoutMs ?? 300_000);
  capturing = true;
  const errors: Error[] = [];
  let started: ChildProcess | undefined;
  let saved: { rules: string[]; status: Status } | undefined;
  let result: LiveAuditResult<T> | undefined;
  try {
    saved = { rules: await listRules(), status: await auditStatus() };
    if (!(Number(saved.status.pid) > 0 && processAlive(Number(saved.status.pid)))) {
      fs.mkdirSync(path.dirname(logPath), { recursive: true, mode: 0o750 });
      started = await startAuditd();
    }
    if ((await auditStatus()).enabled !== '1') await auditctl(['-e', '1'], 'enabling auditing');
    await auditctl(['-D'], 'deleting the current rules');
    await loadRules(rulesFile);
    const rulesLoaded = await listRules();

    // Start reading at the current end of the log (a checkpoint built by hand: the Tailer then also
    // follows a rotation that happens during the capture).
    const st = fs.statSync(logPath, { bigint: true });
    const offset = Number(st.size);
    const prefix = await readPrefix(logPath, Math.min(FP_MAX, offset));
    const startToken = encodeTailCheckpoint({ dev: st.dev.toString(), ino: st.ino.toString(), offset, fpLen: prefix.length, fpHash: fingerprint(prefix) });

    const id = randomUUID();
    const isMarker = (what: string) => (l: string) => l.startsWith('type=USER ') && l.includes(`text=${MARKER} ${what} ${id}`);
    await mark(`${MARKER} start ${id}`);
    const value = await workload({ id, logPath, mark: (label) => mark(`${MARKER} ${id} ${label}`) });
    await mark(`${MARKER} end ${id}`);
    const got = await readBetween(logPath, startToken, isMarker('start'), isMarker('end'), opts.markerTimeoutMs ?? 15_000);
    result = { ...got, value, rulesLoaded, rulesBefore: saved.rules, rulesAfter: [] };
  } catch (e) {
    errors.push(e as Error);
    throw e;
  } finally {
    try {
      if (saved) await restore(saved, started);
      if (result) result.rulesAfter = await listRules();
    } catch (e) {
      // A failed restore must not pass silently, but must not hide the workload's own error either.
      if (errors.length === 0) throw e;
      (errors[0] as Error).message += `\n(and restoring the audit state failed: ${(e as Error).message})`;
    } finally {
      capturing = false;
      release();
    }
  }
  return result!;
}

/**
 * Hold the machine-wide capture lock around `fn`, for callers that change audit state themselves
 * (load rules a capture must find and restore, several captures in a row with nothing in between).
 * withLiveAudit inside `fn` reuses the lock.
 */
export async function withAuditLock<T>(fn: () => Promise<T>, opts: Pick<LiveAuditOptions, 'lockFile' | 'lockTimeoutMs'> = {}): Promise<T> {
  if (lockHeld || capturing) throw new Error('withAuditLock: the lock is already held by this process');
  const release = await acquireLock(lockPath(opts), opts.lockTimeoutMs ?? 300_000);
  lockHeld = true;
  try {
    return await fn();
  } finally {
    lockHeld = false;
    release();
  }
}

/** This process holds the lock through withAuditLock / is inside withLiveAudit. */
let lockHeld = false;
let capturing = false;

function lockPath(opts: Pick<LiveAuditOptions, 'lockFile'>): string {
  return opts.lockFile ?? (fs.existsSync('/run') ? '/run/auditsight-live-audit.lock' : path.join(os.tmpdir(), 'auditsight-live-audit.lock'));
}

async function restore(saved: { rules: string[]; status: Status }, started: ChildProcess | undefined): Promise<void> {
  await auditctl(['-D'], 'deleting the capture rules');
  if (saved.rules.length > 0) {
    // `auditctl -l` prints rules in the syntax -R reads.
    const tmp = path.join(os.tmpdir(), `auditsight-restore-${process.pid}.rules`);
    fs.writeFileSync(tmp, saved.rules.join('\n') + '\n');
    try {
      await auditctl(['-R', tmp], 'restoring the previous rules');
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
  const s = saved.status;
  if (s.backlog_limit) await auditctl(['-b', s.backlog_limit], 'restoring backlog_limit');
  if (s.rate_limit) await auditctl(['-r', s.rate_limit], 'restoring rate_limit');
  if (s.failure) await auditctl(['-f', s.failure], 'restoring the failure mode');
  if (s.backlog_wait_time) await auditctl(['--backlog_wait_time', s.backlog_wait_time], 'restoring backlog_wait_time');
  if (started) await stopAuditd(started);
  // auditd -n leaves auditing enabled when it exits: put the flag back as it was.
  if (s.enabled && (await auditStatus()).enabled !== s.enabled) await auditctl(['-e', s.enabled], 'restoring the enabled flag');
}
