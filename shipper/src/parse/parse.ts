// parse: one auditd log line in, one decoded AuditRecord (or a ParseError) out. Pure, never throws.
//
// Line shape: [node=NAME ]type=NAME msg=audit(SECONDS.MILLIS:SERIAL): k=v k="v" k=HEX ...[\x1dK=V ...]
// A hand-written scanner instead of go-libaudit's kv regex: it is the hot path, values are sliced out of
// the line once, and the few record types with irregular text (SELinux AVC, old LOGIN, old PAM records)
// get a targeted fix-up, as in go-libaudit's normalizeAuditMessage.
import type { AuditRecord, ParseResult, ValueEncoding } from './types';
import { recordTypeName, recordTypeNumber } from './record-types';
import { hexToArgv, hexToCString, hexToSpacedText, hexToText, isUpperHex } from './hex';
import { flat } from '../../../common/flat';
import { internKey, keyHash } from './keys';

const T_LOGIN = 1006;
const T_CRED_DISP = 1104;
const T_USER_START = 1105;
const T_USER_END = 1106;
const T_USER_TTY = 1124;
const T_EXECVE = 1309;
const T_TTY = 1319;
const T_PROCTITLE = 1327;

const SP = 32;
const TAB = 9;
const EQ = 61;
const DQ = 34;
const SQ = 39;
const GS = 0x1d; // ENRICHED format: auditd separates its interpretations from the raw record with this

/**
 * Fields that the kernel (audit_log_untrustedstring) or audit user space (audit_encode_nv_string) write
 * as uppercase hex when the value holds a space, quote or control character, and in quotes otherwise.
 * From audit-userspace auparse/typetab.h (the ESCAPED, ESCAPED_FILE, ESCAPED_KEY and PROCTITLE kinds).
 * `data` is only hex in TTY/USER_TTY records and EXECVE `aN` only in EXECVE: handled apart.
 * Unquoted + uppercase-hex + one of these keys = hex; anything else is taken literally.
 */
const HEX_FIELDS = new Set([
  'path', 'comm', 'exe', 'file', 'name', 'watch', 'cwd', 'cmd', 'acct', 'dir', 'key', 'vm',
  'old-chardev', 'new-chardev', 'old-disk', 'new-disk', 'old-fs', 'new-fs', 'old-net', 'new-net',
  'device', 'cgroup', 'apparmor', 'operation', 'denied_mask', 'info', 'profile', 'requested_mask',
  'old-rng', 'new-rng', 'ocomm', 'grp', 'new_group', 'invalid_context', 'sw', 'root_dir', 'proctitle',
]);

/** Per-line scanning state; one small object per line, reused across the nested msg='...' scan. */
interface Scan {
  rec: AuditRecord;
  typeNumber: number;
  /** Keys set by the outer (kernel-written) part of a user-space record, while scanning its msg='...'. */
  outerKeys: string[] | undefined;
  /** EXECVE args split as aN[i]: their hex pieces are joined first and decoded once at the end. */
  hexArgs: string[] | undefined;
  /** ParseOptions.encodings. */
  encodings: boolean;
}

export interface ParseOptions {
  /**
   * Fill AuditRecord.encodings (how each value was written). Off by default: nothing downstream reads it
   * (normalize works on the decoded values), and a Map per record was ~2% of the pipeline's allocation.
   * Tests that compare with auparse's interpretations turn it on.
   */
  encodings?: boolean;
}

/**
 * Parse one line of an auditd log (raw or ENRICHED format, with or without a `node=` prefix).
 * Never throws: a line whose header cannot be read gives `{ ok: false, error }`. The body is read
 * leniently (an unterminated quote runs to the end of the line) because a partly readable record is
 * worth more to a forensic trail than a dropped one.
 * `source` (file:line, offset) is only copied into the error, for the dead letter.
 */
