// Helpers over parsed records that need more than one field or record. Pure; used by normalize.
import type { AuditRecord } from './types';
import { flat } from '../../../common/flat';

const T_EXECVE = 1309;

export interface ExecveArgs {
  /** argc as the kernel wrote it (first EXECVE record), if present. */
  argc?: number;
  /** Arguments in order; an argument split over several EXECVE records (aN[i] pieces) is joined. */
  args: string[];
  /** False when argc says there are more arguments than the records hold (lost or truncated records). */
  complete: boolean;
}

/**
 * The argv of an exec from all EXECVE records of one event, in arrival order. The kernel writes long
 * command lines over several EXECVE records (argc only in the first; later records carry aN or the
 * continuation pieces aN[i] of a long argument), so one record alone may hold a partial argument.
 * Known limit: a UTF-8 character cut between two records' pieces decodes as two U+FFFD.
 */
export function execveArgs(records: readonly AuditRecord[]): ExecveArgs {
  let argc: number | undefined;
  const args: string[] = [];
  for (const r of records) {
    if (r.typeNumber !== T_EXECVE && r.type !== 'EXECVE') continue;
    const f = r.fields;
    const argcText = f.get('argc');
    if (argc === undefined && argcText !== undefined) {
      const n = Number(argcText);
      if (Number.isInteger(n) && n >= 0) argc = n;
    }
    for (const [key, v] of f) {
      const n = argIndex(key);
      if (n === -1) continue;
      args[n] = args[n] === undefined ? v : args[n] + v;
    }
  }
  let complete = true;
  const len = argc ?? args.length;
  for (let i = 0; i < len; i++) {
    if (args[i] === undefined) {
      args[i] = '';
      complete = false;
    }
  }
  if (argc !== undefined && args.length > argc) args.length = argc;
  return { argc, args, complete };
}

/** n for a key 'aN' (digits only), else -1. */
function argIndex(key: string): number {
  if (key.length < 2 || key.charCodeAt(0) !== 97) return -1;
  let n = 0;
  for (let i = 1; i < key.length; i++) {
    const d = key.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Audit rule keys from a record's `key` field: none for (null), several when auditd joined them with
 * \x01 (written hex, decoded by parse), and `key="key=net"` (old auditctl) read as 'net', as go-libaudit does.
 */
export function ruleKeys(key: string | undefined): string[] {
  if (key === undefined || key === '(null)' || key === '') return [];
  // Flat (common/flat.ts): the tags are on the event's documents.
  if (key.indexOf('\x01') !== -1) return key.split('\x01').filter((k) => k.length > 0).map((k) => flat(k));
  const eq = key.indexOf('=');
  return [flat(eq === -1 ? key : key.slice(eq + 1))];
}
