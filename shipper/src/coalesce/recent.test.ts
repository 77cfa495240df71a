import { expect } from 'chai';
import { RecentCounts } from './recent';

describe('coalesce/recent RecentCounts', () => {
  it('counts sightings of a key', () => {
    const r = new RecentCounts(4);
    expect(r.bump('a')).to.equal(1);
    expect(r.bump('a')).to.equal(2);
    expect(r.get('a')).to.equal(2);
    expect(r.get('b')).to.equal(undefined);
  });

  it('forgets the oldest key first, in insertion order like a Map (a re-sighting does not refresh it)', () => {
    const r = new RecentCounts(3);
    for (const k of ['a', 'b', 'c']) r.bump(k);
    r.bump('a'); // still the oldest
    r.bump('d');
    expect(r.get('a')).to.equal(undefined);
    expect([r.get('b'), r.get('c'), r.get('d')]).to.deep.equal([1, 1, 1]);
    r.bump('e');
    r.bump('f');
    expect(r.get('b')).to.equal(undefined);
    expect(r.get('c')).to.equal(undefined);
    expect(r.size).to.equal(3);
  });

  it('agrees with the Map it replaced on a long random stream', () => {
    const max = 64;
    const r = new RecentCounts(max);
    const m = new Map<string, number>();
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 20_000; i++) {
      const key = `k${Math.floor(rnd() * 200)}`;
      const c = m.get(key);
      if (c !== undefined) m.set(key, c + 1);
      else {
        m.set(key, 1);
        if (m.size > max) m.delete(m.keys().next().value as string);
      }
      expect(r.bump(key)).to.equal(m.get(key));
    }
    expect(r.size).to.equal(m.size);
    for (const [k, v] of m) expect(r.get(k)).to.equal(v);
  });

  it('refuses a size below 1', () => {
    expect(() => new RecentCounts(0)).to.throw(/>= 1/);
  });
});
