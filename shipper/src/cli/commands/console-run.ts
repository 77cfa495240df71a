// The body of `auditsight console`, loaded only when that command runs (console.ts registers it): `auditsight
// ship`, the daemon on every host, then never loads what only this command needs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Server } from 'node:http';
import { createClient, describeConnection } from '../../../../common/es/client';
import { createConsoleApp } from '../../../../kibana-plugin/standalone/app';
import { buildBundle, DEFAULT_OUT_DIR } from '../../../../kibana-plugin/standalone/build';
import { DEFAULT_INDICES, type IndexConfig } from '../../../../kibana-plugin/common/types';
import { setup } from '../../../../elastic-templates/src/setup';
import { connectionFrom } from './es-options';
import type { ConsoleFlags } from './console';

export interface ConsoleHandle {
  url: string;
  close(): Promise<void>;
}

/** Shared by `console` and `up`. The bundle is built on first use (esbuild, a few seconds). */
export async function startConsole(
  client: ReturnType<typeof createClient>,
  o: { host?: string; port?: number; rebuild?: boolean; indices?: IndexConfig; log?: (l: string) => void },
): Promise<ConsoleHandle> {
  if (o.rebuild || !fs.existsSync(path.join(DEFAULT_OUT_DIR, 'auditsight.js'))) await buildBundle();
  const app = createConsoleApp({ client, indices: o.indices ?? DEFAULT_INDICES, log: (e) => (o.log ?? console.error)(String(e)) });
  const host = o.host ?? '127.0.0.1';
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(o.port ?? 5602, host, () => resolve(s));
    s.once('error', reject);
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return { url: `http://${host}:${port}/`, close: () => new Promise((r) => server.close(() => r())) };
}

export async function runConsole(o: ConsoleFlags): Promise<void> {
  const conn = connectionFrom(o);
  if (!conn) throw new Error('no cluster: set ELASTICSEARCH_URL or --es-url (or use `auditsight up`)');
  const client = createClient(conn);
  const indices = o.namespace ? await namespaceIndices(client, o.namespace) : undefined;
  const c = await startConsole(client, { host: o.host, port: Number(o.port), rebuild: o.rebuild, indices });
  console.log(`auditsight console on ${c.url} -> ${describeConnection(conn)}`);
  await new Promise<void>((resolve) => {
    const stop = () => void c.close().then(resolve);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await client.close();
}

/** The events and alerts targets setup made for a namespace (read with a dry run: nothing is written). */
export async function namespaceIndices(client: ReturnType<typeof createClient>, namespace: string): Promise<IndexConfig> {
  const r = await setup(client, { namespace, dryRun: true });
  return { events: [r.targets.events.name], alerts: [r.targets.alerts.name] };
}
