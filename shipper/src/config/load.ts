// Loads the one typed ShipConfig from defaults < YAML file < environment < flags.
//
// Every value remembers where it came from, so that an error names the key AND the place to fix it
// (`auditsight.yml:12: ...`, `env AUDITSIGHT_QUEUE_POLICY: ...`, `flag --queue-policy: ...`), and
// --print-config can say why a value is what it is. All problems are collected and reported together:
// fixing a config file one error per restart is miserable.
import { deadLetterIndex } from '../../../elastic-templates/src/roles';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isScalar, LineCounter, parseDocument, type Node } from 'yaml';
import { KEY_MAP, KEYS, SECTIONS, convert, envName, suggest } from './keys';
import type { ShipConfig } from './types';

export interface Setting {
  value: unknown;
  /** `default`, `<file>:<line>`, `env NAME`, `flag --name`. */
  source: string;
}

export interface FlagValue {
  key: string;
  value: unknown;
  /** How the user spelled it, for messages (`--queue-policy`, `--set queue.policy=...`). */
  flag: string;
}

export interface LoadOptions {
  /** YAML file; a missing file is an error only when `fileRequired` (it was named explicitly). */
  file?: string;
  fileRequired?: boolean;
  env?: NodeJS.ProcessEnv;
  flags?: FlagValue[];
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadedConfig {
  config: ShipConfig;
  /** Effective value and source of every key that has a value. */
  settings: Map<string, Setting>;
}

export function loadConfig(opts: LoadOptions = {}): LoadedConfig {
  const issues: string[] = [];
  const settings = new Map<string, Setting>();
  const set = (key: string, raw: unknown, source: string) => {
    const def = KEY_MAP.get(key)!;
    const r = convert(def, raw);
    if ('error' in r) issues.push(`${source}: ${key} ${r.error}`);
    else settings.set(key, { value: r.value, source });
  };
  for (const def of KEYS) if (def.default !== undefined) settings.set(def.key, { value: def.default, source: 'default' });
  if (opts.file) readFile(opts.file, !!opts.fileRequired, set, issues);
  readEnv(opts.env ?? process.env, set);
  for (const f of opts.flags ?? []) {
    if (!KEY_MAP.has(f.key)) {
      const s = suggest(f.key);
      issues.push(`flag ${f.flag}: unknown key ${f.key}${s ? ` (did you mean ${s}?)` : ''}`);
    } else set(f.key, f.value, `flag ${f.flag}`);
  }
  if (issues.length) throw new ConfigError(issues);
  const config = build(settings, issues);
  if (issues.length) throw new ConfigError(issues);
  return { config, settings };
}

type Setter = (key: string, raw: unknown, source: string) => void;

function readFile(file: string, required: boolean, set: Setter, issues: string[]): void {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT' && !required) return;
    issues.push(`${file}: cannot read the configuration file (${err.code ?? err.message})`);
    return;
  }
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const at = (offset: number | undefined) => `${file}:${offset === undefined ? '?' : lc.linePos(offset).line}`;
  for (const e of doc.errors) issues.push(`${at(e.pos[0])}: YAML syntax error: ${e.message.split('\n')[0]}`);
  if (doc.errors.length) return;
  if (doc.contents === null) return; // an empty file is a valid (empty) configuration
  const walk = (node: Node, prefix: string) => {
    if (!isMap(node)) {
      issues.push(`${at(node.range?.[0])}: ${prefix || 'the top level'} must be a mapping of keys`);
      return;
    }
    for (const pair of node.items) {
      const keyNode = pair.key as Node | null;
      const name = isScalar(keyNode) ? String(keyNode.value) : String(keyNode);
      const key = prefix ? `${prefix}.${name}` : name;
      const where = at(keyNode?.range?.[0]);
      const value = pair.value as Node | null;
      if (SECTIONS.has(key)) {
        if (value === null || (isScalar(value) && value.value === null)) continue; // `fluent:` with nothing under it
        walk(value, key);
      } else if (KEY_MAP.has(key)) {
        if (value === null || (isScalar(value) && value.value === null)) continue; // `index:` left empty = unset
        // A mapping where a value belongs is reported by convert() as "got a mapping".
        set(key, value.toJSON(), at(value.range?.[0] ?? keyNode?.range?.[0]));
      } else {
        const s = suggest(key);
        issues.push(`${where}: unknown key ${key}${s ? ` (did you mean ${s}?)` : ''}`);
      }
    }
  };
  walk(doc.contents as Node, '');
}

function readEnv(env: NodeJS.ProcessEnv, set: Setter): void {
  for (const def of KEYS) {
    // Generic names (ELASTICSEARCH_URL) first, so the specific AUDITSIGHT_* name overrides them.
    for (const name of [...(def.env ?? []), envName(def.key)]) {
      const v = env[name];
      if (v !== undefined && v !== '') set(def.key, v, `env ${name}`);
    }
  }
}

