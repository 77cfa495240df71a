import { expect } from 'chai';
import * as v8 from 'node:v8';
import { factoryNodes, objectFrom } from './fast-object';

/** What objectFrom must equal: the keys assigned one by one (`__proto__` as an own property). */
function assigned(keys: string[], values: unknown[]): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  keys.forEach((k, i) => Object.defineProperty(o, k, { value: values[i], enumerable: true, writable: true, configurable: true }));
  return o;
}

// %HasFastProperties, compiled after the flag is set (it only changes what the parser accepts).
v8.setFlagsFromString('--allow-natives-syntax');
const hasFastProperties = new Function('o', 'return %HasFastProperties(o)') as (o: object) => boolean;

const keysOf = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('objectFrom (common/fast-object.ts)', () => {
  it('gives the same own properties in the same order as assigning them, for 0 to 40 keys', () => {
    for (let n = 0; n <= 40; n++) {
      const keys = keysOf(n);
      const values = keys.map((k) => `value of ${k}`);
      const o = objectFrom(keys, values);
      expect(Object.keys(o), `n=${n}`).to.deep.equal(keys);
      expect(JSON.stringify(o)).to.equal(JSON.stringify(assigned(keys, values)));
      expect(Object.getPrototypeOf(o)).to.equal(Object.prototype);
    }
  });

  it('keeps objects with many keys in fast mode, where keyed stores give a dictionary', () => {
    const keys = ['arch', 'syscall', 'exit', 'a0', 'a1', 'a2', 'a3', 'tty', 'fver', 'fp', 'fi', 'fe', 'old_pp', 'old_pi', 'old_pe', 'old_pa', 'pp', 'pi', 'pe', 'pa', 'frootid', 'argc'];
    const values = keys.map((k) => k.toUpperCase());
    const keyed: Record<string, string> = {};
    keys.forEach((k, i) => (keyed[k] = values[i]));
    expect(hasFastProperties(keyed), 'the problem this solves: 22 keyed stores make a dictionary').to.equal(false);
    for (let round = 0; round < 3; round++) expect(hasFastProperties(objectFrom(keys, values))).to.equal(true);
    expect(hasFastProperties(objectFrom(keysOf(120), keysOf(120)))).to.equal(true);
  });

  it('takes keys as data: quotes, backslashes, line separators, lone surrogates and code stay keys', () => {
    const odd = ['"};globalThis.pwned=1;({"', '\\', '\u2028\u2029', '\ud800', '`${x}`', '}', '', ' ', '0', '10', 'constructor', 'toString'];
    const keys = [...odd, ...keysOf(20)];
    const values = keys.map((_, i) => i);
    const o = objectFrom(keys, values);
    expect((globalThis as { pwned?: number }).pwned).to.equal(undefined);
    expect(Object.keys(o)).to.deep.equal(Object.keys(assigned(keys, values)));
    for (const [i, k] of keys.entries()) expect(o[k], JSON.stringify(k)).to.equal(i);
  });

  it('defines __proto__ as an own property and leaves the prototype alone', () => {
    for (const n of [3, 20]) {
      const keys = [...keysOf(n), '__proto__'];
      const o = objectFrom(keys, keys.map(() => 'x'));
      expect(Object.getPrototypeOf(o)).to.equal(Object.prototype);
      expect(Object.prototype.hasOwnProperty.call(o, '__proto__')).to.equal(true);
      expect(JSON.stringify(o)).to.contain('"__proto__":"x"');
    }
  });

  it('a later duplicate key wins, in the first one\'s place, as assignment does', () => {
    const keys = [...keysOf(15), 'k3'];
    const values = keys.map((_, i) => i);
    expect(JSON.stringify(objectFrom(keys, values))).to.equal(JSON.stringify(assigned(keys, values)));
  });

  it('stays bounded with ever new key sequences, and correct across the reset', () => {
    for (let i = 0; i < 600; i++) {
      const keys = keysOf(16, `s${i}_`);
      const o = objectFrom(keys, keys);
      expect(Object.keys(o)).to.deep.equal(keys);
      expect(factoryNodes()).to.be.at.most(4096);
    }
  });
});
