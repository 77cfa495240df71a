// Robustness: truncations, garbage and mutations of real lines never throw and always give a record
// or an error with a message. Seeded PRNG so a failure replays.
import { expect } from 'chai';
import * as fs from 'node:fs';
import { corpusPath } from '../../../test/corpora';
import { parseLine } from './parse';
import { decodeSockaddr } from './sockaddr';

function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SAMPLES = [
  ['go-libaudit', 'auparse', 'testdata', 'audit-rhel7.log'],
  ['laurel', 'src', 'testdata', 'record-execve-long.txt'],
  ['integrations-auditd', 'test-auditd-enriched.log'],
  ['integrations-auditd', 'test-auditd-raw.log'],
  ['audit-userspace', 'auparse', 'test', 'test.log'],
];

describe('parse: robustness', () => {
  const real = SAMPLES.flatMap((p) => fs.readFileSync(corpusPath(...p), 'utf8').split('\n').filter((l) => l.length > 0));
  const alphabet = ` =\"'()\x1d\x00\n:.[]{}0123456789ABCDEFaz\u00e9\ud800msg=audit(type=node=`;

  // Plain checks, not chai: this runs ~100 000 times.
  function check(line: string): void {
    let r;
    try {
      r = parseLine(line);
    } catch (e) {
      throw new Error(`threw on ${JSON.stringify(line.slice(0, 200))}: ${String(e)}`);
    }
    if (r.ok) {
      const rec = r.record;
      if (!(rec.serial >= 0 && rec.serial <= 0xffffffff) || !Number.isFinite(rec.timestampMs)) throw new Error(`bad header values: ${line}`);
      for (const [k, v] of rec.fields) if (typeof v !== 'string') throw new Error(`non-string field ${k}: ${line}`);
      const saddr = rec.fields.get('saddr');
      if (saddr !== undefined) decodeSockaddr(saddr);
    } else if (typeof r.error.error !== 'string' || r.error.error === '' || typeof r.error.raw !== 'string') {
      throw new Error(`unclear error for ${line}`);
    }
  }

  it(`every prefix of ${SAMPLES.length} real logs' lines parses or errors`, () => {
    let n = 0;
    for (const l of real) {
      const step = Math.max(1, Math.floor(l.length / 300));
      for (let i = 0; i <= l.length; i += step, n++) check(l.slice(0, i));
    }
    expect(n).to.be.greaterThan(10000);
  });

  it('20 000 random mutations (insert, delete, replace, splice lines) parse or error', () => {
    const rnd = prng(0xa0d17);
    let ok = 0;
    for (let k = 0; k < 20000; k++) {
      let l = real[Math.floor(rnd() * real.length)];
      const edits = 1 + Math.floor(rnd() * 4);
      for (let e = 0; e < edits; e++) {
        const at = Math.floor(rnd() * (l.length + 1));
        const op = rnd();
        const ch = alphabet[Math.floor(rnd() * alphabet.length)];
        if (op < 0.3) l = l.slice(0, at) + ch + l.slice(at);
        else if (op < 0.6) l = l.slice(0, at) + l.slice(at + 1 + Math.floor(rnd() * 20));
        else if (op < 0.9) l = l.slice(0, at) + ch + l.slice(at + 1);
        else l = l.slice(0, at) + real[Math.floor(rnd() * real.length)].slice(at);
      }
      check(l);
      if (parseLine(l).ok) ok++;
    }
    expect(ok).to.be.greaterThan(5000); // most mutations leave the header readable
  });

  it('pure garbage never throws', () => {
    const rnd = prng(7);
    for (let k = 0; k < 5000; k++) {
      let l = '';
      const len = Math.floor(rnd() * 200);
      for (let i = 0; i < len; i++) l += alphabet[Math.floor(rnd() * alphabet.length)];
      check(l);
    }
  });
});