export function parseLine(line: string, source?: string, opts?: ParseOptions): ParseResult {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 10 || line.charCodeAt(end - 1) === 13)) end--;
  const raw = end === line.length ? line : line.slice(0, end);
  let i = 0;
  while (i < end && (line.charCodeAt(i) === SP || line.charCodeAt(i) === TAB)) i++;
  if (i === end) return fail('empty line', raw, source);

  let node: string | undefined;
  if (line.startsWith('node=', i)) {
    const sp = line.indexOf(' ', i + 5);
    if (sp === -1 || sp >= end) return fail('node= prefix is not followed by type=', raw, source);
    node = line.slice(i + 5, sp);
    i = sp + 1;
    while (i < end && line.charCodeAt(i) === SP) i++;
  }
  if (!line.startsWith('type=', i)) return fail('line does not start with type= (or node=... type=)', raw, source);
  i += 5;
  const typeStart = i;
  while (i < end && line.charCodeAt(i) !== SP) i++;
  if (i === typeStart) return fail('empty record type after type=', raw, source);
  let type = line.slice(typeStart, i);
  while (i < end && line.charCodeAt(i) === SP) i++;
  // auditd writes "msg=audit(", the kernel's printk lines only "audit(".
  if (line.startsWith('msg=', i)) i += 4;
  if (!line.startsWith('audit(', i)) return fail('missing msg=audit( header after the record type', raw, source);
  i += 6;

  // audit(SECONDS.MILLIS:SERIAL)
  const tsStart = i;
  let seconds = 0;
  while (i < end && isDigit(line.charCodeAt(i))) seconds = seconds * 10 + (line.charCodeAt(i++) - 48);
  if (i === tsStart || i - tsStart > 12 || line.charCodeAt(i) !== 46 /* . */) {
    return fail('invalid timestamp in audit(...) header: expected SECONDS.MILLIS', raw, source);
  }
  const msStart = ++i;
  let millis = 0;
  while (i < end && isDigit(line.charCodeAt(i))) millis = millis * 10 + (line.charCodeAt(i++) - 48);
  if (i === msStart || i - msStart > 3 || line.charCodeAt(i) !== 58 /* : */) {
    return fail('invalid timestamp in audit(...) header: expected SECONDS.MILLIS:SERIAL', raw, source);
  }
  const timestampText = line.slice(tsStart, i);
  const serialStart = ++i;
  let serial = 0;
  while (i < end && isDigit(line.charCodeAt(i))) serial = serial * 10 + (line.charCodeAt(i++) - 48);
  if (i === serialStart || i - serialStart > 10 || line.charCodeAt(i) !== 41 /* ) */) {
    return fail('invalid serial in audit(...) header: expected a number and )', raw, source);
  }
  if (serial > 0xffffffff) return fail('serial in audit(...) header exceeds uint32', raw, source);
  i++;
  if (i < end && line.charCodeAt(i) === 58 /* : */) i++;

  let typeNumber = recordTypeNumber(type);
  // A bare number (kernel printk form) gets its auditd name, so consumers only ever see names.
  if (typeNumber !== undefined && isDigit(type.charCodeAt(0))) type = recordTypeName(typeNumber);

  const gs = line.indexOf('\x1d', i);
  const bodyEnd = gs === -1 || gs >= end ? end : gs;
  const rec: AuditRecord = {
    type,
    typeNumber,
    timestampMs: seconds * 1000 + scaleMillis(millis, tsStart + timestampText.length - msStart),
    timestampText,
    serial,
    node,
    fields: new Map<string, string>(),
    encodings: undefined,
    enriched: undefined,
    raw,
    argv: undefined,
  };
  const scan: Scan = { rec, typeNumber: typeNumber ?? 0, outerKeys: undefined, hexArgs: undefined, encodings: opts?.encodings === true };

  let body = line;
  let from = i;
  let to = bodyEnd;
  if (
    (typeNumber === T_LOGIN || typeNumber === T_CRED_DISP || typeNumber === T_USER_START || typeNumber === T_USER_END) &&
    needsFixUp(typeNumber, line, i, bodyEnd)
  ) {
    body = fixIrregularBody(typeNumber, line.slice(i, bodyEnd));
    from = 0;
    to = body.length;
  }
  scanPairs(body, from, to, scan);
  if (scan.hexArgs !== undefined) {
    for (const k of scan.hexArgs) rec.fields.set(k, hexToCString(rec.fields.get(k) as string));
  }
  if (gs !== -1 && gs < end) rec.enriched = scanEnriched(line, gs + 1, end);
  return { ok: true, record: rec };
}

/** The fraction is milliseconds; fewer than 3 digits (never written by auditd) still read as a decimal fraction. */
function scaleMillis(v: number, digits: number): number {
  return digits === 1 ? v * 100 : digits === 2 ? v * 10 : v;
}

