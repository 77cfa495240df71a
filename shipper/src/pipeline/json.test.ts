import { expect } from 'chai';
import * as fs from 'node:fs';
import { corpusPath } from '../../../test/corpora';
import type { EcsEvent } from '../../../common/ecs/event';
import { Enricher } from '../enrich';
import { markImmutable } from './immutable';
import { eventJson } from './json';
import { runLines } from './pipeline';

const HOST = { id: 'm1', name: 'vm', hostname: 'vm', bootId: 'b1', architecture: 'x86_64', os: { type: 'linux', kernel: '6.1' } };

describe('eventJson: JSON.stringify byte for byte, with shared text spliced', () => {
  it('enriched corpus events serialize exactly as JSON.stringify, twice, and are left as they were', () => {
    const lines = fs.readFileSync(corpusPath('go-libaudit', 'testdata', 'normal.log'), 'utf8').split('\n');
    const sudo = fs.readFileSync(corpusPath('auditbeat', 'testdata', 'sudo.log'), 'utf8').split('\n');
    const { events } = runLines([...lines, ...sudo], { enricher: new Enricher({ host: HOST }) });
    expect(events.length).to.be.greaterThan(20);
    for (const ev of events) {
      const before = JSON.stringify(ev);
      const keys = Object.keys(ev).join() + '|' + Object.keys(ev.process ?? {}).join();
      expect(eventJson(ev)).to.equal(before);
      expect(eventJson(ev)).to.equal(before); // second time from the stored texts
      expect(JSON.stringify(ev)).to.equal(before);
      expect(Object.keys(ev).join() + '|' + Object.keys(ev.process ?? {}).join()).to.equal(keys);
    }
  });

  it('edge cases: no process, process left empty, undefined and function values, __proto__ keys', () => {
    const shared = markImmutable({ entity_id: 'x', pid: 1 });
    const host = markImmutable({ name: 'h' });
    const cases: unknown[] = [
      { a: 1 },
      { process: { entry_leader: shared }, host },
      { a: 'x', process: { pid: undefined, group_leader: shared }, b: undefined, c: () => 1, host, d: [1] },
      { process: { pid: 2, session_leader: shared, group_leader: shared }, tags: ['t'], host },
      { process: { pid: 2, group_leader: shared }, ['__proto__']: 1 },
      { process: { pid: 2, group_leader: shared, toJSON: () => 'p' } },
      { process: [shared] },
    ];
    Object.defineProperty(cases[4], '__proto__', { value: { q: 1 }, enumerable: true, writable: true, configurable: true });
    for (const c of cases) {
      const before = JSON.stringify(c);
      expect(eventJson(c as EcsEvent)).to.equal(before);
      expect(JSON.stringify(c)).to.equal(before);
    }
  });
});
