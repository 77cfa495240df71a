// The pipeline: lines -> parse -> coalesce -> normalize -> enrich -> onEvent. Synchronous and single-threaded
// on purpose: every stage is CPU-bound and cheap per line, so batching through promises or workers would
// cost more than it saves; the caller decides when to read more input and when to tick.
//
// Guarantees:
//  - Nothing throws on bad input and nothing is dropped silently: an unparseable line becomes a
//    `pipeline_error` event (events.ts) and is counted; a sequence gap becomes a `lost-events` event and is
//    counted; a normalize failure already yields a tagged bare event (normalize/index.ts); an enricher
//    failure keeps the normalized event with a warning. Only blank lines are skipped (counted in `blank`).
//  - Every emitted event carries the checkpoint of its last line (EventMeta.checkpoint), and
//    safeCheckpoint() gives the furthest point an input may resume from (see checkpoints.ts for why those
//    differ when events interleave).
import type { EcsEvent } from '../../../common/ecs/event';
import { parseLine } from '../parse/parse';
import type { ParseError } from '../parse/types';
import { Coalescer, type CoalescerOptions, type CoalescerStats } from '../coalesce/coalescer';
import type { RecordGroup, SequenceGap } from '../coalesce/types';
import { normalize, type NormalizeOptions } from '../normalize';
import { CheckpointLedger } from './checkpoints';
import { DEFAULT_DATASET, gapEvent, parseErrorEvent, TAG_EVENT_PART } from './events';
import { flat } from '../../../common/flat';

/** What the pipeline needs from enrich (the Enricher class satisfies it). */
export interface EventEnricher {
  enrich(ev: EcsEvent): EcsEvent;
  /** Events derived from the one just enriched (Session View `fork` events); shipped just before it. */
  takeDerived?(): EcsEvent[] | undefined;
}

export interface EventMeta {
  kind: 'audit' | 'parse_error' | 'gap' | 'derived';
  /**
   * Checkpoint of the event's last line (for an audit event: the last of its records, EOE included).
   * Undefined for gap events (they hold no line) and when the lines were pushed without checkpoints.
   * To advance an input, use Pipeline.safeCheckpoint(), not this: earlier lines may still be in flight.
   */
  checkpoint: string | undefined;
}

export interface PipelineOptions {
  /** Without it events leave as normalize made them (the `--no-enrich` path). */
  enricher?: EventEnricher;
  normalizeOptions?: NormalizeOptions;
  /** Coalescer settings; default timeout 2000 ms, 1000 events in flight, wall clock. Replays use clock 'record'. */
  coalesce?: Omit<CoalescerOptions, 'onGap'>;
  onEvent: (ev: EcsEvent, meta: EventMeta) => void;
  /** Notified for each unparseable line (for logs/metrics); the error event is emitted regardless. */
  onParseError?: (err: ParseError) => void;
  /** Notified for each sequence gap; the gap event is emitted regardless. */
  onGap?: (gap: SequenceGap) => void;
  /** Label copied into parse errors as `${source}:${line number}` (a file name). */
  source?: string;
  /** Time for error events before any record gave the log's own time. Default Date.now. */
  now?: () => number;
}

export interface PipelineStats {
  /** Lines pushed, including blank and unparseable ones. */
  lines: number;
  /** Whitespace-only lines: skipped, the only input that produces no event. */
  blank: number;
  records: number;
  parseErrors: number;
  /** Parse errors by reason (a small fixed set of messages). */
  parseErrorReasons: Map<string, number>;
  /** Audit events (coalesced groups) emitted. */
  groups: number;
  /** Every event emitted: audit events + parse-error events + gap events. */
  events: number;
  gaps: number;
  /** Serials missing in those gaps (events lost by the kernel or auditd). */
  missing: number;
  /** Events whose enrichment threw (shipped un-enriched with a warning). */
  enrichErrors: number;
  /** Events enrichment derived from audit events (Session View `fork` events), included in `events`. */
  derived: number;
}

const NO_GAPS: SequenceGap[] = [];

export class Pipeline {
  readonly stats: PipelineStats = {
    lines: 0, blank: 0, records: 0, parseErrors: 0, parseErrorReasons: new Map(), groups: 0, events: 0,
    gaps: 0, missing: 0, enrichErrors: 0, derived: 0,
  };
  private readonly coalescer: Coalescer;
  private readonly ledger = new CheckpointLedger();
  private gapsSeen: SequenceGap[] = NO_GAPS;
  private lastRecordMs: number | undefined;
  private readonly normalizeOptions: NormalizeOptions;
  private readonly dataset: string;
  private readonly now: () => number;

  constructor(private readonly opts: PipelineOptions) {
    this.normalizeOptions = opts.normalizeOptions ?? {};
    this.dataset = this.normalizeOptions.dataset ?? DEFAULT_DATASET;
    this.now = opts.now ?? Date.now;
    this.coalescer = new Coalescer({
      ...opts.coalesce,
      onGap: (gap) => {
        if (this.gapsSeen === NO_GAPS) this.gapsSeen = [];
        this.gapsSeen.push(gap);
      },
    });
  }

  /** Coalescer counters (late, resets, evicted, timeouts, ...). */
  get coalescerStats(): Readonly<CoalescerStats> {
    return this.coalescer.stats;
  }

  /** Audit events waiting for more records. */
  get pending(): number {
    return this.coalescer.inFlight;
  }

