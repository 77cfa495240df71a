import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sharedElasticsearch, uniqueName } from '../../test/elasticsearch';
import { E, HOSTILE, indexBobStory, type IndexedStory } from '../test/bob-story';
import { createConsoleApp } from './app';

describe('kibana-plugin standalone console routes against real Elasticsearch @integration', function () {
  this.timeout(120_000);
  let story: IndexedStory;
  let server: Server;
  let base: string;

  const get = async (path: string, headers: Record<string, string> = { 'elastic-api-version': '1' }) => {
    const r = await fetch(`${base}${path}`, { headers });
    return { status: r.status, body: (await r.json().catch(() => undefined)) as any, headers: r.headers };
  };

  before(async () => {
    const es = await sharedElasticsearch();
    story = await indexBobStory(es.client, uniqueName('console'), { bigSession: 450 });
    const app = createConsoleApp({ client: es.client, indices: story.indices });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((r) => server?.close(r));
    await story?.cleanup();
  });

  it('answers the process, ancestry and children routes', async () => {
    const p = await get(`/internal/auditsight/process?entity_id=${E.nc}`);
    expect(p.status).to.equal(200);
    expect(p.body.args).to.deep.equal(['nc', '-l', '-p', '4444', '-e', '/bin/sh']);
    expect(p.headers.get('content-security-policy')).to.contain("script-src 'self'");
    const a = await get(`/internal/auditsight/process/ancestry?entity_id=${E.nc}`);
    expect(a.body.chain.map((x: { entity_id: string }) => x.entity_id)).to.deep.equal([E.sshdListener, E.sshd, E.bash, E.sudo, E.rootBash, E.service1, E.nc]);
    const c = await get(`/internal/auditsight/process/children?entity_id=${E.bash}`);
    expect(c.body.children.map((x: { entity_id: string }) => x.entity_id)).to.deep.equal([E.id, E.sudo, E.rm]);
  });

  it('answers session (paged with a cursor), network, files, alerts, search and raw events', async () => {
    const p1 = await get(`/internal/auditsight/session?session_id=${E.bigLeader}&size=300`);
    expect(p1.body.items).to.have.length(300);
    expect(p1.body.total).to.equal(450);
    const p2 = await get(`/internal/auditsight/session?session_id=${E.bigLeader}&size=300&cursor=${p1.body.next}`);
    expect(p2.body.items).to.have.length(150);
    expect(p2.body.next).to.equal(undefined);
    const n = await get(`/internal/auditsight/network?entity_id=${E.nc}`);
    expect(n.body.items.map((x: { action: string }) => x.action)).to.deep.equal(['bound-socket', 'listen-for-connections', 'accepted-connection-from']);
    const f = await get(`/internal/auditsight/files?session_id=${E.bash}`);
    expect(f.body.items).to.have.length(3);
    const al = await get(`/internal/auditsight/alerts?session_id=${E.bash}`);
    expect(al.body.items.map((x: { id: string }) => x.id)).to.deep.equal([story.alertIds.rm, story.alertIds.nc]);
    const one = await get(`/internal/auditsight/alert?id=${story.alertIds.nc}`);
    expect(one.body.entity_id).to.equal(E.nc);
    const s = await get(`/internal/auditsight/search?q=${encodeURIComponent(HOSTILE)}`);
    expect(s.status).to.equal(200);
    expect(s.body.items.map((x: { entity_id: string }) => x.entity_id)).to.deep.equal([E.evil]);
    const raw = await get(`/internal/auditsight/events?alert_id=${story.alertIds.nc}`);
    expect(raw.body.items.map((x: { id: string }) => x.id)).to.deep.equal([story.ncExecEventId]);
  });

  it('rejects bad parameters with 400 before querying, and unknown things with 404', async () => {
    const bad: Array<[string, RegExp]> = [
      [`/internal/auditsight/process?entity_id=${encodeURIComponent('x" OR *')}`, /entity_id: not an entity id/],
      ['/internal/auditsight/process', /entity_id: required/],
      [`/internal/auditsight/process?entity_id=${E.nc}&index=secret-*`, /index: unknown parameter/],
      [`/internal/auditsight/process?entity_id=${E.nc}&entity_id=${E.rm}`, /repeated parameter/],
      [`/internal/auditsight/process/children?entity_id=${E.nc}&size=100000`, /size: must be an integer/],
      ['/internal/auditsight/network', /exactly one of entity_id, session_id/],
      [`/internal/auditsight/network?entity_id=${E.nc}&session_id=${E.bash}`, /exactly one of/],
      [`/internal/auditsight/session?session_id=${E.bash}&cursor=bm90LWpzb24`, /cursor: malformed/],
      [`/internal/auditsight/search?q=${'a'.repeat(300)}`, /q: longer than 256/],
      ['/internal/auditsight/search?q=a%00b', /q: control characters/],
      ['/internal/auditsight/search?q=x&from=yesterday', /from: not an ISO 8601/],
      ['/internal/auditsight/alerts?from=2026-02-01&to=2026-01-01', /from is after to/],
    ];
    for (const [path, msg] of bad) {
      const r = await get(path);
      expect(r.status, path).to.equal(400);
      expect(r.body.message, path).to.match(msg);
    }
    expect((await get('/internal/auditsight/process?entity_id=ffffffffffffffffffffffffffffffff')).status).to.equal(404);
    expect((await get('/internal/auditsight/alert?id=missing')).status).to.equal(404);
    expect((await get('/internal/auditsight/nope')).status).to.equal(404);
    expect((await get(`/internal/auditsight/process?entity_id=${E.nc}`, { 'elastic-api-version': '2' })).status).to.equal(400);
  });

  it('serves the app shell and only the two bundle files', async () => {
    const html = await fetch(`${base}/`);
    expect(await html.text()).to.contain('<script src="assets/auditsight.js">');
    expect((await fetch(`${base}/assets/..%2F..%2Fpackage.json`)).status).to.equal(404);
    expect((await fetch(`${base}/assets/app.ts`)).status).to.equal(404);
  });
});
