import { expect } from 'chai';
import { CheckpointLedger } from './checkpoints';

describe('pipeline: CheckpointLedger', () => {
  it('holds the safe point at the oldest open line, however many lines open after it (the ring grows)', () => {
    const l = new CheckpointLedger();
    const first = l.add('c0');
    const n = 5000; // several times the initial ring, all open behind line 0
    for (let i = 1; i < n; i++) l.add(`c${i}`);
    expect(l.open).to.equal(n);
    for (let i = n - 1; i >= 1; i--) l.resolve(i);
    expect(l.safeCheckpoint()).to.equal(undefined);
    expect(l.checkpointOf(4321)).to.equal('c4321'); // copied into the larger ring
    l.resolve(first);
    expect(l.safeCheckpoint()).to.equal(`c${n - 1}`);
    expect(l.open).to.equal(0);
    expect(l.checkpointOf(4321)).to.equal(undefined); // passed: no longer held
  });

  it('reuses its slots once lines are resolved: a long steady stream keeps the checkpoints right', () => {
    const l = new CheckpointLedger();
    const window: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      window.push(l.add(`c${i}`));
      // Lines resolve out of order within a window of 8, as interleaved events do.
      if (window.length === 8) for (const k of [3, 1, 0, 2, 7, 5, 4, 6]) l.resolve(window[k]);
      if (window.length === 8) {
        expect(l.safeCheckpoint()).to.equal(`c${i}`);
        window.length = 0;
      }
    }
    expect(l.open).to.equal(0);
  });

  it('a line without a token keeps the previous safe point; unknown and repeated resolves change nothing', () => {
    const l = new CheckpointLedger();
    const a = l.add('a');
    const b = l.add(undefined);
    l.resolve(a);
    l.resolve(b);
    expect(l.safeCheckpoint()).to.equal('a');
    l.resolve(a);
    l.resolve(99);
    expect(l.safeCheckpoint()).to.equal('a');
    expect(l.open).to.equal(0);
  });
});
