// Runs the standalone console: ELASTICSEARCH_URL (and friends, see common/es/client.ts) for the cluster,
// AUDITSIGHT_CONSOLE_PORT (default 5602) on 127.0.0.1 unless AUDITSIGHT_CONSOLE_HOST says otherwise.
//   npx tsx kibana-plugin/standalone/main.ts [--build]
import { connectionFromEnv, createClient, describeConnection } from '../../common/es/client';
import { DEFAULT_INDICES } from '../common/types';
import { createConsoleApp } from './app';
import { buildBundle } from './build';

async function main() {
  const conn = connectionFromEnv();
  if (!conn) throw new Error('set ELASTICSEARCH_URL');
  if (process.argv.includes('--build')) await buildBundle();
  const list = (v: string | undefined) => v?.split(',').map((s) => s.trim()).filter(Boolean);
  const indices = {
    events: list(process.env.AUDITSIGHT_EVENTS_INDEX) ?? DEFAULT_INDICES.events,
    alerts: list(process.env.AUDITSIGHT_ALERTS_INDEX) ?? DEFAULT_INDICES.alerts,
  };
  const app = createConsoleApp({ client: createClient(conn), indices, log: (e) => console.error(e) });
  const host = process.env.AUDITSIGHT_CONSOLE_HOST ?? '127.0.0.1';
  const port = Number(process.env.AUDITSIGHT_CONSOLE_PORT ?? 5602);
  app.listen(port, host, () => console.log(`auditsight console on http://${host}:${port}/ -> ${describeConnection(conn)}`));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
});
