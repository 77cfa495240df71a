// Per-process CPU time and memory from /proc, for benchmarks that measure another process (bench:ship
// samples the shipper, auditd and Elasticsearch). Linux only; the parsers are pure so they can be tested
// on captured text.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';

export interface ProcStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  /** User and system CPU time of the process itself (all its threads), in clock ticks. */
  utime: number;
  stime: number;
  /** CPU time of its waited-for children, in clock ticks. */
  cutime: number;
  cstime: number;
  numThreads: number;
  /** Start time after boot, in clock ticks. */
  starttime: number;
}

/**
 * Parses /proc/<pid>/stat. The command name (field 2) is in parentheses and may itself contain spaces and
 * parentheses, so the fields are counted from the *last* `)`.
 */
export function parseProcStat(text: string): ProcStat {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`not a /proc/<pid>/stat line: ${JSON.stringify(text.slice(0, 80))}`);
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state): field k is rest[k - 3].
  const f = (k: number) => {
    const v = Number(rest[k - 3]);
    if (!Number.isFinite(v)) throw new Error(`/proc/<pid>/stat field ${k} missing or not a number`);
    return v;
  };
  return {
    pid: Number(text.slice(0, open).trim()),
    comm: text.slice(open + 1, close),
    state: rest[0] ?? '?',
    ppid: f(4),
    utime: f(14),
    stime: f(15),
    cutime: f(16),
    cstime: f(17),
    numThreads: f(20),
    starttime: f(22),
  };
}

export interface ProcStatus {
  /** Resident set size now, bytes. */
  vmRss?: number;
  /** Peak resident set size ("high water mark") over the process's life, bytes. */
  vmHwm?: number;
  threads?: number;
}

/** Parses /proc/<pid>/status (the `Vm*` lines are in kB; kernel threads have none). */
export function parseProcStatus(text: string): ProcStatus {
  const out: ProcStatus = {};
  for (const line of text.split('\n')) {
    const m = /^(VmRSS|VmHWM|Threads):\s+(\d+)(?:\s+kB)?/.exec(line);
    if (!m) continue;
    const v = Number(m[2]);
    if (m[1] === 'VmRSS') out.vmRss = v * 1024;
    else if (m[1] === 'VmHWM') out.vmHwm = v * 1024;
    else out.threads = v;
  }
  return out;
}

let clkTck: number | undefined;

/** USER_HZ, the unit of the /proc/<pid>/stat times (100 on every mainstream Linux build). */
export function clockTicksPerSecond(): number {
  if (clkTck === undefined) {
    try {
      clkTck = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()) || 100;
    } catch {
      clkTck = 100;
    }
  }
  return clkTck;
}

export interface ProcSample {
  /** process.hrtime in ms when read. */
  atMs: number;
  /** utime + stime in seconds. */
  cpuS: number;
  /** cutime + cstime in seconds. */
  childCpuS: number;
  rss?: number;
  hwm?: number;
}

