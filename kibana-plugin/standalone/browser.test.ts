// End-to-end in Debian's chromium (never a downloaded browser) against the standalone console on loopback,
// real Elasticsearch behind it. Screenshots go to docs/screenshots/ for the README.
import { expect } from 'chai';
import * as fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchChromium, watchPage } from '../../test/chromium';
import type { Browser, Page } from 'playwright-core';
import { sharedElasticsearch, uniqueName } from '../../test/elasticsearch';
import { E, HOSTILE, indexBobStory, type IndexedStory } from '../test/bob-story';
import { createConsoleApp } from './app';
import { buildBundle } from './build';

const SHOTS = path.join(__dirname, '..', '..', 'docs', 'screenshots');

describe('kibana-plugin process details in chromium @integration', function () {
  this.timeout(120_000);
  let story: IndexedStory;
  let server: Server;
  let base: string;
  let browser: Browser;
  let page: Page;
  let outDir: string;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  before(async function () {
    outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-bundle-'));
    const [es] = await Promise.all([sharedElasticsearch(), buildBundle({ outDir })]);
    story = await indexBobStory(es.client, uniqueName('browser'), { bigSession: 1200 });
    const app = createConsoleApp({ client: es.client, indices: story.indices, assetsDir: outDir });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    watchPage(page, { dialogs, pageErrors });
    fs.mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    await story?.cleanup();
    if (outDir) fs.rmSync(outDir, { recursive: true, force: true });
  });

  afterEach(() => {
    expect(pageErrors, 'uncaught page errors').to.deep.equal([]);
    expect(dialogs, 'dialogs').to.deep.equal([]);
  });

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
  const hashOf = () => page.evaluate(() => window.location.hash);
  const text = (sel: string) => page.locator(sel).innerText();

  it('goes from an alert to the process details in one click', async () => {
    await page.goto(`${base}/#/`);
    const row = page.locator('[data-test-subj="alerts-table"] tr', { hasText: 'Netcat bind shell' });
    await row.waitFor();
    await shot('alerts.png');
    await row.locator('[data-test-subj="alert-process-link"]').click();
    await page.locator('[data-test-subj="process-title"]').waitFor();
    expect(await hashOf()).to.equal(`#/process/${E.nc}`);
    expect(await text('[data-test-subj="process-command"]')).to.equal('nc -l -p 4444 -e /bin/sh');
    expect(await text('[data-test-subj="still-running"]')).to.contain('still running');
    await page.locator('[data-test-subj="process-alerts"]').waitFor();
    expect(await text('[data-test-subj="process-alerts"]')).to.contain('1 alert on this process: Netcat bind shell (nc -e) (high)');
    const details = await text('[data-test-subj="process-details"]');
    for (const s of ['/bin/nc.traditional', '/root', 'root (0)', 'bob (1000)', 'web-01', '2251 / 2250', E.nc]) expect(details).to.contain(s);
    await page.locator('[data-test-subj="ancestor-link"]').first().waitFor();
    const chain = (await text('[data-test-subj="ancestry"]')).replace(/\s+/g, ' ').trim();
    expect(chain).to.equal('parent not captured → sshd -D ? → sshd (root) → bash (bob) → sudo bash → bash (root) → sh /sbin/service1 → nc -l -p 4444 -e /bin/sh');
    await shot('process-details.png');
    await page.locator('[data-test-subj="tab-network"]').click();
    const net = page.locator('[data-test-subj="network-table"] tbody tr');
    await net.first().waitFor();
    expect((await net.allInnerTexts()).map((r) => r.split(/\s+/).find((w) => /-/.test(w) && /[a-z]/.test(w)))).to.deep.equal([
      'bound-socket', 'listen-for-connections', 'accepted-connection-from',
    ]);
    await shot('network.png');
  });

  it('walks up the ancestry by clicking', async () => {
    await page.locator('[data-test-subj="ancestor-link"]', { hasText: 'sudo bash' }).click();
    await page.waitForFunction((id) => window.location.hash === `#/process/${id}`, E.sudo);
    await page.locator('[data-test-subj="process-title"]', { hasText: 'sudo' }).waitFor();
    await page.locator('[data-test-subj="ancestor-link"]', { hasText: 'bash (bob)' }).click();
    await page.waitForFunction((id) => window.location.hash === `#/process/${id}`, E.bash);
    expect(await text('[data-test-subj="process-command"]')).to.equal('-bash');
  });

  it('expands the children tree level by level', async () => {
    const tree = page.locator('[data-test-subj="children-tree"]');
    await tree.waitFor();
    const rows = tree.locator(':scope > [data-test-subj="child-row"]');
    expect(await rows.locator(':scope > div [data-test-subj="child-link"]').allInnerTexts()).to.deep.equal(['id', 'sudo bash', 'rm /home/bob/.bash_history']);
    const expandOf = (id: string) => page.locator(`[data-entity-id="${id}"] > div [data-test-subj="expand-child"]`);
    await expandOf(E.sudo).click();
    await expandOf(E.rootBash).click();
    await expandOf(E.service1).click();
    await expandOf(E.nc).click();
    await page.locator(`[data-entity-id="${E.whoami}"]`).waitFor({ state: 'detached', timeout: 1000 }).catch(() => undefined);
    await expandOf(E.remoteSh).click();
    await page.locator(`[data-entity-id="${E.whoami}"]`).waitFor();
    const all = await tree.locator('[data-test-subj="child-link"]').allInnerTexts();
    expect(all).to.deep.equal(['id', 'sudo bash', 'bash', 'cat', 'chmod +x /sbin/service1', '/bin/sh /sbin/service1', 'nc -l -p 4444 -e /bin/sh', '/bin/sh', 'whoami', 'rm /home/bob/.bash_history']);
    await shot('children-tree.png');
  });

  it('opens the login session timeline: every command in order, incl. the history deletion', async () => {
    await page.locator('[data-test-subj="tab-session"]').click();
    await page.locator('[data-test-subj="timeline-line"]').first().waitFor();
    const lines = (await page.locator('[data-test-subj="timeline-line"]').allInnerTexts()).map((l) => l.replace(/^\S+\s+/, ''));
    expect(lines).to.have.length(15);
    expect(lines[0]).to.equal('bob:/home/bob$ -bash');
    expect(lines).to.include('root[bob]:/root# nc -l -p 4444 -e /bin/sh');
    expect(lines).to.include('↳ accepted-connection-from 198.51.100.7:51234 -> 10.0.0.5:4444');
    expect(lines.slice(-2)).to.deep.equal(['bob:/home/bob$ rm /home/bob/.bash_history', '↳ deleted /home/bob/.bash_history']);
    await shot('session-timeline.png');
  });

  it('pivots by search to every process that touched /sbin/service1', async () => {
    await page.locator('[data-test-subj="search-input"]').fill('service1');
    await page.locator('[data-test-subj="search-input"]').press('Enter');
    await page.locator('[data-test-subj="search-results"] tbody tr').first().waitFor();
    expect(await hashOf()).to.equal('#/search?q=service1');
    const rows = await page.locator('[data-test-subj="search-results"] tbody tr').allInnerTexts();
    expect(rows.join('\n')).to.contain('/bin/sh /sbin/service1');
    expect(rows.join('\n')).to.contain('chmod +x /sbin/service1');
    await shot('search.png');
    await page.locator('[data-test-subj="search-results"] a', { hasText: 'chmod +x /sbin/service1' }).first().click();
    await page.waitForFunction((id) => window.location.hash === `#/process/${id}`, E.chmod);
  });

  it('keeps a 1200-process session usable: one page of 200 lines at a time', async () => {
    await page.goto(`${base}/#/session/${E.bigLeader}`);
    await page.locator('[data-test-subj="timeline-range"]', { hasText: 'of 1,200 events' }).waitFor();
    expect(await text('[data-test-subj="timeline-range"]')).to.equal('1–200 of 1,200 events');
    expect(await page.locator('[data-test-subj="timeline-line"]').count()).to.equal(200);
    // Every state the DOM passes through while the next page loads: the range must never be shown beside
    // the previous page's lines (it was, for one frame, before useLoad dropped data of other deps).
    // A string, not a function: tsx's transform would put a helper (__name) into a function's body.
    await page.evaluate(`window.seen = [];
      new MutationObserver(() => {
        const range = document.querySelector('[data-test-subj="timeline-range"]')?.textContent ?? '';
        const first = document.querySelector('[data-test-subj="timeline-line"]')?.textContent ?? '';
        window.seen.push(range + ' | ' + first);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });`);
    await page.locator('[data-test-subj="timeline-next"]').click();
    await page.locator('[data-test-subj="timeline-range"]', { hasText: '201–400' }).waitFor();
    await page.locator('[data-test-subj="timeline-line"]', { hasText: 'make step-199' }).first().waitFor();
    expect(await page.locator('[data-test-subj="timeline-line"]').first().innerText()).to.contain('make step-199');
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen.length, 'the observer saw the page change').to.be.greaterThan(0);
    expect(seen.filter((x) => x.startsWith('201–400') && !x.includes('make step-199'))).to.deep.equal([]);
    await page.locator('[data-test-subj="timeline-prev"]').click();
    await page.locator('[data-test-subj="timeline-range"]', { hasText: '1–200' }).waitFor();
  });

  it('renders hostile args and paths as text, and encodes them into pivot links', async () => {
    await page.goto(`${base}/#/`);
    const row = page.locator('[data-test-subj="alerts-table"] tr', { hasText: 'Execution from /tmp' });
    await row.waitFor();
    expect(await row.innerText()).to.contain(`Execution from /tmp ${HOSTILE}`);
    await row.locator('[data-test-subj="alert-process-link"]').click();
    await page.locator('[data-test-subj="process-title"]').waitFor();
    expect(await text('[data-test-subj="process-command"]')).to.equal(`/tmp/${HOSTILE} ${HOSTILE} "><script>alert(2)</script>`);
    expect(await text('[data-test-subj="process-title"]')).to.equal(HOSTILE);
    expect(await page.locator('[data-test-subj="ancestry-stop"]').innerText()).to.equal('parent not captured');
    expect(await text('[data-test-subj="process-details"]')).to.contain('3000 / 2999');
    const hrefs = await page.locator('[data-test-subj="pivot-link"]').evaluateAll((els) => els.map((e) => e.getAttribute('href')));
    expect(hrefs[0]).to.equal(`#/search?q=${encodeURIComponent(`/tmp/${HOSTILE}`)}`);
    expect(hrefs[0]).to.equal('#/search?q=%2Ftmp%2F%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E');
    const injected = await page.evaluate(() => ({
      imgs: document.querySelectorAll('img').length,
      scripts: [...document.querySelectorAll('script')].map((s) => s.getAttribute('src')),
    }));
    expect(injected).to.deep.equal({ imgs: 0, scripts: ['assets/auditsight.js'] });
    await shot('hostile.png');
    await page.locator('[data-test-subj="pivot-link"]').first().click();
    await page.locator('[data-test-subj="search-results"] tbody tr').first().waitFor();
    expect(await text('[data-test-subj="search-results"]')).to.contain(`/tmp/${HOSTILE}`);
    expect(await page.evaluate(() => document.querySelectorAll('img').length)).to.equal(0);
  });
});
