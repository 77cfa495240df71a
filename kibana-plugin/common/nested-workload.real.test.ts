// The process-details views on REAL data: a real auditd capture of a nested workload
// (test/fixtures/nested-workload.log, made by test/capture-nested.ts), run through the real pipeline,
// indexed into the real Elasticsearch with the real templates (setup), then read back through the
// QueryService and through the console's HTTP routes with the same assertions. Every expected
// executable, argv, address and path comes from the workload definition (test/nested-workload.ts); the
// only thing taken from the pipeline's output is which entity id each defined process got.
import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { EcsEvent } from '../../common/ecs/event';
import { eventId } from '../../shipper/src/outputs/ids';
import { sharedElasticsearch } from '../../test/elasticsearch';
import { createConsoleApp } from '../standalone/app';
import {
  EXE, PROCESSES, STORY, TMP_FILE, TOKEN, childrenOf, lineage, type Activity, type ProcKey,
} from '../test/nested-workload';
import { indexEvents, nestedWorkloadEvents, realNamespace, type RealNamespace } from '../test/real-index';
import { QueryService, type Scope } from './query-service';
import { API_BASE, API_VERSION } from './routes';
import type { AncestryResult, ChildrenResult, FileEntry, NetworkEntry, Page, SearchHit, TimelineEntry } from './types';

/** The views under test, answered either by the service itself or by the console over HTTP. */
interface Views {
  ancestry(id: string): Promise<AncestryResult>;
  children(id: string): Promise<ChildrenResult>;
  session(id: string): Promise<Page<TimelineEntry>>;
  network(scope: Scope): Promise<NetworkEntry[]>;
  files(scope: Scope): Promise<FileEntry[]>;
  search(q: string): Promise<Page<SearchHit>>;
}

const direct = (qs: QueryService): Views => ({
  ancestry: (id) => qs.getAncestry(id),
  children: (id) => qs.getChildren(id),
  session: (id) => qs.getSessionTimeline(id),
  network: (s) => qs.getNetwork(s),
  files: (s) => qs.getFiles(s),
  search: (q) => qs.search(q),
});

function overHttp(base: string): Views {
  const get = async <T>(route: string, params: Record<string, string>): Promise<T> => {
    const r = await fetch(`${base}${API_BASE}${route}?${new URLSearchParams(params)}`, { headers: { 'elastic-api-version': API_VERSION } });
    const body = await r.json();
    if (r.status !== 200) throw new Error(`${route}: ${r.status} ${JSON.stringify(body)}`);
    return body as T;
  };
  const scope = (s: Scope): Record<string, string> => ('entityId' in s ? { entity_id: s.entityId } : { session_id: s.sessionId });
  return {
    ancestry: (id) => get('/process/ancestry', { entity_id: id }),
    children: (id) => get('/process/children', { entity_id: id }),
    session: (id) => get('/session', { session_id: id }),
    network: (s) => get<{ items: NetworkEntry[] }>('/network', scope(s)).then((r) => r.items),
    files: (s) => get<{ items: FileEntry[] }>('/files', scope(s)).then((r) => r.items),
    search: (q) => get('/search', { q }),
  };
}

const KEYS = Object.keys(PROCESSES) as ProcKey[];
const addr = (e?: { ip?: string; port?: number }) => (e?.ip ? `${e.ip}:${e.port}` : '-');

