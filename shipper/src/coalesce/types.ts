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
  /**
   * 2, 3, ... when an event with this very serial and time was already emitted: the kernel attaches the
   * SYSCALL of a netlink sendto to the user-space message it carried (SERVICE_START, USER_*), a single
   * record that had completed at once; or the rest of an event that timed out. Absent for the first part.
   */
  part?: number;
  /** The tags the caller passed with this group's records (Coalescer.push), in arrival order, EOE's too. */
  tags?: number[];
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
