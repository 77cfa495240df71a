// The README walkthrough's screenshots, from real data: the bundled capture of the insider scenario
// (e2e/scenario/insider.log, recorded under real auditd) replayed through the same stack `auditsight up`
// runs (schema, shipper, detection engine, console) into a fresh namespace, then Debian's chromium driven
// through the story an analyst follows: alert -> process -> ancestry -> session -> network -> pivot search.
//   ELASTICSEARCH_URL=http://127.0.0.1:9200 npx tsx e2e/screenshots.ts
//
// The stack's console reads every auditsight namespace on the cluster (DEFAULT_INDICES), which on a shared
// development cluster includes other runs' data; the pages shown are served by a second console scoped to
// this run's namespace (same handlers, same freshly built bundle), so the pictures show this replay only.
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchChromium } from '../test/chromium';
import type { Browser, Page } from 'playwright-core';
import { removeNamespace } from '../elastic-templates/src/fixtures';
import type { AlertSummary, IndexConfig } from '../kibana-plugin/common/types';
import { createConsoleApp } from '../kibana-plugin/standalone/app';
import { buildBundle } from '../kibana-plugin/standalone/build';
import { startStack, type Stack } from '../shipper/src/cli/stack';
import { sharedElasticsearch } from '../test/elasticsearch';

const CAPTURE = path.join(__dirname, 'scenario', 'insider.log');
const SHOTS = path.join(__dirname, '..', 'docs', 'screenshots');
const STORY_RULES = ['netcat-bind-shell', 'system-binary-dropped-and-executed', 'shell-history-deleted'] as const;
const ALERTS_DEADLINE_MS = 60_000;

const log = (l: string) => process.stderr.write(`${l}\n`);

