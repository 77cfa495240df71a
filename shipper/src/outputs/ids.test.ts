import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { errors } from '@elastic/elasticsearch';
import type { EcsEvent } from '../../../common/ecs/event';
import { classify } from './elasticsearch';
import { eventId, hashId } from './ids';

const ev = (o: Partial<EcsEvent> = {}): EcsEvent => ({
  '@timestamp': '2025-01-01T00:00:00.123Z',
  event: { kind: 'event' },
  host: { id: 'm1', name: 'web-1' },
  auditd: { sequence: 42 },
  ...o,
});

describe('document ids', () => {
  it('are deterministic 22-character base64url ids of host + serial + timestamp', () => {
    const id = eventId(ev());
    expect(id).to.match(/^[A-Za-z0-9_-]{22}$/);
    expect(eventId(ev({ process: { pid: 1 } }))).to.equal(id); // other fields do not matter
    expect(eventId(ev({ event: { kind: 'event', ingested: 'now' } }))).to.equal(id);
    expect(eventId(ev({ host: { id: 'm2', name: 'web-1' } }))).to.not.equal(id);
    expect(eventId(ev({ auditd: { sequence: 43 } }))).to.not.equal(id);
    expect(eventId(ev({ '@timestamp': '2025-01-01T00:00:00.124Z' }))).to.not.equal(id);
    expect(eventId(ev(), 'gap')).to.not.equal(id);
    expect(eventId(ev({ host: { name: 'web-1' } }))).to.not.equal(id);
  });

  it('hash synthetic events without a serial by content, ignoring event.ingested', () => {
    const a = ev({ auditd: undefined, error: { message: 'x' } });
    expect(eventId(a)).to.equal(eventId({ ...a, event: { ...a.event, ingested: 'later' } }));
    expect(eventId(a)).to.not.equal(eventId({ ...a, error: { message: 'y' } }));
    expect(hashId('alert', eventId(a), 'rule-1')).to.match(/^[A-Za-z0-9_-]{22}$/);
  });

  it('stay the ids earlier versions wrote (an upgraded shipper must not duplicate what it redelivers)', () => {
    // The definition, computed independently: SHA-256 over "auditsight-id:v1" and NUL-prefixed parts.
    const h = createHash('sha256').update('auditsight-id:v1');
    for (const p of ['event', 'm1', 42, '2025-01-01T00:00:00.123Z', '']) h.update('\0').update(String(p));
    expect(hashId('event', 'm1', 42, '2025-01-01T00:00:00.123Z', '')).to.equal(h.digest().subarray(0, 16).toString('base64url'));
    expect(hashId('alert', 'ü-non-ascii', 7)).to.equal(createHash('sha256').update('auditsight-id:v1\0alert\0ü-non-ascii\x007').digest().subarray(0, 16).toString('base64url'));
  });
});

describe('Elasticsearch failure classes', () => {
  const resp = (statusCode: number) =>
    new errors.ResponseError({ statusCode, body: { error: { type: 'security_exception' } }, headers: {}, warnings: null, meta: {} as never });
  it('name credentials and privileges clearly, retry the rest', () => {
    expect(classify(resp(401), 'logs-auditsight')).to.include({ kind: 'auth' });
    expect(classify(resp(401), 'x').message).to.contain('rejected the credentials');
    expect(classify(resp(403), 'logs-auditsight').message).to.contain('lacks create_doc on logs-auditsight');
    expect(classify(resp(429), 'x').kind).to.equal('transient');
    expect(classify(resp(503), 'x').kind).to.equal('transient');
    expect(classify(resp(413), 'x').kind).to.equal('too-large');
    expect(classify(new errors.ConnectionError('ECONNREFUSED'), 'x').message).to.contain('unreachable');
  });
});

describe('eventId of events the pipeline makes', () => {
  it('a gap report never takes the _id of the real event it sits beside', () => {
    const real: EcsEvent = { '@timestamp': '2026-01-01T00:00:00.000Z', event: { kind: 'event', action: 'executed' }, host: { id: 'h' }, auditd: { sequence: 59 } };
    const gap: EcsEvent = { ...real, event: { kind: 'event', action: 'lost-events' } };
    const error: EcsEvent = { ...real, event: { kind: 'pipeline_error' } };
    expect(new Set([eventId(real), eventId(gap), eventId(error)]).size).to.equal(3);
    // Ordinary events keep the ids they always had: the discriminator is empty for them.
    expect(eventId(real)).to.equal(eventId(real, ''));
  });
});
