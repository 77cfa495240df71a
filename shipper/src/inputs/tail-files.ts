// File-level helpers for the tailer: the checkpoint token, the prefix fingerprint, and listing the
// rotated siblings of the followed file in age order. Kept apart from the read loop in tail.ts.
import { createHash } from 'node:crypto';
import { promises as fsp, type BigIntStats } from 'node:fs';
import * as path from 'node:path';

/** Bytes of the file start used as its fingerprint. 1 KiB covers the first audit record (timestamp +
 *  serial make it unique per file), so a reused inode or a copytruncate'd file is told apart. */
export const FP_MAX = 1024;

/** What the tail checkpoint token encodes. dev/ino are decimal strings (64-bit on xfs/btrfs). */
export interface TailPosition {
  dev: string;
  ino: string;
  /** Byte offset just after the last line handed out. */
  offset: number;
  /** The first fpLen bytes of the file hash to fpHash (fpLen = min(FP_MAX, bytes read)). */
  fpLen: number;
  fpHash: string;
}

const TOKEN_PREFIX = 'tail1:';

export function encodeTailCheckpoint(p: TailPosition): string {
  return `${TOKEN_PREFIX}${p.dev}:${p.ino}:${p.offset}:${p.fpLen}:${p.fpHash}`;
}

export function decodeTailCheckpoint(token: string): TailPosition {
  const parts = token.startsWith(TOKEN_PREFIX) ? token.slice(TOKEN_PREFIX.length).split(':') : [];
  const [dev, ino, offset, fpLen, fpHash] = parts;
  const num = (s: string | undefined) => (s !== undefined && /^\d+$/.test(s) ? Number(s) : NaN);
  if (parts.length !== 5 || !/^\d+$/.test(dev!) || !/^\d+$/.test(ino!) || Number.isNaN(num(offset)) || Number.isNaN(num(fpLen)))
    throw new Error(`not a tail checkpoint: ${JSON.stringify(token)}`);
  return { dev: dev!, ino: ino!, offset: num(offset), fpLen: num(fpLen), fpHash: fpHash! };
}

/** Short hash: it only has to tell two log files apart, not resist an attacker. */
export function fingerprint(prefix: Buffer): string {
  return createHash('sha256').update(prefix).digest('hex').slice(0, 16);
}

/** One candidate file: the followed path itself or a rotated sibling. */
export interface LogFile {
  file: string;
  dev: string;
  ino: string;
  size: number;
  mtimeNs: bigint;
  /** True for the followed path itself (always last in a listing). */
  current: boolean;
}

export function sameFile(a: { dev: string; ino: string }, b: { dev: string; ino: string }): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

export function toLogFile(file: string, st: BigIntStats, current: boolean): LogFile {
  return { file, dev: st.dev.toString(), ino: st.ino.toString(), size: Number(st.size), mtimeNs: st.mtimeNs, current };
}

export async function statLogFile(file: string, current: boolean): Promise<LogFile | undefined> {
  try {
    const st = await fsp.stat(file, { bigint: true });
    return st.isFile() ? toLogFile(file, st, current) : undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
}

const COMPRESSED = /\.(gz|xz|bz2|zst|lz4|Z)$/;

/**
 * The followed file's rotated siblings (`audit.log.1`, `audit.log.2`, `audit.log-20250101`...) oldest
 * first, then the followed file itself if it exists (see olderFirst for the order). Compressed siblings are skipped: they are copies of something already read.
 */
export async function listLogFiles(followed: string): Promise<LogFile[]> {
  // One listing is a readdir and then a stat per name, so a rotation that shifts the names in between
  // (.1 -> .2, audit.log -> .1) gives a list that misses a file or holds one twice: the tailer then
  // skipped whole rotated files or read one again (seen in CI, reproduced with rotations every few
  // milliseconds). A listing that two consecutive passes agree on was not cut by a shift.
  let prev = await listLogFilesOnce(followed);
  for (let i = 0; i < STABLE_LISTING_TRIES; i++) {
    const next = await listLogFilesOnce(followed);
    if (sameListing(prev, next)) return next;
    prev = next;
  }
  return prev;
}

const STABLE_LISTING_TRIES = 20;

function sameListing(a: LogFile[], b: LogFile[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]!.file !== b[i]!.file || !sameFile(a[i]!, b[i]!)) return false;
  return true;
}

