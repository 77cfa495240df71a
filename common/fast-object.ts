// Objects whose keys are known only at run time (a record's fields), built so that V8 keeps them in fast
// mode, for JSON.stringify's fast path (see common/flat.ts for the strings).
//
// V8 turns an object into a dictionary once more than ~16 properties are added with computed keys
// (Map::TooManyFastProperties: the 4 in-object slots of `{}` plus kFastPropertiesSoftLimit, 12, for keyed
// stores). The fast serialiser takes only fast-mode objects, so one dictionary anywhere sends the whole
// document back to the slow one. An execve by root carries a BPRM_FCAPS record, 22 fields in
// auditd.data: every such document took the slow path (12.3 µs against 4.3 µs for a 2 KB document in a
// microbenchmark on Node 26).
//
// An object literal that spells its keys out is fast whatever its size (named stores; V8's limit there is
// 128 out-of-object fields, then 1020 descriptors), and every object made by the same literal shares one
// hidden class. So each key sequence gets a generated factory `(v) => ({"k0": v[0], "k1": v[1], ...})`,
// found by walking a trie of the keys. The keys enter the code only as JSON string literals, which are
// valid JavaScript string literals for any text (quotes, backslashes, line separators and lone surrogates
// escaped), so no key can become code. `__proto__` is left to the keyed path: in a literal it would set
// the prototype instead of defining a property.
//
// Bounded: a stream with ever new key sequences (an attacker's user-space records) empties the trie when
// it reaches MAX_NODES and starts over; it never grows without limit and never changes a result.

/** Below this many keys keyed stores keep the object fast: no factory needed. */
const MIN_FACTORY_KEYS = 13;
/** Trie nodes kept (one per distinct key prefix of at least MIN_FACTORY_KEYS keys). */
const MAX_NODES = 4096;

type Factory<V> = (values: readonly V[]) => Record<string, V>;

interface TrieNode {
  next?: Map<string, TrieNode>;
  make?: Factory<unknown>;
}

let root: TrieNode = {};
let nodes = 0;
/** False when the runtime forbids code from strings (--disallow-code-generation-from-strings). */
let codegen = true;

/** What the keyed path gives, and what every factory must give too: own enumerable properties in order. */
function keyedObject<V>(keys: readonly string[], values: readonly V[]): Record<string, V> {
  const o: Record<string, V> = {};
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k === '__proto__') Object.defineProperty(o, k, { value: values[i], enumerable: true, writable: true, configurable: true });
    else o[k] = values[i];
  }
  return o;
}

function compile<V>(keys: readonly string[]): Factory<V> | undefined {
  if (!codegen || keys.includes('__proto__')) return undefined;
  try {
    const body = keys.map((k, i) => `${JSON.stringify(k)}:v[${i}]`).join(',');
    return new Function('v', `"use strict";return{${body}};`) as Factory<V>;
  } catch {
    codegen = false;
    return undefined;
  }
}

/**
 * `{ [keys[0]]: values[0], ... }` in key order, as a fast-mode object. Equal to assigning the keys one by
 * one (the same own properties in the same order; a later duplicate key wins).
 */
export function objectFrom<V>(keys: readonly string[], values: readonly V[]): Record<string, V> {
  if (keys.length < MIN_FACTORY_KEYS) return keyedObject(keys, values);
  let node = root;
  for (let i = 0; i < keys.length; i++) {
    const next = (node.next ??= new Map());
    let child = next.get(keys[i]);
    if (child === undefined) {
      if (nodes >= MAX_NODES) {
        root = {};
        nodes = 0;
        return keyedObject(keys, values);
      }
      child = {};
      next.set(keys[i], child);
      nodes++;
    }
    node = child;
  }
  const make = (node.make ??= compile(keys) ?? (keyedObject as Factory<unknown>).bind(null, keys.slice()));
  return make(values) as Record<string, V>;
}

/** Tests: the trie's size. */
export function factoryNodes(): number {
  return nodes;
}
