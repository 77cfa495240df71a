import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { EcsEvent } from '../../../common/ecs/event';
import { runLines } from '../pipeline/pipeline';
import { Enricher } from './enricher';

// Two real root ssh logins captured from the kernel (e2e/scenario/root-login.ts): an interactive one and one
// with a command. pam_motd's `sh -c run-parts` and root's shell both run as root in the new audit session, so
// uids cannot tell them apart; the order can: the helpers run between pam_loginuid's LOGIN and USER_START.
const CAPTURE = path.join(__dirname, 'testdata', 'root-ssh-login.log');

describe('entry leader of a root ssh login', () => {
  const { events } = runLines(fs.readFileSync(CAPTURE, 'utf8').split('\n'), { enricher: new Enricher({ host: { id: 'h', name: 'h' } }) });
  const execs = events.filter((e) => e.event.action === 'executed' && e.auditd?.result === 'success');
  const bySession = new Map<string, EcsEvent[]>();
  for (const e of execs) bySession.set(e.auditd!.session!, [...(bySession.get(e.auditd!.session!) ?? []), e]);
  const cmd = (e: EcsEvent) => e.process?.args?.join(' ') ?? '';

  it('captured two root sessions, each starting with the motd helper', () => {
    expect([...bySession.keys()]).to.have.length(2);
    for (const list of bySession.values()) {
      expect(cmd(list[0])).to.include('update-motd.d');
      expect(list[0].user?.id).to.equal('0');
      expect(list[0].user?.audit?.id).to.equal('0');
    }
  });

  for (const [what, mark] of [
    ['interactive', 'auditsight-root-interactive'],
    ['with a command', 'auditsight-root-command'],
  ] as const) {
    it(`${what}: the shell sshd started leads the session, not the motd script`, () => {
      const list = [...bySession.values()].find((l) => l.some((e) => cmd(e).includes(mark)))!;
      expect(list, mark).to.not.equal(undefined);
      const shell = list.findIndex((e) => e.process?.parent?.name === 'sshd' && /^(-?bash|bash -c)/.test(cmd(e)));
      expect(shell, 'the shell exec').to.be.greaterThan(0);
      for (const e of list.slice(0, shell)) expect(e.process?.entry_leader, cmd(e)).to.equal(undefined);
      const leader = list[shell].process!.entry_leader!;
      expect(leader.entity_id).to.equal(list[shell].process!.entity_id);
      expect(leader.entry_meta).to.deep.equal({ type: 'sshd', source: { ip: '127.0.0.1' } });
      for (const e of list.slice(shell)) expect(e.process?.entry_leader?.entity_id, cmd(e)).to.equal(leader.entity_id);
      expect(list.find((e) => cmd(e).includes(mark))?.process?.entry_leader?.entity_id).to.equal(leader.entity_id);
    });
  }

  it('a lost USER_START delays the leader by the bound, it does not leave the session without one', () => {
    const lines = fs.readFileSync(CAPTURE, 'utf8').split('\n');
    const withoutStart = lines.filter((l) => !(l.startsWith('type=USER_START') && l.includes('exe="/usr/sbin/sshd"')));
    const ses = execs.find((x) => cmd(x).includes('auditsight-root-interactive'))!.auditd!.session;
    const at = (e: EcsEvent) => Date.parse(e['@timestamp']);
    const real = bySession.get(ses!)!;
    // A bound between the motd helper (ms after the LOGIN) and the marker typed a second later.
    const login = at(events.find((e) => e.auditd?.message_type === 'login' && e.auditd.session === ses)!);
    const mark = at(real.find((e) => cmd(e).includes('auditsight-root-interactive'))!);
    const bound = Math.round((mark - login) / 2);
    expect(at(real[0]) - login, 'motd runs within the bound').to.be.lessThan(bound);
    const r = runLines(withoutStart, { enricher: new Enricher({ host: { id: 'h', name: 'h' }, sessionOpenMaxMs: bound }) });
    const list = r.events.filter((e) => e.event.action === 'executed' && e.auditd?.result === 'success' && e.auditd.session === ses);
    const shell = list.find((e) => e.process?.parent?.name === 'sshd' && cmd(e).startsWith('bash'))!;
    const late = list.filter((e) => at(e) - login >= bound);
    expect(late.length).to.be.greaterThan(0);
    for (const e of late) expect(e.process?.entry_leader?.entity_id, cmd(e)).to.equal(shell.process!.entity_id);
    expect(list[0].process?.entry_leader, 'the motd helper').to.equal(undefined);
  });
});
