// coalesce: AuditRecords in, RecordGroups (one per audit event) out.
//
// Model: go-libaudit's reassembler. Records are grouped by (node, timestamp, serial). Per node, events
// in flight are kept in serial order (uint32 rollover aware) and only ever emitted from the head, so
// groups come out in serial order and a jump between two emitted serials is a real gap (lost events),
// not an artefact of interleaving. The head is emitted when it is complete (EOE/PROCTITLE or a
// single-record type; after `reorderMs` if serials before it are missing), when it has waited `timeoutMs`,
// when the in-flight bound is exceeded, or at flush().
// Not thread-safe and not meant to be: one Coalescer per input pipeline.
import type { AuditRecord } from '../parse/types';
import type { Clock, RecordGroup, SequenceGap } from './types';
import { compareSerial, endOfEvent, hasKernelSerial, MAX_SORT_RANGE, serialDistance } from './sequence';
import { RecentParts } from './recent';

export interface CoalescerOptions {
  /** How long an event may wait for its end (EOE) after its first record; default 2000 ms (go-libaudit's). */
  timeoutMs?: number;
  /** Most events in flight over all nodes; above it the oldest is emitted incomplete. Default 1000. */
  maxInFlight?: number;
  /**
   * How long a complete event waits when serials are missing before it (default 100 ms): records of two
   * concurrent events reach us out of serial order (the kernel stamps at the start and queues at the end),
   * so a hole is first a reordering and only after this a loss. Holes are rare on a full log (every
   * logged record takes a serial), so this costs latency only where events were really lost.
   */
  reorderMs?: number;
  /**
   * Time source for timeouts. Default: wall clock. 'record': the latest record timestamp seen, for
   * replaying files at full speed (then timeouts fire as the log's own time passes).
   */
  clock?: Clock | 'record';
  /** Called for each sequence gap. Without it gaps are kept until takeGaps(). */
  onGap?: (gap: SequenceGap) => void;
}

export interface CoalescerStats {
  records: number;
  groups: number;
  /** Groups by completedBy. */
  eoe: number;
  single: number;
  timeout: number;
  evicted: number;
  flush: number;
  /** Sequence gaps seen and the serials missing in them (lost events). */
  gaps: number;
  missing: number;
  /** Events emitted after a later serial of their node had been emitted (arrived too late to be in order). */
  late: number;
  /** Serial went back with a newer timestamp: the kernel restarted its counter (reboot). Not a gap. */
  resets: number;
  /** EOE records with no event in flight: normal after PROCTITLE completed the event, else a late EOE. */
  eoeWithoutGroup: number;
}

interface Pending {
  node: string | undefined;
  timestampMs: number;
  timestampText: string;
  serial: number;
  records: AuditRecord[];
  /** The callers' tags of its records, EOE included (RecordGroup.tags). */
  tags: number[] | undefined;
  done: 'eoe' | 'single' | undefined;
  expiresAt: number;
  kernelSerial: boolean;
  /** A SYSCALL or URINGOP record is in: only then does a PROCTITLE mean "last record". */
  hasSyscall: boolean;
}

interface NodeState {
  /** In-flight events of this node in serial order; head = pending[0]. */
  pending: Pending[];
  /**
   * In-flight events by serial: slot `serial & SLOT_MASK`. Numbers, not `time:serial` strings: building
   * and hashing a string key per record cost ~2% of the pipeline. An event whose slot is taken (a serial
   * 1024 apart still in flight, or the same serial again after auditd restarted) goes to `overflow`.
   *
   * Why not a Map: a Map that gains and loses a key per event rehashes into a new table every few events.
   * V8 (ordered-hash-table.cc) keeps each replaced table's entries, links it to its successor, and puts
   * the successor in the old generation once the table is there. Every event in flight at a rehash was
   * then held by a dead old-space table until the next full GC, so it was promoted with all its records:
   * the paced pipeline promoted 2.8 KB per event instead of 0.4. The slots are allocated once.
   */
  slots: Array<Pending | undefined>;
  overflow: Map<string, Pending> | undefined;
  lastSerial: number | undefined;
  lastTimestampMs: number;
  /**
   * How many groups recently emitted events had (RecordGroup.part); bounded: a later part comes within a
   * few events of the first.
   */
  recent: RecentParts;
}

const EOE = 1320;
const SYSCALL = 1300;
const PROCTITLE = 1327;
const URINGOP = 1336;
/** A "late" event's timestamp may exceed the last emitted one by this much (CPUs stamp concurrently). */
const LATE_SLACK_MS = 1000;
/** In-flight index size per node (a power of two; see NodeState.slots). */
const SLOTS = 1024;
const SLOT_MASK = SLOTS - 1;
/** How many emitted events each node remembers to recognise a later part of one of them (a power of two). */
const RECENT_EVENTS = 4096;
/** Shared empty result: most pushes complete nothing, so they allocate nothing. Do not mutate. */
const NONE: RecordGroup[] = [];

const wallClock: Clock = { nowMs: () => Date.now() };

