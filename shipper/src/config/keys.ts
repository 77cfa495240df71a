// Every configuration key of `auditsight ship`, in one table: its type, default, environment variable(s),
// and whether it is a secret. The loader, the validator, --print-config, the README and the example file
// all follow this table, so a key cannot exist in one place and be missing in another.

export type Kind =
  | { t: 'string'; nonEmpty?: boolean }
  | { t: 'int'; min: number; max?: number }
  | { t: 'size' }
  | { t: 'bool' }
  | { t: 'enum'; values: readonly string[] }
  | { t: 'list' }
  | { t: 'url' }
  | { t: 'address' }
  | { t: 'namespace' };

export interface KeyDef {
  key: string;
  kind: Kind;
  default?: unknown;
  /** Masked by --print-config and never logged. */
  secret?: boolean;
  /** Extra environment variables besides AUDITSIGHT_<KEY>; AUDITSIGHT_<KEY> wins over them. */
  env?: string[];
  doc: string;
}

const posInt = (max?: number): Kind => ({ t: 'int', min: 1, max });
const nonNegInt: Kind = { t: 'int', min: 0 };

export const KEYS: readonly KeyDef[] = [
  { key: 'input.type', kind: { t: 'enum', values: ['tail', 'plugin', 'replay'] }, default: 'tail', doc: 'tail audit.log, read the auditd plugin stdin, or replay archived files' },
  { key: 'input.path', kind: { t: 'string', nonEmpty: true }, default: '/var/log/audit/audit.log', doc: 'tail: the file to follow (rotations are followed)' },
  { key: 'input.from', kind: { t: 'enum', values: ['start', 'end'] }, default: 'start', doc: 'tail without a checkpoint: read the current file from its start, or only what is appended' },
  { key: 'input.files', kind: { t: 'list' }, default: [], doc: 'replay: files (plain or gzip) in evidence order' },
  { key: 'input.replay_host', kind: { t: 'string', nonEmpty: true }, doc: 'replay: name of the host the logs came from (sets host.name and host.id, which host-scoped rules join on)' },
  { key: 'input.linger_ms', kind: nonNegInt, default: 50, doc: 'tail and plugin: after a read that took all there was, wait this long before the next, so that records written one by one are read, committed and fsynced together (0 = read on every write)' },
  { key: 'input.coalesce_timeout_ms', kind: posInt(), default: 2000, doc: 'how long an event waits for its last record' },
  { key: 'state_dir', kind: { t: 'string', nonEmpty: true }, default: '/var/lib/auditsight', doc: 'queue, checkpoints, enricher snapshot' },
  { key: 'queue.max_bytes', kind: { t: 'size' }, default: 256 * 1024 * 1024, doc: 'bound on unacknowledged bytes (e.g. 256MiB)' },
  { key: 'queue.policy', kind: { t: 'enum', values: ['block', 'drop-oldest', 'drop-newest'] }, default: 'block', doc: 'at the bound: stop reading (block) or drop and count' },
  { key: 'queue.fsync', kind: { t: 'enum', values: ['always', 'interval', 'never'] }, default: 'always', doc: 'when an enqueue counts as durable' },
  { key: 'queue.fsync_interval_ms', kind: posInt(), default: 1000, doc: 'fsync period for queue.fsync: interval' },
  { key: 'outputs.elasticsearch.url', kind: { t: 'url' }, env: ['ELASTICSEARCH_URL'], doc: 'enables the Elasticsearch output' },
  { key: 'outputs.elasticsearch.api_key', kind: { t: 'string', nonEmpty: true }, secret: true, env: ['ELASTICSEARCH_API_KEY'], doc: 'base64 id:key' },
  { key: 'outputs.elasticsearch.username', kind: { t: 'string', nonEmpty: true }, env: ['ELASTICSEARCH_USERNAME'], doc: 'basic auth user' },
  { key: 'outputs.elasticsearch.password', kind: { t: 'string' }, secret: true, env: ['ELASTICSEARCH_PASSWORD'], doc: 'basic auth password' },
  { key: 'outputs.elasticsearch.ca', kind: { t: 'string', nonEmpty: true }, env: ['ELASTICSEARCH_CA'], doc: 'PEM CA file of the cluster' },
  { key: 'outputs.elasticsearch.namespace', kind: { t: 'namespace' }, default: 'default', doc: 'the namespace `auditsight setup` installed' },
  { key: 'outputs.elasticsearch.index', kind: { t: 'string', nonEmpty: true }, doc: 'write target override (default: resolved from the namespace)' },
  { key: 'outputs.elasticsearch.batch.max_events', kind: posInt(), default: 2000, doc: 'events per bulk request' },
  { key: 'outputs.elasticsearch.batch.max_bytes', kind: { t: 'size' }, default: 5 * 1024 * 1024, doc: 'bytes per bulk request' },
  { key: 'outputs.elasticsearch.flush_interval_ms', kind: nonNegInt, default: 200, doc: 'wait this long for a batch to fill' },
  { key: 'outputs.elasticsearch.dead_letter.index', kind: { t: 'string' }, doc: 'index for rejected documents (default auditsight-deadletter-<namespace>; "" = none)' },
  { key: 'outputs.elasticsearch.dead_letter.file', kind: { t: 'string' }, doc: 'rejected documents as NDJSON (default <state_dir>/deadletter.ndjson)' },
  { key: 'outputs.fluent.host', kind: { t: 'string', nonEmpty: true }, doc: 'enables the Fluentd forward output' },
  { key: 'outputs.fluent.port', kind: posInt(65535), default: 24224, doc: 'forward port' },
  { key: 'outputs.fluent.tag', kind: { t: 'string', nonEmpty: true }, default: 'auditsight.events', doc: 'fluent tag' },
  { key: 'outputs.ndjson.path', kind: { t: 'string', nonEmpty: true }, doc: 'enables the NDJSON output: a file, or - for stdout' },
  { key: 'metrics.listen', kind: { t: 'address' }, default: '127.0.0.1:9477', doc: '/metrics and /healthz (host:port, or off)' },
  { key: 'metrics.stuck_after_ms', kind: posInt(), default: 60_000, doc: '/healthz is 503 when an output has shipped nothing for this long while events wait' },
  { key: 'logging.level', kind: { t: 'enum', values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] }, default: 'info', env: ['AUDITSIGHT_LOG_LEVEL'], doc: 'log level (ECS JSON on stderr)' },
  { key: 'kernel.lost_poll_interval_s', kind: nonNegInt, default: 10, doc: 'poll `auditctl -s` lost (root only; 0 = off)' },
  { key: 'normalize.event_original', kind: { t: 'bool' }, default: true, doc: 'keep the raw records in event.original (the evidence; false saves ~1/3 of an exec document; events with warnings keep them anyway)' },
  { key: 'enrich.enabled', kind: { t: 'bool' }, default: true, doc: 'entity ids, ancestry, host and user names' },
  { key: 'enrich.fork_events', kind: { t: 'bool' }, default: true, doc: 'a Session View fork event for the child of each audited fork/clone' },
  { key: 'enrich.snapshot_interval_s', kind: posInt(), default: 60, doc: 'how often the process table is saved' },
  { key: 'shutdown.drain_timeout_ms', kind: nonNegInt, default: 10_000, doc: 'on SIGTERM, wait this long for outputs to catch up' },
];

