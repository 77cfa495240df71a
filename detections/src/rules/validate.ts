// YAML document -> Rule, checking every key and value against the schema in schema.ts. Queries and the
// notification template are only read here; compile.ts compiles them (it needs the field map).
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { parseDuration, type Duration } from './duration';
import {
  DEFAULT_RISK_SCORE,
  DEFAULT_SCHEDULE,
  LANGUAGES,
  SEVERITIES,
  type AttackRef,
  type QueryLanguage,
  type Rule,
  type Sequence,
  type SequenceStep,
  type ThreatMapping,
} from './schema';
import { MapReader, type YamlSource } from './yaml_source';

const RULE_KEYS = [
  'id', 'name', 'description', 'severity', 'risk_score', 'threat', 'references', 'false_positives',
  'query', 'language', 'index', 'schedule', 'threshold', 'sequence', 'suppression', 'notification',
  'tags', 'enabled', 'version',
] as const;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SLUG = /^[a-z0-9]+(?:[-_][a-z0-9]+)*$/;

/** Where each query string sits in the file, so compile errors can point into it. */
export interface QuerySite {
  /** `query` or `sequence.steps[i].query`. */
  path: string;
  node: Node;
  query: string;
  language: QueryLanguage;
}

export interface ReadResult {
  rule?: Rule;
  querySites: QuerySite[];
  /** The notification template and its scalar node (for template error positions). */
  notification?: { node: Node; template: string };
  /** Field lists (group_by / join_on) with their nodes, for field-name checks. */
  fieldLists: { path: string; node: Node; fields: string[] }[];
}

function duration(r: MapReader, key: string, required: boolean, fallback?: string): Duration | undefined {
  const text = r.has(key) ? r.string(key, required) : fallback;
  if (text === undefined) return undefined;
  const d = parseDuration(text);
  if (typeof d === 'string') return r.src.errorAt(r.node(key), `"${r.label(key)}": ${d}`);
  return d;
}

function oneOf<T extends string>(r: MapReader, key: string, values: readonly T[], required: boolean): T | undefined {
  const v = r.string(key, required);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) {
    return r.src.errorAt(r.node(key), `"${r.label(key)}" must be one of ${values.join(', ')} (got "${v}")`);
  }
  return v as T;
}

function integer(r: MapReader, key: string, min: number, max: number, required: boolean): number | undefined {
  const v = r.number(key, required);
  if (v === undefined) return undefined;
  if (!Number.isInteger(v) || v < min || v > max) {
    return r.src.errorAt(r.node(key), `"${r.label(key)}" must be an integer from ${min} to ${max} (got ${v})`);
  }
  return v;
}

function attackRef(r: MapReader, key: string, pattern: RegExp, example: string, required: boolean): AttackRef | undefined {
  const c = r.child(key, ['id', 'name', 'reference'], required);
  if (!c) return undefined;
  const id = c.string('id', true);
  const name = c.string('name', true);
  const reference = c.string('reference');
  if (id !== undefined && !pattern.test(id)) {
    return r.src.errorAt(c.node('id'), `"${c.label('id')}" must be an ATT&CK id like ${example} (got "${id}")`);
  }
  return id && name ? { id, name, ...(reference && { reference }) } : undefined;
}

function threat(r: MapReader): ThreatMapping[] {
  const items = r.children('threat', ['framework', 'tactic', 'technique', 'subtechnique'], false, true) ?? [];
  const out: ThreatMapping[] = [];
  for (const t of items) {
    const framework = t.string('framework');
    if (framework !== undefined && framework !== 'MITRE ATT&CK') {
      t.src.errorAt(t.node('framework'), `"${t.label('framework')}" must be "MITRE ATT&CK"`);
    }
    const tactic = attackRef(t, 'tactic', /^TA\d{4}$/, 'TA0002', true);
    const technique = attackRef(t, 'technique', /^T\d{4}$/, 'T1059', false);
    const subtechnique = attackRef(t, 'subtechnique', /^T\d{4}\.\d{3}$/, 'T1059.004', false);
    if (subtechnique && !technique && !t.has('technique')) {
      t.src.errorAt(t.node('subtechnique'), `"${t.label('subtechnique')}" needs a technique`);
    } else if (subtechnique && technique && !subtechnique.id.startsWith(`${technique.id}.`)) {
      t.src.errorAt(t.node('subtechnique'), `subtechnique ${subtechnique.id} is not part of technique ${technique.id}`);
    }
    if (tactic) out.push({ framework: 'MITRE ATT&CK', tactic, ...(technique && { technique }), ...(subtechnique && { subtechnique }) });
  }
  return out;
}

