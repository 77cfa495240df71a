// Serial-number arithmetic and the record types that end an event. Pure functions, no state.

/**
 * Two serials further apart than this are taken to have wrapped around uint32 (the larger one is the
 * older). Same constant as go-libaudit's reassembler (maxSortRange).
 */
export const MAX_SORT_RANGE = (1 << 24) - 1;

/** Order of two serials with uint32 rollover: negative when a comes first. */
export function compareSerial(a: number, b: number): number {
  if (a === b) return 0;
  const diff = a - b;
  if (diff > MAX_SORT_RANGE || diff < -MAX_SORT_RANGE) return a > b ? -1 : 1;
  return diff;
}

/** Forward distance from a to b modulo 2^32 (0xFFFFFFFF -> 0 is 1). */
export function serialDistance(from: number, to: number): number {
  return (to - from) >>> 0;
}

const EOE = 1320;
const PROCTITLE = 1327;
const USER = 1005;
const LOGIN = 1006;
const FIRST_EVENT = 1300;
const KERNEL = 2000;
const FIRST_ANOM_MSG = 2100;
const MAC_UNLBL_ALLOW = 1406;
const MAC_CALIPSO_DEL = 1419;
const FIRST_DAEMON = 1200;
const LAST_DAEMON = 1299;

/**
 * Whether a record of this type ends its event, and how. This is audit-userspace's
 * audit_is_last_record() (common/common.c), which auparse and ausearch use:
 * - 'eoe': EOE, or PROCTITLE, which the kernel always writes last in a syscall event (the Coalescer
 *   only trusts it once the event's SYSCALL/URINGOP record is in);
 * - 'single': records that are an event on their own: user space and daemon messages (1100-1299,
 *   USER 1005), KERNEL 2000, anomaly/response/LSPP/crypto/virt messages (>= 2100), the NetLabel
 *   MAC_UNLBL_ALLOW..MAC_CALIPSO_DEL range.
 * Everything else (SYSCALL, PATH, EXECVE, LOGIN 1006, CONFIG_CHANGE, AVC, ANOM_PROMISCUOUS, ...) may
 * share its event with other kernel records, so it waits for EOE, PROCTITLE or the timeout.
 * go-libaudit's reassembler also counts LOGIN (<= 1299) as single, which splits the kernel's
 * LOGIN+SYSCALL+PROCTITLE+EOE events; we follow audit-userspace.
 */
export function endOfEvent(typeNumber: number | undefined): 'eoe' | 'single' | undefined {
  if (typeNumber === undefined) return undefined;
  if (typeNumber === EOE || typeNumber === PROCTITLE) return 'eoe';
  if (
    (typeNumber > LOGIN && typeNumber < FIRST_EVENT) ||
    typeNumber === USER ||
    typeNumber >= FIRST_ANOM_MSG ||
    typeNumber === KERNEL ||
    (typeNumber >= MAC_UNLBL_ALLOW && typeNumber <= MAC_CALIPSO_DEL)
  ) {
    return 'single';
  }
  return undefined;
}

/**
 * auditd's own DAEMON_* records carry a serial auditd makes up, not one from the kernel's counter,
 * so they say nothing about lost kernel events: they are grouped but left out of gap counting.
 */
export function hasKernelSerial(typeNumber: number | undefined): boolean {
  return typeNumber === undefined || typeNumber < FIRST_DAEMON || typeNumber > LAST_DAEMON;
}
