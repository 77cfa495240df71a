// /metrics (Prometheus text) and /healthz (200, or 503 with a JSON reason) on a local address.
// Localhost by default: the endpoints reveal host activity volumes and need no authentication there.
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface Health {
  ok: boolean;
  /** Machine-readable state: running, starting, stopping, stuck, failed. */
  status: string;
  reason?: string;
  [k: string]: unknown;
}

export interface HttpEndpoints {
  url: string;
  close(): Promise<void>;
}

export async function startHttp(host: string, port: number, registry: Registry, health: () => Health): Promise<HttpEndpoints> {
  const app = express();
  app.disable('x-powered-by');
  app.get('/metrics', async (_req, res) => {
    try {
      res.set('Content-Type', registry.contentType).send(await registry.metrics());
    } catch (e) {
      res.status(500).send(`metrics failed: ${(e as Error).message}\n`);
    }
  });
  app.get('/healthz', (_req, res) => {
    const h = health();
    res.status(h.ok ? 200 : 503).json(h);
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
    s.once('error', reject);
  });
  // A scraper keeping connections open must not hold up shutdown.
  server.keepAliveTimeout = 1000;
  const addr = server.address() as AddressInfo;
  const h = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  return {
    url: `http://${h}:${addr.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
