// Mocha root hooks. The shared real Elasticsearch is started lazily by test/elasticsearch.ts the first
// time an integration test asks for it, and stopped here once the whole run is over.
import { stopSharedElasticsearch } from './elasticsearch';

export const mochaHooks = {
  async afterAll(this: Mocha.Context) {
    this.timeout(60_000);
    await stopSharedElasticsearch();
  },
};
