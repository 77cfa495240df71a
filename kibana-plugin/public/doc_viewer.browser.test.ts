// The Discover document tab ("Process", public/doc_viewer.tsx) in Debian's chromium, rendered the way Kibana
// renders it: the plugin's own entry (index.ts -> plugin()) is started with a stand-in for core.http (base
// path, versioned get) and for unifiedDocViewer.registry, and the DocView it registers is rendered with
// Discover's render props for an expanded document. That document is a real hit (fields API, as Discover
// fetches it) from the Bob story indexed with the real templates; the tab's API calls go to a standalone
// console (createConsoleApp) mounted under the base path on the same origin as the test page.
import { expect } from 'chai';
import * as esbuild from 'esbuild';
import express, { type Request, type Response } from 'express';
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchChromium, watchPage } from '../../test/chromium';
import type { Browser, Page } from 'playwright-core';
import { sharedElasticsearch, uniqueName, type SharedEs } from '../../test/elasticsearch';
import { createConsoleApp } from '../standalone/app';
import { E, HOSTILE, indexBobStory, type IndexedStory } from '../test/bob-story';

/** Kibana's server.basePath: API calls and app links must both carry it. */
const BASE_PATH = '/kbn';
const APP_URL = `${BASE_PATH}/app/auditsight`;

/**
 * The test page's entry, bundled from this directory. It starts the plugin as Kibana would, keeps what it
 * adds to the doc viewer registry, fetches the expanded document and renders the tab with the props
 * Discover's doc viewer passes (hit, dataView, columns, filter callbacks...).
 */
const ENTRY = `
import React from 'react';
import { createRoot } from 'react-dom/client';
import { EuiProvider } from '@elastic/eui';
import { plugin } from './index';

const BASE_PATH = ${JSON.stringify(BASE_PATH)};

/** core.http as the browser plugin sees it: base path prepended, elastic-api-version from 'version'. */
const http = {
  basePath: { prepend: (p) => BASE_PATH + p, get: () => BASE_PATH },
  async get(p, opts = {}) {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const headers = { 'x-elastic-internal-origin': 'Kibana', accept: 'application/json' };
    if (opts.version) headers['elastic-api-version'] = opts.version;
    const res = await fetch(BASE_PATH + p + '?' + qs.toString(), { headers });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(body.message ?? res.statusText);
    return body;
  },
};

const views = [];
plugin().start({ http, rendering: { addContext: (e) => e } }, { unifiedDocViewer: { registry: { add: (v) => views.push(v) } } });

async function main() {
  const q = new URLSearchParams(window.location.search);
  const res = await fetch('/docview/hit?' + new URLSearchParams({ index: q.get('index'), id: q.get('id') }).toString());
  const hit = await res.json();
  const noop = () => {};
  createRoot(document.getElementById('root')).render(
    <EuiProvider colorMode="light">
      {views.sort((a, b) => a.order - b.order).map((v) => (
        <section key={v.id} data-test-subj="docview-tab" data-id={v.id} data-order={v.order}>
          <h2 data-test-subj="docview-title">{v.title}</h2>
          <v.component hit={hit} dataView={{ id: 'auditsight-events', title: q.get('index') }} columns={[]} filter={noop} onAddColumn={noop} onRemoveColumn={noop} />
        </section>
      ))}
    </EuiProvider>,
  );
}
main();
`;

const PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>doc viewer test</title><link rel="stylesheet" href="/docview/docview.css"></head>
<body><div id="root"></div><script src="/docview/docview.js"></script></body>
</html>
`;

/** Kibana's default CSP has no inline script either: a payload that got into the DOM as HTML could not run a script tag, but onerror is what the test watches. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'";

describe('kibana-plugin Discover doc viewer tab in chromium @integration', function () {
  this.timeout(60_000);
  let es: SharedEs;
  let story: IndexedStory;
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let outDir: string;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  before(async function () {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-docview-'));
    const build = esbuild.build({
      stdin: { contents: ENTRY, resolveDir: __dirname, loader: 'tsx', sourcefile: 'docview-test-entry.tsx' },
      outfile: path.join(outDir, 'docview.js'),
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: ['es2020'],
      jsx: 'automatic',
      minify: false,
      define: { 'process.env.NODE_ENV': '"production"' },
      logLevel: 'warning',
    });
    [es] = await Promise.all([sharedElasticsearch(), build]);
    story = await indexBobStory(es.client, uniqueName('docview'));
    const indices = [...story.indices.events, ...story.indices.alerts];

    const app = express();
    app.use(BASE_PATH, createConsoleApp({ client: es.client, indices: story.indices, assetsDir: outDir }));
    app.use('/docview', (_req: Request, res: Response, next: () => void) => {
      res.setHeader('Content-Security-Policy', CSP);
      next();
    });
    app.get('/docview/', (_req: Request, res: Response) => {
      res.type('html').send(PAGE);
    });
    app.get('/docview/:file', async (req: Request, res: Response) => {
      const file = req.params.file;
      if (file === 'docview.js' || file === 'docview.css') {
        res.sendFile(path.join(outDir, file));
        return;
      }
      if (file !== 'hit') {
        res.status(404).end();
        return;
      }
      // The expanded document as Discover holds it (kbn-discover-utils buildDataTableRecord over a
      // fields-API hit): flattened is the fields response (arrays of values) plus the meta fields.
      const index = String(req.query.index);
      if (!indices.includes(index)) {
        res.status(400).json({ message: 'not a story index' });
        return;
      }
      const r = await es.client.search({ index, query: { ids: { values: [String(req.query.id)] } }, fields: [{ field: '*', include_unmapped: true }], _source: true });
      const h = r.hits.hits[0];
      if (!h) {
        res.status(404).json({ message: 'no such document' });
        return;
      }
      res.json({ id: `${h._index}::${h._id}::`, raw: h, flattened: { ...h.fields, _id: h._id, _index: h._index } });
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    watchPage(page, { dialogs, pageErrors });
    page.setDefaultTimeout(10_000);
  });

  after(async () => {
    await browser?.close();
    if (server) await new Promise((r) => server.close(r));
    await story?.cleanup();
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(pageErrors, 'uncaught page errors').to.deep.equal([]);
    expect(dialogs, 'dialogs').to.deep.equal([]);
  });

  /** The _id of the exec event of a story process. */
  async function execEventId(entityId: string): Promise<string> {
    const r = await es.client.search({
      index: story.indices.events[0]!,
      // (cast: chai's Object.prototype.should clashes with the client's bool.should type)
      query: { bool: { filter: [{ term: { 'process.entity_id': entityId } }, { term: { 'event.action': 'executed' } }] } } as never,
    });
    expect(r.hits.hits, `exec event of ${entityId}`).to.have.length(1);
    return r.hits.hits[0]!._id!;
  }

  async function open(index: string, id: string): Promise<void> {
    await page.goto(`${base}/docview/?${new URLSearchParams({ index, id }).toString()}`);
    await page.locator('[data-test-subj="auditsight-docview"], [data-test-subj="auditsight-docview-empty"]').first().waitFor();
  }

  const oneLine = (s: string) => s.replace(/\s+/g, ' ').trim();
  const ancestry = async () => oneLine(await page.locator('[data-test-subj="auditsight-docview"] [data-test-subj="ancestry"]').innerText());
  /** Timeline lines without their time column. */
  const timeline = async () =>
    (await page.locator('[data-test-subj="auditsight-docview"] [data-test-subj="timeline-line"]').allInnerTexts()).map((l) => l.replace(/^\S+\s+/, ''));

  const NC_CHAIN = 'parent not captured → sshd -D ? → sshd (root) → bash (bob) → sudo bash → bash (root) → sh /sbin/service1 → nc -l -p 4444 -e /bin/sh';
  const BOB_SESSION = [
    'bob:/home/bob$ -bash',
    'bob:/home/bob$ id',
    'bob:/home/bob$ sudo bash',
    'root[bob]:/home/bob# bash',
    'root[bob]:/root# cat',
    'root[bob]:/root# chmod +x /sbin/service1',
    'root[bob]:/root# /bin/sh /sbin/service1',
    'root[bob]:/root# nc -l -p 4444 -e /bin/sh',
    '↳ bound-socket -> 0.0.0.0:4444',
    '↳ listen-for-connections',
    '↳ accepted-connection-from 198.51.100.7:51234 -> 10.0.0.5:4444',
    'root[bob]:/root# /bin/sh',
    'root[bob]:/root# whoami',
    'bob:/home/bob$ rm /home/bob/.bash_history',
    '↳ deleted /home/bob/.bash_history',
  ];

  it('registers one "Process" tab after Table and JSON, and shows the nc event\'s ancestry and login session', async () => {
    await open(story.indices.events[0]!, story.ncExecEventId);
    const tabs = page.locator('[data-test-subj="docview-tab"]');
    expect(await tabs.count()).to.equal(1);
    expect(await tabs.getAttribute('data-id')).to.equal('doc_view_auditsight_process');
    expect(await tabs.getAttribute('data-order')).to.equal('30');
    expect(await page.locator('[data-test-subj="docview-title"]').innerText()).to.equal('Process');

    await page.locator('[data-test-subj="auditsight-docview"] [data-test-subj="ancestor-link"]').first().waitFor();
    expect(await ancestry()).to.equal(NC_CHAIN);
    expect(await page.locator('[data-test-subj="ancestry-current"]').innerText()).to.equal('nc -l -p 4444 -e /bin/sh');

    await page.locator('[data-test-subj="timeline-range"]', { hasText: 'of 15 events' }).waitFor();
    expect(await page.locator('[data-test-subj="timeline-range"]').innerText()).to.equal('1–15 of 15 events');
    expect(await timeline()).to.deep.equal(BOB_SESSION);
    // The expanded document's process stands out in its session.
    const current = (await page.locator('.as-line--current').allInnerTexts()).map((l) => l.replace(/^\S+\s+/, ''));
    expect(current[0]).to.equal('root[bob]:/root# nc -l -p 4444 -e /bin/sh');
    expect(current.every((l) => BOB_SESSION.slice(7, 11).includes(l))).to.equal(true);
  });

  it("links into the app under Kibana's base path, never into Discover's own hash", async () => {
    // Same page as above: the links of the nc event's tab.
    const open = page.locator('[data-test-subj="auditsight-docview"] a', { hasText: 'Open process details' });
    expect(await open.getAttribute('href')).to.equal(`${APP_URL}#/process/${E.nc}`);
    const hrefs = await page.locator('[data-test-subj="auditsight-docview"] a[href]').evaluateAll((els) => els.map((e) => e.getAttribute('href')!));
    expect(hrefs.length).to.be.greaterThan(10);
    for (const h of hrefs) expect(h.startsWith(`${APP_URL}#/process/`), h).to.equal(true);
    expect(hrefs).to.include(`${APP_URL}#/process/${E.sudo}`);
  });

  it('shows the same story for the expanded alert document', async () => {
    await open(story.indices.alerts[0]!, story.alertIds.nc);
    await page.locator('[data-test-subj="auditsight-docview"] [data-test-subj="ancestor-link"]').first().waitFor();
    expect(await ancestry()).to.equal(NC_CHAIN);
    await page.locator('[data-test-subj="timeline-range"]', { hasText: 'of 15 events' }).waitFor();
    expect(await timeline()).to.deep.equal(BOB_SESSION);
  });

  it('renders a hostile document as text: no dialog, no img element', async () => {
    await open(story.indices.events[0]!, await execEventId(E.evil));
    await page.locator('[data-test-subj="ancestry-current"]').waitFor();
    // The label is the command line cut at 80 characters, payload and all, as text.
    const label = `${HOSTILE} ${HOSTILE} "><script>alert(2)<... (mallory)`;
    expect(label).to.equal('<img src=x onerror=alert(1)> <img src=x onerror=alert(1)> "><script>alert(2)<... (mallory)');
    expect(await ancestry()).to.equal(`parent not captured → pid 2999 ? → ${label}`);
    expect(await page.locator('[data-test-subj="ancestry-current"]').innerText()).to.equal(label);
    expect(await page.locator('[data-test-subj="auditsight-docview"]').innerText()).to.contain('Session leader not captured.');
    expect(await page.locator('[data-test-subj="auditsight-docview"] a', { hasText: 'Open process details' }).getAttribute('href')).to.equal(
      `${APP_URL}#/process/${E.evil}`,
    );
    // Give a mis-rendered onerror handler the time to fire.
    await page.waitForTimeout(300);
    const injected = await page.evaluate(() => ({
      imgs: document.querySelectorAll('img').length,
      scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
    }));
    expect(injected).to.deep.equal({ imgs: 0, scripts: ['/docview/docview.js'] });
  });
});
