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
  /** Wall time from which idle time is still to be credited; undefined while busy. Starts idle. */
  private idleSince: number | undefined;

  /**
   * `maxStepMs`: the most idle time credited at once. The owner calls beat() regularly (the daemon: every
   * 250 ms); a longer gap between credits means the event loop did not run (a long synchronous task, the
   * process stopped), not that auditd wrote nothing, and counting it whole split events whose records
   * straddled two reads. Default: no limit.
   */
  constructor(
    private readonly wallMs: () => number = Date.now,
    private readonly maxStepMs = Number.POSITIVE_INFINITY,
  ) {
    this.idleSince = wallMs();
  }

  /** The input is waiting for data: time passes. */
  idle(): void {
    if (this.idleSince === undefined) this.idleSince = this.wallMs();
  }

  /** The input has data in hand (a batch arrived and is being processed): time stands still. */
  busy(): void {
    if (this.idleSince !== undefined) {
      this.credit(this.wallMs());
      this.idleSince = undefined;
    }
  }

  /** Credits the idle time since the last credit (at most maxStepMs of it). */
  beat(): void {
    if (this.idleSince !== undefined) this.credit(this.wallMs());
  }

  nowMs(): number {
    return this.idleSince === undefined ? this.elapsed : this.elapsed + Math.min(this.wallMs() - this.idleSince, this.maxStepMs);
  }

  private credit(now: number): void {
    this.elapsed += Math.min(now - this.idleSince!, this.maxStepMs);
    this.idleSince = now;
  }
}
