import { expect } from 'chai';
import type { Client } from '@elastic/elasticsearch';
import { createClient } from '../../common/es/client';
import { sharedElasticsearch } from '../../test/elasticsearch';
import { detectCapabilities } from './capabilities';
import { SetupError } from './errors';
import { SCHEMA_VERSION } from './fields';
import { fullAlert, fullEvent, removeNamespace, testNamespace } from './fixtures';
import { rolloverIfNeeded } from './rollover';
import { dataViews } from './saved-objects';
import { setup, type PlannedAction } from './setup';
import { buildTemplateSet, type PastSchema } from './templates';

const kinds = (actions: PlannedAction[]) => actions.map((a) => a.action);

/** Installs an older schema by hand, the way an older auditsight release would have. */
async function installPast(client: Client, ns: string, past: PastSchema): Promise<void> {
  for (const kind of ['events', 'alerts'] as const) {
    const s = buildTemplateSet(kind, ns, { variant: 'minimal', flattened: true }, past);
    for (const c of s.componentTemplates) await client.cluster.putComponentTemplate({ name: c.name, ...c.body } as never);
    await client.indices.putIndexTemplate({ name: s.indexTemplate.name, ...s.indexTemplate.body } as never);
    const t = s.names.target;
    if (t.type === 'alias') await client.indices.create({ index: t.firstIndex, aliases: { [t.alias]: { is_write_index: true } } });
  }
}

