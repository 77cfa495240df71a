// Test helper (not a test): go-libaudit's auparse enrichments that our parse leaves to normalize,
// applied to a parsed record so it can be compared with auparse/testdata/*.log.golden field by field.
import type { AuditRecord } from './types';
import { decodeSockaddr } from './sockaddr';
import { ruleKeys } from './values';

export interface GoView {
  data: Record<string, string>;
  keys: string[];
}

/** Keys whose golden value is interpreted with tables that live in normalize (arch, syscall, errno, signal). */
export function notComparable(type: string, key: string, value: string | undefined): boolean {
  if (key === 'arch' || key === 'syscall') return type === 'SYSCALL' || type === 'SECCOMP';
  if (key === 'sig') return type === 'SECCOMP';
  if (key === 'exit') return value !== undefined && value.startsWith('-');
  return false;
}

export function goView(r: AuditRecord): GoView {
  const d: Record<string, string> = {};
  for (const [k, v] of r.fields) {
    if (v === '' || v === '?' || v === '?,' || v === '(null)') continue; // go drops "useless" values
    d[k] = v;
  }
  for (const k of ['auid', 'old-auid', 'ses']) if (d[k] === '4294967295' || d[k] === '-1') d[k] = 'unset';
  splitContext(d, 'subj');
  let keys: string[] = [];
  if (d.key !== undefined) {
    keys = ruleKeys(d.key);
    delete d.key;
  }
  let res: string | undefined;
  if (d.success !== undefined) {
    res = d.success;
    delete d.success;
  } else if (d.res !== undefined) {
    res = d.res;
    delete d.res;
  }
  if (res !== undefined) {
    const v = res.toLowerCase();
    d.result = v === 'yes' || v === '1' || v.startsWith('suc') ? 'success' : 'fail';
  }
  if (r.type === 'PATH') splitContext(d, 'obj');
  if (r.type === 'SOCKADDR' && d.saddr !== undefined) {
    const s = decodeSockaddr(d.saddr, { bigEndian: false });
    if (s.ok) {
      const sa = s.sockaddr;
      delete d.saddr;
      d.family = sa.family;
      if (sa.family === 'unix') d.path = sa.abstract ? '' : sa.path ?? '';
      else if (sa.family === 'ipv4' || sa.family === 'ipv6') {
        d.addr = sa.ip ?? '';
        d.port = String(sa.port);
        if (sa.flowInfo) d.flow = String(sa.flowInfo);
      } else d.saddr = r.fields.get('saddr') ?? '';
    }
  }
  return { data: d, keys };
}

function splitContext(d: Record<string, string>, key: string): void {
  const v = d[key];
  if (v === undefined) return;
  delete d[key];
  const names = ['_user', '_role', '_domain', '_level', '_category'];
  const parts = v.split(':');
  const head = parts.slice(0, 4);
  if (parts.length > 4) head.push(parts.slice(4).join(':'));
  head.forEach((p, i) => (d[key + names[i]] = p));
}