export const KEY_MAP: ReadonlyMap<string, KeyDef> = new Map(KEYS.map((k) => [k.key, k]));

/** Prefixes that are mappings (sections): `outputs`, `outputs.elasticsearch`, `outputs.elasticsearch.batch`, ... */
export const SECTIONS: ReadonlySet<string> = new Set(
  KEYS.flatMap((k) => {
    const parts = k.key.split('.');
    return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('.'));
  }),
);

export function envName(key: string): string {
  return `AUDITSIGHT_${key.toUpperCase().replace(/[.-]/g, '_')}`;
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: 1024 ** 2, mb: 1000 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1000 ** 3, gib: 1024 ** 3 };

const describe = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : Array.isArray(v) ? 'a list' : v !== null && typeof v === 'object' ? 'a mapping' : String(v));

/**
 * Converts a raw value (typed from YAML, a string from the environment or a flag) to the key's type.
 * Returns the value or an error text ("must be ..., got ...") without the key or source: the caller adds them.
 */
export function convert(def: KeyDef, raw: unknown): { value: unknown } | { error: string } {
  const k = def.kind;
  const got = `got ${describe(raw)}`;
  const str = typeof raw === 'string' ? raw.trim() : undefined;
  switch (k.t) {
    case 'string':
      if (typeof raw !== 'string' && typeof raw !== 'number') return { error: `must be a string, ${got}` };
      if (k.nonEmpty && String(raw).trim() === '') return { error: 'must not be empty' };
      return { value: String(raw) };
    case 'int': {
      const n = typeof raw === 'number' ? raw : str !== undefined && /^-?\d+$/.test(str) ? Number(str) : NaN;
      const what = k.min === 1 ? 'a positive integer' : k.min === 0 ? 'a non-negative integer' : `an integer >= ${k.min}`;
      if (!Number.isSafeInteger(n) || n < k.min) return { error: `must be ${what}, ${got}` };
      if (k.max !== undefined && n > k.max) return { error: `must be at most ${k.max}, ${got}` };
      return { value: n };
    }
    case 'size': {
      if (typeof raw === 'number' && Number.isSafeInteger(raw) && raw > 0) return { value: raw };
      const m = str === undefined ? null : /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(str);
      const mult = m ? SIZE_UNITS[m[2].toLowerCase()] : undefined;
      const n = m && mult ? Math.floor(Number(m[1]) * mult) : NaN;
      if (!(n > 0) || !Number.isSafeInteger(n)) return { error: `must be a size in bytes (e.g. 268435456, 256MiB, 1GiB), ${got}` };
      return { value: n };
    }
    case 'bool':
      if (typeof raw === 'boolean') return { value: raw };
      if (str !== undefined && /^(true|yes|on|1)$/i.test(str)) return { value: true };
      if (str !== undefined && /^(false|no|off|0)$/i.test(str)) return { value: false };
      return { error: `must be true or false, ${got}` };
    case 'enum':
      if (typeof raw === 'string' && k.values.includes(raw.trim())) return { value: raw.trim() };
      return { error: `must be one of ${k.values.join(', ')}, ${got}` };
    case 'list':
      if (Array.isArray(raw) && raw.every((x) => typeof x === 'string' && x !== '')) return { value: raw };
      if (typeof raw === 'string') return { value: raw.split(',').map((s) => s.trim()).filter(Boolean) };
      return { error: `must be a list of file names, ${got}` };
    case 'url': {
      if (typeof raw !== 'string') return { error: `must be an http(s) URL, ${got}` };
      try {
        const u = new URL(raw.trim());
        if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
        return { value: raw.trim() };
      } catch {
        return { error: `must be an http(s) URL, ${got}` };
      }
    }
    case 'address': {
      if (str === 'off' || raw === false) return { value: 'off' };
      const m = str === undefined ? null : /^(\[[0-9a-f:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(str);
      if (!m || Number(m[2]) > 65535) return { error: `must be host:port (e.g. 127.0.0.1:9477) or off, ${got}` };
      return { value: str };
    }
    case 'namespace':
      if (typeof raw === 'string' && /^[a-z0-9][a-z0-9_]{0,99}$/.test(raw)) return { value: raw };
      return { error: `must be 1-100 characters a-z, 0-9 and _, not starting with _, ${got}` };
  }
}

/** The closest known key, for "did you mean" (edit distance <= 3). */
export function suggest(key: string): string | undefined {
  let best: string | undefined;
  let bestD = 4;
  for (const k of [...KEY_MAP.keys(), ...SECTIONS]) {
    const d = distance(key, k);
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0];
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j];
      dp[j] = Math.min(dp[j] + 1, dp[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length];
}
