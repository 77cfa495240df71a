import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runLines } from '../pipeline/pipeline';
import { Enricher } from './enricher';

// bob's real ssh login, captured from the kernel (e2e/scenario/insider.log): sshd runs pam_motd's
// `sh -c run-parts /etc/update-motd.d` as root in bob's new audit session before his shell starts.
const CAPTURE = path.resolve(__dirname, '..', '..', '..', 'e2e', 'scenario', 'insider.log');

describe('entry leader of an ssh login with PAM session helpers', () => {
  const { events } = runLines(fs.readFileSync(CAPTURE, 'utf8').split('\n'), { enricher: new Enricher({ host: { id: 'h', name: 'h' } }) });
  const execs = events.filter((e) => e.event.action === 'executed');
  const firstShell = execs.findIndex((e) => e.process?.args?.[0] === 'bash');

  it('is the user\'s shell (entered by sshd from 127.0.0.1), not the motd script that ran first', () => {
    expect(firstShell).to.be.greaterThan(0);
    const leaders = new Set(execs.slice(firstShell).map((e) => e.process?.entry_leader?.entity_id));
    expect(leaders.size).to.equal(1);
    const leader = execs[firstShell].process!.entry_leader!;
    expect(leader.entity_id).to.equal(execs[firstShell].process!.entity_id);
    expect(leader.entry_meta).to.deep.equal({ type: 'sshd', source: { ip: '127.0.0.1' } });
    expect(execs.find((e) => e.process?.args?.[0] === 'rm')?.process?.entry_leader?.entity_id).to.equal(leader.entity_id);
  });

  it('gives the root PAM helpers no entry leader rather than a wrong one', () => {
    const motd = execs.slice(0, firstShell);
    expect(motd.some((e) => e.process?.args?.join(' ').includes('update-motd.d'))).to.equal(true);
    for (const e of motd) expect(e.process?.entry_leader, e.process?.args?.join(' ')).to.equal(undefined);
  });
});
