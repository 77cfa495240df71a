// Test support for the enrich stage (not a test itself): build EcsEvents the way normalize emits them, and
// a deliberately tiny raw-log reader for the process-tree traces, so the enricher can be tested on real
// sequences independently of the parse/coalesce/normalize stages (pipeline.test.ts uses the real ones).
import type { EcsEvent } from '../../../common/ecs/event';
import type { FsReader } from './types';

export interface SyscallSpec {
  t: number; // ms since epoch
  syscall: string;
  pid: number;
  ppid: number;
  exe: string;
  comm?: string;
  args?: string[];
  cwd?: string;
  exit?: number;
  a0?: string;
  ses?: string;
  auid?: string;
  uid?: string;
  euid?: string;
  tty?: string;
  action?: string;
  host?: string;
}

/** A syscall event shaped like normalize's output (Auditbeat's auditd module layout). */
export function syscallEvent(s: SyscallSpec): EcsEvent {
  const data: Record<string, string> = { syscall: s.syscall, tty: s.tty ?? '(none)' };
  if (s.exit !== undefined) data.exit = String(s.exit);
  if (s.a0 !== undefined) data.a0 = s.a0;
  return {
    '@timestamp': new Date(s.t).toISOString(),
    event: { kind: 'event', action: s.action ?? (s.syscall === 'execve' ? 'executed' : s.syscall === 'exit_group' ? 'end' : undefined), outcome: 'success' },
    ...(s.host ? { host: { name: s.host } } : {}),
    user: { id: s.uid ?? '0', audit: { id: s.auid ?? '4294967295' }, effective: { id: s.euid ?? s.uid ?? '0' } },
    process: {
      pid: s.pid,
      parent: { pid: s.ppid },
      executable: s.exe,
      name: s.comm ?? s.exe.slice(s.exe.lastIndexOf('/') + 1),
      ...(s.args ? { args: s.args, args_count: s.args.length } : {}),
      ...(s.cwd ? { working_directory: s.cwd } : {}),
    },
    auditd: { message_type: 'syscall', result: 'success', session: s.ses ?? '4294967295', data },
  };
}

/** A user-space record (LOGIN, USER_LOGIN, USER_START) as normalize emits it. */
export function userEvent(s: { t: number; type: string; pid: number; exe?: string; ses: string; auid: string; addr?: string; action: string; terminal?: string }): EcsEvent {
  return {
    '@timestamp': new Date(s.t).toISOString(),
    event: { kind: 'event', action: s.action, outcome: 'success' },
    user: { id: '0', audit: { id: s.auid } },
    process: { pid: s.pid, ...(s.exe ? { executable: s.exe } : {}) },
    ...(s.addr ? { source: { ip: s.addr } } : {}),
    auditd: { message_type: s.type, result: 'success', session: s.ses, data: s.terminal ? { terminal: s.terminal } : {} },
  };
}

const SYSCALLS: Record<string, Record<string, string>> = {
  c000003e: { '56': 'clone', '57': 'fork', '58': 'vfork', '59': 'execve', '231': 'exit_group', '435': 'clone3', '322': 'execveat' },
  c00000b7: { '220': 'clone', '221': 'execve', '94': 'exit_group', '435': 'clone3', '281': 'execveat' },
};

function unquote(v: string): string {
  return v.startsWith('"') ? v.slice(1, v.lastIndexOf('"')) : v;
}

/** EXECVE arguments are hex-encoded (unquoted) when they contain spaces, quotes or control characters. */
function execArg(raw: string): string {
  return !raw.startsWith('"') && /^[0-9A-F]+$/.test(raw) ? Buffer.from(raw, 'hex').toString('utf8') : unquote(raw);
}

/**
 * Raw audit text -> events, one per serial, in the order each event's EOE appears, as a coalescer would
 * release them (first-appearance order for logs without EOE). Only what the process tree needs: SYSCALL, EXECVE, CWD.
 */
export function miniPipeline(text: string): EcsEvent[] {
  const groups = new Map<string, Record<string, string>[]>();
  const order: string[] = [];
  const firstSeen: string[] = [];
  for (const line of text.split('\n')) {
    const m = /^type=(\w+) msg=audit\((\d+\.\d+):(\d+)\): ?(.*)$/.exec(line);
    if (!m) continue;
    const key = `${m[2]}:${m[3]}`;
    if (m[1] === 'EOE') {
      order.push(key);
      continue;
    }
    const fields: Record<string, string> = { type: m[1], ts: m[2] };
    for (const kv of m[4].matchAll(/([\w-]+)=("[^"]*"|\S+)/g)) fields[kv[1]] = m[1] === 'EXECVE' && /^a\d+$/.test(kv[1]) ? execArg(kv[2]) : unquote(kv[2]);
    if (!groups.has(key)) {
      groups.set(key, []);
      firstSeen.push(key);
    }
    groups.get(key)!.push(fields);
  }
  const out: EcsEvent[] = [];
  // Logs without EOE records (some traces) are released in order of first appearance.
  for (const key of order.length ? order : firstSeen) {
    const recs = groups.get(key);
    const sc = recs?.find((r) => r.type === 'SYSCALL');
    if (!recs || !sc) continue;
    const ex = recs.find((r) => r.type === 'EXECVE');
    const args = ex ? Array.from({ length: Number(ex.argc) }, (_, i) => ex[`a${i}`]) : undefined;
    out.push(
      syscallEvent({
        t: Math.round(Number(sc.ts) * 1000),
        syscall: SYSCALLS[sc.arch]?.[sc.syscall] ?? sc.syscall,
        pid: Number(sc.pid),
        ppid: Number(sc.ppid),
        exe: sc.exe,
        comm: sc.comm,
        args,
        cwd: recs.find((r) => r.type === 'CWD')?.cwd,
        exit: sc.exit !== undefined ? Number(sc.exit) : undefined,
        a0: sc.a0,
        ses: sc.ses,
        auid: sc.auid,
        uid: sc.uid,
        euid: sc.euid,
        tty: sc.tty,
      }),
    );
  }
  return out;
}

/** An in-memory FsReader: files by path, symlinks by path, directories derived from the paths. */
export function fakeFs(files: Record<string, string>, links: Record<string, string> = {}, mtimes: Record<string, number> = {}): FsReader {
  return {
    readFile: (p) => files[p],
    readlink: (p) => links[p],
    mtimeMs: (p) => (p in files ? (mtimes[p] ?? 0) : undefined),
    readdir(p) {
      const prefix = p.endsWith('/') ? p : `${p}/`;
      const names = new Set<string>();
      for (const k of [...Object.keys(files), ...Object.keys(links)]) if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split('/')[0]);
      return names.size ? [...names] : undefined;
    },
  };
}
