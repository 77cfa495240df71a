import { expect } from 'chai';
import { errors, type Client } from '@elastic/elasticsearch';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EcsEvent } from '../../../common/ecs/event';
import { createClient } from '../../../common/es/client';
import { startManagedElasticsearch, type ManagedElasticsearch } from '../../../common/es/managed';
import { sharedElasticsearch, uniqueName } from '../../../test/elasticsearch';
import { DiskQueue } from '../queue/disk-queue';
import { BULK_REQUEST_OPTIONS, ElasticsearchOutput } from './elasticsearch';
import { eventId } from './ids';
import { CountingMetrics } from './metrics';
import { runOutput } from './output';
import { until } from '../daemon/testing';

const mappings = {
  properties: {
    '@timestamp': { type: 'date' },
    process: { properties: { pid: { type: 'long' } } },
    auditd: { properties: { sequence: { type: 'long' } } },
  },
} as const;

function events(n: number, host = 'web-1', from = 1): EcsEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    '@timestamp': new Date(Date.UTC(2025, 0, 1, 0, 0, 0, from + i)).toISOString(),
    event: { kind: 'event', category: ['process'], type: ['start'], action: 'executed', module: 'auditd' },
    host: { id: `machine-${host}`, name: host },
    process: { pid: 1000 + from + i, executable: '/usr/bin/id' },
    auditd: { sequence: from + i, result: 'success' },
  }));
}

async function count(client: Client, index: string): Promise<number> {
  await client.indices.refresh({ index });
  return (await client.count({ index })).count;
}

describe('Elasticsearch output: a failed bulk request', () => {
  // Connection refused on a closed port: the transport builds its error as it does for a timeout or a 5xx.
  const fail = async (options: object) => {
    const client = createClient({ url: 'http://127.0.0.1:1', apiKey: 'c2VjcmV0LWlkOnNlY3JldC1rZXk=', requestTimeoutMs: 5000 });
    const body = Buffer.alloc(64 * 1024, 0x20); // a batch as the output sends it: bytes
    try {
      const err = await client.bulk({ operations: body as never }, { maxRetries: 0, ...options }).then(() => undefined, (e: unknown) => e);
      expect(err).to.be.instanceOf(errors.ConnectionError);
      return { body, diag: (err as errors.ConnectionError).meta! };
    } finally {
      await client.close();
    }
  };

  it('keeps the body as it is (the default redaction copies a Buffer property by property) and keeps no credentials', async () => {
    const ours = await fail(BULK_REQUEST_OPTIONS);
    expect(ours.diag.meta.request.params.body).to.equal(ours.body);
    expect(JSON.stringify({ ...ours.diag, meta: { ...ours.diag.meta, request: { ...ours.diag.meta.request, params: { ...ours.diag.meta.request.params, body: '' } } } })).to.not.include('c2VjcmV0');
    // What the options avoid: the transport's default walks the body into a plain object, one key per byte.
    const dflt = await fail({});
    const walked = dflt.diag.meta.request.params.body as unknown as Record<string, number>;
    expect(Buffer.isBuffer(walked)).to.equal(false);
    expect(Object.keys(walked).length).to.equal(64 * 1024);
  });
});

