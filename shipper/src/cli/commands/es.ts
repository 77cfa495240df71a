// `auditsight es`: run the managed local Elasticsearch in the foreground (for development and demos).
import type { Command } from 'commander';
import { DEFAULT_ES_VERSION } from '../../../../common/es/distribution';
import { startManagedElasticsearch } from '../../../../common/es/managed';

export function registerEs(program: Command): void {
  program
    .command('es')
    .description('run a managed single-node Elasticsearch (integ-test-zip from Maven Central) on 127.0.0.1 until Ctrl-C')
    .option('--es-version <v>', 'Elasticsearch version', DEFAULT_ES_VERSION)
    .option('--port <port>', 'HTTP port (0 = any free port)', '9200')
    .action(async (o: { esVersion: string; port: string }) => {
      const es = await startManagedElasticsearch({
        version: o.esVersion,
        settings: { 'http.port': o.port },
        progress: (m) => console.error(m),
      });
      console.log(`ELASTICSEARCH_URL=${es.url}`);
      await new Promise<void>((resolve) => {
        const stop = () => void es.stop().then(resolve);
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
