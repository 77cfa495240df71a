import { expect } from 'chai';
import { NODE_END_OF_LIFE, runtimeWarning } from './runtime';

describe('daemon: runtime support', () => {
  const on = (d: string) => new Date(`${d}T12:00:00Z`);

  it('warns from the day after a line\'s end of life, naming it and what to do', () => {
    expect(runtimeWarning('v20.20.2', on('2026-04-30'))).to.equal(undefined); // the last supported day
    const w = runtimeWarning('v20.20.2', on('2026-05-01'));
    expect(w).to.match(/^Node\.js v20\.20\.2 is past its end of life \(2026-04-30\): it no longer gets security fixes/);
    expect(w).to.include('/usr/local/bin/auditsight-node');
    expect(runtimeWarning('v25.9.0', on('2026-11-26'))).to.match(/\(2026-06-01\)/); // odd lines end sooner
  });

  it('supported and newer lines pass; older than the table is past its end too', () => {
    for (const v of ['v22.12.0', 'v24.21.0', 'v26.10.0']) expect(runtimeWarning(v, on('2026-11-26')), v).to.equal(undefined);
    expect(runtimeWarning('v27.0.0', on('2026-11-26'))).to.equal(undefined); // newer than the table
    expect(runtimeWarning('v14.21.3', on('2026-11-26'))).to.match(/^Node\.js v14\.21\.3 is past its end of life: /);
    expect(runtimeWarning('nonsense', on('2026-11-26'))).to.equal(undefined);
  });

  it('LTS lines end on 30 April, three years after their first release', () => {
    for (const major of [18, 20, 22, 24, 26]) expect(NODE_END_OF_LIFE[major], String(major)).to.equal(`${2016 + major / 2}-04-30`);
  });
});
