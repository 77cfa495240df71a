// The one shared real Elasticsearch for the whole test run: ELASTICSEARCH_URL if set (e.g. a long-lived
// node while developing), else a managed node started on first use and stopped by the root hook.
import type { Client } from '@elastic/elasticsearch';
import { connectionFromEnv, createClient, type EsConnection } from '../common/es/client';
import { startManagedElasticsearch, type ManagedElasticsearch } from '../common/es/managed';

export interface SharedEs {
  conn: EsConnection;
  client: Client;
  managed?: ManagedElasticsearch;
}

let shared: Promise<SharedEs> | undefined;

export function sharedElasticsearch(): Promise<SharedEs> {
  shared ??= (async () => {
    const fromEnv = connectionFromEnv();
    if (fromEnv) return { conn: fromEnv, client: createClient(fromEnv) };
    const managed = await startManagedElasticsearch({ progress: (m) => console.log(`      [es] ${m}`) });
    const conn = { url: managed.url };
    return { conn, client: createClient(conn), managed };
  })();
  return shared;
}

/** Unique names per test keep tests independent on one shared cluster. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`;
}

export async function stopSharedElasticsearch(): Promise<void> {
  if (!shared) return;
  const s = await shared.catch(() => undefined);
  shared = undefined;
  await s?.client.close();
  await s?.managed?.stop();
}
