import { expect } from 'chai';
import { cachedKeyCount, internKey, keyHash } from './keys';
import { parseLine } from './parse';

function key(text: string, from = 0, to = text.length): string {
  let h = 0;
  for (let i = from; i < to; i++) h = keyHash(h, text.charCodeAt(i));
  return internKey(text, from, to, h);
}

describe('parse/keys: shared field names', () => {
  it('returns the same characters, and the cached one the second time (no new entry)', () => {
    const a = key('xx some_field=59', 3, 13);
    const n = cachedKeyCount();
    const b = key('some_field=59 yy', 0, 10);
    expect(a).to.equal('some_field');
    expect(b).to.equal('some_field');
    expect(cachedKeyCount()).to.equal(n);
    key('other_field');
    expect(cachedKeyCount()).to.equal(n + 1);
  });

  it('never hands out a cached key for other characters with the same hash', () => {
    // "Aa" and "BB" collide under the 31 multiplier, as in Java's String.hashCode.
    expect(keyHash(keyHash(0, 65), 97)).to.equal(keyHash(keyHash(0, 66), 66));
    expect(key('Aa')).to.equal('Aa');
    expect(key('BB')).to.equal('BB');
    expect(key('Aa')).to.equal('Aa');
  });

  it('stays bounded under attacker-chosen names (a user-space msg full of made-up keys)', () => {
    const body = Array.from({ length: 6000 }, (_, i) => `k${i}=v`).join(' ');
    const r = parseLine(`type=USER_MSG msg=audit(1.000:1): pid=1 uid=0 msg='${body}'`);
    expect(r.ok && r.record.fields.get('k5999')).to.equal('v');
    expect(r.ok && r.record.fields.size).to.equal(6002);
    expect(cachedKeyCount()).to.be.at.most(4096);
  });
});
