// Flat strings, for V8's fast JSON.stringify.
//
// Since V8 13.8 (Node 26 here) JSON.stringify has a fast path that serialises our documents in 5.6 µs
// instead of 12.3 µs (measured on 30k pipeline documents). It takes only sequential, external and thin
// strings: a single sliced string (V8 makes any substring of 13 characters or more a view of its parent)
// or cons string (a concatenation of 13 or more) anywhere in a document sends the whole document back to
// the slow serialiser, from its start (v8 src/json/json-stringifier.cc: "Resume instead of restarting").
// Our documents are made of substrings of the input lines, so until flat() every one took the slow path.
//
// flat() asks V8 for the string's internalized copy (a property lookup does that), which turns the
// string itself into a thin string that points at a flat one. It costs ~0.2 µs, so it is applied where a
// string is made once and then shared (host facts, process images) or where it certainly lands in a
// document (parsed values). Repeated values (paths, executables) share one copy as a bonus.
// On V8 without the fast path (Node 20) it changes nothing but that cost.

/** V8 copies shorter substrings and concatenations instead of making views of them. */
const MIN_VIEW_LENGTH = 13;
const PROBE: object = Object.freeze(Object.create(null));

/** The same text, as a string V8 serialises on its fast path. */
export function flat(s: string): string;
export function flat(s: string | undefined): string | undefined;
export function flat(s: string | undefined): string | undefined {
  return s !== undefined && s.length >= MIN_VIEW_LENGTH ? interned(s) : s;
}

/**
 * The same text as V8's one shared (internalized) copy, whatever its length: flat() too, and strings kept
 * many times over (field names, process images) share one copy instead of one each.
 */
export function interned(s: string): string;
export function interned(s: string | undefined): string | undefined;
export function interned(s: string | undefined): string | undefined {
  if (s !== undefined) Reflect.has(PROBE, s);
  return s;
}

/** a + b as one flat string (a concatenation of 13 or more characters would be a cons string). */
export function flatConcat(a: string, b: string): string {
  return a.length + b.length < MIN_VIEW_LENGTH ? a + b : [a, b].join('');
}