/** The alerts of this run: the stack's console answers for every namespace, so keep ours by index. */
async function storyAlerts(consoleUrl: string, alertsTarget: string): Promise<AlertSummary[]> {
  const url = new URL('internal/auditsight/alerts', consoleUrl);
  url.searchParams.set('size', '500');
  const res = await fetch(url, { headers: { 'elastic-api-version': '1' } });
  if (!res.ok) throw new Error(`alerts: ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { items: AlertSummary[] };
  return body.items.filter((a) => a.index === alertsTarget || a.index.startsWith(`${alertsTarget}-`));
}

async function waitForStoryAlerts(stack: Stack, alertsTarget: string): Promise<Map<string, AlertSummary>> {
  const deadline = Date.now() + ALERTS_DEADLINE_MS;
  for (;;) {
    const byRule = new Map<string, AlertSummary>();
    for (const a of await storyAlerts(stack.console.url, alertsTarget)) if (a.rule?.id && !byRule.has(a.rule.id)) byRule.set(a.rule.id, a);
    const missing = STORY_RULES.filter((r) => !byRule.has(r));
    if (!missing.length) return byRule;
    if (Date.now() > deadline) throw new Error(`no ${missing.join(', ')} alert within ${ALERTS_DEADLINE_MS / 1000} s (have: ${[...byRule.keys()].join(', ') || 'none'})`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function walkthrough(page: Page, base: string, alerts: Map<string, AlertSummary>): Promise<void> {
  const shot = async (name: string, opts: { fullPage?: boolean; clip?: { x: number; y: number; width: number; height: number } } = {}) => {
    const file = path.join(SHOTS, `walkthrough-${name}.png`);
    await page.screenshot({ path: file, ...opts });
    log(`saved ${path.relative(process.cwd(), file)}`);
  };
  const backdoor = alerts.get('netcat-bind-shell')!;
  const nc = backdoor.entity_id;
  if (!nc) throw new Error('the netcat-bind-shell alert has no process.entity_id');

  // 1. The latest alerts: the three story alerts among what the replay raised.
  await page.goto(`${base}/#/`);
  const table = page.locator('[data-test-subj="alerts-table"]');
  for (const a of alerts.values()) await table.locator('tr', { hasText: a.rule?.name ?? a.rule?.id ?? '' }).first().waitFor();
  await shot('1-alerts');

  // 2. One click from the backdoor alert to the nc process: details and the alert banner.
  const row = table.locator('tr', { hasText: backdoor.rule?.name ?? 'Netcat' }).first();
  await row.locator('[data-test-subj="alert-process-link"]').click();
  await page.waitForFunction((id) => window.location.hash === `#/process/${id}`, nc);
  await page.locator('[data-test-subj="process-title"]').waitFor();
  await page.locator('[data-test-subj="process-alerts"]').waitFor();
  await page.locator('[data-test-subj="ancestor-link"]').first().waitFor();
  await page.locator('[data-test-subj="children-tree"], [data-test-subj="no-children"]').first().waitFor();
  await shot('2-process');

  // 3. The ancestry: how the shell got there, with the parent's tooltip (command, pid) open.
  const ancestry = page.locator('[data-test-subj="ancestry"]');
  const parent = page.locator('[data-test-subj="ancestor-link"]').last();
  await parent.hover();
  await page.locator('.euiToolTipPopover').first().waitFor();
  await page.waitForTimeout(300); // the tooltip fades in
  // From the process title down to the ancestry panel, tooltip included.
  const title = (await page.locator('[data-test-subj="process-title"]').boundingBox())!;
  const box = (await ancestry.boundingBox())!;
  const top = Math.max(0, title.y - 16);
  await shot('3-ancestry', { clip: { x: 0, y: top, width: page.viewportSize()!.width, height: box.y + box.height + 24 - top } });
  await page.mouse.move(0, 0);

  // 4. bob's login session, from the process's session link: every command in order, down to the
  //    deletion of his shell history.
  await page.locator('[data-test-subj="session-link"]').click();
  await page.locator('h1', { hasText: 'Login session' }).waitFor();
  const rm = page.locator('[data-test-subj="timeline-line"]', { hasText: 'rm /home/bob/.bash_history' });
  await rm.first().waitFor();
  await page.locator('[data-test-subj="timeline-line"]', { hasText: 'deleted /home/bob/.bash_history' }).first().waitFor();
  await page.locator('[data-test-subj="network-table"], [data-test-subj="files-table"]').first().waitFor();
  await rm.first().scrollIntoViewIfNeeded();
  await shot('4-session');

  // 5. Back on nc: the connection it accepted (the peer that got the shell).
  await page.goto(`${base}/#/process/${encodeURIComponent(nc)}?tab=network`);
  await page.locator('[data-test-subj="network-table"] tbody tr', { hasText: 'accepted-connection-from' }).first().waitFor();
  await page.locator('[data-test-subj="network-table"]').scrollIntoViewIfNeeded();
  await shot('5-network');

  // 6. Pivot: everything that touched /sbin/service1.
  const search = page.locator('[data-test-subj="search-input"]');
  await search.fill('service1');
  await search.press('Enter');
  await page.waitForFunction(() => window.location.hash === '#/search?q=service1');
  await page.locator('[data-test-subj="search-results"] tbody tr', { hasText: '/bin/sh /sbin/service1' }).first().waitFor();
  await shot('6-search');
}

async function main(): Promise<void> {
  const es = await sharedElasticsearch();
  const namespace = `shots_${process.pid}_${Date.now().toString(36)}`;
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-shots-'));
  const bundleDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-shots-bundle-'));
  let stack: Stack | undefined;
  let server: Server | undefined;
  let browser: Browser | undefined;
  try {
    // The bundle of the current source (the stack's console reuses whatever dist/ holds).
    const built = buildBundle({ outDir: bundleDir });
    stack = await startStack({
      client: es.client,
      conn: es.conn,
      namespace,
      input: { type: 'replay', files: [CAPTURE], host: 'insider-demo' },
      stateDir,
      every: '1s',
      channels: [],
      consolePort: 0,
      log,
    });
    const t = stack.setup.targets;
    const alerts = await waitForStoryAlerts(stack, t.alerts.name);
    log(`story alerts: ${[...alerts.keys()].join(', ')}`);
    await built;

    const indices: IndexConfig = { events: [t.events.name], alerts: [t.alerts.name] };
    const app = createConsoleApp({ client: es.client, indices, assetsDir: bundleDir, log: (e) => log(String(e)) });
    server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
      s.once('error', reject);
    });
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('dialog', (d) => {
      problems.push(`dialog: ${d.message()}`);
      void d.dismiss();
    });
    page.setDefaultTimeout(15_000);
    fs.mkdirSync(SHOTS, { recursive: true });
    await walkthrough(page, base, alerts);
    if (problems.length) throw new Error(problems.join('\n'));
  } finally {
    await browser?.close().catch(() => undefined);
    if (server) await new Promise((r) => server!.close(r));
    if (stack) {
      try {
        const summary = await stack.stop();
        log(`shipped ${Object.values(summary.shipped).reduce((a, b) => a + b, 0)} events`);
      } catch (e) {
        log(`stopping the stack: ${String(e)}`);
      }
    }
    if (stack) for (const x of Object.values(stack.setup.targets)) if (x.type === 'data_stream') await es.client.indices.deleteDataStream({ name: x.name }, { ignore: [404] });
    await removeNamespace(es.client, namespace);
    await es.client.close();
    fs.rmSync(stateDir, { recursive: true, force: true });
    fs.rmSync(bundleDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  log(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