describe('process-details views on a real auditd capture of a nested workload @integration', function () {
  this.timeout(120_000);
  let ns: RealNamespace;
  let events: EcsEvent[];
  let server: Server | undefined;
  /** Entity id of each process the workload defines: the id its exec event got from the pipeline. */
  const ids = {} as Record<ProcKey, string>;
  const keyOf = (entityId: string | undefined) => KEYS.find((k) => ids[k] === entityId) ?? `? ${entityId}`;
  const views: Record<'QueryService' | 'console routes', Views> = {} as never;

  before(async () => {
    const es = await sharedElasticsearch();
    events = nestedWorkloadEvents();
    for (const k of KEYS) {
      const p = PROCESSES[k];
      const execs = events.filter((e) => e.event.action === 'executed' && e.process?.executable === p.exe &&
        JSON.stringify(e.process?.args) === JSON.stringify(p.args));
      expect(execs, `exec of ${k} in the capture`).to.have.length(1);
      ids[k] = execs[0]!.process!.entity_id!;
    }
    expect(new Set(Object.values(ids)).size, 'one entity per defined process').to.equal(KEYS.length);
    ns = await realNamespace(es.client, 'nested');
    await indexEvents(es.client, ns, events);
    views.QueryService = direct(new QueryService(es.client, ns.indices));
    const app = createConsoleApp({ client: es.client, indices: ns.indices });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    views['console routes'] = overHttp(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });

  after(async () => {
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await ns?.cleanup();
  });

  it('the capture is what the workload defines: one session, every process in it, led by bash -c', () => {
    expect(new Set(events.map((e) => e.auditd?.session)).size, 'audit sessions').to.equal(1);
    for (const e of events) expect(e.process?.entry_leader?.entity_id, `entry leader of ${e.event.action}`).to.equal(ids.bash);
    // Executable and parent of every process, as defined (parents by entity id).
    for (const k of KEYS) {
      const exec = events.find((e) => e.process?.entity_id === ids[k] && e.event.action === 'executed')!;
      const parent = PROCESSES[k].parent;
      if (parent) expect(exec.process?.parent?.entity_id, `parent of ${k}`).to.equal(ids[parent]);
    }
  });

  for (const via of ['QueryService', 'console routes'] as const) {
    describe(`via the ${via}`, () => {
      const v = () => views[via];

      it('ancestry: each process up to the session entry, then the capturing process outside the session', async () => {
        // pyOut is (one of) the deepest: bash -> sh -> python3; every process is checked the same way.
        const deepest = KEYS.reduce((a, b) => (lineage(b).length > lineage(a).length ? b : a), 'pyOut' as ProcKey);
        expect(lineage(deepest)).to.deep.equal(['bash', 'sh', 'pyOut']);
        for (const k of KEYS) {
          const a = await v().ancestry(ids[k]);
          const below = a.chain.slice(1);
          expect(below.map((p) => p.executable), `executables above ${k}`).to.deep.equal(lineage(k).map((x) => PROCESSES[x].exe));
          expect(below.map((p) => p.args), `argv above ${k}`).to.deep.equal(lineage(k).map((x) => PROCESSES[x].args));
          expect(below.map((p) => p.entity_id)).to.deep.equal(lineage(k).map((x) => ids[x]));
          expect(below.every((p) => p.captured && p.entry_leader_entity_id === ids.bash)).to.equal(true);
          // The wrapper's parent (capture-nested.ts itself) ran outside the session: known only by pid.
          expect(a.chain[0]!.captured, `stub above ${k}`).to.equal(false);
          expect(a.chain[0]!.pid).to.equal(below[0]!.ppid);
          expect(a.stopped).to.equal('parent-not-captured');
        }
      });

      it('children: of bash, of sh, and none below the leaves, in start order', async () => {
        for (const k of KEYS) {
          const c = await v().children(ids[k]);
          const want = childrenOf(k);
          expect(c.children.map((x) => keyOf(x.entity_id)), `children of ${k}`).to.deep.equal(want);
          expect(c.children.map((x) => [x.executable, x.args])).to.deep.equal(want.map((x) => [PROCESSES[x].exe, PROCESSES[x].args]));
          expect(c.children.map((x) => x.child_count)).to.deep.equal(want.map((x) => childrenOf(x).length));
          expect(c.truncated).to.equal(false);
        }
        expect((await v().children(ids.bash)).children.map((x) => x.executable)).to.deep.equal([EXE.sh, EXE.nc, EXE.python3, EXE.rm]);
      });

      it('session timeline: every command, connection and the deletion, in the order they happened', async () => {
        const render = (s: Activity) =>
          s.kind === 'exec' ? `${s.proc} $ ${PROCESSES[s.proc].args.join(' ')}`
            : s.kind === 'file' ? `${s.proc} ${s.action} ${s.path}`
              : `${s.proc} ${s.action} ${s.action === 'accepted-connection-from' ? addr(s.peer) : addr(s.peer ?? s.local)}`;
        const page = await v().session(ids.bash);
        const got = page.items.map((i) =>
          i.kind === 'exec' ? `${keyOf(i.entity_id)} $ ${i.args!.join(' ')}`
            : i.kind === 'file' ? `${keyOf(i.entity_id)} ${i.action} ${i.file_path}`
              : `${keyOf(i.entity_id)} ${i.action} ${i.source ?? i.destination ?? '-'}`);
        expect(got).to.deep.equal(STORY.map(render));
        expect(page.total).to.equal(STORY.length);
        expect(page.next).to.equal(undefined);
        expect(got.filter((l) => l.startsWith('rm '))).to.deep.equal([`rm $ rm -f ${TMP_FILE}`, `rm deleted ${TMP_FILE}`]);
      });

      it('network: the connects with their destinations, the bind addresses, nc\'s accept with its peer', async () => {
        const want = STORY.filter((s): s is Extract<Activity, { kind: 'network' }> => s.kind === 'network');
        const row = (proc: string, action: string | undefined, src: string, dst: string) => `${proc} ${action} ${src} -> ${dst}`;
        const expected = (s: (typeof want)[number]) =>
          s.action === 'accepted-connection-from' ? row(s.proc, s.action, addr(s.peer), '-') : row(s.proc, s.action, '-', addr(s.peer ?? s.local));
        const rows = (n: NetworkEntry[]) => n.map((x) => row(keyOf(x.entity_id), x.action, addr(x.source), addr(x.destination)));
        expect(rows(await v().network({ sessionId: ids.bash }))).to.deep.equal(want.map(expected));
        for (const k of KEYS) {
          expect(rows(await v().network({ entityId: ids[k] })), `network of ${k}`).to.deep.equal(want.filter((s) => s.proc === k).map(expected));
        }
      });

      it('files: the deleted /tmp file, by rm, and nothing else in the session', async () => {
        const want = STORY.filter((s) => s.kind === 'file').map((s) => [s.proc, s.action, (s as { path: string }).path]);
        const rows = (f: FileEntry[]) => f.map((x) => [keyOf(x.entity_id), x.action, x.path]);
        expect(rows(await v().files({ sessionId: ids.bash }))).to.deep.equal(want);
        expect(rows(await v().files({ entityId: ids.rm }))).to.deep.equal([['rm', 'deleted', TMP_FILE]]);
        expect(await v().files({ entityId: ids.nc })).to.deep.equal([]);
      });

      it('pivot search: the workload\'s token finds exactly the processes whose argv carries it', async () => {
        const want = KEYS.filter((k) => PROCESSES[k].args.some((a) => a.includes(TOKEN)));
        expect(want).to.deep.equal(['bash', 'sh', 'ls', 'rm']);
        const r = await v().search(TOKEN);
        expect([...new Set(r.items.map((h) => keyOf(h.entity_id)))].sort()).to.deep.equal([...want].sort());
        // Case-insensitive substring, and the deletion itself is among the hits (by its file.path).
        expect((await v().search(TOKEN.toUpperCase())).total).to.equal(r.total);
        expect(r.items.filter((h) => h.file_path === TMP_FILE).map((h) => [keyOf(h.entity_id), h.action])).to.deep.equal([['rm', 'deleted']]);
        const nc = await v().search(EXE.nc);
        expect([...new Set(nc.items.map((h) => keyOf(h.entity_id)))]).to.deep.equal(['nc']);
      });
    });
  }

  it('raw events of the session: every indexed document once, under its deterministic id, in serial order', async () => {
    const qs = new QueryService((await sharedElasticsearch()).client, ns.indices);
    const raw = await qs.getRawEvents({ scope: { sessionId: ids.bash }, size: 500 });
    const bySerial = [...events].sort((a, b) => a.auditd!.sequence! - b.auditd!.sequence!);
    expect(raw.total).to.equal(events.length);
    expect(raw.items.map((r) => r.id)).to.deep.equal(bySerial.map((e) => eventId(e)));
  });
});