export class Coalescer {
  readonly stats: CoalescerStats = {
    records: 0, groups: 0, eoe: 0, single: 0, timeout: 0, evicted: 0, flush: 0,
    gaps: 0, missing: 0, late: 0, resets: 0, eoeWithoutGroup: 0,
  };
  private readonly timeoutMs: number;
  private readonly maxInFlight: number;
  private readonly reorderMs: number;
  private readonly clock: Clock;
  private readonly onGap: ((gap: SequenceGap) => void) | undefined;
  private readonly nodes = new Map<string, NodeState>();
  private readonly gapList: SequenceGap[] = [];
  private inFlightCount = 0;
  private recordTimeMs = 0;
  /** The last push() kept nothing: an EOE whose event had already been emitted. */
  lastDropped = false;

  constructor(opts: CoalescerOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 1000);
    this.reorderMs = Math.max(0, opts.reorderMs ?? 100);
    this.clock = opts.clock === 'record' ? { nowMs: () => this.recordTimeMs } : opts.clock ?? wallClock;
    this.onGap = opts.onGap;
  }

  /** Events waiting for more records. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /**
   * Add one record; returns the groups it completed (often none, as a shared empty array that must
   * not be mutated). EOE records end their event and are not kept in it, as in go-libaudit.
   * `tag` (the caller's number for the record, e.g. its line) comes back in the group's `tags`, EOE's
   * included; `lastDropped` says whether this record joined nothing (an EOE whose event was emitted).
   */
  push(record: AuditRecord, tag?: number): RecordGroup[] {
    this.stats.records++;
    this.lastDropped = false;
    if (record.timestampMs > this.recordTimeMs) this.recordTimeMs = record.timestampMs;
    const now = this.clock.nowMs();
    const nodeKey = record.node ?? '';
    let ns = this.nodes.get(nodeKey);
    if (ns === undefined) {
      ns = { pending: [], slots: new Array<Pending | undefined>(SLOTS).fill(undefined), overflow: undefined, lastSerial: undefined, lastTimestampMs: 0, recent: new RecentParts(RECENT_EVENTS) };
      this.nodes.set(nodeKey, ns);
    }
    let p = findPending(ns, record);
    if (record.typeNumber === EOE) {
      if (p === undefined) {
        this.stats.eoeWithoutGroup++;
        this.lastDropped = true;
        return NONE;
      }
      p.done = 'eoe';
      if (tag !== undefined) (p.tags ??= []).push(tag);
    } else {
      if (p === undefined) {
        p = {
          node: record.node,
          timestampMs: record.timestampMs,
          timestampText: record.timestampText,
          serial: record.serial,
          records: [],
          tags: undefined,
          done: undefined,
          expiresAt: now + this.timeoutMs,
          kernelSerial: hasKernelSerial(record.typeNumber),
          hasSyscall: false,
        };
        insertSorted(ns.pending, p);
        addPending(ns, p);
        this.inFlightCount++;
      }
      p.records.push(record);
      if (tag !== undefined) (p.tags ??= []).push(tag);
      const t = record.typeNumber;
      if (t === SYSCALL || t === URINGOP) p.hasSyscall = true;
      // PROCTITLE is written last, after SYSCALL; one seen before its SYSCALL (reordered input, as in
      // laurel's record-syscall-nullkey) must not cut the event in two, so it then waits for EOE.
      if (p.done === undefined && (t !== PROCTITLE || p.hasSyscall)) p.done = endOfEvent(t);
    }
    let out = this.drainNode(ns, now, NONE);
    if (this.inFlightCount > this.maxInFlight) out = this.evictOverflow(out);
    return out;
  }

  /** Emit events whose timeout has passed (call it periodically, e.g. every 100-500 ms). */
  tick(): RecordGroup[] {
    const now = this.clock.nowMs();
    let out = NONE;
    for (const ns of this.nodes.values()) out = this.drainNode(ns, now, out);
    return out;
  }

  /** End of input: emit everything in flight, in serial order per node. */
  flush(): RecordGroup[] {
    const out: RecordGroup[] = [];
    for (const ns of this.nodes.values()) {
      while (ns.pending.length > 0) out.push(this.emit(ns, ns.pending[0].done ?? 'flush'));
    }
    return out;
  }

  /** Gaps recorded since the last call (only collected when no onGap callback was given). */
  takeGaps(): SequenceGap[] {
    return this.gapList.splice(0, this.gapList.length);
  }

  private drainNode(ns: NodeState, now: number, out: RecordGroup[]): RecordGroup[] {
    const pending = ns.pending;
    while (pending.length > 0) {
      const head = pending[0];
      let reason: RecordGroup['completedBy'];
      if (head.done !== undefined) {
        // Complete, but serials before it are missing: give them the reorder window to arrive.
        if (now < head.expiresAt - this.timeoutMs + this.reorderMs && head.kernelSerial && holeBefore(ns, head.serial)) break;
        reason = head.done;
      } else if (now >= head.expiresAt) reason = 'timeout';
      else break;
      if (out === NONE) out = [];
      out.push(this.emit(ns, reason));
    }
    return out;
  }

  /** Over the bound: emit the oldest head (earliest deadline) of any node, then what it unblocks. */
  private evictOverflow(out: RecordGroup[]): RecordGroup[] {
    const now = this.clock.nowMs();
    while (this.inFlightCount > this.maxInFlight) {
      let oldest: NodeState | undefined;
      for (const ns of this.nodes.values()) {
        if (ns.pending.length > 0 && (oldest === undefined || ns.pending[0].expiresAt < oldest.pending[0].expiresAt)) oldest = ns;
      }
      if (oldest === undefined) break;
      if (out === NONE) out = [];
      // A complete head held for the reorder window keeps its reason: it is not incomplete.
      out.push(this.emit(oldest, oldest.pending[0].done ?? 'evicted'));
      out = this.drainNode(oldest, now, out);
    }
    return out;
  }

  private emit(ns: NodeState, reason: RecordGroup['completedBy']): RecordGroup {
    const p = ns.pending.shift() as Pending;
    removePending(ns, p);
    this.inFlightCount--;
    this.stats.groups++;
    this.stats[reason]++;
    if (p.kernelSerial) this.checkSequence(ns, p);
    const group: RecordGroup = {
      node: p.node,
      timestampMs: p.timestampMs,
      timestampText: p.timestampText,
      serial: p.serial,
      records: p.records,
      completedBy: reason,
    };
    if (p.tags !== undefined) group.tags = p.tags;
    const part = ns.recent.bump(p.timestampMs, p.serial);
    if (part > 1) group.part = part;
    return group;
  }

  private checkSequence(ns: NodeState, p: Pending): void {
    const last = ns.lastSerial;
    if (last === undefined) {
      ns.lastSerial = p.serial;
      ns.lastTimestampMs = p.timestampMs;
      return;
    }
    const d = serialDistance(last, p.serial);
    if (d === 0) return; // same serial again (e.g. records that came after their event was emitted)
    if (d <= MAX_SORT_RANGE) {
      if (d > 1) this.reportGap({ node: p.node, after: last, before: p.serial, missing: d - 1, timestampMs: p.timestampMs });
      ns.lastSerial = p.serial;
      ns.lastTimestampMs = p.timestampMs;
      return;
    }
    // The serial went backwards. Serials and timestamps are taken together by the kernel, so an older
    // timestamp means a straggler; a newer one means the counter restarted (reboot).
    if (p.timestampMs <= ns.lastTimestampMs + LATE_SLACK_MS) {
      this.stats.late++;
      return;
    }
    this.stats.resets++;
    ns.lastSerial = p.serial;
    ns.lastTimestampMs = p.timestampMs;
  }

  private reportGap(gap: SequenceGap): void {
    this.stats.gaps++;
    this.stats.missing += gap.missing;
    if (this.onGap !== undefined) this.onGap(gap);
    else this.gapList.push(gap);
  }
}

