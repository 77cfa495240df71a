import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EcsEvent } from '../../../common/ecs/event';
import { eventId } from '../outputs/ids';
import { runLines } from '../pipeline/pipeline';
import { Enricher } from './enricher';
import { ACTION_FORK, TAG_DERIVED } from './fork-event';

// bob's real ssh session (e2e/scenario/insider.log), captured under the recommended rules, which audit
// fork/vfork/clone: bash forks for every command, sudo forks, the backdoor's sh forks nc.
const CAPTURE = path.resolve(__dirname, '..', '..', '..', 'e2e', 'scenario', 'insider.log');
const lines = fs.readFileSync(CAPTURE, 'utf8').split('\n');
const enricher = () => new Enricher({ host: { id: 'h', name: 'h' } });

describe('enrich: Session View fork events derived from clone records', () => {
  const { events, metas, stats } = runLines(lines, { enricher: enricher() });
  const clones = events.filter((e) => ['clone', 'fork', 'vfork'].includes(String(e.auditd?.data?.syscall)) && e.auditd?.result === 'success' && e.event.action !== ACTION_FORK);
  const forks = events.filter((e) => e.event.action === ACTION_FORK);

  it('one fork event per successful process clone, just before it, counted as derived', () => {
    expect(clones.length).to.be.greaterThan(10);
    expect(forks).to.have.length(clones.length);
    expect(stats.derived).to.equal(forks.length);
    for (const c of clones) {
      const i = events.indexOf(c);
      expect(events[i - 1].event.action).to.equal(ACTION_FORK);
      expect(metas[i - 1]).to.deep.equal({ kind: 'derived', checkpoint: undefined });
    }
  });

  it('describes the child: its pid, its entity id (kept by its exec), the caller as parent, the same session', () => {
    for (const c of clones) {
      const f = events[events.indexOf(c) - 1];
      const child = Number(c.auditd!.data!.exit);
      expect(f.process!.pid).to.equal(child);
      expect(f.process!.parent!.entity_id).to.equal(c.process!.entity_id);
      expect(f.process!.parent!.pid).to.equal(c.process!.pid);
      expect(f.process!.entity_id).to.not.equal(c.process!.entity_id);
      // The child starts with its parent's image, in the parent's login session.
      expect(f.process!.executable).to.equal(c.process!.executable);
      expect(f.process!.entry_leader?.entity_id).to.equal(c.process!.entry_leader?.entity_id);
      expect(f.process!.start).to.equal(c['@timestamp']);
      expect(f.event).to.deep.include({ kind: 'event', category: ['process'], type: ['start'], outcome: 'success' });
      expect(f.auditd).to.deep.include({ sequence: c.auditd!.sequence, session: c.auditd!.session });
      expect(f.tags).to.include(TAG_DERIVED);
      expect(f.event.original).to.equal(undefined);
      expect(eventId(f)).to.not.equal(eventId(c));
      const exec = events.find((e) => e.event.action === 'executed' && e.process?.pid === child && e.auditd?.result === 'success');
      if (exec) expect(exec.process!.entity_id).to.equal(f.process!.entity_id);
    }
  });

  it('children that never exec get their node only from the fork event: the pipeline subshell, sudo\'s monitors', () => {
    const nc = events.find((e) => e.event.action === 'executed' && e.process?.name === 'nc.traditional')!;
    const leader = nc.process!.entry_leader!.entity_id;
    expect(forks.some((f) => f.process!.entity_id === nc.process!.entity_id), 'the fork that became nc').to.equal(true);
    const execd = new Set(events.filter((e) => e.event.action === 'executed').map((e) => e.process!.entity_id));
    const neverExec = forks.filter((f) => f.process!.entry_leader?.entity_id === leader && !execd.has(f.process!.entity_id));
    // `printf ... | sudo tee`: bash forks a subshell for the builtin printf; sudo forks a monitor per command.
    const shell = neverExec.filter((f) => f.process!.name === 'bash' && f.process!.parent!.entity_id === leader);
    const sudo = neverExec.filter((f) => f.process!.name === 'sudo');
    expect(shell, 'the printf subshell').to.have.length(1);
    expect(sudo.map((f) => f.process!.args!.slice(1).join(' '))).to.deep.equal(['tee /sbin/service1', 'chmod 755 /sbin/service1', '/sbin/service1']);
    // Session View draws a node per entity id among fork/exec/end events; each parent is a node too, up to
    // the entry leader (whose parent, sshd, is outside the session).
    const session = events.filter((e) => e.process?.entry_leader?.entity_id === leader && ['fork', 'executed', 'end'].includes(String(e.event.action)));
    const nodes = new Set(session.map((e) => e.process!.entity_id));
    for (const f of [...shell, ...sudo]) expect(nodes.has(f.process!.entity_id)).to.equal(true);
    const orphans = session.filter((e) => e.process!.entity_id !== leader && !nodes.has(e.process!.parent?.entity_id));
    expect(orphans.map((e) => `${e.event.action} ${e.process!.args?.join(' ')}`)).to.deep.equal([]);
  });

  it('none when disabled, and the audit events are the same either way', () => {
    const off = runLines(lines, { enricher: new Enricher({ host: { id: 'h', name: 'h' }, forkEvents: false }) });
    expect(off.events.filter((e) => e.event.action === ACTION_FORK)).to.have.length(0);
    const strip = (list: EcsEvent[]) => list.filter((e) => e.event.action !== ACTION_FORK).map((e) => JSON.stringify(e));
    expect(strip(off.events)).to.deep.equal(strip(events));
  });
});