async function listLogFilesOnce(followed: string): Promise<LogFile[]> {
  const dir = path.dirname(followed);
  const base = path.basename(followed);
  let names: string[];
  try {
    names = await fsp.readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const rotated: LogFile[] = [];
  for (const n of names) {
    if (n === base || !(n.startsWith(base + '.') || n.startsWith(base + '-')) || COMPRESSED.test(n)) continue;
    const f = await statLogFile(path.join(dir, n), false);
    if (f) rotated.push(f);
  }
  rotated.sort(olderFirst);
  const cur = await statLogFile(followed, true);
  return cur ? [...rotated, cur] : rotated;
}

const suffix = (f: LogFile): number | undefined => {
  const m = /\.(\d+)$/.exec(f.file);
  return m ? Number(m[1]) : undefined;
};

/** Numbered siblings by number (higher = older: that is how auditd and logrotate shift them; mtimes of
 *  copies made milliseconds apart are not reliable enough), anything else by mtime. */
export function olderFirst(a: LogFile, b: LogFile): number {
  const sa = suffix(a);
  const sb = suffix(b);
  if (sa !== undefined && sb !== undefined) return sb - sa;
  return a.mtimeNs < b.mtimeNs ? -1 : a.mtimeNs > b.mtimeNs ? 1 : 0;
}

/** The first `len` bytes of a file (fewer if it is shorter). */
export async function readPrefix(file: string, len: number): Promise<Buffer> {
  if (len === 0) return Buffer.alloc(0);
  const fh = await fsp.open(file, 'r');
  try {
    const buf = Buffer.alloc(len);
    const { bytesRead } = await fh.read(buf, 0, len, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Does `f` start with the bytes that hash to fpHash? (Always true for an empty fingerprint.) */
export async function prefixMatches(f: LogFile, fpLen: number, fpHash: string): Promise<boolean> {
  if (fpLen === 0) return true;
  if (f.size < fpLen) return false;
  const p = await readPrefix(f.file, fpLen);
  return p.length === fpLen && fingerprint(p) === fpHash;
}

export type Resolution =
  | { kind: 'exact'; index: number; offset: number }
  | { kind: 'copy'; index: number; offset: number }
  | { kind: 'rewritten'; index: number }
  | { kind: 'lost' };

/**
 * Where to resume reading for a saved position, given a listing (oldest first):
 *  - exact: the same dev+inode, still starting with the same bytes, at least `offset` long;
 *  - copy: a different file starting with the same bytes (copytruncate happened while we were down:
 *    the copy holds what we had not read yet);
 *  - rewritten: the inode is there but its content changed (truncated, or the inode was reused);
 *  - lost: the file is gone (rotated out): everything still present is newer than it.
 */
export async function resolvePosition(files: LogFile[], pos: TailPosition): Promise<Resolution> {
  let rewritten = -1;
  for (let i = 0; i < files.length; i++) {
    const f = files[i]!;
    if (!sameFile(f, pos)) continue;
    if (f.size >= pos.offset && (await prefixMatches(f, pos.fpLen, pos.fpHash))) return { kind: 'exact', index: i, offset: pos.offset };
    rewritten = i;
  }
  if (pos.fpLen > 0) {
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      if (!sameFile(f, pos) && f.size >= pos.offset && (await prefixMatches(f, pos.fpLen, pos.fpHash)))
        return { kind: 'copy', index: i, offset: pos.offset };
    }
  }
  return rewritten >= 0 ? { kind: 'rewritten', index: rewritten } : { kind: 'lost' };
}
