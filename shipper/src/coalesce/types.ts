// The coalesce stage's output: all records of one audit event, in arrival order.
import type { AuditRecord } from '../parse/types';

export interface RecordGroup {
  node?: string;
  timestampMs: number;
  timestampText: string;
  serial: number;
  records: AuditRecord[];
  /** Why the group was completed: EOE seen, a single-record type, timeout, or evicted by the in-flight bound. */
  completedBy: 'eoe' | 'single' | 'timeout' | 'evicted' | 'flush';
}

/** Reported when serials jump: the kernel or auditd lost events in between. */
export interface SequenceGap {
  node?: string;
  /** Last serial seen before the gap and first after it. */
  after: number;
  before: number;
  missing: number;
  timestampMs: number;
}

/** Clock injected so tests drive time and replays use record time. */
export interface Clock {
  nowMs(): number;
}