/** The typed config, plus the checks that involve several keys. */
function build(s: Map<string, Setting>, issues: string[]): ShipConfig {
  const v = <T>(key: string): T => s.get(key)?.value as T;
  const src = (key: string) => s.get(key)?.source ?? 'default';
  const stateDir = path.resolve(v<string>('state_dir'));
  const inputType = v<ShipConfig['input']['type']>('input.type');
  if (inputType === 'replay' && v<string[]>('input.files').length === 0) {
    issues.push(`${src('input.type')}: input.type is replay but input.files is empty (use --replay FILES)`);
  }
  const cfg: ShipConfig = {
    input: { type: inputType, path: v('input.path'), from: v('input.from'), files: v('input.files'), replayHost: v<string | undefined>('input.replay_host'), coalesceTimeoutMs: v('input.coalesce_timeout_ms'), lingerMs: v('input.linger_ms') },
    stateDir,
    queue: { maxBytes: v('queue.max_bytes'), policy: v('queue.policy'), fsync: v('queue.fsync'), fsyncIntervalMs: v('queue.fsync_interval_ms') },
    outputs: {},
    metrics: { listen: undefined, stuckAfterMs: v('metrics.stuck_after_ms') },
    logging: { level: v('logging.level') },
    kernel: { lostPollIntervalS: v('kernel.lost_poll_interval_s') },
    normalize: { eventOriginal: v('normalize.event_original') },
    enrich: { enabled: v('enrich.enabled'), forkEvents: v('enrich.fork_events'), snapshotIntervalS: v('enrich.snapshot_interval_s') },
    shutdown: { drainTimeoutMs: v('shutdown.drain_timeout_ms') },
  };
  const listen = v<string>('metrics.listen');
  if (listen !== 'off') {
    const i = listen.lastIndexOf(':');
    cfg.metrics.listen = { host: listen.slice(0, i).replace(/^\[|\]$/g, ''), port: Number(listen.slice(i + 1)) };
  }
  const url = v<string | undefined>('outputs.elasticsearch.url');
  if (url) {
    const ns = v<string>('outputs.elasticsearch.namespace');
    const apiKey = v<string | undefined>('outputs.elasticsearch.api_key');
    const username = v<string | undefined>('outputs.elasticsearch.username');
    if (apiKey && username) {
      issues.push(`${src('outputs.elasticsearch.username')}: set either outputs.elasticsearch.api_key (${src('outputs.elasticsearch.api_key')}) or outputs.elasticsearch.username, not both`);
    }
    if (s.has('outputs.elasticsearch.password') && !username) {
      issues.push(`${src('outputs.elasticsearch.password')}: outputs.elasticsearch.password is set but outputs.elasticsearch.username is not`);
    }
    const ca = v<string | undefined>('outputs.elasticsearch.ca');
    if (ca) {
      try {
        fs.accessSync(ca, fs.constants.R_OK);
      } catch (e) {
        issues.push(`${src('outputs.elasticsearch.ca')}: outputs.elasticsearch.ca cannot be read: ${ca} (${(e as NodeJS.ErrnoException).code})`);
      }
    }
    const dlIndex = s.has('outputs.elasticsearch.dead_letter.index') ? v<string>('outputs.elasticsearch.dead_letter.index') : deadLetterIndex(ns);
    cfg.outputs.elasticsearch = {
      url, apiKey, username, password: v('outputs.elasticsearch.password'), ca, namespace: ns, index: v('outputs.elasticsearch.index'),
      batch: { maxEvents: v('outputs.elasticsearch.batch.max_events'), maxBytes: v('outputs.elasticsearch.batch.max_bytes') },
      flushIntervalMs: v('outputs.elasticsearch.flush_interval_ms'),
      deadLetter: { index: dlIndex === '' ? false : dlIndex, file: v<string | undefined>('outputs.elasticsearch.dead_letter.file') ?? path.join(stateDir, 'deadletter.ndjson') },
    };
  } else {
    for (const k of ['api_key', 'username', 'password', 'ca', 'index']) {
      const key = `outputs.elasticsearch.${k}`;
      if (s.has(key)) issues.push(`${src(key)}: ${key} is set but outputs.elasticsearch.url is not (set it or ELASTICSEARCH_URL)`);
    }
  }
  const host = v<string | undefined>('outputs.fluent.host');
  if (host) cfg.outputs.fluent = { host, port: v('outputs.fluent.port'), tag: v('outputs.fluent.tag') };
  const nd = v<string | undefined>('outputs.ndjson.path');
  // '-' is stdout, also in plugin mode (the plugin reads stdin; logs go to stderr).
  if (nd) cfg.outputs.ndjson = { path: nd };
  if (!cfg.outputs.elasticsearch && !cfg.outputs.fluent && !cfg.outputs.ndjson) {
    issues.push('no output configured: set outputs.elasticsearch.url (or ELASTICSEARCH_URL / --es-url), outputs.fluent.host or outputs.ndjson.path');
  }
  return cfg;
}
