// The coalesce stage: AuditRecords -> RecordGroups (one per audit event), with sequence-gap accounting.
export type { Clock, RecordGroup, SequenceGap } from './types';
export { Coalescer } from './coalescer';
export { InputIdleClock } from './idle-clock';
export type { CoalescerOptions, CoalescerStats } from './coalescer';
export { compareSerial, endOfEvent, hasKernelSerial, serialDistance, MAX_SORT_RANGE } from './sequence';