describe('setup against the shared Elasticsearch @integration', function () {
  this.timeout(120_000);
  let client: Client;
  const created: string[] = [];
  const ns = (p: string) => {
    const n = testNamespace(p);
    created.push(n);
    return n;
  };

  before(async () => {
    client = (await sharedElasticsearch()).client;
  });
  after(async () => {
    for (const n of created) await removeNamespace(client, n);
  });

  it('detects the integ-test-zip: minimal variant, flattened supported', async function () {
    const caps = await detectCapabilities(client);
    expect(caps.major).to.be.at.least(8);
    if (!caps.modules.includes('x-pack-core') || caps.modules.length > 6) this.skip(); // not the integ-test-zip
    expect(caps.fieldTypes).to.deep.equal({ wildcard: false, match_only_text: false, constant_keyword: false, flattened: true });
    expect(caps.dataStreams).to.equal(false);
    const r = await setup(client, { namespace: ns('caps'), dryRun: true });
    expect(r.variant).to.equal('minimal');
    expect(r.variantReasons[0]).to.match(/lacks field type wildcard, field type match_only_text, field type constant_keyword, the data stream API/);
  });

  it('dry run plans everything and writes nothing', async () => {
    const n = ns('dry');
    const r = await setup(client, { namespace: n, dryRun: true });
    expect(r).to.include({ dryRun: true, status: 'installed', schemaVersion: SCHEMA_VERSION });
    expect(kinds(r.actions)).to.deep.equal([
      'put_component_template', 'put_component_template', 'put_index_template', 'create_index',
      'put_component_template', 'put_component_template', 'put_index_template', 'create_index',
    ]);
    expect(await client.indices.existsIndexTemplate({ name: `auditsight-events-${n}` })).to.equal(false);
    expect(await client.cluster.existsComponentTemplate({ name: `auditsight-events-${n}@mappings` })).to.equal(false);
    expect(await client.indices.exists({ index: `auditsight-events-${n}*,.auditsight-alerts-${n}*`, allow_no_indices: false })).to.equal(false);
  });

  it('installs, then re-installs as a no-op with templates unchanged', async () => {
    const n = ns('inst');
    const first = await setup(client, { namespace: n });
    expect(first.status).to.equal('installed');
    expect(first.targets.events).to.deep.equal({ name: `auditsight-events-${n}`, type: 'alias', writeIndex: `auditsight-events-${n}-000001` });
    const alias = await client.indices.getAlias({ name: `auditsight-events-${n}` });
    expect(alias[`auditsight-events-${n}-000001`].aliases[`auditsight-events-${n}`]).to.include({ is_write_index: true });
    const before = await client.indices.getIndexTemplate({ name: `auditsight-*-${n}` });
    for (const t of before.index_templates) expect(t.index_template._meta).to.include({ managed_by: 'auditsight', version: SCHEMA_VERSION });

    const again = await setup(client, { namespace: n });
    expect(again).to.include({ status: 'unchanged' });
    expect(again.actions).to.deep.equal([]);
    expect(again.previousVersion).to.equal(SCHEMA_VERSION);
    expect(await client.indices.getIndexTemplate({ name: `auditsight-*-${n}` })).to.deep.equal(before);
  });

  it('indexes an event and an alert with the expected field types', async () => {
    const n = ns('docs');
    const r = await setup(client, { namespace: n });
    const ev = fullEvent();
    const evRes = await client.index({ index: r.targets.events.name, document: ev, refresh: true, op_type: 'create' });
    const alert = fullAlert();
    alert.auditsight.alert.source_event_ids = [evRes._id];
    await client.index({ index: r.targets.alerts.name, document: alert, refresh: true });

    const caps = await client.fieldCaps({ index: r.targets.events.name, fields: ['*'] });
    const type = (f: string) => Object.keys(caps.fields[f] ?? {}).join('|');
    expect(type('@timestamp')).to.equal('date');
    expect(type('destination.ip')).to.equal('ip');
    expect(type('process.pid')).to.equal('long');
    expect(type('auditd.sequence')).to.equal('long');
    expect(type('process.command_line')).to.equal('keyword');
    expect(type('process.command_line.text')).to.equal('text');
    expect(type('auditd.data.syscall')).to.equal('keyword');
    expect(type('auditd.paths')).to.equal('flattened');
    expect(caps.fields['event.original'].keyword).to.include({ searchable: false, aggregatable: false });

    const count = async (index: string, query: object) => (await client.count({ index, query })).count;
    expect(await count(r.targets.events.name, { term: { 'destination.ip': '10.0.0.0/8' } })).to.equal(1);
    expect(await count(r.targets.events.name, { term: { 'destination.ip': '192.168.0.0/16' } })).to.equal(0);
    expect(await count(r.targets.events.name, { term: { 'process.command_line': 'nc -l -p 4444 -e /bin/sh' } })).to.equal(1);
    expect(await count(r.targets.events.name, { match_phrase: { 'process.command_line.text': '-e /bin/sh' } })).to.equal(1);
    expect(await count(r.targets.events.name, { term: { 'auditd.paths.name': '/usr/bin/nc' } })).to.equal(1);
    expect(await count(r.targets.events.name, { term: { 'auditd.data.socket.port': '4444' } })).to.equal(1);
    // The shipped Kibana data view's title finds the event once (alias and index overlap in the pattern).
    expect(await count(dataViews()[0].attributes.title, { ids: { values: [evRes._id] } })).to.equal(1);
    expect(await count(r.targets.events.name, { range: { '@timestamp': { gte: '2024-05-01T10:00:00Z', lt: '2024-05-01T11:00:00Z' } } })).to.equal(1);

    const alerts = await client.search({ index: r.targets.alerts.name, query: { bool: { filter: [{ term: { 'event.kind': 'alert' } }, { term: { 'threat.technique.subtechnique.id': 'T1059.004' } }, { range: { 'event.risk_score': { gte: 50 } } }] } } as never });
    expect(alerts.hits.hits.map((h) => (h._source as typeof alert).auditsight.alert.source_event_ids)).to.deep.equal([[evRes._id]]);
    const acaps = await client.fieldCaps({ index: r.targets.alerts.name, fields: ['event.severity', 'auditsight.alert.window.start', 'rule.name'] });
    expect(Object.keys(acaps.fields['event.severity'])).to.deep.equal(['long']);
    expect(Object.keys(acaps.fields['auditsight.alert.window.start'])).to.deep.equal(['date']);
    expect(Object.keys(acaps.fields['rule.name'])).to.deep.equal(['keyword']);
  });

  it('accepts a hostile event with 5,000 unknown auditd.data keys without mapping them', async () => {
    const n = ns('hostile');
    const r = await setup(client, { namespace: n });
    const mappedFields = async () => Object.keys((await client.fieldCaps({ index: r.targets.events.name, fields: ['*'] })).fields).length;
    const before = await mappedFields();
    const ev = fullEvent();
    const data: Record<string, string> = { syscall: 'execve' };
    for (let i = 0; i < 5000; i++) data[`k${i}_${Math.random().toString(36).slice(2, 8)}`] = 'x'.repeat(i % 50);
    // Keys that would be object paths colliding with mapped keywords if auditd.data had subobjects.
    Object.assign(data, { 'syscall.evil': 'y', 'socket.port.evil': 'z', 'a.b.c.d': 'w', '.': 'dot', 'x.': 'tail', long: 'v'.repeat(40_000), a0: 'w'.repeat(40_000) });
    ev.auditd.data = data as never;
    ev.auditd.paths = Array.from({ length: 200 }, (_, i) => ({ [`p${i}`]: 'v', name: `/tmp/${i}` }));
    (ev as Record<string, unknown>).attacker_top_level = { nested: { deep: 1 } };
    const res = await client.index({ index: r.targets.events.name, document: ev, refresh: true });
    expect(res.result).to.equal('created');
    expect(await mappedFields()).to.equal(before);
    const got = await client.get<typeof ev>({ index: res._index, id: res._id });
    expect(Object.keys(got._source!.auditd.data).length).to.equal(5008);
    expect((await client.count({ index: r.targets.events.name, query: { term: { 'auditd.data.syscall': 'execve' } } })).count).to.equal(1);
  });

  it('upgrades an older install in place: templates, then put-mapping on the write index', async () => {
    const n = ns('upg');
    await installPast(client, n, { version: SCHEMA_VERSION - 1, defs: (d) => d.filter((f) => !f.name.startsWith('process.Ext.')) });
    const old = await client.index({ index: `auditsight-events-${n}`, document: { '@timestamp': '2024-01-01T00:00:00Z', event: { kind: 'event' } }, refresh: true });

    const dry = await setup(client, { namespace: n, dryRun: true });
    expect(kinds(dry.actions)).to.deep.equal(['put_component_template', 'put_component_template', 'put_index_template', 'put_mapping', 'put_component_template', 'put_component_template', 'put_index_template', 'put_mapping']);
    expect(dry.actions[0]).to.include({ reason: 'upgrade', fromVersion: SCHEMA_VERSION - 1, toVersion: SCHEMA_VERSION });

    const r = await setup(client, { namespace: n });
    expect(r).to.include({ status: 'upgraded', previousVersion: SCHEMA_VERSION - 1 });
    expect(r.targets.events.writeIndex).to.equal(`auditsight-events-${n}-000001`);
    const m = await client.indices.getMapping({ index: `auditsight-events-${n}-000001` });
    const mappings = m[`auditsight-events-${n}-000001`].mappings;
    expect(mappings._meta).to.include({ version: SCHEMA_VERSION });
    expect((mappings.properties!.process as { properties: Record<string, unknown> }).properties.Ext).to.deep.equal({ properties: { ancestry: { type: 'keyword', ignore_above: 1024 } } });
    expect((await client.get({ index: old._index, id: old._id })).found).to.equal(true);
    expect((await setup(client, { namespace: n })).status).to.equal('unchanged');
  });

  it('rolls over when a change cannot be applied in place, keeping old documents', async () => {
    const n = ns('roll');
    await installPast(client, n, { version: SCHEMA_VERSION - 1, defs: (d) => d.map((f) => (f.name === 'auditd.sequence' ? { ...f, type: 'keyword' } : f)) });
    await client.index({ index: `auditsight-events-${n}`, document: { '@timestamp': '2024-01-01T00:00:00Z', auditd: { sequence: 'abc' } }, refresh: true });
    const r = await setup(client, { namespace: n });
    const roll = r.actions.find((a) => a.action === 'rollover');
    expect(roll).to.include({ target: `auditsight-events-${n}`, index: `auditsight-events-${n}-000001` });
    expect(roll && 'reason' in roll && roll.reason).to.match(/auditd.sequence changes type from keyword to long/);
    expect(r.targets.events.writeIndex).to.equal(`auditsight-events-${n}-000002`);
    const caps = await client.fieldCaps({ index: `auditsight-events-${n}-000002`, fields: ['auditd.sequence'] });
    expect(Object.keys(caps.fields['auditd.sequence'])).to.deep.equal(['long']);
    expect((await client.count({ index: `auditsight-events-${n}` })).count).to.equal(1);
  });

  it('refuses to downgrade a newer schema', async () => {
    const n = ns('newer');
    await installPast(client, n, { version: SCHEMA_VERSION + 1, defs: (d) => [...d] });
    const err = await setup(client, { namespace: n }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(SetupError).and.include({ code: 'newer_schema' });
    expect((err as Error).message).to.match(new RegExp(`schema version ${SCHEMA_VERSION + 1}, newer than this auditsight's ${SCHEMA_VERSION}`));
  });

  it('rolls over on demand when a condition is met', async () => {
    const n = ns('rc');
    const r = await setup(client, { namespace: n });
    expect(await rolloverIfNeeded(client, r.targets.events.name)).to.include({ rolledOver: false });
    await client.index({ index: r.targets.events.name, document: fullEvent(), refresh: true });
    expect(await rolloverIfNeeded(client, r.targets.events.name, { max_docs: 1 })).to.deep.equal({ rolledOver: true, oldIndex: `auditsight-events-${n}-000001`, newIndex: `auditsight-events-${n}-000002` });
    expect((await setup(client, { namespace: n })).status).to.equal('unchanged');
  });

  it('says clearly when Elasticsearch cannot be reached', async () => {
    const dead = createClient({ url: 'http://127.0.0.1:1', maxRetries: 0, requestTimeoutMs: 2000 });
    const err = await setup(dead, { namespace: 'default' }).catch((e: unknown) => e);
    expect(err).to.be.instanceOf(SetupError).and.include({ code: 'unreachable' });
    expect((err as Error).message).to.match(/^cannot reach Elasticsearch at URL: http:\/\/127\.0\.0\.1:1 /);
    await dead.close();
  });
});
