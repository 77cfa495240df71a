// The 9.x line: a managed Elasticsearch 9.2.4 (integ-test-zip) of its own, set up, written and queried.
import { expect } from 'chai';
import type { Client } from '@elastic/elasticsearch';
import { createClient } from '../../common/es/client';
import { startManagedElasticsearch, type ManagedElasticsearch } from '../../common/es/managed';
import { fullAlert, fullEvent } from './fixtures';
import { setup } from './setup';

describe('setup on Elasticsearch 9.2.4 @integration', function () {
  this.timeout(240_000);
  let es: ManagedElasticsearch;
  let client: Client;

  before(async () => {
    es = await startManagedElasticsearch({ version: '9.2.4' });
    client = createClient({ url: es.url });
  });
  after(async () => {
    await client?.close();
    await es?.stop();
  });

  it('installs idempotently, indexes an event and an alert, and queries them by type', async () => {
    const r = await setup(client, { namespace: 'default' });
    expect(r.capabilities.major).to.equal(9);
    expect(r).to.include({ status: 'installed', variant: 'minimal' });
    expect(r.capabilities.fieldTypes.flattened).to.equal(true);
    expect((await setup(client, { namespace: 'default' })).status).to.equal('unchanged');

    const ev = fullEvent();
    (ev.auditd.data as Record<string, string>)['syscall.evil'] = 'collides with a mapped keyword if subobjects were on';
    await client.index({ index: r.targets.events.name, document: ev, refresh: true });
    await client.index({ index: r.targets.alerts.name, document: fullAlert(), refresh: true });
    const count = async (index: string, query: object) => (await client.count({ index, query })).count;
    expect(await count(r.targets.events.name, { term: { 'destination.ip': '10.0.0.0/8' } })).to.equal(1);
    expect(await count(r.targets.events.name, { term: { 'auditd.paths.name': '/usr/bin/nc' } })).to.equal(1);
    expect(await count(r.targets.events.name, { match_phrase: { 'process.command_line.text': '-e /bin/sh' } })).to.equal(1);
    expect(await count(r.targets.alerts.name, { term: { 'rule.id': 'netcat-bind-shell' } })).to.equal(1);
    const fields = ['@timestamp', 'destination.ip', 'auditd.sequence', 'process.command_line', 'auditd.data.syscall'];
    // 9.x field_caps also lists the parent objects; compare the leaves asked for.
    const caps = await client.fieldCaps({ index: r.targets.events.name, fields });
    expect(Object.fromEntries(fields.map((f) => [f, Object.keys(caps.fields[f] ?? {})[0]]))).to.deep.equal({
      '@timestamp': 'date',
      'destination.ip': 'ip',
      'auditd.sequence': 'long',
      'process.command_line': 'keyword',
      'auditd.data.syscall': 'keyword',
    });
  });
});
