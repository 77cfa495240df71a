// The standalone console: an express app serving the same app bundle and the same route handlers, under the
// same paths and with the same validation, as the Kibana plugin, for sites without Kibana (or for demos).
// It has no login of its own: bind it to loopback or put it behind an authenticating proxy, and give it an
// Elasticsearch client whose credentials may read only the auditsight indices.
import express, { type Express, type Request, type Response } from 'express';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { QueryService, type SearchClient } from '../common/query-service';
import { API_VERSION } from '../common/routes';
import { DEFAULT_INDICES, type IndexConfig } from '../common/types';
import { ROUTES, runRoute } from '../server/handlers';
import { DEFAULT_OUT_DIR } from './build';

export interface ConsoleOptions {
  client: SearchClient;
  indices?: IndexConfig;
  /** Where build.ts wrote auditsight.js/.css. */
  assetsDir?: string;
  log?: (e: unknown) => void;
}

const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>auditsight — process details</title>
<link rel="stylesheet" href="assets/auditsight.css">
</head>
<body>
<div id="root"></div>
<script src="assets/auditsight.js"></script>
</body>
</html>
`;

// Scripts only from our own origin (no inline script, no eval): a second line of defence behind React's
// text rendering. Emotion (EUI's styling) injects <style> elements, hence 'unsafe-inline' for styles only.
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

function securityHeaders(_req: Request, res: Response, next: () => void) {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
}

export function createConsoleApp(opts: ConsoleOptions): Express {
  const indices = opts.indices ?? DEFAULT_INDICES;
  const assetsDir = opts.assetsDir ?? DEFAULT_OUT_DIR;
  const query = new QueryService(opts.client, indices);
  const app = express();
  app.disable('x-powered-by');
  // Plain key=value query strings only (no a[b]=c objects), as Kibana's route validation sees them.
  app.set('query parser', 'simple');
  app.use(securityHeaders);

  for (const route of ROUTES) {
    app.get(route.path, async (req: Request, res: Response) => {
      // Kibana answers a versioned route only for a version it has; mirror that instead of guessing.
      const v = req.get('elastic-api-version');
      if (v !== undefined && v !== API_VERSION) {
        res.status(400).json({ message: `unsupported elastic-api-version ${v}` });
        return;
      }
      const out = await runRoute(route, { query }, req.query as Record<string, unknown>, opts.log);
      res.status(out.status).setHeader('Cache-Control', 'no-store').json(out.body);
    });
  }
  app.use('/internal', (_req, res) => {
    res.status(404).json({ message: 'no such route' });
  });

  app.get('/', (_req, res) => {
    res.type('html').send(INDEX_HTML);
  });
  app.get('/assets/:file', (req, res) => {
    const file = req.params.file;
    // Only the two files build.ts writes: no path from the request reaches the file system.
    if (file !== 'auditsight.js' && file !== 'auditsight.css') {
      res.status(404).end();
      return;
    }
    const full = path.join(assetsDir, file);
    if (!fs.existsSync(full)) {
      res.status(503).type('text').send('bundle not built: run npx tsx kibana-plugin/standalone/build.ts');
      return;
    }
    res.sendFile(full);
  });
  return app;
}