describe('Elasticsearch output @integration', function () {
  this.timeout(300_000);
  const logs: string[] = [];
  const log = (level: string, m: string) => logs.push(`${level}: ${m}`);
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-esout-'));
    logs.length = 0;
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('indexes a batch, dead-letters the one document the mapping rejects, and ignores a redelivery', async () => {
    const { client } = await sharedElasticsearch();
    const index = uniqueName('auditsight-test-events');
    const dlIndex = uniqueName('auditsight-deadletter-test');
    await client.indices.create({ index, mappings });
    const evs = events(10);
    (evs[4].process as Record<string, unknown>).pid = 'abc';

    const queue = await DiskQueue.open<EcsEvent>({ dir, consumers: ['elasticsearch'] });
    await queue.enqueue(evs.map((event) => ({ event, checkpoint: { offset: 1 } })));
    const metrics = new CountingMetrics();
    const out = new ElasticsearchOutput({ client, index, deadLetter: { index: dlIndex }, metrics, log });
    const ac = new AbortController();
    const run = runOutput(queue, out, ac.signal, { lingerMs: 0 });
    await until(() => queue.stats().consumers.elasticsearch.pendingEvents === 0, 30_000, 'the batch to be acknowledged');
    ac.abort();
    await run;

    expect(await count(client, index)).to.equal(9);
    expect(metrics.get('elasticsearch', 'shipped')).to.equal(9);
    expect(metrics.get('elasticsearch', 'deadLettered')).to.equal(1);
    expect(await count(client, dlIndex)).to.equal(1);
    const dl = (await client.search<Record<string, unknown>>({ index: dlIndex })).hits.hits[0]._source!;
    expect(dl.document_id).to.equal(eventId(evs[4]));
    expect(dl.target_index).to.equal(index);
    expect((dl.error as { type: string }).type).to.match(/parsing_exception/);
    expect((dl.error as { message: string }).message).to.contain('process.pid');
    expect(JSON.parse(dl.original as string)).to.deep.equal(evs[4]);
    // The deterministic id and event.ingested (set at ship time) are on the indexed documents.
    const doc = await client.get<EcsEvent>({ index, id: eventId(evs[0]) });
    expect(doc._source!.auditd!.sequence).to.equal(1);
    expect(Date.parse(doc._source!.event.ingested!)).to.be.closeTo(Date.now(), 60_000);

    // Redelivery (as after a crash before the ack): 409s count as duplicates, nothing is indexed twice.
    const records = evs.map((event, i) => ({ seq: i + 1, event, enqueuedMs: 0, bytes: 0 }));
    await out.send(records, new AbortController().signal);
    expect(await count(client, index)).to.equal(9);
    expect(await count(client, dlIndex)).to.equal(1);
    expect(metrics.get('elasticsearch', 'duplicates')).to.equal(9);
    expect(metrics.get('elasticsearch', 'shipped')).to.equal(9);
    await queue.close();
    await client.indices.delete({ index: [index, dlIndex] });
  });

  describe('outage', () => {
    let es: ManagedElasticsearch | undefined;
    after(async () => {
      await es?.stop();
    });

    it('keeps events queued while Elasticsearch is down and indexes each exactly once after it returns', async () => {
      es = await startManagedElasticsearch({ progress: (m) => console.log(`      [es-outage] ${m}`) });
      const client = createClient({ url: es.url, maxRetries: 0 });
      const index = 'auditsight-outage';
      // A fresh node on a busy 2-core box can take a while to create its first index.
      await client.indices.create({ index, mappings, wait_for_active_shards: 1 }, { requestTimeout: 120_000 });
      const N = 500;

      const queue = await DiskQueue.open<EcsEvent>({ dir, consumers: ['elasticsearch'] });
      const metrics = new CountingMetrics();
      const out = new ElasticsearchOutput({ client, index, metrics, log, requestTimeoutMs: 10_000, backoff: { initialMs: 100, maxMs: 1_000 } });
      const ac = new AbortController();
      const run = runOutput(queue, out, ac.signal, { maxEvents: 100, lingerMs: 50 });

      await queue.enqueue(events(100).map((event) => ({ event })));
      await until(() => queue.stats().consumers.elasticsearch.pendingEvents === 0, 30_000, 'the first 100 before the outage');
      await es.pause();
      const downAt = Date.now();
      await queue.enqueue(events(N - 100, 'web-1', 101).map((event) => ({ event })));
      await new Promise((r) => setTimeout(r, 3_000));
      expect(queue.stats().consumers.elasticsearch.pendingEvents).to.equal(N - 100);
      expect(metrics.get('elasticsearch', 'failedRequests')).to.be.at.least(2);
      await es.resume();
      const upAt = Date.now();
      await until(() => queue.stats().consumers.elasticsearch.pendingEvents === 0, 60_000, 'the backlog after the outage');
      const drainedMs = Date.now() - upAt;
      ac.abort();
      await run;

      expect(await count(client, index)).to.equal(N);
      expect(metrics.get('elasticsearch', 'shipped') + metrics.get('elasticsearch', 'duplicates')).to.equal(N);
      expect(logs.some((l) => /unreachable/.test(l))).to.equal(true);
      expect(logs.filter((l) => /unreachable/.test(l)).length).to.be.at.most(3); // no log storm
      console.log(`      outage ${upAt - downAt} ms; backlog of ${N - 100} drained ${drainedMs} ms after the node returned`);
      await queue.close();
      await client.close();
    });
  });
});
