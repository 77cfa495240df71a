// Starts a managed Elasticsearch and keeps it running until Ctrl-C: a long-lived node for development
// (point tests at it with ELASTICSEARCH_URL to skip the start-up of the shared fixture).
import { startManagedElasticsearch } from '../common/es/managed';

async function main(): Promise<void> {
  const port = process.env.PORT ?? '9200';
  const es = await startManagedElasticsearch({ settings: { 'http.port': port }, progress: (m) => console.log(m) });
  console.log(`ELASTICSEARCH_URL=${es.url}`);
  const stop = () => void es.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