function sequence(r: MapReader, language: QueryLanguage, res: ReadResult): Sequence | undefined {
  const s = r.child('sequence', ['steps', 'join_on', 'max_span']);
  if (!s) return undefined;
  const steps: SequenceStep[] = [];
  const stepReaders = s.children('steps', ['name', 'query', 'language'], true) ?? [];
  if (s.has('steps') && stepReaders.length < 2) s.src.errorAt(s.node('steps'), `"${s.label('steps')}" needs at least 2 steps`);
  for (const st of stepReaders) {
    const query = st.string('query', true);
    const lang = oneOf(st, 'language', LANGUAGES, false) ?? language;
    const name = st.string('name');
    if (query !== undefined) {
      steps.push({ ...(name && { name }), query, language: lang });
      res.querySites.push({ path: st.label('query'), node: st.node('query')!, query, language: lang });
    }
  }
  const join_on = s.strings('join_on', true, true);
  if (join_on) res.fieldLists.push({ path: s.label('join_on'), node: s.node('join_on')!, fields: join_on });
  const max_span = duration(s, 'max_span', true);
  return join_on && max_span && steps.length === stepReaders.length ? { steps, join_on, max_span } : undefined;
}

/** Reads and validates the rule document; errors go to `src.errors`. `rule` is set only if there were none. */
export function readRule(src: YamlSource, defaultIndex: readonly string[]): ReadResult {
  const res: ReadResult = { querySites: [], fieldLists: [] };
  const root = src.doc.contents;
  if (src.errors.length) return res; // YAML syntax errors: the tree is not worth validating
  if (!isMap(root)) {
    src.errorAt(root as Node | null, 'a rule file must be a YAML mapping of rule fields');
    return res;
  }
  const r = new MapReader(src, root, '', RULE_KEYS);

  const id = r.string('id', true);
  if (id !== undefined && !UUID.test(id) && !SLUG.test(id)) {
    src.errorAt(r.node('id'), `"id" must be a UUID or a lowercase slug like "netcat-listener" (got "${id}")`);
  }
  const name = r.string('name', true);
  const description = r.string('description', true);
  const severity = oneOf(r, 'severity', SEVERITIES, true);
  const risk_score = integer(r, 'risk_score', 0, 100, false);
  const language = oneOf(r, 'language', LANGUAGES, false) ?? 'kql';
  const references = r.strings('references') ?? [];
  const refsNode = r.node('references');
  if (isSeq(refsNode)) {
    refsNode.items.forEach((item, i) => {
      const ref = isScalar(item) ? item.value : undefined;
      if (typeof ref === 'string' && !/^https?:\/\/\S+$/.test(ref)) src.errorAt(item as Node, `"references[${i}]" must be an http(s) URL`);
    });
  }

  const query = r.string('query');
  if (query !== undefined) res.querySites.push({ path: 'query', node: r.node('query')!, query, language });
  const seq = sequence(r, language, res);
  if (r.has('query') === r.has('sequence')) {
    src.errorAt(r.has('query') ? r.node('sequence') : root, 'a rule needs exactly one of "query" or "sequence"');
  }
  if (r.has('threshold') && r.has('sequence')) src.errorAt(r.node('threshold'), '"threshold" cannot be combined with "sequence"');

  const schedule = r.child('schedule', ['interval', 'lookback']);
  const interval = schedule ? duration(schedule, 'interval', false, DEFAULT_SCHEDULE.interval) : parseDuration(DEFAULT_SCHEDULE.interval);
  const lookback = schedule ? duration(schedule, 'lookback', false, DEFAULT_SCHEDULE.lookback) : parseDuration(DEFAULT_SCHEDULE.lookback);

  const t = r.child('threshold', ['group_by', 'count']);
  const threshold = t && { group_by: t.strings('group_by', false, true) ?? [], count: integer(t, 'count', 1, 1e9, true) };
  if (t?.has('group_by')) res.fieldLists.push({ path: 'threshold.group_by', node: t.node('group_by')!, fields: threshold!.group_by });

  const s = r.child('suppression', ['group_by', 'window']);
  const suppression = s && { group_by: s.strings('group_by', true, true), window: duration(s, 'window', true) };
  if (suppression?.group_by) res.fieldLists.push({ path: 'suppression.group_by', node: s!.node('group_by')!, fields: suppression.group_by });

  const notification = r.string('notification');
  if (notification !== undefined) res.notification = { node: r.node('notification')!, template: notification };
  const rule: Partial<Rule> = {
    id,
    name,
    description,
    severity,
    risk_score: risk_score ?? (severity && DEFAULT_RISK_SCORE[severity]),
    threat: threat(r),
    references,
    false_positives: r.strings('false_positives') ?? [],
    ...(query !== undefined && { query }),
    language,
    index: r.strings('index', false, true) ?? [...defaultIndex],
    schedule: interval && lookback && typeof interval !== 'string' && typeof lookback !== 'string' ? { interval, lookback } : undefined,
    ...(threshold && { threshold: threshold as Rule['threshold'] }),
    ...(seq && { sequence: seq }),
    ...(suppression && { suppression: suppression as Rule['suppression'] }),
    ...(notification !== undefined && { notification }),
    tags: r.strings('tags', false, true) ?? [],
    enabled: r.boolean('enabled') ?? true,
    version: integer(r, 'version', 1, 1e9, false) ?? 1,
    source: { file: src.file },
  };
  if (!src.errors.length) res.rule = rule as Rule; // compile.ts may still add query/template errors
  return res;
}
