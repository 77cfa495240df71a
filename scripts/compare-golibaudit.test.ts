import { expect } from 'chai';
import * as fs from 'node:fs';
import { corpusPath } from '../test/corpora';
import { comparePaired, oursAtGoLevel } from './compare-golibaudit';

// The go side needs a Go toolchain (bench/auparse.ts); here only our side and the pairing are tested.
describe('compare-golibaudit: pairing and comparison', () => {
  it('our events against themselves: all exact; an event on one side only is reported', () => {
    const { events } = oursAtGoLevel(fs.readFileSync(corpusPath('go-libaudit', 'testdata', 'normal.log'), 'utf8'));
    expect(events.map((e) => e.key)).to.deep.equal(['58@1492037289295', '59@1492037291036', '60@1492037291038', '61@1492037298883', '62@1492037298883']);
    const same = comparePaired(events, events, 't');
    expect(same).to.include({ events: 5, exactMatches: 5, differences: same.differences });
    expect(same.differences).to.deep.equal([]);
    const theirs = events.slice(1).map((e, i) => (i === 0 ? { ...e, doc: { ...e.doc, result: 'fail' } } : e));
    const r = comparePaired(events, theirs, 't');
    expect(r.differences.map((d) => `${d.event} ${d.field}`)).to.deep.equal(['58@1492037289295 (event)', '59@1492037291036 result']);
  });
});
