import { expect } from 'chai';
import { decodeCursor, encodeCursor, escapeWildcard, parseParams } from './params';
import { ROUTE_SPECS } from './routes';

describe('kibana-plugin parameter schemas', () => {
  const ok = <T>(r: { ok: true; value: T } | { ok: false; error: string }) => {
    if (!r.ok) throw new Error(r.error);
    return r.value;
  };

  it('accepts hex and Elastic base64 entity ids, rejects anything query-like', () => {
    const spec = ROUTE_SPECS.process.params;
    expect(ok(parseParams(spec, { entity_id: '0123456789abcdef0123456789abcdef' }))).to.deep.equal({ entity_id: '0123456789abcdef0123456789abcdef' });
    expect(parseParams(spec, { entity_id: 'ZDA5NzQ0MTctNzE2Mi00ZTNjLWI0MzQtMTE1MGE3Zjk5Y2Vk==' }).ok).to.equal(true);
    for (const bad of ['', '*', 'a b', 'a"', 'x OR y', '<img>', 'a'.repeat(300), '-leading']) {
      expect(parseParams(spec, { entity_id: bad }).ok, bad).to.equal(false);
    }
  });

  it('fills defaults, coerces numeric strings, enforces caps and rejects unknown or repeated keys', () => {
    const spec = ROUTE_SPECS.session.params;
    expect(ok(parseParams(spec, { session_id: 'abc' }))).to.deep.equal({ session_id: 'abc', leader: 'entry', size: 200 });
    expect(ok(parseParams(spec, { session_id: 'abc', size: '1000', leader: 'session' })).size).to.equal(1000);
    expect(ok(parseParams(spec, { session_id: 'abc', size: 7 })).size).to.equal(7);
    expect(parseParams(spec, { session_id: 'abc', size: '1001' })).to.deep.equal({ ok: false, error: 'size: must be an integer in [1, 1000]' });
    expect(parseParams(spec, { session_id: 'abc', size: '1e3' }).ok).to.equal(false);
    expect(parseParams(spec, { session_id: 'abc', leader: 'group' }).ok).to.equal(false);
    expect(parseParams(spec, { session_id: 'abc', index: 'x' })).to.deep.equal({ ok: false, error: 'index: unknown parameter' });
    expect(parseParams(spec, { session_id: ['a', 'b'] })).to.deep.equal({ ok: false, error: 'repeated parameter' });
  });

  it('takes ISO dates and now-based date math as times, and checks their order', () => {
    const spec = ROUTE_SPECS.search.params;
    for (const t of ['now', 'now-15m', 'now-7d/d', '2026-03-14', '2026-03-14T09:00:00Z', '2026-03-14T09:00:00.123+01:00']) {
      expect(parseParams(spec, { q: 'x', from: t }).ok, t).to.equal(true);
    }
    for (const t of ['yesterday', 'now-', '2026-13-45', 'now||+1d', '1710400000']) expect(parseParams(spec, { q: 'x', from: t }).ok, t).to.equal(false);
    expect(parseParams(spec, { q: 'x', from: '2026-03-15', to: '2026-03-14' }).ok).to.equal(false);
  });

  it('requires exactly one scope where a view can be per process or per session', () => {
    const spec = ROUTE_SPECS.network.params;
    expect(parseParams(spec, {}).ok).to.equal(false);
    expect(parseParams(spec, { entity_id: 'a', session_id: 'b' }).ok).to.equal(false);
    expect(ok(parseParams(spec, { session_id: 'b' }))).to.deep.equal({ session_id: 'b', size: 200 });
  });

  it('round-trips cursors and rejects forged ones', () => {
    const c = encodeCursor([1710406800000, 1234, 'host', null]);
    expect(decodeCursor(c)).to.deep.equal([1710406800000, 1234, 'host', null]);
    for (const bad of ['!!', Buffer.from('{"a":1}').toString('base64url'), Buffer.from('[]').toString('base64url'), Buffer.from('[{"x":1}]').toString('base64url')]) {
      expect(() => decodeCursor(bad), bad).to.throw('cursor: malformed');
    }
  });

  it('escapes wildcard metacharacters so user text matches literally', () => {
    expect(escapeWildcard('a*b?c\\d')).to.equal('a\\*b\\?c\\\\d');
    expect(escapeWildcard('<img src=x onerror=alert(1)>')).to.equal('<img src=x onerror=alert(1)>');
  });
});
