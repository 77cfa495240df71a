import { expect } from 'chai';
import { RecentParts } from './recent';

describe('coalesce/recent RecentParts', () => {
  const T = 1795698202063;

  it('numbers the groups of one event (same time and serial)', () => {
    const r = new RecentParts(8);
    expect(r.get(T, 5)).to.equal(undefined);
    expect(r.bump(T, 5)).to.equal(1);
    expect(r.bump(T, 5)).to.equal(2);
    expect(r.get(T, 5)).to.equal(2);
    expect(r.bump(T, 6)).to.equal(1);
    expect(r.get(T, 5)).to.equal(2);
  });

  it('counts only the very same time and serial (serials restart after an auditd restart)', () => {
    const r = new RecentParts(8);
    r.bump(T, 5);
    expect(r.bump(T + 1, 5)).to.equal(1); // same serial, another time: another event, which takes the slot
    expect(r.get(T, 5)).to.equal(undefined);
    expect(r.bump(T + 1, 5)).to.equal(2);
    expect(r.get(T + 1, 13)).to.equal(undefined); // same slot (13 & 7 = 5), another serial
  });

  it('remembers the last `size` events of a rising serial, and forgets older ones', () => {
    const size = 4096;
    const r = new RecentParts(size);
    for (let s = 1000; s < 1000 + 3 * size; s++) expect(r.bump(T + s, s)).to.equal(1);
    const last = 1000 + 3 * size - 1;
    for (let s = last - size + 1; s <= last; s++) expect(r.get(T + s, s)).to.equal(1);
    expect(r.get(T + last - size, last - size)).to.equal(undefined);
    expect(r.bump(T + last - 7, last - 7)).to.equal(2); // a later part, 7 events on
  });

  it('takes serial 0 and time 0 as any other', () => {
    const r = new RecentParts(4);
    expect(r.get(0, 0)).to.equal(undefined);
    expect(r.bump(0, 0)).to.equal(1);
    expect(r.bump(0, 0)).to.equal(2);
  });

  it('refuses a size that is not a power of two', () => {
    expect(() => new RecentParts(0)).to.throw(/power of two/);
    expect(() => new RecentParts(100)).to.throw(/power of two/);
  });
});
