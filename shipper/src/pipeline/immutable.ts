// Objects that stages share between events and promise never to mutate (enrich's parent/leader views, the
// host facts), with their JSON text once a writer has needed it. Serializing an enriched event was the
// largest cost of enrichment, and about half of it was these objects, the same on every event of a
// session; eventJson (./json.ts) reuses the stored text instead.
//
// Only register objects that nothing mutates after registration, nested objects included: the stored text
// would silently go stale.

/** Registered object -> its JSON, or '' until first serialized. */
const registry = new WeakMap<object, string>();

export function markImmutable<T extends object>(o: T): T {
  if (!registry.has(o)) registry.set(o, '');
  return o;
}

/** JSON.stringify(o) for a registered object (computed once), undefined for any other value. */
export function immutableJson(o: unknown): string | undefined {
  if (typeof o !== 'object' || o === null) return undefined;
  let s = registry.get(o);
  if (s === '') {
    s = JSON.stringify(o);
    registry.set(o, s);
  }
  return s;
}
