import { expect } from 'chai';
import { sharedElasticsearch, uniqueName } from '../../test/elasticsearch';
import { E, HOSTILE, indexBobStory, type IndexedStory } from '../test/bob-story';
import { NotFoundError, QueryService } from './query-service';

describe('kibana-plugin QueryService against real Elasticsearch @integration', function () {
  this.timeout(120_000);
  let story: IndexedStory;
  let qs: QueryService;
  const BIG = 1200;

  before(async () => {
    const es = await sharedElasticsearch();
    story = await indexBobStory(es.client, uniqueName('qs'), { bigSession: BIG });
    qs = new QueryService(es.client, story.indices);
  });
  after(async () => story?.cleanup());

  it('process by entity id: latest exec, user and login user, still running when no exit', async () => {
    const nc = await qs.getProcess(E.nc);
    expect(nc.captured).to.equal(true);
    expect(nc.executable).to.equal('/bin/nc.traditional');
    expect(nc.args).to.deep.equal(['nc', '-l', '-p', '4444', '-e', '/bin/sh']);
    expect(nc.user?.name).to.equal('root');
    expect(nc.login_user?.name).to.equal('bob');
    expect(nc.pid).to.equal(2251);
    expect(nc.ppid).to.equal(2250);
    expect(nc.parent_entity_id).to.equal(E.service1);
    expect(nc.entry_leader_entity_id).to.equal(E.bash);
    expect(nc.host?.name).to.equal('web-01');
    expect(nc.exec_count).to.equal(1);
    expect(nc.end).to.equal(undefined);
    expect(nc.exit_code).to.equal(undefined);

    const rm = await qs.getProcess(E.rm);
    expect(rm.exit_code).to.equal(0);
    expect(rm.end).to.be.a('string');
  });

  it('a process known only as a parent is a stub, an unknown one is a 404', async () => {
    const listener = await qs.getProcess(E.sshdListener);
    expect(listener.captured).to.equal(false);
    expect(listener.pid).to.equal(812);
    expect(listener.executable).to.equal('/usr/sbin/sshd');
    const err = await qs.getProcess('0123456789abcdef0123456789abcdef').catch((e) => e);
    expect(err).to.be.instanceOf(NotFoundError);
  });

  it('ancestry: sshd -> bash (bob) -> sudo -> bash -> sh /sbin/service1 -> nc, stopping where capture stopped', async () => {
    const a = await qs.getAncestry(E.nc);
    expect(a.chain.map((p) => p.entity_id)).to.deep.equal([E.sshdListener, E.sshd, E.bash, E.sudo, E.rootBash, E.service1, E.nc]);
    expect(a.chain.map((p) => p.executable)).to.deep.equal([
      '/usr/sbin/sshd', '/usr/sbin/sshd', '/bin/bash', '/usr/bin/sudo', '/bin/bash', '/bin/sh', '/bin/nc.traditional',
    ]);
    expect(a.chain[0]!.captured).to.equal(false);
    expect(a.chain.slice(1).every((p) => p.captured)).to.equal(true);
    expect(a.chain[2]!.user?.name).to.equal('bob');
    expect(a.stopped).to.equal('parent-not-captured');

    const bounded = await qs.getAncestry(E.nc, 2);
    expect(bounded.stopped).to.equal('max-depth');
    expect(bounded.chain.map((p) => p.entity_id)).to.deep.equal([E.rootBash, E.service1, E.nc]);

    const orphan = await qs.getAncestry(E.evil);
    expect(orphan.chain.map((p) => p.entity_id)).to.deep.equal([E.evilParent, E.evil]);
    expect(orphan.stopped).to.equal('parent-not-captured');
  });

  it('children: aggregated by entity id in start order, with grandchild counts', async () => {
    const bash = await qs.getChildren(E.bash);
    expect(bash.children.map((c) => c.entity_id)).to.deep.equal([E.id, E.sudo, E.rm]);
    expect(bash.children.map((c) => c.child_count)).to.deep.equal([0, 1, 0]);
    const root = await qs.getChildren(E.rootBash);
    expect(root.children.map((c) => c.executable)).to.deep.equal(['/usr/bin/cat', '/usr/bin/chmod', '/bin/sh']);
    expect(root.children.map((c) => c.child_count)).to.deep.equal([0, 0, 1]);
    const nc = await qs.getChildren(E.nc);
    expect(nc.children.map((c) => [c.entity_id, c.child_count])).to.deep.equal([[E.remoteSh, 1]]);
    expect((await qs.getChildren(E.bash, 2)).truncated).to.equal(true);
    expect((await qs.getChildren(E.whoami)).children).to.deep.equal([]);
  });

  it('session timeline: every command of the login session in order, incl. rm of .bash_history and its deletion', async () => {
    const page = await qs.getSessionTimeline(E.bash, { size: 100 });
    expect(page.next).to.equal(undefined);
    const lines = page.items.map((i) => (i.kind === 'exec' ? `$ ${i.args!.join(' ')}` : `${i.kind} ${i.action} ${i.file_path ?? i.source ?? i.destination ?? '-'}`));
    expect(lines).to.deep.equal([
      '$ -bash',
      '$ id',
      '$ sudo bash',
      '$ bash',
      '$ cat',
      '$ chmod +x /sbin/service1',
      '$ /bin/sh /sbin/service1',
      '$ nc -l -p 4444 -e /bin/sh',
      'network bound-socket 0.0.0.0:4444',
      // listen(2) has no address record: the real shape carries none.
      'network listen-for-connections -',
      'network accepted-connection-from 198.51.100.7:51234',
      '$ /bin/sh',
      '$ whoami',
      '$ rm /home/bob/.bash_history',
      'file deleted /home/bob/.bash_history',
    ]);
    expect(page.total).to.equal(15);
  });

  it('session timeline pages a 1200-process session with search_after, no loss and no repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const p = await qs.getSessionTimeline(E.bigLeader, { size: 500, cursor });
      expect(p.total).to.equal(BIG);
      seen.push(...p.items.map((i) => i.id));
      cursor = p.next;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).to.equal(3);
    expect(seen.length).to.equal(BIG);
    expect(new Set(seen).size).to.equal(BIG);
  });

  it('network: exactly the nc bind, listen and accept; scoped by session too', async () => {
    const n = await qs.getNetwork({ entityId: E.nc });
    expect(n.map((x) => [x.action, x.source?.ip ?? null, x.destination?.port])).to.deep.equal([
      ['bound-socket', null, 4444],
      ['listen-for-connections', null, undefined],
      ['accepted-connection-from', '198.51.100.7', 4444],
    ]);
    expect((await qs.getNetwork({ entityId: E.rm })).length).to.equal(0);
    expect((await qs.getNetwork({ sessionId: E.bash })).map((x) => x.entity_id)).to.deep.equal([E.nc, E.nc, E.nc]);
  });

  it('files: the deletion for rm; the session touched /sbin/service1 and .bash_history and nothing else', async () => {
    expect((await qs.getFiles({ entityId: E.rm })).map((f) => [f.action, f.path])).to.deep.equal([['deleted', '/home/bob/.bash_history']]);
    const s = await qs.getFiles({ sessionId: E.bash });
    expect(s.map((f) => `${f.action} ${f.path}`)).to.deep.equal([
      'opened-file /sbin/service1',
      'changed-file-permissions-of /sbin/service1',
      'deleted /home/bob/.bash_history',
    ]);
  });

  it('alerts: for the process, for the session, by id, and latest first', async () => {
    const forNc = await qs.getAlerts({ scope: { entityId: E.nc } });
    expect(forNc.map((a) => a.id)).to.deep.equal([story.alertIds.nc]);
    expect(forNc[0]!.severity).to.equal('high');
    expect(forNc[0]!.tactics).to.deep.equal(['Execution']);
    expect(forNc[0]!.techniques).to.deep.equal(['T1059.004 Unix Shell']);
    expect(forNc[0]!.user).to.equal('bob');
    expect(forNc[0]!.source_event_ids).to.deep.equal([story.ncExecEventId]);
    const session = await qs.getAlerts({ scope: { sessionId: E.bash } });
    expect(session.map((a) => a.id)).to.deep.equal([story.alertIds.rm, story.alertIds.nc]);
    expect((await qs.getAlerts()).map((a) => a.id)).to.deep.equal([story.alertIds.evil, story.alertIds.rm, story.alertIds.nc]);
    expect((await qs.getAlert(story.alertIds.rm)).entity_id).to.equal(E.rm);
    expect(await qs.getAlert('nope').catch((e) => e)).to.be.instanceOf(NotFoundError);
  });

  it('pivot search: substring across paths and args on every host; metacharacters are literal', async () => {
    const r = await qs.search('service1');
    const ids = new Set(r.items.map((h) => h.entity_id));
    expect([...ids].sort()).to.deep.equal([E.cat, E.chmod, E.service1].sort());
    expect((await qs.search('SBIN/SERVICE')).total).to.equal(r.total);
    // '*' is a literal: it must not match everything.
    expect((await qs.search('*')).total).to.equal(0);
    expect((await qs.search('serv?ce1')).total).to.equal(0);
    // Hostile text is just text to match.
    const evil = await qs.search(HOSTILE);
    expect(evil.items.map((h) => h.entity_id)).to.deep.equal([E.evil]);
    expect(evil.items[0]!.host).to.equal('db-02');
    // An IP pivots to socket events.
    expect((await qs.search('198.51.100.7')).items.map((h) => h.action)).to.include('accepted-connection-from');
    expect((await qs.search('service1', { from: '2030-01-01', to: 'now' })).total).to.equal(0);
  });

  it('raw events: all documents of a process in order, and an alert\'s source events', async () => {
    const raw = await qs.getRawEvents({ scope: { entityId: E.nc } });
    expect(raw.items.map((r) => r.source.event.action)).to.deep.equal([
      'executed', 'bound-socket', 'listen-for-connections', 'accepted-connection-from',
    ]);
    const src = await qs.getRawEvents({ alertId: story.alertIds.nc });
    expect(src.items.map((r) => r.id)).to.deep.equal([story.ncExecEventId]);
  });
});
