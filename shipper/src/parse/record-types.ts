// Record type name <-> number lookups over the data table in record-types.table.ts.
import { RECORD_TYPES } from './record-types.table';

const byName = new Map<string, number>();
const byNumber = new Map<number, string>();
for (const [name, num] of RECORD_TYPES) {
  byName.set(name, num);
  byNumber.set(num, name);
}

/**
 * Number of a record type as printed by auditd: a known name (`SYSCALL` -> 1300), the `UNKNOWN[1329]`
 * form auditd prints for types it has no name for, or a bare number (`1400`, as the kernel's printk
 * lines write it). Undefined when the name is unknown.
 */
export function recordTypeNumber(name: string): number | undefined {
  const known = byName.get(name);
  if (known !== undefined) return known;
  const c = name.charCodeAt(0);
  if (c === 85 /* U */ && name.startsWith('UNKNOWN[') && name.endsWith(']')) {
    return parseSmallInt(name, 8, name.length - 1);
  }
  if (c >= 48 && c <= 57) return parseSmallInt(name, 0, name.length);
  return undefined;
}

/** Name of a record type number, or `UNKNOWN[n]` as auditd prints types it does not know. */
export function recordTypeName(num: number): string {
  return byNumber.get(num) ?? `UNKNOWN[${num}]`;
}

/** True when the number has a name in the table. */
export function isKnownRecordType(num: number): boolean {
  return byNumber.has(num);
}

function parseSmallInt(s: string, from: number, to: number): number | undefined {
  if (to <= from || to - from > 5) return undefined;
  let n = 0;
  for (let i = from; i < to; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return undefined;
    n = n * 10 + d;
  }
  return n;
}
