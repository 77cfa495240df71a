// A bounded least-recently-used map: a Map for lookup plus an intrusive doubly linked list for recency, so
// get/set/evict are O(1). (Re-inserting into a Map to "touch" a key looks O(1) but leaves deleted slots at
// the front that every eviction then scans: it measured 100x slower on a busy process table.)

interface Node<K, V> {
  key: K;
  value: V;
  prev?: Node<K, V>;
  next?: Node<K, V>;
}

export class Lru<K, V> {
  private readonly map = new Map<K, Node<K, V>>();
  /** Least recently used end. */
  private head?: Node<K, V>;
  /** Most recently used end. */
  private tail?: Node<K, V>;

  constructor(
    readonly max: number,
    private readonly onEvict?: (key: K, value: V) => void,
  ) {
    if (!(max >= 1)) throw new Error(`LRU size must be >= 1, got ${max}`);
  }

  get size(): number {
    return this.map.size;
  }

  /** Read and mark as recently used. */
  get(key: K): V | undefined {
    const n = this.map.get(key);
    if (!n) return undefined;
    if (n !== this.tail) {
      this.unlink(n);
      this.append(n);
    }
    return n.value;
  }

  /** Read without changing the eviction order (ancestry walks must not keep dead chains alive). */
  peek(key: K): V | undefined {
    return this.map.get(key)?.value;
  }

  set(key: K, value: V): void {
    const old = this.map.get(key);
    if (old) {
      old.value = value;
      this.unlink(old);
      this.append(old);
      return;
    }
    const n: Node<K, V> = { key, value };
    this.map.set(key, n);
    this.append(n);
    while (this.map.size > this.max && this.head) {
      const victim = this.head;
      this.unlink(victim);
      this.map.delete(victim.key);
      this.onEvict?.(victim.key, victim.value);
    }
  }

  delete(key: K): boolean {
    const n = this.map.get(key);
    if (!n) return false;
    this.unlink(n);
    return this.map.delete(key);
  }

  /** Least recently used first. */
  *values(): IterableIterator<V> {
    for (let n = this.head; n; n = n.next) yield n.value;
  }

  private unlink(n: Node<K, V>): void {
    if (n.prev) n.prev.next = n.next;
    else this.head = n.next;
    if (n.next) n.next.prev = n.prev;
    else this.tail = n.prev;
    n.prev = n.next = undefined;
  }

  private append(n: Node<K, V>): void {
    n.prev = this.tail;
    if (this.tail) this.tail.next = n;
    else this.head = n;
    this.tail = n;
  }
}
