// Field names, shared: a record's keys come from a small vocabulary (arch, syscall, pid, uid, a0...), so
// each is sliced out of the line once and reused afterwards.
//
// Why: a fresh string per key was ~2 KB of allocation per exec event (80-odd keys), and each one had to
// be hashed again by every Map it went into. A cached key is a flat, internalized string: its hash is
// kept, and comparing it with the same literal elsewhere ('auid', 'syscall') is a pointer check.
// Keys can come from attacker-written text (a user-space record's msg='k=v ...'): the cache is bounded
// and emptied when full, and a key is only ever returned for the exact same characters.
import { interned } from '../../../common/flat';

const MAX_KEYS = 4096;
/** Longer names are not cached: no audit field name is that long, and they would only take room. */
const MAX_KEY_LENGTH = 40;
const cache = new Map<number, string>();

/** Folds one character into a key's running hash (start from 0). */
export function keyHash(h: number, c: number): number {
  return (Math.imul(h, 31) + c) | 0;
}

/** text[from, to) as a string, the shared copy when one is cached; `hash` folds those characters with keyHash. */
export function internKey(text: string, from: number, to: number, hash: number): string {
  const len = to - from;
  const known = cache.get(hash);
  if (known !== undefined && known.length === len && text.startsWith(known, from)) return known;
  const key = text.slice(from, to);
  if (len > MAX_KEY_LENGTH || known !== undefined) return key; // a collision keeps the first key
  if (cache.size >= MAX_KEYS) cache.clear();
  // Internalized, so the cache never holds a view into a line.
  cache.set(hash, interned(key));
  return key;
}

/** For tests: how many keys are cached. */
export function cachedKeyCount(): number {
  return cache.size;
}
