import { expect } from 'chai';
import { ReusableBuffer } from './reusable-buffer';

describe('ReusableBuffer', () => {
  it('hands out the same memory again, growing in steps up to its bound', () => {
    const rb = new ReusableBuffer(1 << 20);
    const a = rb.get(100);
    expect(a.length).to.equal(100);
    const b = rb.get(5000);
    expect(b.buffer).to.equal(a.buffer);
    expect(b.byteOffset).to.equal(a.byteOffset);
    // Past what it holds (64 KiB first): a buffer at least twice as large, then that one is reused.
    const c = rb.get(100 * 1024);
    expect(c.buffer).to.not.equal(a.buffer);
    expect(c.buffer.byteLength).to.equal(128 * 1024);
    expect(rb.get(120 * 1024).buffer).to.equal(c.buffer);
  });

  it('gives a request above its bound a buffer of its own, and never reuses a discarded one', () => {
    const rb = new ReusableBuffer(1024);
    const kept = rb.get(1000);
    const big = rb.get(4096);
    expect(big.length).to.equal(4096);
    expect(big.buffer).to.not.equal(kept.buffer);
    expect(rb.get(10).buffer).to.equal(kept.buffer);
    rb.discard();
    expect(rb.get(10).buffer).to.not.equal(kept.buffer);
  });

  it('gives back a buffer grown for a burst once 64 uses in a row needed a quarter of it at most', () => {
    const rb = new ReusableBuffer(1 << 20);
    const big = rb.get(1 << 20);
    for (let i = 0; i < 63; i++) expect(rb.get(1000).buffer).to.equal(big.buffer);
    // One larger use in between starts the count again.
    expect(rb.get(600 * 1024).buffer).to.equal(big.buffer);
    for (let i = 0; i < 63; i++) expect(rb.get(1000).buffer).to.equal(big.buffer);
    const after = rb.get(1000);
    expect(after.buffer).to.not.equal(big.buffer);
    expect(after.buffer.byteLength).to.equal(64 * 1024);
  });
});
