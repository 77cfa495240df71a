// The live coalescer's clock: wall time that runs only while the input has nothing more to read.
//
// An event waits for its last record (EOE) for `timeoutMs`. On the plain wall clock that wait also runs
// while the shipper is behind (CPU saturated, a slow fsync, a read cut between two records of one event):
// the head event then expires with the rest of its records still unread in audit.log, leaves incomplete,
// and the rest arrives later as a second group with the same serial and time, hence the same _id, and is
// refused as a duplicate: evidence (an EXECVE's arguments) silently lost under load. A record that is in
// the file is not late. So the clock stands still while the input is busy (a batch is being pushed and
// committed) and runs at wall speed while it waits for data; a timeout then means "auditd wrote nothing
// more for this event for timeoutMs", which is what the timeout is for.
import type { Clock } from './types';

export class InputIdleClock implements Clock {
  private elapsed = 0;
  /** Wall time the current idle stretch began; undefined while busy. Starts idle. */
  private idleSince: number | undefined;

  constructor(private readonly wallMs: () => number = Date.now) {
    this.idleSince = wallMs();
  }

  /** The input is waiting for data: time passes. */
  idle(): void {
    if (this.idleSince === undefined) this.idleSince = this.wallMs();
  }

  /** The input has data in hand (a batch arrived and is being processed): time stands still. */
  busy(): void {
    if (this.idleSince !== undefined) {
      this.elapsed += this.wallMs() - this.idleSince;
      this.idleSince = undefined;
    }
  }

  nowMs(): number {
    return this.idleSince === undefined ? this.elapsed : this.elapsed + (this.wallMs() - this.idleSince);
  }
}
