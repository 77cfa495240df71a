// The shipped ruleset against its fixtures: every rule under detections/rules/ loads, and every rule's
// captured positive.log / negative.log (raw audit lines from this project's own auditd captures, see
// detections/fixtures-capture/) goes through the real shipper stages (parse -> coalesce -> normalize ->
// enrich) into a real Elasticsearch index made by the real templates, and the real engine (runRule)
// produces exactly the alerts recorded in the rule's expect.json. Every rule also runs over every other
// rule's fixtures, so a rule that fires where it should not (too broad) fails here unless the fixture's
// expect.json lists it under `also`.
//
// expect.json, not expect.yml: loadRules() reads every *.yml/*.yaml under detections/rules/ recursively,
// the .fixtures directories included, so a YAML expectation file would be loaded (and rejected) as a rule.
import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import type { Client } from '@elastic/elasticsearch';
import { sharedElasticsearch, uniqueName } from '../../test/elasticsearch';
import { setup } from '../../elastic-templates/src/setup';
import { names } from '../../elastic-templates/src/templates';
import { loadRules, type CompiledRule } from './rules';
import { runRule, writeAlerts, type RunResult } from './engine/run';
import { Enricher } from '../../shipper/src/enrich';
import { runPipeline } from '../fixtures-capture/pipeline';

const RULES_DIR = path.join(__dirname, '..', 'rules');
const KINDS = ['positive', 'negative'] as const;
type Kind = (typeof KINDS)[number];

interface Expectation {
  /** Alerts (distinct alert ids, i.e. after suppression) of the rule itself on its positive fixture. */
  positive: number;
  /** Always 0; kept explicit in the file so a reader sees it. */
  negative: number;
  /** Other rules that legitimately fire on this rule's fixtures: `{rule-id: {positive: n, negative: n}}` or a list (positive only, any count >= 1). */
  also?: string[] | Record<string, Partial<Record<Kind, number>>>;
}

interface FixtureSet {
  rule: CompiledRule;
  dir: string;
  expect: Expectation;
  /** host.id that marks this set's events in the shared index: `fx:<rule-id>:<kind>`. */
  hostId: Record<Kind, string>;
  events: Record<Kind, number>;
}

const fixtureDir = (r: CompiledRule) => r.rule.source.file.replace(/\.ya?ml$/, '.fixtures');

/** Distinct alert ids: what writeAlerts would create (suppressed alerts share an id). */
const distinct = (r: RunResult) => new Set(r.alerts.map((a) => a.id)).size;

/** The rule with every query additionally restricted to one fixture set (its host.id) and our index. */
function scoped(c: CompiledRule, index: string, hostId: string): CompiledRule {
  const only = (q: unknown) => ({ bool: { filter: [q, { term: { 'host.id': hostId } }] } });
  return {
    ...c,
    rule: { ...c.rule, index: [index] },
    ...(c.query && { query: only(c.query) }),
    ...(c.steps && { steps: c.steps.map((s) => ({ ...s, query: only(s.query) })) }),
  } as CompiledRule;
}

/** Runs tasks with at most n in flight (the dev node has two cores shared with everyone). */
async function pool<T>(tasks: Array<() => Promise<T>>, n: number): Promise<T[]> {
  const out: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        out[i] = await tasks[i]();
      }
    }),
  );
  return out;
}

