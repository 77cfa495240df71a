import { expect } from 'chai';
import type { EcsEvent } from '../../../common/ecs/event';
import type { QueueRecord } from '../queue/types';
import { eventObjectEnd, shippedLines, withIngested } from './shipped';

const rec = (event: unknown, eventBytes?: Buffer): QueueRecord<EcsEvent> => ({ event: event as EcsEvent, eventBytes, seq: 1, enqueuedMs: 0, bytes: 0 });
const ING = '2026-01-02T03:04:05.678Z';
const end = (s: string) => eventObjectEnd(Buffer.from(s));

describe('shippedLines', () => {
  const shapes: Array<[string, unknown]> = [
    ['a usual event', { '@timestamp': 't', ecs: { version: '9' }, event: { kind: 'event', category: ['process'], original: ['a "b" {c}', 'x\\'] }, process: { pid: 1 } }],
    ['an empty event object', { '@timestamp': 't', event: {}, host: { name: 'h' } }],
    ['event last', { a: 1, event: { kind: 'event' } }],
    ['keys and braces inside strings', { '@timestamp': '"event":{', note: '\\"event\\":{"x":"}', nested: { event: { kind: 'inner' } }, event: { action: '}]"event":{"ingested":1}' } }],
    ['an event that has ingested already', { event: { kind: 'event', ingested: 'old', x: 1 } }],
    ['no event object', { '@timestamp': 't', message: 'x' }],
    ['an event that is not an object', { event: 'x', y: 1 }],
    ['unicode and escapes', { event: { original: ['caf\u00e9 \u{1F600} \u2028 \n\t "\\'] }, z: [1, { event: 2 }] }],
    ['multi-byte text before the event object', { '@timestamp': '\u00e9\u00e9\u00e9 \u{1F600}', event: { kind: '\u00fc' }, y: '\u00e9' }],
  ];
  for (const [name, ev] of shapes) {
    it(`from the stored bytes: byte for byte JSON.stringify(withIngested(...)): ${name}`, () => {
      const want = `${JSON.stringify(withIngested(ev as EcsEvent, ING))}\n`;
      expect(shippedLines([rec(ev, Buffer.from(JSON.stringify(ev)))], ING).toString('utf8')).to.equal(want);
      expect(shippedLines([rec(ev)], ING).toString('utf8')).to.equal(want);
    });
  }

  it('a batch: each record after its prefix line, bytes and plain records mixed, views into a larger buffer', () => {
    const evs = shapes.map(([, ev]) => ev);
    // As the queue hands them out: subarrays of the one buffer it read.
    const texts = evs.map((ev) => Buffer.from(JSON.stringify(ev)));
    const whole = Buffer.concat([Buffer.from('xx'), ...texts.flatMap((t) => [t, Buffer.from('yy')])]);
    let at = 2;
    const recs = evs.map((ev, i) => {
      const view = whole.subarray(at, at + texts[i].length);
      at += texts[i].length + 2;
      return rec(ev, i % 3 === 1 ? undefined : view);
    });
    const got = shippedLines(recs, ING, (i) => `{"create":{"_id":"\u00e9-${i}"}}`).toString('utf8');
    const want = evs.map((ev, i) => `{"create":{"_id":"\u00e9-${i}"}}\n${JSON.stringify(withIngested(ev as EcsEvent, ING))}\n`).join('');
    expect(got).to.equal(want);
    expect(shippedLines([], ING).length).to.equal(0);
  });

  it('finds the top-level event object only, and declines the unusual shapes', () => {
    const t = JSON.stringify({ x: { event: {} }, event: { a: '}' }, y: 1 });
    expect(t.slice(0, end(t) + 1)).to.equal('{"x":{"event":{}},"event":{"a":"}"}');
    expect(end(JSON.stringify({ event: { ingested: 'x' } }))).to.equal(-1);
    expect(end(JSON.stringify({ event: null }))).to.equal(-1);
    expect(end(JSON.stringify({ other: 1 }))).to.equal(-1);
    expect(end('[1]')).to.equal(-1);
    expect(end('{"event":{"a":"unterminated')).to.equal(-1);
    // A byte offset, not a character offset.
    expect(end('{"a":"\u00e9","event":{}}')).to.equal(Buffer.byteLength('{"a":"\u00e9","event":{'));
  });
});