function fail(error: string, raw: string, source: string | undefined): ParseResult {
  return { ok: false, error: source === undefined ? { error, raw } : { error, raw, source } };
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isSpace(c: number): boolean {
  return c === SP || c === TAB;
}

/** Scan `k=v` pairs of text[from, to) into scan.rec.fields. Bare words (PAM:, login, :) are skipped. */
function scanPairs(text: string, from: number, to: number, scan: Scan): void {
  let i = from;
  while (i < to && isSpace(text.charCodeAt(i))) i++;
  // SELinux AVC text, "avc:  denied  { read write } for  pid=...": go-libaudit turns it into
  // seresult=denied seperms=read,write. Also seen inside USER_AVC's msg='avc: ...'.
  if (text.startsWith('avc:', i)) i = scanAvcPrefix(text, i + 4, to, scan);

  while (i < to) {
    let c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const keyStart = i;
    let h = 0;
    while (i < to && (c = text.charCodeAt(i)) !== EQ && !isSpace(c)) {
      h = keyHash(h, c);
      i++;
    }
    if (i >= to || c !== EQ) continue; // a bare word
    const key = internKey(text, keyStart, i, h);
    i++; // past '='
    if (key.length === 0) continue;
    if (i >= to) {
      put(scan, key, '', 'plain');
      break;
    }
    c = text.charCodeAt(i);
    if (c === SQ && key === 'msg') {
      // The nested message of user-space records. It is the last field, so its closing quote is
      // the last ' of the body: this keeps a quote inside it from cutting it short.
      let close = text.lastIndexOf("'", to - 1);
      if (close <= i) close = to;
      const saved = scan.outerKeys;
      scan.outerKeys = [...scan.rec.fields.keys()];
      scanPairs(text, i + 1, close, scan);
      scan.outerKeys = saved;
      i = close + 1;
    } else if (c === DQ || c === SQ) {
      let close = text.indexOf(c === DQ ? '"' : "'", i + 1);
      if (close === -1 || close > to) close = to;
      const value = text.slice(i + 1, close);
      i = close + 1;
      if (key === 'msg' && value.indexOf('=') !== -1) scanPairs(value, 0, value.length, scan);
      else put(scan, key, value, 'quoted');
    } else {
      // Like go-libaudit's kv regex, an unquoted value also ends at a quote: `key=6578"` is key=6578.
      const valueStart = i;
      while (i < to && !isSpace((c = text.charCodeAt(i))) && c !== DQ && c !== SQ) i++;
      const value = text.slice(valueStart, i);
      if (key === 'msg' && value.indexOf('=') !== -1) scanPairs(value, 0, value.length, scan);
      else putUnquoted(scan, key, value);
    }
  }
}

/** Reads `  denied  { read write } for ` after "avc:"; returns where the k=v pairs start. */
function scanAvcPrefix(text: string, i: number, to: number, scan: Scan): number {
  while (i < to && isSpace(text.charCodeAt(i))) i++;
  const resultStart = i;
  while (i < to && !isSpace(text.charCodeAt(i))) i++;
  if (i > resultStart) put(scan, 'seresult', text.slice(resultStart, i), 'plain');
  while (i < to && isSpace(text.charCodeAt(i))) i++;
  if (text.charCodeAt(i) === 123 /* { */) {
    let close = text.indexOf('}', i);
    if (close === -1 || close > to) close = to;
    const perms = text.slice(i + 1, close).trim().split(/\s+/).filter((p) => p.length > 0);
    if (perms.length > 0) put(scan, 'seperms', perms.join(','), 'plain');
    i = close + 1;
    while (i < to && isSpace(text.charCodeAt(i))) i++;
    if (text.startsWith('for', i) && (i + 3 >= to || isSpace(text.charCodeAt(i + 3)))) i += 3;
  }
  return i;
}

function putUnquoted(scan: Scan, key: string, value: string): void {
  if (value === '(null)') {
    put(scan, key, value, 'null');
    return;
  }
  const t = scan.typeNumber;
  if (t === T_EXECVE && key.charCodeAt(0) === 97 /* a */ && isDigit(key.charCodeAt(1))) {
    putExecveArg(scan, key, value, isUpperHex(value));
    return;
  }
  if (isUpperHex(value) && (HEX_FIELDS.has(key) || (key === 'data' && (t === T_TTY || t === T_USER_TTY)))) {
    if (key === 'proctitle') {
      scan.rec.argv = hexToArgv(value);
      put(scan, key, scan.rec.argv.join(' '), 'hex');
    } else if (key === 'key') {
      // Several rule keys are hex-joined with \x01; kept as is, see ruleKeys().
      put(scan, key, hexToText(value), 'hex');
    } else {
      put(scan, key, hexToSpacedText(value), 'hex');
    }
    return;
  }
  put(scan, key, value, 'plain');
}

/** EXECVE aN, aN_len and the pieces aN[i] of long arguments (joined into aN, in order). */
function putExecveArg(scan: Scan, key: string, value: string, hex: boolean): void {
  const bracket = key.indexOf('[');
  if (bracket === -1) {
    if (key.endsWith('_len')) put(scan, key, value, 'plain');
    else put(scan, key, hex ? hexToCString(value) : value, hex ? 'hex' : 'plain');
    return;
  }
  const base = key.slice(0, bracket);
  const fields = scan.rec.fields;
  const prev = fields.get(base);
  // Pieces are cut at byte offsets, so a UTF-8 character may straddle two: hex ones are decoded once joined.
  if (hex && prev === undefined) {
    (scan.hexArgs ??= []).push(base);
    if (scan.encodings) setEncoding(scan.rec, base, 'hex');
  }
  const joined = prev === undefined ? value : prev + value;
  // Flat (common/flat.ts); the pieces of a hex argument are decoded, into a fresh string, at the end.
  fields.set(base, hex ? joined : flat(joined));
}

function put(scan: Scan, key: string, value: string, enc: ValueEncoding): void {
  const fields = scan.rec.fields;
  // In user-space records the kernel writes pid/uid/auid/ses/subj itself and the application writes
  // msg='...'; a nested field must not override a kernel one (go-libaudit lets it, which is spoofable).
  if (scan.outerKeys !== undefined && fields.has(key) && scan.outerKeys.includes(key)) return;
  // Values are views into the line (V8 sliced strings): flat() makes them serialisable on JSON.stringify's
  // fast path (common/flat.ts). Decoded hex is a fresh string already.
  fields.set(key, enc === 'hex' ? value : flat(value));
  if (!scan.encodings) return;
  if (enc !== 'plain') setEncoding(scan.rec, key, enc);
  else if (scan.rec.encodings !== undefined) scan.rec.encodings.delete(key);
}

function setEncoding(rec: AuditRecord, key: string, enc: ValueEncoding): void {
  (rec.encodings ??= new Map()).set(key, enc);
}

/** Whether fixIrregularBody would change anything: most records do not need it, so they skip its copy. */
function needsFixUp(typeNumber: number, line: string, from: number, to: number): boolean {
  if (typeNumber === T_LOGIN) {
    const o = line.indexOf('old ', from);
    const n = line.indexOf('new ', from);
    return (o !== -1 && o < to) || (n !== -1 && n < to);
  }
  const p = line.indexOf(' (hostname=', from);
  return p !== -1 && p < to;
}

/**
 * Old record layouts that are not plain k=v (go-libaudit normalizeAuditMessage does the same):
 * LOGIN "old auid=1 new auid=2" -> old_auid/new_auid; PAM "... exe="x" (hostname=?, addr=?, terminal=cron res=success)'".
 */
function fixIrregularBody(typeNumber: number, body: string): string {
  if (typeNumber === T_LOGIN) {
    if (body.indexOf('old ') === -1 && body.indexOf('new ') === -1) return body;
    return replaceN(replaceN(body, 'old ', 'old_', 2), 'new ', 'new_', 2);
  }
  const p = body.indexOf(' (hostname=');
  if (p === -1) return body;
  let rest = body.slice(p + 2).replace(/, /g, ' ');
  rest = rest.replace(/\)'?\s*$/, (m) => (m.indexOf("'") !== -1 ? "'" : ''));
  return body.slice(0, p + 1) + rest;
}

function replaceN(s: string, from: string, to: string, n: number): string {
  let out = s;
  let at = 0;
  for (let k = 0; k < n; k++) {
    const p = out.indexOf(from, at);
    if (p === -1) break;
    out = out.slice(0, p) + to + out.slice(p + from.length);
    at = p + to.length;
  }
  return out;
}

/**
 * The ENRICHED part after \x1d: `ARCH=x86_64 SYSCALL=execve AUID="root" SADDR={ saddr_fam=inet ... }`.
 * Values are unquoted; a {...} value is kept whole, braces included, as auditd wrote it.
 */
function scanEnriched(text: string, from: number, to: number): Record<string, string> {
  const out = Object.create(null) as Record<string, string>;
  let i = from;
  while (i < to) {
    let c = text.charCodeAt(i);
    if (isSpace(c) || c === GS) {
      i++;
      continue;
    }
    const keyStart = i;
    while (i < to && (c = text.charCodeAt(i)) !== EQ && !isSpace(c)) i++;
    if (i >= to || c !== EQ) continue;
    const key = text.slice(keyStart, i++);
    c = text.charCodeAt(i);
    let close: number;
    if (c === DQ) {
      close = text.indexOf('"', i + 1);
      if (close === -1 || close > to) close = to;
      out[key] = flat(text.slice(i + 1, close));
      i = close + 1;
    } else if (c === 123 /* { */) {
      close = text.indexOf('}', i + 1);
      if (close === -1 || close > to) close = to - 1;
      out[key] = flat(text.slice(i, close + 1));
      i = close + 1;
    } else {
      const valueStart = i;
      while (i < to && !isSpace(text.charCodeAt(i))) i++;
      out[key] = flat(text.slice(valueStart, i));
    }
  }
  return out;
}