/** One reading of a process, or undefined once it is gone. */
export function readProc(pid: number): ProcSample | undefined {
  try {
    const atMs = Number(process.hrtime.bigint()) / 1e6;
    const st = parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
    const status = parseProcStatus(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    const hz = clockTicksPerSecond();
    return { atMs, cpuS: (st.utime + st.stime) / hz, childCpuS: (st.cutime + st.cstime) / hz, rss: status.vmRss, hwm: status.vmHwm };
  } catch {
    return undefined;
  }
}

/** CPU share of one core between two readings (1 = one core fully busy). */
export function cpuShare(a: ProcSample, b: ProcSample): number {
  const wallS = (b.atMs - a.atMs) / 1000;
  return wallS > 0 ? (b.cpuS - a.cpuS) / wallS : NaN;
}

/** The whole machine's CPU time (the `cpu` line of /proc/stat, all CPUs), in clock ticks. */
export interface MachineCpu {
  /** Not idle and not waiting for I/O; steal included (the vCPU wanted to run and could not). */
  busy: number;
  /** Time the hypervisor gave to other guests. */
  steal: number;
  total: number;
}

/** Parses the first line of /proc/stat: `cpu user nice system idle iowait irq softirq steal ...`. */
export function parseMachineCpu(text: string): MachineCpu {
  const nl = text.indexOf('\n');
  const first = nl === -1 ? text : text.slice(0, nl);
  const f = first.trim().split(/\s+/);
  if (f[0] !== 'cpu' || f.length < 5) throw new Error(`not the cpu line of /proc/stat: ${JSON.stringify(first.slice(0, 80))}`);
  // user nice system idle iowait irq softirq steal; guest and guest_nice after them are already counted in
  // user and nice, so they are left out of the total.
  const n = f.slice(1, 9).map(Number);
  const total = n.reduce((a, b) => a + b, 0);
  return { busy: total - (n[3] ?? 0) - (n[4] ?? 0), steal: n[7] ?? 0, total };
}

export function readMachineCpu(): MachineCpu | undefined {
  try {
    return parseMachineCpu(fs.readFileSync('/proc/stat', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Fractions of all CPUs' time between two readings. */
export interface MachineShares {
  busy: number;
  steal: number;
}

/**
 * Shares of all CPUs' time between two readings. Benchmarks print the steal share: on a shared VM a run
 * with much steal read 10-20% more shipper CPU per event than a quiet one (session 11's paced runs), so a
 * figure compares only with figures of similar steal.
 */
export function machineShares(a: MachineCpu | undefined, b: MachineCpu | undefined): MachineShares | undefined {
  if (!a || !b || b.total <= a.total) return undefined;
  const t = b.total - a.total;
  return { busy: (b.busy - a.busy) / t, steal: (b.steal - a.steal) / t };
}

/** "busy 63%, 4.1% stolen by the hypervisor, of 2 cores", or "-" when unknown. */
export function describeMachineShares(s: MachineShares | undefined, cores: number): string {
  return s ? `busy ${(s.busy * 100).toFixed(0)}%, ${(s.steal * 100).toFixed(1)}% stolen by the hypervisor, of ${cores} cores` : '-';
}

export interface Summary {
  n: number;
  mean: number;
  max: number;
  min: number;
}

export function summarize(values: number[]): Summary {
  const v = values.filter((x) => Number.isFinite(x));
  if (!v.length) return { n: 0, mean: NaN, max: NaN, min: NaN };
  return { n: v.length, mean: v.reduce((s, x) => s + x, 0) / v.length, max: Math.max(...v), min: Math.min(...v) };
}

/**
 * Samples a process every `everyMs`: CPU share of one core per interval and RSS. `first`/`last` are the
 * readings at start and stop, so the window's mean CPU is exact (not the mean of rounded 1 s samples).
 */
export class ProcSampler {
  readonly cpu: number[] = [];
  readonly rss: number[] = [];
  first: ProcSample | undefined;
  last: ProcSample | undefined;
  private prev: ProcSample | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly pid: number,
    private readonly everyMs = 1000,
  ) {}

  start(): this {
    this.first = this.prev = readProc(this.pid);
    this.timer = setInterval(() => this.tick(), this.everyMs);
    return this;
  }

  private tick(): void {
    const s = readProc(this.pid);
    if (!s) return;
    if (this.prev) this.cpu.push(cpuShare(this.prev, s));
    if (s.rss !== undefined) this.rss.push(s.rss);
    this.prev = this.last = s;
  }

  stop(): this {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.tick();
    return this;
  }

  /** Mean CPU share over the whole window (first to last reading). */
  meanCpu(): number {
    return this.first && this.last ? cpuShare(this.first, this.last) : NaN;
  }
}

/** `rootPid` and all its descendants alive now (from the ppid of every /proc/<pid>/stat). */
export function processTree(rootPid: number): number[] {
  const kids = new Map<number, number[]>();
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const st = parseProcStat(fs.readFileSync(`/proc/${name}/stat`, 'utf8'));
      if (!kids.has(st.ppid)) kids.set(st.ppid, []);
      kids.get(st.ppid)!.push(st.pid);
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const todo = [rootPid];
  while (todo.length) {
    const p = todo.pop()!;
    out.push(p);
    todo.push(...(kids.get(p) ?? []));
  }
  return out;
}

/** utime+stime (seconds) summed over `pids`; processes gone meanwhile count as 0. */
export function cpuSecondsOf(pids: number[]): number {
  return pids.reduce((s, p) => s + (readProc(p)?.cpuS ?? 0), 0);
}
