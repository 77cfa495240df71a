// Objects that stages share between events and promise never to mutate (enrich's parent/leader views, the
// host facts), with their JSON text once a writer has needed it. Serializing an enriched event was the
// largest cost of enrichment, and about half of it was these objects, the same on every event of a
// session; eventJson (./json.ts) reuses the stored text instead.
//
// Only register objects that nothing mutates after registration, nested objects included: the stored text
// would silently go stale.
//
// The text lives on the object itself, under a non-enumerable symbol: invisible to JSON.stringify, for-in,
// Object.keys, spread copies, structuredClone and deep-equal. It was a WeakMap, but one registration per
// event and several probes per serialized event made the WeakMap's ephemeron table a few percent of the
// pipeline (lookups, growth, and the GC's ephemeron processing). Non-extensible objects, which cannot take
// the property, fall back to a WeakMap.

/** Registered object -> its JSON, or '' until first serialized. */
const TEXT = Symbol('auditsight.immutableJson');
type Registered = { [TEXT]?: string };

const fallback = new WeakMap<object, string>();
let fallbackUsed = false;

export function markImmutable<T extends object>(o: T): T {
  if (Object.prototype.hasOwnProperty.call(o, TEXT)) return o;
  if (Object.isExtensible(o)) {
    Object.defineProperty(o, TEXT, { value: '', writable: true, enumerable: false, configurable: false });
  } else if (!fallback.has(o)) {
    fallback.set(o, '');
    fallbackUsed = true;
  }
  return o;
}

/** JSON.stringify(o) for a registered object (computed once), undefined for any other value. */
export function immutableJson(o: unknown): string | undefined {
  if (typeof o !== 'object' || o === null) return undefined;
  let s = (o as Registered)[TEXT];
  if (s === undefined) {
    if (!fallbackUsed) return undefined;
    s = fallback.get(o);
    if (s === '') {
      s = JSON.stringify(o);
      fallback.set(o, s);
    }
    return s;
  }
  if (s === '') {
    s = JSON.stringify(o);
    (o as Registered)[TEXT] = s;
  }
  return s;
}
