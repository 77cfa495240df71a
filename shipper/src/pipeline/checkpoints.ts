// Checkpoint bookkeeping for the pipeline: which input lines are already inside emitted events.
//
// Why a ledger and not "the checkpoint of the last emitted event": audit events interleave (the records of
// serial 10 and 11 alternate, an event waits for its EOE or its timeout while later ones complete), so an
// event can be emitted while an *earlier* line still sits in an in-flight group. Persisting the emitted
// event's checkpoint would then skip that earlier line after a restart. The safe checkpoint is the one of
// the line just before the oldest line that is not yet in an emitted event.
//
// Lines are numbered in push order. Each line is "open" until resolved; the ledger keeps the checkpoints of
// the lines from the oldest open one onwards (bounded by what the coalescer holds: timeout x line rate) and
// advances over resolved lines in order. Amortised O(1) per line.

export class CheckpointLedger {
  /** Line number of cps[head]. */
  private base = 0;
  private head = 0;
  private readonly cps: Array<string | undefined> = [];
  private readonly done: boolean[] = [];
  private safe: string | undefined;
  private next = 0;

  /** Registers a new line; returns its number. */
  add(checkpoint: string | undefined): number {
    this.cps.push(checkpoint);
    this.done.push(false);
    return this.next++;
  }

  /** The checkpoint of a line that is still held (not yet passed by the safe point). */
  checkpointOf(line: number): string | undefined {
    const i = line - this.base;
    return i >= 0 && i < this.cps.length ? this.cps[i] : undefined;
  }

  /** The line is in an emitted event (or was consumed without needing one, like an EOE after its event). */
  resolve(line: number): void {
    const i = line - this.base;
    if (i < this.head || i >= this.done.length) return;
    this.done[i] = true;
    if (i !== this.head) return;
    let h = this.head;
    const n = this.done.length;
    while (h < n && this.done[h]) {
      // A line pushed without a token keeps the previous one: it cannot be resumed from on its own.
      const cp = this.cps[h];
      if (cp !== undefined) {
        this.safe = cp;
        // Dropped now, not at the next compaction: tokens held that long (hundreds of ms) were promoted
        // to the old generation, one per input line.
        this.cps[h] = undefined;
      }
      h++;
    }
    this.head = h;
    // Compact once the consumed prefix dominates, so memory follows the open window, not the input size.
    if (h >= 1024 && h * 2 >= n) {
      this.cps.splice(0, h);
      this.done.splice(0, h);
      this.base += h;
      this.head = 0;
    }
  }

  /** Checkpoint of the last line such that it and every line before it are in emitted events. */
  safeCheckpoint(): string | undefined {
    return this.safe;
  }

  /** Lines pushed but not yet behind the safe point. */
  get open(): number {
    return this.done.length - this.head;
  }
}
