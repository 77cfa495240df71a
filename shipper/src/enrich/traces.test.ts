// Real process-tree traces from Laurel's test data (read from the shared corpora, never copied), fed through
// the small raw reader in testing.ts: shell pipelines, records released in reverse order, pid reuse, and
// re-parenting to init.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { corpusPath } from '../../../test/corpora';
import type { EcsEvent } from '../../../common/ecs/event';
import { Enricher } from './enricher';
import { miniPipeline } from './testing';

const trace = (name: string) => miniPipeline(fs.readFileSync(corpusPath('laurel', 'src', 'testdata', name), 'utf8'));

function run(events: EcsEvent[]) {
  const en = new Enricher({ host: { id: 'laurel-host', name: 'laurel-host' } });
  const out = events.map((e) => en.enrich(e));
  const last = (pid: number) => [...out].reverse().find((e) => e.process?.pid === pid)!.process!;
  return { en, out, last };
}

describe('enrich: Laurel process-tree traces', () => {
  it('shell-proc-trace: ( echo | sed ) | grep keeps one id per process across fork+exec', () => {
    const { en, out, last } = run(trace('shell-proc-trace.txt'));
    const sed = last(71509);
    expect(sed.executable).to.equal('/usr/bin/sed');
    expect(en.ancestors(sed.entity_id!).map((a) => a.pid)).to.deep.equal([71506, 71505, 71432, 3505]);
    expect(last(71508).parent?.entity_id).to.equal(last(71506).entity_id);
    expect(last(71507).parent).to.deep.include({ pid: 71505, executable: '/usr/bin/dash', args: ['/bin/sh', './src/testdata/double-fork/test-script.sh'] });
    // The clone by bash (the first record) created 71505; its exec kept the id and remembered bash.
    const forkTime = Date.parse(out[0]['@timestamp']);
    expect(out[1].process?.start).to.equal(new Date(forkTime).toISOString());
    expect(last(71505).previous).to.deep.equal([{ executable: '/usr/bin/bash' }]);
    // Everything ran in audit session 3 from pts7: one entry leader, the interactive bash.
    const leaders = new Set(out.map((e) => e.process?.entry_leader?.entity_id));
    expect([...leaders]).to.deep.equal([last(71432).entity_id]);
    expect(sed.interactive).to.equal(true);
  });

  it('shell-proc-trace-reordered: the same tree when events are released in reverse order', () => {
    const { en, last } = run(trace('shell-proc-trace-reordered.txt'));
    expect(en.ancestors(last(71509).entity_id!).map((a) => a.pid)).to.deep.equal([71506, 71505, 71432, 3505]);
    expect(en.ancestors(last(71507).entity_id!).map((a) => a.pid)).to.deep.equal([71505, 71432, 3505]);
  });

  it('shell-proc-trace-confusion: a reused pid does not inherit the old process (Laurel issue)', () => {
    const { en, out, last } = run(trace('shell-proc-trace-confusion.txt'));
    const rm = out.find((e) => e.process?.executable === '/usr/bin/rm')!.process!;
    const id = out.find((e) => e.process?.args?.[0] === 'id')!.process!;
    // `id` (2656) was started by the tcsh forked as 2655, not by the long-gone rm that had pid 2655 before.
    expect(id.parent).to.deep.include({ pid: 2655, executable: '/bin/tcsh' });
    expect(id.parent?.entity_id).to.not.equal(rm.entity_id);
    const awk = last(2655);
    expect(awk.args?.[0]).to.equal('awk');
    expect(awk.entity_id).to.equal(id.parent?.entity_id);
    expect(en.ancestors(id.entity_id!).map((a) => a.pid)).to.deep.equal([2655, 2542, 2532]);
  });

  it('fork-sleep-exec: an orphan re-parented to init keeps its entity id', () => {
    const { out } = run(trace('fork-sleep-exec.txt'));
    const [parentExec, childFork, childExec] = out;
    expect(childExec.process).to.deep.include({ pid: 1578540, executable: '/usr/bin/true' });
    expect(childExec.process?.entity_id).to.equal(childFork.process?.entity_id);
    expect(childExec.process?.parent?.pid).to.equal(1);
    expect(childFork.process?.parent?.entity_id).to.equal(parentExec.process?.entity_id);
  });
});
