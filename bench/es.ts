// The Elasticsearch a bench talks to: ELASTICSEARCH_URL (and its credentials) when set, else a managed
// local node that the bench must stop.
import { connectionFromEnv, type EsConnection } from '../common/es/client';
import { startManagedElasticsearch, type ManagedElasticsearch } from '../common/es/managed';
import { log } from './args';

export async function benchElasticsearch(): Promise<{ conn: EsConnection; es?: ManagedElasticsearch }> {
  const fromEnv = connectionFromEnv();
  if (fromEnv) {
    log(`Elasticsearch: ${fromEnv.url} (ELASTICSEARCH_URL)`);
    return { conn: fromEnv };
  }
  const es = await startManagedElasticsearch({ progress: (m) => log(`es: ${m}`) });
  return { conn: { url: es.url }, es };
}
