// The one parameter schema layer. Each route's query parameters are described once here as plain data;
// parseParams() validates and normalizes them, and is the only validator: the express console calls it
// directly, and the Kibana adapter wraps it in a @kbn/config-schema object (server/kibana-routes.ts), so
// both front doors accept and reject exactly the same requests.

/** Elastic's entity ids are base64 (a-zA-Z0-9+/=), ours are hex; both fit. No spaces, quotes or wildcards. */
export const ENTITY_ID_RE = /^[A-Za-z0-9][A-Za-z0-9+/=_.:-]{0,255}$/;
/** Elasticsearch _id values we generate or accept from the alert engine. */
export const DOC_ID_RE = /^[A-Za-z0-9_.:+/=-]{1,512}$/;
/** ISO 8601 dates and date math relative to now (now, now-15m, now-7d/d): what range queries accept. */
const ISO_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const DATEMATH_RE = /^now([+-]\d{1,6}[smhdwMy])*(\/[smhdwMy])?$/;
// Control characters have no business in a search term and make logs ambiguous.
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

export type FieldSpec =
  | { kind: 'entityId'; optional?: boolean }
  | { kind: 'docId'; optional?: boolean }
  | { kind: 'text'; maxLength: number; optional?: boolean }
  | { kind: 'time'; optional?: boolean }
  | { kind: 'cursor'; optional?: boolean }
  | { kind: 'int'; min: number; max: number; default: number }
  | { kind: 'enum'; values: readonly string[]; default: string };

export interface ParamsSpec {
  fields: Record<string, FieldSpec>;
  /** Exactly one of these must be present (e.g. a process or a session scope). */
  exactlyOneOf?: readonly string[];
  /** Field pairs [from, to] whose ISO values must be in order. */
  range?: readonly [string, string];
}

type ValueOf<F> = F extends { kind: 'int' } ? number : string;
type HasDefault<F> = F extends { kind: 'int' } | { kind: 'enum' } ? true : false;
type Required<F> = HasDefault<F> extends true ? true : F extends { optional: true } ? false : true;
export type ParamsOf<S extends ParamsSpec> = {
  [K in keyof S['fields'] as Required<S['fields'][K]> extends true ? K : never]: ValueOf<S['fields'][K]>;
} & {
  [K in keyof S['fields'] as Required<S['fields'][K]> extends true ? never : K]?: ValueOf<S['fields'][K]>;
};

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export class ParamError extends Error {
  readonly status = 400;
}

/** Cursors are base64url JSON arrays of sort values; anything else is rejected before it reaches a query. */
export function encodeCursor(sort: unknown[]): string {
  return Buffer.from(JSON.stringify(sort), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): Array<string | number | null> {
  if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new ParamError('cursor: malformed');
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new ParamError('cursor: malformed');
  }
  const ok =
    Array.isArray(v) &&
    v.length > 0 &&
    v.length <= 6 &&
    v.every((x) => x === null || typeof x === 'number' || (typeof x === 'string' && x.length <= 512));
  if (!ok) throw new ParamError('cursor: malformed');
  return v as Array<string | number | null>;
}

function one(raw: unknown): unknown {
  // Express turns ?a=1&a=2 into an array; a repeated parameter is a client bug, not a choice to guess at.
  if (Array.isArray(raw)) throw new ParamError('repeated parameter');
  return raw;
}

function parseField(name: string, spec: FieldSpec, raw: unknown): string | number | undefined {
  const v = one(raw);
  if (v === undefined || v === '') {
    if (spec.kind === 'int' || spec.kind === 'enum') return spec.default;
    if (spec.optional) return undefined;
    throw new ParamError(`${name}: required`);
  }
  if (spec.kind === 'int') {
    const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d{1,9}$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < spec.min || n > spec.max) {
      throw new ParamError(`${name}: must be an integer in [${spec.min}, ${spec.max}]`);
    }
    return n;
  }
  if (typeof v !== 'string') throw new ParamError(`${name}: must be a string`);
  switch (spec.kind) {
    case 'entityId':
      if (!ENTITY_ID_RE.test(v)) throw new ParamError(`${name}: not an entity id`);
      return v;
    case 'docId':
      if (!DOC_ID_RE.test(v)) throw new ParamError(`${name}: not a document id`);
      return v;
    case 'text':
      if (v.length > spec.maxLength) throw new ParamError(`${name}: longer than ${spec.maxLength}`);
      if (CONTROL_RE.test(v)) throw new ParamError(`${name}: control characters`);
      if (v.trim() === '') throw new ParamError(`${name}: blank`);
      return v;
    case 'time':
      if (DATEMATH_RE.test(v)) return v;
      if (ISO_RE.test(v) && !Number.isNaN(Date.parse(v))) return v;
      throw new ParamError(`${name}: not an ISO 8601 date or now-based date math`);
    case 'cursor':
      decodeCursor(v);
      return v;
    case 'enum':
      if (!spec.values.includes(v)) throw new ParamError(`${name}: one of ${spec.values.join(', ')}`);
      return v;
  }
}

/** Validates and normalizes raw query parameters (strings, or numbers after config-schema coercion). */
export function parseParams<S extends ParamsSpec>(spec: S, raw: Record<string, unknown>): ParseResult<ParamsOf<S>> {
  try {
    for (const k of Object.keys(raw)) {
      if (!(k in spec.fields)) throw new ParamError(`${k}: unknown parameter`);
    }
    const out: Record<string, string | number> = {};
    for (const [name, fs] of Object.entries(spec.fields)) {
      const v = parseField(name, fs, raw[name]);
      if (v !== undefined) out[name] = v;
    }
    if (spec.exactlyOneOf) {
      const present = spec.exactlyOneOf.filter((k) => out[k] !== undefined);
      if (present.length !== 1) throw new ParamError(`exactly one of ${spec.exactlyOneOf.join(', ')} is required`);
    }
    if (spec.range) {
      const [a, b] = [out[spec.range[0]], out[spec.range[1]]];
      if (typeof a === 'string' && typeof b === 'string' && ISO_RE.test(a) && ISO_RE.test(b) && Date.parse(a) > Date.parse(b)) {
        throw new ParamError(`${spec.range[0]} is after ${spec.range[1]}`);
      }
    }
    return { ok: true, value: out as ParamsOf<S> };
  } catch (e) {
    if (e instanceof ParamError) return { ok: false, error: e.message };
    throw e;
  }
}

/** Wildcard query metacharacters (and the escape itself) in the user's text become literals. */
export function escapeWildcard(text: string): string {
  return text.replace(/[\\*?]/g, (c) => `\\${c}`);
}
