// Per-record interpretation: turns the parse stage's decoded fields into the values go-libaudit's
// auparse `AuditMessage.Data()` reports (names for arch/syscall/errno, `unset` ids, `result`, SELinux labels
// split, sockaddr taken apart, rule key turned into tags). Text-level fix-ups (hex, old LOGIN and AVC layouts,
// split EXECVE arguments) are already done by the parse stage. Everything downstream (coalescing into one event,
// the normalization table, the ECS mapping) reads these values, exactly as in go-libaudit + Auditbeat.
import type { AuditRecord } from '../parse/types';
import { archName } from './tables/arch';
import { ERRNO_NAMES } from './tables/errno.generated';
import { SYSCALL_NAMES } from './tables/syscalls.generated';
import { decodeSockaddr, type SockaddrDecoder } from './sockaddr';
import { signalName } from './tables/signals';
import { ruleKeys } from '../parse/values';
import { flat } from '../../../common/flat';

export interface RecordData {
  data: Map<string, string>;
  tags?: string[];
  warnings?: string[];
  /** rec.enriched plus uppercase fields found in the body; only set when there were such fields. */
  enriched?: Record<string, string>;
}

const SELINUX_PARTS = ['_user', '_role', '_domain', '_level', '_category'] as const;
// go-libaudit drops fields whose value carries no information.
function useless(v: string): boolean {
  return v === '' || v === '?' || v === '?,' || v === '(null)';
}

function splitSelinux(data: Map<string, string>, key: string): void {
  const v = data.get(key);
  if (v === undefined) return;
  data.delete(key);
  // SplitN(v, ":", 5): the category part keeps any further colons.
  let start = 0;
  for (let i = 0; i < SELINUX_PARTS.length; i++) {
    const end = i === SELINUX_PARTS.length - 1 ? -1 : v.indexOf(':', start);
    if (end < 0) {
      data.set(key + SELINUX_PARTS[i], flat(v.slice(start)));
      return;
    }
    data.set(key + SELINUX_PARTS[i], flat(v.slice(start, end)));
    start = end + 1;
  }
}

function unsetId(data: Map<string, string>, key: string): void {
  const v = data.get(key);
  if (v === '4294967295' || v === '-1') data.set(key, 'unset');
}

// Hex-encoded values that go-libaudit decodes with hexToStrings: NUL-separated parts joined by a space
// (proctitle is argv with NULs). The parse stage already decoded the hex; only the NUL handling is ours.
function nulsToSpaces(data: Map<string, string>, key: string): void {
  const v = data.get(key);
  if (v !== undefined && v.indexOf('\0') >= 0) data.set(key, v.split('\0').join(' '));
}

export interface InterpretOptions {
  decodeSockaddr?: SockaddrDecoder;
}

/**
 * Interprets `rec` in place: the returned `data` is `rec.fields` itself, edited (a record is interpreted
 * once, by the event it belongs to). Copying every record into a new Map was ~10% of the pipeline's
 * allocation; deleting from the Map keeps the other fields in their order, exactly as the copy did.
 */
export function interpretRecord(rec: AuditRecord, opts: InterpretOptions = {}): RecordData {
  const data = rec.fields;
  const out: RecordData = { data };
  // Deleting the entry being visited is safe in a Map iteration (it goes on with the next entry).
  // forEach, not for-of: a [key, value] pair per field was ~5% of the pipeline's allocation.
  data.forEach((v, k) => {
    const c = k.charCodeAt(0);
    if (c >= 65 && c <= 90) {
      // Uppercase keys are auditd's ENRICHED interpretations that reached us without their 0x1d separator
      // (go-libaudit's key pattern never matches them). Use them as names, never as record data.
      (out.enriched ??= Object.assign(Object.create(null) as Record<string, string>, rec.enriched))[k] = v;
      data.delete(k);
    } else if (useless(v)) data.delete(k);
  });
  const type = rec.type;

  unsetId(data, 'auid');
  unsetId(data, 'old-auid');
  unsetId(data, 'ses');
  splitSelinux(data, 'subj');

  // success (SYSCALL) or res (user space) -> result.
  let res = data.get('success');
  if (res !== undefined) data.delete('success');
  else {
    res = data.get('res');
    if (res !== undefined) data.delete('res');
  }
  if (res !== undefined) {
    const v = res.toLowerCase();
    data.set('result', v === 'yes' || v === '1' || v.startsWith('suc') ? 'success' : 'fail');
  }

  const exit = data.get('exit');
  if (exit !== undefined && exit.charCodeAt(0) === 45 /* - */) {
    const name = ERRNO_NAMES[-Number(exit)];
    if (name !== undefined) data.set('exit', name);
  }

  const key = data.get('key');
  if (key !== undefined) {
    data.delete('key');
    const tags = ruleKeys(key);
    if (tags.length) out.tags = tags;
  }

  nulsToSpaces(data, 'cwd');
  switch (type) {
    case 'SECCOMP': {
      const sig = data.get('sig');
      const name = sig === undefined ? undefined : signalName(Number(sig));
      if (name !== undefined) data.set('sig', name);
      syscallFields(rec, data, out);
      break;
    }
    case 'SYSCALL':
      syscallFields(rec, data, out);
      break;
    case 'SOCKADDR': {
      const saddr = data.get('saddr');
      if (saddr === undefined) break;
      const dec = (opts.decodeSockaddr ?? decodeSockaddr)(saddr);
      if (!dec) {
        (out.warnings ??= []).push('failed to parse saddr');
        break;
      }
      data.delete('saddr');
      data.set('family', dec.family);
      if (dec.addr !== undefined) data.set('addr', dec.addr);
      if (dec.port !== undefined) data.set('port', dec.port);
      if (dec.path !== undefined) data.set('path', dec.path);
      if (dec.flow !== undefined) data.set('flow', dec.flow);
      if (dec.saddr !== undefined) data.set('saddr', dec.saddr);
      break;
    }
    case 'PROCTITLE':
      nulsToSpaces(data, 'proctitle');
      break;
    case 'USER_CMD':
      nulsToSpaces(data, 'cmd');
      break;
    case 'TTY':
    case 'USER_TTY':
      nulsToSpaces(data, 'data');
      break;
    case 'PATH':
      splitSelinux(data, 'obj');
      nulsToSpaces(data, 'name');
      break;
  }
  return out;
}

// SYSCALL and SECCOMP: arch and syscall number to names, exe NULs as in go-libaudit.
function syscallFields(rec: AuditRecord, data: Map<string, string>, out: RecordData): void {
  const arch = data.get('arch');
  const an = arch === undefined ? undefined : archName(arch);
  if (an !== undefined) data.set('arch', an);
  const sc = data.get('syscall');
  if (sc !== undefined && an !== undefined) {
    const name = SYSCALL_NAMES[an]?.[Number(sc)] ?? (out.enriched ?? rec.enriched)?.SYSCALL;
    if (name) data.set('syscall', name);
  } else if (sc !== undefined) {
    (out.warnings ??= []).push('arch key not found so syscall cannot be translated to a name');
  }
  nulsToSpaces(data, 'exe');
}

