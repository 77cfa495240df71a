// The parse stage's output: one audit record, as close to the text as possible but already decoded.
// Contract shared by parse (producer), coalesce and normalize (consumers).

/** How a value was written in the log (`(null)` unquoted is the null encoding, not a string). */
export type ValueEncoding = 'plain' | 'quoted' | 'hex' | 'null';

export interface AuditRecord {
  /** Record type name as auditd prints it: `SYSCALL`, `EXECVE`, `USER_LOGIN`, or `UNKNOWN[1329]`. */
  type: string;
  /** Numeric type when known (from the name table or the UNKNOWN[n] form). */
  typeNumber?: number;
  /** Event time in ms since the epoch, from `audit(SECONDS.MILLIS:SERIAL)`. */
  timestampMs: number;
  /** The `SECONDS.MILLIS` text, kept for exact ids and output. */
  timestampText: string;
  serial: number;
  /** `node=` prefix, if the line had one. */
  node?: string;
  /**
   * Decoded field values (hex decoded, quotes removed; `(null)` kept as the literal string `(null)`).
   * User-space records have their nested `msg='k=v ...'` flattened into this map, as go-libaudit does.
   * In the order the fields first appeared. A Map, not an object: attacker-controlled keys cannot hit
   * Object.prototype, and filling a null-prototype object (a V8 dictionary) cost ~2x a Map per record,
   * ~5% of the whole pipeline, before it was read back in insertion order by a slow for-in.
   * normalize's interpretRecord() edits this Map in place: after normalize, it holds interpreted values.
   */
  fields: Map<string, string>;
  /** Encoding per field, only for fields that were not plain; only with parseLine's `encodings` option. */
  encodings?: Map<string, ValueEncoding>;
  /** ENRICHED format: interpreted values that auditd appended after the 0x1d separator (e.g. UID="root"). */
  enriched?: Record<string, string>;
  /** The whole line as read (becomes event.original). */
  raw: string;
  /**
   * Added by parse: PROCTITLE only, the command line split on its NUL separators (fields.proctitle
   * joins them with spaces, as go-libaudit does, which loses argument boundaries).
   */
  argv?: string[];
}

/** A line that could not be parsed. Never thrown away: it is counted and shipped with event.original. */
export interface ParseError {
  error: string;
  raw: string;
  /** Where it came from (file:line, stream offset), for the dead letter and logs. */
  source?: string;
}

export type ParseResult = { ok: true; record: AuditRecord } | { ok: false; error: ParseError };
