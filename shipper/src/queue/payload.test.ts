import { expect } from 'chai';
import { ByteArena } from './payload';

describe('ByteArena', () => {
  it('hands out the UTF-8 of each string, across buffer boundaries, big strings and multi-byte text', () => {
    const arena = new ByteArena(64);
    const texts = ['{"a":1}', 'caf\u00e9 \u{1F600}', 'x'.repeat(20), '\u2028\u00fc'.repeat(5), '', 'y'.repeat(200), 'z'];
    const views = texts.map((t) => arena.put(t));
    // Earlier views stay intact after later puts (no buffer is reused while a view may be held).
    expect(views.map((v) => v.toString('utf8'))).to.deep.equal(texts);
    expect(views.map((v) => v.length)).to.deep.equal(texts.map((t) => Buffer.byteLength(t)));
    // Small strings share a buffer; a string too big for one gets its own.
    expect(views[1].buffer).to.equal(views[0].buffer);
    expect(views[5].length).to.equal(200);
  });
});
