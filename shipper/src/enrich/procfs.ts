// Reading processes that started before the shipper from /proc, and the real-filesystem FsReader.
// Everything goes through FsReader so tests can hand in a fake /proc tree.
import * as fs from 'node:fs';
import { ttyNameFromDev } from './ids';
import type { FsReader } from './types';

/** FsReader over the real filesystem (optionally under another root, e.g. a host mount in a container). */
export function nodeFsReader(root = ''): FsReader {
  const p = (x: string) => root + x;
  return {
    readFile(path) {
      try {
        return fs.readFileSync(p(path), 'utf8');
      } catch {
        return undefined;
      }
    },
    readdir(path) {
      try {
        return fs.readdirSync(p(path));
      } catch {
        return undefined;
      }
    },
    readlink(path) {
      try {
        return fs.readlinkSync(p(path));
      } catch {
        return undefined;
      }
    },
    mtimeMs(path) {
      try {
        return fs.statSync(p(path)).mtimeMs;
      } catch {
        return undefined;
      }
    },
  };
}

/** What /proc tells us about one live process. */
export interface ProcProcess {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  comm: string;
  /** Start in ms since the epoch: btime + starttime / CLK_TCK (10 ms resolution with USER_HZ=100). */
  startMs: number;
  executable?: string;
  args?: string[];
  cwd?: string;
  uid?: string;
  euid?: string;
  auid?: string;
  ses?: string;
  tty?: string;
  /** Kernel threads have no executable and no argv; seeding skips them. */
  kernelThread: boolean;
}

/** Fields of /proc/PID/stat after the "(comm)" part, which may itself contain spaces and parentheses. */
export function parseStat(text: string): { comm: string; fields: string[] } | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  return { comm: text.slice(open + 1, close), fields: text.slice(close + 2).trim().split(/\s+/) };
}

export function readBootTimeMs(reader: FsReader): number | undefined {
  const stat = reader.readFile('/proc/stat');
  const m = stat && /^btime\s+(\d+)/m.exec(stat);
  return m ? Number(m[1]) * 1000 : undefined;
}

/** USER_HZ is 100 on every mainstream Linux architecture; the kernel exports it only through sysconf. */
export const DEFAULT_CLK_TCK = 100;

export function readProcProcess(
  reader: FsReader,
  pid: number,
  bootMs: number,
  clkTck = DEFAULT_CLK_TCK,
): ProcProcess | undefined {
  const base = `/proc/${pid}`;
  const statText = reader.readFile(`${base}/stat`);
  const stat = statText ? parseStat(statText) : undefined;
  if (!stat || stat.fields.length < 20) return undefined;
  const f = stat.fields; // f[0] is field 3 (state) of proc(5)
  const num = (i: number) => Number(f[i - 3]);
  const cmdline = reader.readFile(`${base}/cmdline`);
  const args = cmdline ? cmdline.replace(/\0$/, '').split('\0') : undefined;
  const status = reader.readFile(`${base}/status`);
  const uids = status ? /^Uid:\s+(\d+)\s+(\d+)/m.exec(status) : null;
  const ppid = num(4);
  const pflags = num(9);
  // PF_KTHREAD (0x00200000) is authoritative; ppid 2 (kthreadd) catches kernels that hide flags.
  const kernelThread = (pflags & 0x00200000) !== 0 || ppid === 2 || pid === 2;
  return {
    pid,
    ppid,
    pgid: num(5),
    sid: num(6),
    comm: stat.comm,
    startMs: startMsOf(f, bootMs, clkTck),
    executable: reader.readlink(`${base}/exe`)?.replace(/ \(deleted\)$/, ''),
    args: args && args.length && args[0] !== '' ? args : undefined,
    cwd: reader.readlink(`${base}/cwd`),
    uid: uids?.[1],
    euid: uids?.[2],
    auid: reader.readFile(`${base}/loginuid`)?.trim(),
    ses: reader.readFile(`${base}/sessionid`)?.trim(),
    tty: ttyNameFromDev(num(7)),
    kernelThread,
  };
}

/**
 * A reader of "when did the process that holds this pid now start" (ms since the epoch), for many pids:
 * /proc is listed once, and only pids in it have their stat read. undefined: no such process.
 */
export function procStartTimes(reader: FsReader, clkTck = DEFAULT_CLK_TCK): (pid: number) => number | undefined {
  const bootMs = readBootTimeMs(reader);
  if (bootMs === undefined) return () => undefined;
  const live = new Set(procPids(reader));
  return (pid) => {
    if (!live.has(pid)) return undefined;
    const text = reader.readFile(`/proc/${pid}/stat`);
    const stat = text ? parseStat(text) : undefined;
    const ms = stat && stat.fields.length >= 20 ? startMsOf(stat.fields, bootMs, clkTck) : NaN;
    return Number.isFinite(ms) ? ms : undefined;
  };
}

/** The pids /proc lists now. */
function procPids(reader: FsReader): number[] {
  const out: number[] = [];
  for (const name of reader.readdir('/proc') ?? []) if (/^\d+$/.test(name)) out.push(Number(name));
  return out;
}

/** Start in ms since the epoch from parseStat's fields: btime + starttime (field 22; fields[0] is field 3) / CLK_TCK. */
function startMsOf(fields: string[], bootMs: number, clkTck: number): number {
  return bootMs + Math.round((Number(fields[22 - 3]) * 1000) / clkTck);
}

/** All numeric entries of /proc, read one by one; processes that exit meanwhile are skipped. */
export function readProcTable(reader: FsReader, clkTck = DEFAULT_CLK_TCK): ProcProcess[] {
  const bootMs = readBootTimeMs(reader);
  if (bootMs === undefined) return [];
  const out: ProcProcess[] = [];
  for (const pid of procPids(reader)) {
    const p = readProcProcess(reader, pid, bootMs, clkTck);
    if (p) out.push(p);
  }
  return out;
}