  /** One line (without its newline), with the input's checkpoint for the position just after it. */
  push(line: string, checkpoint?: string): void {
    const stats = this.stats;
    const n = this.ledger.add(checkpoint);
    stats.lines++;
    const r = parseLine(line);
    if (!r.ok) {
      // The source label is only built for failures: a string per good line would be pure garbage.
      if (this.opts.source !== undefined) r.error.source = `${this.opts.source}:${stats.lines}`;
      this.badLine(r.error, n, checkpoint);
      return;
    }
    const record = r.record;
    stats.records++;
    this.lastRecordMs = record.timestampMs;
    // The line number rides with the record through the coalescer and comes back in its group's tags.
    const groups = this.coalescer.push(record, n);
    const dropped = this.coalescer.lastDropped;
    this.deliver(groups);
    // An EOE whose event was already emitted (PROCTITLE completed it) is consumed: nothing waits for it.
    if (dropped) this.ledger.resolve(n);
  }

  /** Emit events whose coalescing timeout passed; call it every few hundred ms on live input. */
  tick(): void {
    this.deliver(this.coalescer.tick());
  }

  /** End of input: emit everything still in flight. */
  flush(): void {
    this.deliver(this.coalescer.flush());
  }

  /** See checkpoints.ts: resume point that loses no line, given the events emitted so far. */
  safeCheckpoint(): string | undefined {
    return this.ledger.safeCheckpoint();
  }

  private badLine(err: ParseError, n: number, checkpoint: string | undefined): void {
    const stats = this.stats;
    if (err.error === 'empty line') {
      stats.blank++;
    } else {
      stats.parseErrors++;
      stats.parseErrorReasons.set(err.error, (stats.parseErrorReasons.get(err.error) ?? 0) + 1);
      this.opts.onParseError?.(err);
      // The log's own time keeps the error next to its neighbours in a timeline; wall clock only before
      // the first good record.
      const ev = parseErrorEvent(err, this.lastRecordMs ?? this.now(), this.dataset);
      this.emit(ev, 'parse_error', checkpoint);
    }
    this.ledger.resolve(n);
  }

  private deliver(groups: RecordGroup[]): void {
    if (this.gapsSeen === NO_GAPS) {
      for (let i = 0; i < groups.length; i++) this.deliverGroup(groups[i]);
      return;
    }
    // The coalescer finds a gap while emitting the group after it: put the gap event right before that
    // group, so a reader of the stream sees the hole where it is.
    const gaps = this.gapsSeen;
    this.gapsSeen = NO_GAPS;
    for (const g of groups) {
      const at = gaps.findIndex((gap) => gap.before === g.serial && gap.node === g.node);
      if (at !== -1) this.deliverGap(gaps.splice(at, 1)[0]);
      this.deliverGroup(g);
    }
    for (const gap of gaps) this.deliverGap(gap);
  }

  private deliverGap(gap: SequenceGap): void {
    this.stats.gaps++;
    this.stats.missing += gap.missing;
    this.opts.onGap?.(gap);
    this.emit(gapEvent(gap, this.dataset), 'gap', undefined);
  }

  private deliverGroup(g: RecordGroup): void {
    this.stats.groups++;
    const lines = g.tags;
    const checkpoint = lines === undefined ? undefined : this.ledger.checkpointOf(lines[lines.length - 1]);
    const ev = normalize(g, this.normalizeOptions);
    if (g.part !== undefined) {
      // flat(): concatenations would keep the document off JSON.stringify's fast path (common/flat.ts).
      (ev.tags ??= []).push(flat(`${TAG_EVENT_PART}${g.part}`));
      (ev.auditd ??= {}).warnings = [...(ev.auditd.warnings ?? []), flat(`part ${g.part} of audit event ${g.serial}: an earlier group of records with the same serial and time was shipped on its own`)];
    }
    this.emit(ev, 'audit', checkpoint);
    if (lines !== undefined) for (let i = 0; i < lines.length; i++) this.ledger.resolve(lines[i]);
  }

  private emit(ev: EcsEvent, kind: EventMeta['kind'], checkpoint: string | undefined): void {
    const en = this.opts.enricher;
    if (en !== undefined) {
      try {
        ev = en.enrich(ev);
      } catch (err) {
        // enrich mutates in place; whatever it set before failing is kept, the failure is made visible.
        this.stats.enrichErrors++;
        const a = (ev.auditd ??= {});
        (a.warnings ??= []).push(`enrich failed: ${(err as Error).message}`);
      }
      // Before their source event, without a checkpoint of their own: the source's checkpoint then
      // covers them, so a crash between the two re-reads the record and loses neither.
      const derived = en.takeDerived?.();
      if (derived !== undefined) {
        for (const d of derived) {
          this.stats.events++;
          this.stats.derived++;
          this.opts.onEvent(d, { kind: 'derived', checkpoint: undefined });
        }
      }
    }
    this.stats.events++;
    this.opts.onEvent(ev, { kind, checkpoint });
  }
}

export function createPipeline(opts: PipelineOptions): Pipeline {
  return new Pipeline(opts);
}

/** Convenience for tests, scripts and replays: all events of a finite list of lines (record-time clock). */
export function runLines(
  lines: Iterable<string>,
  opts: Omit<PipelineOptions, 'onEvent'> = {},
): { events: EcsEvent[]; metas: EventMeta[]; stats: PipelineStats } {
  const events: EcsEvent[] = [];
  const metas: EventMeta[] = [];
  const p = new Pipeline({
    coalesce: { clock: 'record' },
    ...opts,
    onEvent: (ev, meta) => {
      events.push(ev);
      metas.push(meta);
    },
  });
  for (const l of lines) p.push(l);
  p.flush();
  return { events, metas, stats: p.stats };
}
