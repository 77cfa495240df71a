// Counters of the outputs, as a plain interface: the lead wires them into prom-client (one counter per name,
// labelled by output), tests read them directly. Queue gauges come from DiskQueue.stats().
export type OutputCounterName =
  /** Events the destination accepted (created). */
  | 'shipped'
  /** Events the destination already had (409 on create: a redelivery). Also delivered. */
  | 'duplicates'
  /** Events sent again after a retryable failure (429, 5xx, connection loss, no ack). */
  | 'retried'
  /** Events the destination rejected for good, written to the dead letter. */
  | 'deadLettered'
  /** Dead-letter writes that failed too: the event is lost; the reason was logged. */
  | 'deadLetterFailed'
  /** Batches (requests) that failed as a whole and were retried. */
  | 'failedRequests';

export interface OutputMetrics {
  add(output: string, name: OutputCounterName, n: number): void;
  /** Set when a destination answers again after failures (clears the "down since" state). */
  error?(output: string, message: string | undefined): void;
}

/** A simple in-memory implementation (also handy for tests and a `status` command). */
export class CountingMetrics implements OutputMetrics {
  readonly totals: Record<string, Record<OutputCounterName, number>> = {};
  readonly lastError: Record<string, string | undefined> = {};

  add(output: string, name: OutputCounterName, n: number): void {
    const t = (this.totals[output] ??= { shipped: 0, duplicates: 0, retried: 0, deadLettered: 0, deadLetterFailed: 0, failedRequests: 0 });
    t[name] += n;
  }

  error(output: string, message: string | undefined): void {
    this.lastError[output] = message;
  }

  get(output: string, name: OutputCounterName): number {
    return this.totals[output]?.[name] ?? 0;
  }
}

export const noMetrics: OutputMetrics = { add() {} };
