// How many groups of records each recently emitted event (time + serial) has had: a later part of an
// event (records that came after it was emitted) is numbered 2, 3, ... so that it gets its own document id.
//
// A table indexed by serial (`serial & (size - 1)`), not a Map keyed by `time:serial` text. The Map gained
// and lost a key per event: a string built per event that lived for 4096 more (so it always reached the
// old generation), and a hash table that V8 rehashed every few thousand events. Here nothing is allocated
// per event.
//
// What is forgotten: an event's count goes when a later event lands on its slot. Serials rise by one per
// event, so that is `size` events later, as with the insertion-ordered ring this replaced, which also
// remembered the last `size` keys. A later part comes within a few events of the first (the coalescer's
// timeout). Serials that restart (auditd restarted, the host rebooted) only overwrite slots: an entry
// counts only for the very same time and serial.
//
// The time is kept as milliseconds, not as the record's `SECONDS.MILLIS` text: that text is a slice of its
// line, and holding it would hold 4096 lines. Two texts give the same milliseconds only if one has fewer
// than three decimals, which auditd never writes.

export class RecentParts {
  /** Audit serials are 32-bit (parse refuses larger ones). */
  private readonly serials: Uint32Array;
  private readonly times: Float64Array;
  /** 0: the slot is empty. */
  private readonly counts: Uint32Array;
  private readonly mask: number;

  /** `size`: a power of two. */
  constructor(readonly size: number) {
    if (!(size >= 1) || (size & (size - 1)) !== 0) throw new Error(`RecentParts size must be a power of two, got ${size}`);
    this.serials = new Uint32Array(size);
    this.times = new Float64Array(size);
    this.counts = new Uint32Array(size);
    this.mask = size - 1;
  }

  /** Groups seen so far for this event, or undefined when it is not (or no longer) remembered. */
  get(timestampMs: number, serial: number): number | undefined {
    const i = serial & this.mask;
    return this.counts[i] !== 0 && this.times[i] === timestampMs && this.serials[i] === serial ? this.counts[i] : undefined;
  }

  /** One more group for this event; returns its number (1 for the first). */
  bump(timestampMs: number, serial: number): number {
    const i = serial & this.mask;
    if (this.counts[i] !== 0 && this.times[i] === timestampMs && this.serials[i] === serial) return ++this.counts[i];
    this.times[i] = timestampMs;
    this.serials[i] = serial;
    return (this.counts[i] = 1);
  }
}
