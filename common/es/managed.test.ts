import { expect } from 'chai';
import * as fs from 'node:fs';
import { createClient } from './client';
import { startManagedElasticsearch } from './managed';
import { clusterInfo } from './info';
import { sharedElasticsearch } from '../../test/elasticsearch';

describe('managed Elasticsearch @integration', function () {
  this.timeout(180_000);

  it('serves the shared fixture on loopback, as a non-root user', async () => {
    const es = await sharedElasticsearch();
    const info = await clusterInfo(es.client);
    expect(info.version).to.match(/^\d+\.\d+\.\d+/);
    expect(info.major).to.be.at.least(8);
    expect(info.modules.has('x-pack-core')).to.equal(true);
    expect(new URL(es.conn.url).hostname).to.be.oneOf(['127.0.0.1', 'localhost']);
    if (es.managed && process.getuid?.() === 0) {
      const status = fs.readFileSync(`/proc/${es.managed.pid}/status`, 'utf8');
      const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
      expect(uid).to.not.equal(0);
    }
  });

  it('keeps its port and data across pause/resume, and leaves no process after stop', async () => {
    const es = await startManagedElasticsearch();
    const client = createClient({ url: es.url, maxRetries: 0 });
    await client.index({ index: 'pause-test', id: '1', document: { a: 1 }, refresh: true });
    await es.pause();
    const down = await client.cluster.health().then(() => 'up', () => 'down');
    expect(down).to.equal('down');
    await es.resume();
    const doc = await client.get({ index: 'pause-test', id: '1' });
    expect(doc._source).to.deep.equal({ a: 1 });
    const pid = es.pid;
    await es.stop();
    await client.close();
    expect(fs.existsSync(`/proc/${pid}`)).to.equal(false);
    expect(fs.existsSync(es.workDir)).to.equal(false);
  });
});
