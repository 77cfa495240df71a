import { expect } from 'chai';
import { ByteArena } from './payload';

describe('ByteArena', () => {
  it('hands out the UTF-8 of each string, across buffer boundaries, big strings and multi-byte text', () => {
    const arena = new ByteArena(64);
    const texts = ['{"a":1}', 'caf\u00e9 \u{1F600}', 'x'.repeat(20), '\u2028\u00fc'.repeat(5), '', 'y'.repeat(200), 'z'];
    const puts = texts.map((t) => arena.put(t));
    const views = puts.map((p) => p.view);
    // Earlier views stay intact after later puts while none is released.
    expect(views.map((v) => v.toString('utf8'))).to.deep.equal(texts);
    expect(views.map((v) => v.length)).to.deep.equal(texts.map((t) => Buffer.byteLength(t)));
    // Small strings share a buffer; a string too big for one gets its own, outside any chunk.
    expect(views[1].buffer).to.equal(views[0].buffer);
    expect(views[5].length).to.equal(200);
    expect(puts[5].chunk).to.equal(undefined);
  });

  // 256-byte chunks take strings of up to 10 characters (3 bytes each at most: 1/8 of a chunk).
  it('writes over a chunk only once every view of it was released', () => {
    const arena = new ByteArena(256);
    const a = arena.put('a'.repeat(10));
    const b = arena.put('b'.repeat(10));
    arena.release(a.chunk!);
    // b is still out: the next put goes after it, a's bytes stay as they were.
    const c = arena.put('c'.repeat(10));
    expect(c.view.buffer).to.equal(a.view.buffer);
    expect(c.view.byteOffset).to.equal(b.view.byteOffset + 10);
    expect(a.view.toString()).to.equal('a'.repeat(10));
    arena.release(b.chunk!);
    arena.release(c.chunk!);
    // All released: the chunk starts over at its beginning.
    const d = arena.put('d'.repeat(10));
    expect(d.view.buffer).to.equal(a.view.buffer);
    expect(d.view.byteOffset).to.equal(a.view.byteOffset);
    expect(a.view.toString()).to.equal('d'.repeat(10));
  });

  it('reuses a full chunk as the next one once its views are released, and never one with views out', () => {
    const arena = new ByteArena(256);
    const first = [arena.put('a'.repeat(10))];
    while (first.at(-1)!.view.buffer === first[0].view.buffer) first.push(arena.put('a'.repeat(10)));
    // The last put did not fit: it opened a second chunk while the first is full with its views out.
    const second = first.pop()!;
    expect(first.length).to.be.greaterThan(10);
    const more = [second];
    while (more.at(-1)!.view.buffer === second.view.buffer) more.push(arena.put('b'.repeat(10)));
    // The first chunk still has views out: the third chunk is new memory.
    const third = more.pop()!;
    expect(third.view.buffer).to.not.equal(first[0].view.buffer);
    for (const p of first) arena.release(p.chunk!);
    expect(first[1].view.toString()).to.equal('a'.repeat(10));
    while (arena.put('c'.repeat(10)).view.buffer === third.view.buffer);
    // The third chunk filled up: the fourth is the first chunk's memory, and the second chunk (views out) is intact.
    expect(arena.put('d'.repeat(10)).view.buffer).to.equal(first[0].view.buffer);
    expect(more.every((p) => p.view.toString() === (p === second ? 'a' : 'b').repeat(10))).to.equal(true);
  });
});
