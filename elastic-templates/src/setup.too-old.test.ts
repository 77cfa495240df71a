import { expect } from 'chai';
import { createClient } from '../../common/es/client';
import { startManagedElasticsearch, type ManagedElasticsearch } from '../../common/es/managed';
import { SetupError } from './errors';
import { setup } from './setup';

// A real 7.17 node (the last 7.x line, which still runs on Java 17): setup must refuse it clearly rather
// than install templates that 7.x would read differently.
describe('setup on Elasticsearch 7.17 @integration', function () {
  this.timeout(180_000);
  let es: ManagedElasticsearch;
  before(async () => {
    es = await startManagedElasticsearch({ version: '7.17.29' });
  });
  after(async () => es?.stop());

  it('fails with a clear "too old" message and writes nothing', async () => {
    const client = createClient({ url: es.url });
    const err = await setup(client, { namespace: 'old' }).then(() => undefined, (e: unknown) => e);
    expect(err).to.be.instanceOf(SetupError);
    expect((err as SetupError).code).to.equal('too_old');
    expect((err as Error).message).to.match(/^Elasticsearch 7\.17\.29 at http:\/\/127\.0\.0\.1:\d+ is too old: auditsight needs 8\.0 or later$/);
    const templates = await client.indices.getIndexTemplate({ name: '*auditsight*' }).then((r) => r.index_templates.length, () => 0);
    expect(templates).to.equal(0);
    await client.close();
  });
});
