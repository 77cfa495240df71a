// Shared per-process views for the enricher: process.parent, the leaders, Ext and previous. A leader or
// parent appears on every event of its session, and building a fresh copy of it per event (object spread)
// was the enricher's hottest code and much of its garbage. Each view is built once per combination of its
// inputs (compared by identity: refs are themselves cached per process version in Enricher.ref) and then
// shared by every event that needs it.
//
// Contract: views are never mutated, by the enricher or after it (events are not mutated after enrich).
// Each view has exactly the keys, in the same order, as the per-event copy it replaces, so the JSON of an
// event does not change.
import type { EcsProcessRef } from '../../../common/ecs/event';
import type { ProcImage } from './types';

type Anemic = EcsProcessRef & { session_leader?: EcsProcessRef };
type Leader = EcsProcessRef & { parent?: Anemic };

interface Memo<K, V> {
  key: K;
  value: V;
}

export class ViewCache {
  /** ref -> { pid, ...ref }: the parent as normalize's { pid } overlaid with the parent's ref. */
  private readonly pidFirst = new WeakMap<EcsProcessRef, EcsProcessRef>();
  private readonly anemicOf = new WeakMap<EcsProcessRef, Memo<EcsProcessRef | undefined, Anemic>>();
  private readonly withParentOf = new WeakMap<EcsProcessRef, Memo<Anemic, Leader>>();
  private readonly entryOf = new WeakMap<EcsProcessRef, { type?: string; ip?: string; parent?: Anemic; value: Leader }>();
  private readonly extOf = new WeakMap<string[], { ancestry: string[] }>();
  private readonly previousOf = new WeakMap<Array<Partial<ProcImage>>, { n: number; first: object; last: object; value: PreviousView }>();
  /** { pid } objects for parents known only by pid, small and heavily repeated. */
  private readonly pidOnlyOf = new Map<number, EcsProcessRef>();

  /** `{ ...existing, ...ref }` without the copy when `existing` is what normalize sets (nothing, or { pid }). */
  parent(existing: EcsProcessRef | undefined, ref: EcsProcessRef): EcsProcessRef {
    if (existing === undefined) return ref;
    if (!onlyPid(existing)) return { ...existing, ...ref };
    let v = this.pidFirst.get(ref);
    if (v === undefined) {
      // Same key order as the spread: pid first (it was in `existing`), then the ref's other keys.
      v = { pid: ref.pid, ...ref };
      this.pidFirst.set(ref, v);
    }
    return v;
  }

  /** { pid } for a leader whose parent is unknown. */
  pidOnly(pid: number): EcsProcessRef {
    let v = this.pidOnlyOf.get(pid);
    if (v === undefined) {
      // Bounded: pids are at most 2^22 on Linux, but a long run should not keep every one.
      if (this.pidOnlyOf.size >= 4096) this.pidOnlyOf.clear();
      v = { pid };
      this.pidOnlyOf.set(pid, v);
    }
    return v;
  }

  /** `{ entity_id, pid, start }` of a leader's parent, plus that parent's session leader in the same form. */
  anemic(pp: EcsProcessRef, ps: EcsProcessRef | undefined): Anemic {
    const m = this.anemicOf.get(pp);
    if (m !== undefined && m.key === ps) return m.value;
    const value: Anemic = { entity_id: pp.entity_id, pid: pp.pid, start: pp.start };
    if (ps) value.session_leader = { entity_id: ps.entity_id, pid: ps.pid, start: ps.start };
    this.anemicOf.set(pp, { key: ps, value });
    return value;
  }

  /** `{ ...ref, parent }`, or the ref itself (same keys as its copy) without a parent. */
  withParent(ref: EcsProcessRef, parent: Anemic | undefined): Leader {
    if (parent === undefined) return ref;
    const m = this.withParentOf.get(ref);
    if (m !== undefined && m.key === parent) return m.value;
    const value: Leader = { ...ref, parent };
    this.withParentOf.set(ref, { key: parent, value });
    return value;
  }

  /** `{ ...base, entry_meta?: { type?, source? }, parent? }`. */
  entryLeader(base: EcsProcessRef, type: string | undefined, ip: string | undefined, parent: Anemic | undefined): Leader {
    const m = this.entryOf.get(base);
    if (m !== undefined && m.type === type && m.ip === ip && m.parent === parent) return m.value;
    const value: Leader = { ...base };
    if (type || ip) {
      value.entry_meta = {};
      if (type) value.entry_meta.type = type;
      if (ip) value.entry_meta.source = { ip };
    }
    if (parent) value.parent = parent;
    this.entryOf.set(base, { type, ip, parent, value });
    return value;
  }

  /** `{ ancestry }`; ancestry arrays are replaced, never mutated (ProcessTable.ancestry). */
  ext(ancestry: string[]): { ancestry: string[] } {
    let v = this.extOf.get(ancestry);
    if (v === undefined) {
      v = { ancestry };
      this.extOf.set(ancestry, v);
    }
    return v;
  }

  /**
   * process.previous from an entry's previous images. That array is mutated in place (push, then shift
   * when full), but always by adding a new item at the end: its length with its first and last items
   * identify its contents.
   */
  previous(prev: Array<Partial<ProcImage>>): PreviousView {
    const m = this.previousOf.get(prev);
    const n = prev.length;
    if (m !== undefined && m.n === n && m.first === prev[0] && m.last === prev[n - 1]) return m.value;
    const value: PreviousView = prev.map((i) => (i.args ? { executable: i.executable, args: i.args, args_count: i.args.length } : { executable: i.executable }));
    this.previousOf.set(prev, { n, first: prev[0], last: prev[n - 1], value });
    return value;
  }
}

type PreviousView = Array<{ executable?: string; args?: string[]; args_count?: number }>;

function onlyPid(o: EcsProcessRef): boolean {
  for (const k in o) if (k !== 'pid') return false;
  return true;
}