/** Serials missing between the last emitted event of the node and `serial` (not a restart or straggler). */
function holeBefore(ns: NodeState, serial: number): boolean {
  if (ns.lastSerial === undefined) return false;
  const d = serialDistance(ns.lastSerial, serial);
  return d > 1 && d <= MAX_SORT_RANGE;
}

/** Insert by serial (rollover aware), then timestamp; new events almost always go last. */
function insertSorted(list: Pending[], p: Pending): void {
  let hi = list.length;
  if (hi === 0 || before(list[hi - 1], p)) {
    list.push(p);
    return;
  }
  let lo = 0;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (before(list[mid], p)) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, p);
}

function before(a: Pending, b: Pending): boolean {
  const c = compareSerial(a.serial, b.serial);
  return c !== 0 ? c < 0 : a.timestampText <= b.timestampText;
}

/** The in-flight event this record belongs to: same serial and the same time. */
function findPending(ns: NodeState, record: AuditRecord): Pending | undefined {
  const p = ns.slots[record.serial & SLOT_MASK];
  if (p !== undefined && p.serial === record.serial && p.timestampText === record.timestampText) return p;
  const o = ns.overflow;
  return o !== undefined && o.size > 0 ? o.get(timeSerial(record.timestampText, record.serial)) : undefined;
}

function addPending(ns: NodeState, p: Pending): void {
  const i = p.serial & SLOT_MASK;
  if (ns.slots[i] === undefined) ns.slots[i] = p;
  else (ns.overflow ??= new Map()).set(timeSerial(p.timestampText, p.serial), p);
}

function removePending(ns: NodeState, p: Pending): void {
  const i = p.serial & SLOT_MASK;
  if (ns.slots[i] === p) ns.slots[i] = undefined;
  else ns.overflow?.delete(timeSerial(p.timestampText, p.serial));
}

/** An event's identity within its node as text, `time:serial` (the `audit(...)` stamp). */
function timeSerial(timestampText: string, serial: number): string {
  return timestampText + ':' + serial;
}
