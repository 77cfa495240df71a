import { expect } from 'chai';
import type { EcsEvent } from '../../../common/ecs/event';
import type { QueueRecord } from '../queue/types';
import { eventObjectEnd, shippedJson, withIngested } from './output';

const rec = (event: unknown, eventText?: string): QueueRecord<EcsEvent> => ({ event: event as EcsEvent, eventText, seq: 1, enqueuedMs: 0, bytes: 0 });
const ING = '2026-01-02T03:04:05.678Z';

describe('shippedJson', () => {
  const shapes: Array<[string, unknown]> = [
    ['a usual event', { '@timestamp': 't', ecs: { version: '9' }, event: { kind: 'event', category: ['process'], original: ['a "b" {c}', 'x\\'] }, process: { pid: 1 } }],
    ['an empty event object', { '@timestamp': 't', event: {}, host: { name: 'h' } }],
    ['event last', { a: 1, event: { kind: 'event' } }],
    ['keys and braces inside strings', { '@timestamp': '"event":{', note: '\\"event\\":{"x":"}', nested: { event: { kind: 'inner' } }, event: { action: '}]"event":{"ingested":1}' } }],
    ['an event that has ingested already', { event: { kind: 'event', ingested: 'old', x: 1 } }],
    ['no event object', { '@timestamp': 't', message: 'x' }],
    ['an event that is not an object', { event: 'x', y: 1 }],
    ['unicode and escapes', { event: { original: ['caf\u00e9 \u{1F600} \u2028 \n\t "\\'] }, z: [1, { event: 2 }] }],
  ];
  for (const [name, ev] of shapes) {
    it(`from the stored text: byte for byte JSON.stringify(withIngested(...)): ${name}`, () => {
      const want = JSON.stringify(withIngested(ev as EcsEvent, ING));
      expect(shippedJson(rec(ev, JSON.stringify(ev)), ING)).to.equal(want);
      expect(shippedJson(rec(ev), ING)).to.equal(want);
    });
  }

  it('finds the top-level event object only, and declines the unusual shapes', () => {
    const t = JSON.stringify({ x: { event: {} }, event: { a: '}' }, y: 1 });
    expect(t.slice(0, eventObjectEnd(t) + 1)).to.equal('{"x":{"event":{}},"event":{"a":"}"}');
    expect(eventObjectEnd(JSON.stringify({ event: { ingested: 'x' } }))).to.equal(-1);
    expect(eventObjectEnd(JSON.stringify({ event: null }))).to.equal(-1);
    expect(eventObjectEnd(JSON.stringify({ other: 1 }))).to.equal(-1);
    expect(eventObjectEnd('[1]')).to.equal(-1);
    expect(eventObjectEnd('{"event":{"a":"unterminated')).to.equal(-1);
  });
});
