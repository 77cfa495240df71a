// Entity ids and small value helpers shared by the process table and the /proc seeder.
import * as crypto from 'node:crypto';
import { isoTimestamp } from '../normalize/to-ecs';
import { flat, interned } from '../../../common/flat';

/**
 * process.entity_id = first 128 bits of SHA-256("auditsight:v1\0" + hostKey + "\0" + pid + "\0" + startMs), as
 * 32 lowercase hex characters.
 *
 * - hostKey is host.id (/etc/machine-id) when known, else the host name: entity ids from different hosts
 *   never collide in one index.
 * - startMs is the process's start in ms since the epoch: the timestamp of the clone/fork record that created
 *   it, else the first record we saw from it (exec or anything else), else /proc starttime + btime when seeded.
 *   Two processes with the same pid on one host differ in start time, so pid reuse gives a new id.
 * - Deterministic: a restarted shipper recomputes the same id from the same inputs; snapshot()/restore() keep
 *   the inputs (notably the start time of processes first seen mid-life).
 * - A hash rather than Elastic's base64("ns__bootid__pid__start") text: fixed length, no reliance on the PID
 *   namespace inode (audit reports pids of the initial namespace anyway), and nothing host-identifying is
 *   readable from the id.
 */
export function entityId(hostKey: string, pid: number, startMs: number): string {
  const input = `auditsight:v1\0${hostKey}\0${pid}\0${Math.trunc(startMs)}`;
  // fork() asks for the child's id to recognise a replayed record, then create() asks again: answer the
  // repeat from the last one.
  if (input === lastInput) return lastId;
  // flat(): a 32-character slice would be a view of the digest (common/flat.ts); ids are on every document.
  lastId = flat(sha256Hex(input).slice(0, 32));
  lastInput = input;
  return lastId;
}

let lastInput = '';
let lastId = '';

// crypto.hash (Node >= 20.12) is the one-shot form: no Hash object per id (entity ids are computed for
// every new process, ~40% of events on a busy host). Same digest as createHash().update().digest().
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;
function sha256Hex(s: string): string {
  return oneShot !== undefined ? oneShot('sha256', s, 'hex') : crypto.createHash('sha256').update(s).digest('hex');
}

/** Audit prints "(none)" for no tty; ECS wants no value then. */
export function auditTty(tty: string | undefined): string | undefined {
  if (!tty || tty === '(none)' || tty === '?' || tty === '(null)') return undefined;
  return tty;
}

/**
 * Character device numbers for an audit tty name, as ECS process.tty.char_device wants them. Session View
 * treats a process as interactive when process.tty is present, so an approximate mapping is still useful.
 */
export function ttyCharDevice(tty: string): { major: number; minor: number } | undefined {
  let m = /^pts(\d+)$/.exec(tty);
  if (m) {
    const n = Number(m[1]);
    return { major: 136 + Math.floor(n / 256), minor: n % 256 }; // UNIX98 pty slaves: majors 136-143
  }
  m = /^ttyS(\d+)$/.exec(tty);
  if (m) return { major: 4, minor: 64 + Number(m[1]) };
  m = /^tty(\d+)$/.exec(tty);
  if (m) return { major: 4, minor: Number(m[1]) };
  if (tty === 'console') return { major: 5, minor: 1 };
  return undefined;
}

/** The inverse for /proc's tty_nr (dev_t): lets seeded processes get the same audit-style tty name. */
export function ttyNameFromDev(ttyNr: number): string | undefined {
  if (!ttyNr) return undefined;
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `pts${(major - 136) * 256 + minor}`;
  if (major === 4 && minor < 64) return `tty${minor}`;
  if (major === 4) return `ttyS${minor - 64}`;
  if (major === 5 && minor === 1) return 'console';
  return `dev${major}:${minor}`;
}

/**
 * `s` as a string that does not keep alive the text it was cut from. Values parsed from a record are V8
 * "sliced strings": views into the chunk the input read (substrings of 13 characters or more are never
 * copied). A long-lived table that keeps one such value keeps the whole chunk: on a 200k-event replay the
 * process table pinned ~200 chunks, 52 MB of a 140 MB heap. flat() (common/flat.ts) turns the view into a
 * thin string that points at V8's internalized copy of just these characters, so the chunk can go, the
 * string is serialised on JSON.stringify's fast path, and processes with the same image share one copy.
 * Shorter strings are internalized too, for the sharing alone: V8 copies substrings under 13 characters, so
 * they pin nothing, but each process kept its own "/bin/true", "/work" and "true" (heap snapshots of the
 * live shipper: ~170 bytes of the ~1.1 KB an exec adds to the table, which the old generation then marks).
 * For what lives long (process images, session facts).
 */
export function owned(s: string): string;
export function owned(s: string | undefined): string | undefined;
export function owned(s: string | undefined): string | undefined {
  return interned(s);
}

export function basename(p: string | undefined): string | undefined {
  if (!p) return undefined;
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** new Date(ms).toISOString(), with the cached second prefix of normalize's formatter (same text). */
export function isoTime(ms: number): string {
  return isoTimestamp(ms);
}

/** Parses a decimal pid-like value from a number or string; undefined for anything else. */
export function toInt(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  return undefined;
}
