// JSON.stringify(ev) for pipeline events, byte for byte, reusing the stored text of the shared immutable
// objects enrich adds (./immutable.ts). An enriched event is ~2.7 KB of JSON, about half of it host facts
// and process leaders that are the same on every event of a session.
//
// How, and why this way: enrich appends those objects, so they are the last keys of `process` and of the
// event. They are taken off the ends (deleting an object's last-added property reverts it to its previous
// hidden class, which is cheap and keeps it a fast object), the rest goes through one JSON.stringify, the
// keys are put back in the same order, and the tails are appended as text. Measured alternatives were
// slower than plain JSON.stringify: walking the objects with one stringify call per value, and swapping
// in marker values to find and replace in the text (the searches cost more than they saved).
import type { EcsEvent } from '../../../common/ecs/event';
import { immutableJson } from './immutable';

type Obj = Record<string, unknown>;

// Scratch arrays reused between calls (the function is synchronous and not re-entrant).
const topKeys: string[] = [];
const topVals: unknown[] = [];
const procKeys: string[] = [];
const procVals: unknown[] = [];
const procTexts: string[] = [];

/** `"key":` (and `,"key":`) for the keys seen so far (the fixed ECS names; bounded in case a caller uses others). */
const keyText = new Map<string, string>();
const commaKeyText = new Map<string, string>();
function keyOf(k: string, comma: boolean): string {
  const m = comma ? commaKeyText : keyText;
  let s = m.get(k);
  if (s === undefined) {
    s = (comma ? ',' : '') + JSON.stringify(k) + ':';
    if (m.size < 256) m.set(k, s);
  }
  return s;
}

/** Receives an event's JSON in consecutive pieces (see writeEventJson). */
export type JsonSink = (piece: string) => void;

// eventJson's sink: pieces joined into one string (a writer that copies the pieces out needs no join).
let joined = '';
const join: JsonSink = (piece) => {
  joined += piece;
};

export function eventJson(ev: EcsEvent): string {
  joined = '';
  writeEventJson(ev, join);
  const s = joined;
  joined = '';
  return s;
}

/**
 * eventJson(ev) handed to `sink` in pieces, in order: the stringified head, then the stored texts of the
 * shared objects. The NDJSON writer copies them into its buffer as they come; joining them first cost a
 * ~2.5 KB string per event plus its flattening copy (a fifth of the pipeline's allocation with enrich).
 */
export function writeEventJson(ev: EcsEvent, sink: JsonSink): void {
  const e = ev as unknown as Obj;
  const p = e.process as Obj | undefined;
  if (typeof p !== 'object' || p === null || Array.isArray(p) || typeof e.toJSON === 'function' || typeof p.toJSON === 'function') {
    sink(JSON.stringify(ev));
    return;
  }
  // The event's keys after `process`, and the trailing run of process keys holding shared objects.
  let nTop = 0;
  let seen = false;
  for (const k in e) {
    if (seen) topKeys[nTop++] = k;
    else if (k === 'process') seen = true;
  }
  let nProc = 0;
  for (const k in p) procKeys[nProc++] = k;
  let first = nProc; // index of the first process key that is peeled off
  while (first > 0) {
    const t = immutableJson(p[procKeys[first - 1]]);
    if (t === undefined) break;
    procTexts[--first] = t;
  }
  if (first === nProc || hasProtoKey(topKeys, 0, nTop) || hasProtoKey(procKeys, first, nProc)) {
    clear(nTop, nProc);
    sink(JSON.stringify(ev));
    return;
  }

  // Peel, last key first, so that each delete removes the last-added property.
  for (let i = nTop - 1; i >= 0; i--) {
    topVals[i] = e[topKeys[i]];
    delete e[topKeys[i]];
  }
  for (let i = nProc - 1; i >= first; i--) {
    procVals[i] = p[procKeys[i]];
    delete p[procKeys[i]];
  }
  let head: string;
  try {
    head = JSON.stringify(ev);
  } finally {
    for (let i = first; i < nProc; i++) p[procKeys[i]] = procVals[i];
    for (let i = 0; i < nTop; i++) e[topKeys[i]] = topVals[i];
  }

  // head ends with the process object and the event closing: `...,"process":{...}}`.
  sink(head.slice(0, -2));
  let comma = first > 0 && head.charCodeAt(head.length - 3) !== 0x7b; // process kept keys: not `{}`
  for (let i = first; i < nProc; i++) {
    sink(comma ? keyOf(procKeys[i], true) : keyOf(procKeys[i], false));
    sink(procTexts[i]);
    comma = true;
  }
  sink('}');
  for (let i = 0; i < nTop; i++) {
    const v = topVals[i];
    const t = immutableJson(v) ?? JSON.stringify(v);
    // undefined values and functions are skipped
    if (t !== undefined) {
      sink(keyOf(topKeys[i], true));
      sink(t);
    }
  }
  clear(nTop, nProc);
  sink('}');
}

/** A `__proto__` own key cannot be put back by assignment; such objects take the plain path. */
function hasProtoKey(keys: string[], from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (keys[i] === '__proto__') return true;
  return false;
}

/** Drops the references to the event's values so the scratch arrays keep nothing alive. */
function clear(nTop: number, nProc: number): void {
  for (let i = 0; i < nTop; i++) topVals[i] = undefined;
  for (let i = 0; i < nProc; i++) procVals[i] = undefined;
}