describe('ruleset: every rule against real captured fixtures @integration', function () {
  this.timeout(180_000);
  const loaded = loadRules(RULES_DIR);
  let client: Client;
  let namespace: string;
  let eventsIndex: string;
  let alertsIndex: string;
  const sets: FixtureSet[] = [];
  /** results[ruleId][fixture rule id][kind] */
  const results = new Map<string, Map<string, Record<Kind, RunResult>>>();

  it('loads every rule without errors, at least 40, each with fixtures and expect.json', () => {
    expect(loaded.errors.map((e) => e.toString())).to.deep.equal([]);
    expect(loaded.rules.length).to.be.at.least(40);
    for (const r of loaded.rules) {
      const dir = fixtureDir(r);
      for (const f of ['positive.log', 'negative.log', 'expect.json']) expect(fs.existsSync(path.join(dir, f)), `${dir}/${f}`).to.equal(true);
      expect(r.rule.schedule.interval.ms, `${r.rule.id}: interval`).to.be.at.most(60_000);
    }
  });

  before(async () => {
    client = (await sharedElasticsearch()).client;
    namespace = uniqueName('ruleset').replace(/[^a-z0-9]/g, '_');
    const report = await setup(client, { namespace });
    eventsIndex = report.targets.events.name;
    alertsIndex = report.targets.alerts.name;

    const ingested = new Date().toISOString();
    const ops: unknown[] = [];
    for (const rule of loaded.rules) {
      const dir = fixtureDir(rule);
      if (!fs.existsSync(path.join(dir, 'expect.json'))) continue;
      const set: FixtureSet = {
        rule,
        dir,
        expect: YAML.parse(fs.readFileSync(path.join(dir, 'expect.json'), 'utf8')) as Expectation,
        hostId: { positive: `fx:${rule.rule.id}:positive`, negative: `fx:${rule.rule.id}:negative` },
        events: { positive: 0, negative: 0 },
      };
      for (const kind of KINDS) {
        // One enricher per fixture file: each capture is its own little host, as it was when captured.
        const enricher = new Enricher({ host: { id: set.hostId[kind], name: 'fixture-host' } });
        const events = runPipeline(fs.readFileSync(path.join(dir, `${kind}.log`), 'utf8'), enricher);
        set.events[kind] = events.length;
        events.forEach((ev, i) => {
          ev.event = { ...ev.event, ingested };
          ops.push({ create: { _index: eventsIndex, _id: `${set.hostId[kind]}:${i}` } }, { ...ev, labels: { fixture: `${rule.rule.id}/${kind}` } });
        });
      }
      sets.push(set);
    }
    const bulk = await client.bulk({ operations: ops, refresh: true });
    const failed = bulk.items.filter((i) => i.create?.error).map((i) => JSON.stringify(i.create?.error));
    expect(failed, 'bulk indexing errors').to.deep.equal([]);

    // Every rule over every fixture set, each restricted to that set by host.id.
    const window = { start: new Date(Date.now() - 10 * 60_000), end: new Date(Date.now() + 10 * 60_000) };
    const tasks = loaded.rules.flatMap((rule) =>
      sets.flatMap((set) =>
        KINDS.map((kind) => async () => {
          const r = await runRule(client, scoped(rule, eventsIndex, set.hostId[kind]), window);
          let perRule = results.get(rule.rule.id);
          if (!perRule) results.set(rule.rule.id, (perRule = new Map()));
          const perSet = perRule.get(set.rule.rule.id) ?? ({} as Record<Kind, RunResult>);
          perSet[kind] = r;
          perRule.set(set.rule.rule.id, perSet);
        }),
      ),
    );
    await pool(tasks, 6);
  });

  after(async () => {
    if (!client || !namespace) return;
    // Our namespace only: its indices, then its templates.
    for (const kind of ['events', 'alerts'] as const) {
      const n = names(kind, namespace, 'minimal');
      await client.indices.delete({ index: `${n.readName}-*`, ignore_unavailable: true, allow_no_indices: true }).catch(() => undefined);
      await client.indices.deleteIndexTemplate({ name: n.indexTemplate }).catch(() => undefined);
      await client.cluster.deleteComponentTemplate({ name: n.componentMappings }).catch(() => undefined);
      await client.cluster.deleteComponentTemplate({ name: n.componentSettings }).catch(() => undefined);
    }
  });

  it('every fixture file yields events through the real pipeline', () => {
    expect(sets.length).to.equal(loaded.rules.length);
    for (const s of sets) for (const kind of KINDS) expect(s.events[kind], `${s.rule.rule.id}/${kind}.log`).to.be.greaterThan(0);
  });

  it('each rule alerts exactly as expected on its own positive and never on its negative', () => {
    const table: string[] = [];
    const problems: string[] = [];
    for (const s of sets) {
      const own = results.get(s.rule.rule.id)!.get(s.rule.rule.id)!;
      const pos = distinct(own.positive);
      const neg = distinct(own.negative);
      table.push(`${s.rule.rule.id.padEnd(44)} positive ${pos}  negative ${neg}`);
      for (const a of new Map(own.positive.alerts.map((x) => [x.id, x.doc])).values()) table.push(`        ${String(a.event?.reason).slice(0, 160)}`);
      if (s.expect.positive < 1) problems.push(`${s.rule.rule.id}: expect.json positive must be >= 1`);
      if (pos !== s.expect.positive) problems.push(`${s.rule.rule.id}: ${pos} alert(s) on positive.log, expected ${s.expect.positive}`);
      if (neg !== (s.expect.negative ?? 0) || neg !== 0) problems.push(`${s.rule.rule.id}: ${neg} alert(s) on negative.log, expected 0`);
    }
    if (process.env.RULESET_VERBOSE) console.log(table.map((l) => `      ${l}`).join('\n'));
    expect(problems).to.deep.equal([]);
  });

  it('no rule fires on another rule\'s fixtures unless that expect.json lists it under `also`', () => {
    const problems: string[] = [];
    for (const s of sets) {
      const also = s.expect.also ?? [];
      const allowed: Record<string, Partial<Record<Kind, number>>> = Array.isArray(also) ? Object.fromEntries(also.map((id) => [id, {}])) : also;
      for (const id of Object.keys(allowed)) {
        if (!results.has(id)) problems.push(`${s.rule.rule.id}/expect.json: also lists unknown rule ${id}`);
      }
      for (const [ruleId, perSet] of results) {
        if (ruleId === s.rule.rule.id) continue;
        for (const kind of KINDS) {
          const n = distinct(perSet.get(s.rule.rule.id)![kind]);
          const want = allowed[ruleId];
          if (!want) {
            if (n) problems.push(`${ruleId} fires ${n}x on ${s.rule.rule.id}/${kind}.log (not in its expect.json also)`);
          } else if (want[kind] !== undefined ? n !== want[kind] : kind === 'positive' ? n < 1 : n !== 0) {
            problems.push(`${ruleId} on ${s.rule.rule.id}/${kind}.log: ${n} alert(s), expect.json says ${want[kind] ?? (kind === 'positive' ? '>= 1' : 0)}`);
          }
        }
      }
    }
    expect(problems).to.deep.equal([]);
  });

  it('writeAlerts stores each positive fixture\'s alerts once (rerun = duplicates only)', async () => {
    const tasks = sets.map((s) => async () => {
      const r = results.get(s.rule.rule.id)!.get(s.rule.rule.id)!.positive;
      const first = await writeAlerts(client, alertsIndex, r, !!s.rule.rule.suppression);
      const again = await writeAlerts(client, alertsIndex, r, !!s.rule.rule.suppression);
      return { id: s.rule.rule.id, first, again, want: s.expect.positive };
    });
    const problems: string[] = [];
    for (const { id, first, again, want } of await pool(tasks, 4)) {
      if (first.errors.length) problems.push(`${id}: ${first.errors.join('; ')}`);
      if (first.written !== want) problems.push(`${id}: wrote ${first.written}, expected ${want}`);
      if (again.written !== 0) problems.push(`${id}: rerun wrote ${again.written}`);
    }
    expect(problems).to.deep.equal([]);
    await client.indices.refresh({ index: alertsIndex });
    const count = await client.count({ index: alertsIndex });
    expect(count.count).to.equal(sets.reduce((n, s) => n + s.expect.positive, 0));
  });
});
