import { expect } from 'chai';
import type { Client } from '@elastic/elasticsearch';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EcsEvent } from '../../../common/ecs/event';
import { createClient } from '../../../common/es/client';
import { startManagedElasticsearch, type ManagedElasticsearch } from '../../../common/es/managed';
import { setup } from '../../../elastic-templates/src/setup';
import { deadLetterIndex, shipperRole } from '../../../elastic-templates/src/roles';
import { DiskQueue } from '../queue/disk-queue';
import { ElasticsearchOutput } from './elasticsearch';
import { runOutput } from './output';
import { analysisShimPlugin } from '../../../test/es-analysis-shim/build';
import { until } from '../daemon/testing';

function events(n: number, from: number): EcsEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    '@timestamp': new Date(Date.UTC(2026, 0, 1, 0, 0, 0, from + i)).toISOString(),
    event: { kind: 'event', category: ['process'], type: ['start'], action: 'executed', module: 'auditd' },
    host: { id: 'machine-sec', name: 'sec-1' },
    process: { pid: 4000 + from + i, executable: '/usr/bin/id', args: ['id'] },
    auditd: { sequence: from + i, result: 'success' },
  }));
}

// One real secured node (x-pack security, HTTPS with a CA made by its own certutil) for two kinds of
// least-privilege account holding the role `auditsight roles` documents: a file-realm user, and API keys.
// The node carries one test-only plugin, test/es-analysis-shim: the minimal integ-test-zip lacks the
// analysis-common module, whose pattern_capture/unique/uax_url_email the .security index (where API keys
// live) is created with; without it every API key request fails with "Unknown filter type
// [pattern_capture]". Everything else (authentication, API keys, expiry, invalidation, role checks, TLS) is
// the real server.
describe('shipping to a secured Elasticsearch (HTTPS with a CA; node carries the analysis shim the minimal zip lacks) with a least-privilege account @integration', function () {
  this.timeout(300_000);
  let es: ManagedElasticsearch;
  let admin: Client;
  let target: string;
  let dir: string;

  const role = shipperRole({ namespace: 'sec', variant: 'minimal' });
  before(async () => {
    es = await startManagedElasticsearch({
      plugins: [analysisShimPlugin()],
      security: {
        password: 'auditsight-test-pw',
        tls: true,
        fileRoles: { auditsight_shipper: role },
        fileUsers: [{ username: 'shipper', password: 'shipper-pw', roles: ['auditsight_shipper'] }],
      },
    });
    expect(es.url).to.match(/^https:/);
    admin = createClient({ url: es.url, username: 'elastic', password: 'auditsight-test-pw', caFile: es.caFile });
    const report = await setup(admin, { namespace: 'sec' });
    target = report.targets.events.name;
  });
  after(async () => {
    await admin?.close();
    await es?.stop();
  });
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-sec-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const shipper = (password = 'shipper-pw', trustCa = true) => createClient({ url: es.url, username: 'shipper', password, caFile: trustCa ? es.caFile : undefined, maxRetries: 0 });

  async function count(): Promise<number> {
    await admin.indices.refresh({ index: target });
    return (await admin.count({ index: target })).count;
  }

  it('ships with the shipper role, and that role cannot read, overwrite or delete', async () => {
    const client = shipper();
    const queue = await DiskQueue.open<EcsEvent>({ dir, consumers: ['es'] });
    await queue.enqueue(events(50, 1).map((event) => ({ event })));
    const ac = new AbortController();
    const run = runOutput(queue, new ElasticsearchOutput({ client, index: target, name: 'es', deadLetter: { index: false } }), ac.signal, { lingerMs: 0 });
    await until(() => queue.stats().consumers.es.pendingEvents === 0, 60_000, 'the events to be shipped');
    ac.abort();
    await run;
    await queue.close();
    expect(await count()).to.equal(50);

    // A compromised host holding the key cannot rewrite or erase its own history.
    const denied = async (fn: () => Promise<unknown>) => fn().then(() => 'allowed', (e: { statusCode?: number }) => e.statusCode);
    expect(await denied(() => client.search({ index: target }))).to.equal(403);
    expect(await denied(() => client.indices.delete({ index: target }))).to.equal(403);
    // Overwriting a shipped event (index, not create) needs a privilege the role does not have.
    expect(await denied(() => client.index({ index: target, id: 'any', document: { forged: true } }))).to.equal(403);
    await client.close();
  });

  it('refuses a certificate it cannot verify without the CA, keeping every event queued', async () => {
    const untrusting = shipper('shipper-pw', false);
    const queue = await DiskQueue.open<EcsEvent>({ dir, consumers: ['es'] });
    await queue.enqueue(events(5, 700).map((event) => ({ event })));
    const logs: string[] = [];
    const ac = new AbortController();
    const run = runOutput(queue, new ElasticsearchOutput({ client: untrusting, index: target, name: 'es', log: (l, m) => logs.push(`${l}: ${m}`), backoff: { initialMs: 100, maxMs: 200 }, deadLetter: { index: false } }), ac.signal, { lingerMs: 0 });
    await until(() => logs.some((l) => /certificate/i.test(l)), 30_000, 'the certificate error');
    expect(logs.find((l) => /certificate/i.test(l))).to.match(/unable to verify the first certificate/);
    ac.abort();
    await run;
    expect(queue.stats().consumers.es.pendingEvents).to.equal(5);
    await queue.close();
    await untrusting.close();
  });

  it('dead-letters a document the mapping rejects, with the shipper role alone', async () => {
    const client = shipper();
    const queue = await DiskQueue.open<EcsEvent>({ dir, consumers: ['es'] });
    const evs = events(5, 500);
    evs[2]['@timestamp'] = 'not a date'; // the one field the templates do not let ignore_malformed absorb
    await queue.enqueue(evs.map((event) => ({ event })));
    const dl = deadLetterIndex('sec');
    const ac = new AbortController();
    const run = runOutput(queue, new ElasticsearchOutput({ client, index: target, name: 'es', deadLetter: { index: dl } }), ac.signal, { lingerMs: 0 });
    await until(() => queue.stats().consumers.es.pendingEvents === 0, 60_000, 'the batch to be acknowledged');
    ac.abort();
    await run;
    await queue.close();
    await client.close();
    await admin.indices.refresh({ index: dl });
    const dead = await admin.search<Record<string, unknown>>({ index: dl });
    expect(dead.hits.hits).to.have.length(1);
    expect(JSON.stringify(dead.hits.hits[0]._source)).to.contain('not a date');
  });

  for (const [name, makeClient] of [
    ['a wrong password', () => shipper('wrong')],
    ['an API key the cluster does not know', () => createClient({ url: es.url, apiKey: Buffer.from('nope:wrong').toString('base64'), caFile: es.caFile, maxRetries: 0 })],
  ] as const) {
    it(`${name}: a clear message, nothing shipped, nothing lost; good credentials then deliver every event`, async () => {
      const before = await count();
      const bad = makeClient();
      const queue = await DiskQueue.open<EcsEvent>({ dir, consumers: ['es'] });
      await queue.enqueue(events(20, 1000 + before).map((event) => ({ event })));
      const logs: string[] = [];
      const log = (level: string, m: string) => logs.push(`${level}: ${m}`);
      const ac = new AbortController();
      const run = runOutput(queue, new ElasticsearchOutput({ client: bad, index: target, name: 'es', log, backoff: { authMs: 500 }, deadLetter: { index: false } }), ac.signal, { lingerMs: 0 });
      await until(() => logs.some((l) => /401/.test(l)), 30_000, 'the credentials error');
      ac.abort();
      await run;
      expect(logs.find((l) => /401/.test(l))).to.match(/rejected the credentials \(401\): check the API key or user\/password/);
      expect(queue.stats().consumers.es.pendingEvents).to.equal(20);
      expect(await count()).to.equal(before);
      await bad.close();

      const good = shipper();
      const ac2 = new AbortController();
      const run2 = runOutput(queue, new ElasticsearchOutput({ client: good, index: target, name: 'es', deadLetter: { index: false } }), ac2.signal, { lingerMs: 0 });
      await until(() => queue.stats().consumers.es.pendingEvents === 0, 60_000, 'the queued events to ship');
      ac2.abort();
      await run2;
      await queue.close();
      await good.close();
      expect(await count()).to.equal(before + 20);
    });
  }

  // Issue #4 with the credential a real deployment gets: an API key whose role_descriptors are exactly
  // shipperRole(), created through the real security API on this node (see the shim note at the top).
  describe('with an API key limited to the documented shipper role (real API keys; the shim only adds the analyzers of .security)', () => {
    const keyClient = (encoded: string) => createClient({ url: es.url, apiKey: encoded, caFile: es.caFile, maxRetries: 0 });
    const createKey = (name: string, expiration?: string) => admin.security.createApiKey({ name, expiration, role_descriptors: { auditsight_shipper: role } });
    /** Documents with these audit sequence numbers: exactly once means exactly n. */
    async function shipped(from: number, n: number): Promise<number> {
      await admin.indices.refresh({ index: target });
      return (await admin.count({ index: target, query: { range: { 'auditd.sequence': { gte: from, lt: from + n } } } })).count;
    }
    /** Runs the real output until the queue is empty. */
    async function drain(client: Client, queue: DiskQueue<EcsEvent>): Promise<void> {
      const ac = new AbortController();
      const run = runOutput(queue, new ElasticsearchOutput({ client, index: target, name: 'es', deadLetter: { index: false } }), ac.signal, { lingerMs: 0 });
      await until(() => queue.stats().consumers.es.pendingEvents === 0, 60_000, 'the queued events to ship');
      ac.abort();
      await run;
    }

    it('ships every event exactly once, and the key cannot read, overwrite or delete', async () => {
      const key = await createKey('auditsight-shipper-sec');
      // The key holds the documented role, nothing more (the server adds only defaults such as run_as: []).
      const [stored] = (await admin.security.getApiKey({ id: key.id })).api_keys;
      const indices = stored.role_descriptors?.auditsight_shipper?.indices?.map((i) => ({ names: i.names, privileges: i.privileges }));
      expect(indices).to.deep.equal(role.indices);
      expect(stored.role_descriptors?.auditsight_shipper?.cluster).to.deep.equal([]);

      const client = keyClient(key.encoded);
      expect((await client.security.authenticate()).authentication_type).to.equal('api_key');
      const queue = await DiskQueue.open<EcsEvent>({ dir, consumers: ['es'] });
      await queue.enqueue(events(50, 2000).map((event) => ({ event })));
      await drain(client, queue);
      // Delivering the same events again (a replay after a crash) must not duplicate them.
      await queue.enqueue(events(50, 2000).map((event) => ({ event })));
      await drain(client, queue);
      await queue.close();
      expect(await shipped(2000, 50)).to.equal(50);

      const denied = async (fn: () => Promise<unknown>) => fn().then(() => 'allowed', (e: { statusCode?: number }) => e.statusCode);
      expect(await denied(() => client.search({ index: target }))).to.equal(403);
      expect(await denied(() => client.indices.delete({ index: target }))).to.equal(403);
      expect(await denied(() => client.index({ index: target, id: 'any', document: { forged: true } }))).to.equal(403);
      expect(await denied(() => client.security.createApiKey({ name: 'escalate' }))).to.equal(403);
      await client.close();
    });

    for (const [name, from, badKey, reason] of [
      [
        'an expired key',
        3000,
        async () => {
          const key = await createKey('auditsight-shipper-short', '1s');
          expect(key.expiration).to.be.a('number');
          await until(() => Date.now() > key.expiration! + 1000, 10_000, 'the key to expire');
          return key;
        },
        /; API key: api key is expired\)/,
      ],
      [
        'an invalidated key',
        4000,
        async () => {
          const key = await createKey('auditsight-shipper-revoked');
          // It worked before it was revoked.
          const ok = keyClient(key.encoded);
          expect((await ok.security.authenticate()).api_key?.id).to.equal(key.id);
          await ok.close();
          expect((await admin.security.invalidateApiKey({ ids: [key.id] })).invalidated_api_keys).to.deep.equal([key.id]);
          return key;
        },
        /; API key: api key \[[\w-]+\] has been invalidated\)/,
      ],
    ] as const) {
      it(`${name}: a clear 401 message, nothing shipped, events stay queued; a valid key then ships each exactly once`, async () => {
        const bad = keyClient((await badKey()).encoded);
        const queue = await DiskQueue.open<EcsEvent>({ dir, consumers: ['es'] });
        await queue.enqueue(events(20, from).map((event) => ({ event })));
        const logs: string[] = [];
        const ac = new AbortController();
        const log = (level: string, m: string) => logs.push(`${level}: ${m}`);
        const run = runOutput(queue, new ElasticsearchOutput({ client: bad, index: target, name: 'es', log, backoff: { authMs: 500 }, deadLetter: { index: false } }), ac.signal, { lingerMs: 0 });
        await until(() => logs.some((l) => /401/.test(l)), 30_000, 'the credentials error');
        await new Promise((r) => setTimeout(r, 1500)); // a few slow retries: still nothing goes through
        ac.abort();
        await run;
        const message = logs.find((l) => /401/.test(l))!;
        expect(message).to.match(/rejected the credentials \(401\): check the API key or user\/password/);
        // The server's cause (additional_unsuccessful_credentials) is in the message: expired or invalidated.
        expect(message).to.match(reason);
        await bad.close();
        expect(queue.stats().consumers.es.pendingEvents).to.equal(20);
        expect(await shipped(from, 20)).to.equal(0);

        const good = keyClient((await createKey(`auditsight-shipper-new-${from}`)).encoded);
        await drain(good, queue);
        await queue.close();
        await good.close();
        expect(await shipped(from, 20)).to.equal(20);
      });
    }
  });
});
