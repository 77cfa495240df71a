// Deterministic document ids: the same audit event always gets the same _id, so a redelivered batch (after
// a crash, a lost ack, a retry) creates no duplicate: Elasticsearch answers 409 to a second `create`.
import * as crypto from 'node:crypto';
import type { EcsEvent } from '../../../common/ecs/event';
import { ACTION_FORK } from '../enrich/fork-event';
import { ACTION_LOST_EVENTS, TAG_EVENT_PART } from '../pipeline/events';

/**
 * base64url of the first 128 bits of SHA-256 over the parts (NUL-separated, versioned): 22 characters.
 * 128 bits keeps collisions negligible at billions of events while staying short in every index and URL.
 */
export function hashId(...parts: Array<string | number>): string {
  let input = 'auditsight-id:v1';
  for (const p of parts) input += '\0' + String(p);
  return sha256(input).subarray(0, 16).toString('base64url');
}

// crypto.hash (Node >= 20.12) is the one-shot form: no Hash object and no update() calls per event (they
// were 3% of the shipper's CPU). Same digest as createHash().update(...).digest() over the same bytes.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: 'buffer') => Buffer }).hash;
function sha256(s: string): Buffer {
  return oneShot !== undefined ? oneShot('sha256', s, 'buffer') : crypto.createHash('sha256').update(s).digest();
}

/**
 * _id of an event: host (host.id, else host.name) + audit serial (auditd.sequence) + @timestamp, plus a
 * discriminator for synthetic events that share those (a gap report, a pipeline error). The serial alone
 * repeats after a reboot or an auditd restart; with the timestamp it does not.
 *
 * Events without an audit serial get an id from their whole content (stable key order), so re-sending the
 * same synthetic event is still idempotent. The detection engine names alerts with hashId(eventId, rule).
 */
export function eventId(ev: EcsEvent, discriminator: string = syntheticKind(ev)): string {
  const host = ev.host?.id ?? ev.host?.name ?? '';
  const seq = ev.auditd?.sequence;
  if (seq === undefined && discriminator === '') return hashId('content', host, ev['@timestamp'], stableJson(ev));
  return hashId('event', host, seq ?? '', ev['@timestamp'], discriminator);
}

/**
 * The id stored with an event in the queue (the Elasticsearch output then need not parse the event for it):
 * eventId(ev) when it depends only on a few plain fields (host, serial, time, kind, action, tags), which
 * read back from the queue the same. Content-hash ids (no audit serial) are left to the output, computed
 * from the event as read back.
 */
export function storedEventId(ev: EcsEvent): string | undefined {
  return ev.auditd?.sequence === undefined ? undefined : eventId(ev);
}

/**
 * Events the pipeline makes itself carry the serial and time of a real record (a gap report sits at the
 * event after the hole). Without a discriminator they would take that record's _id, and the real event,
 * shipped second, would be refused as a duplicate: the evidence itself would be lost.
 */
function syntheticKind(ev: EcsEvent): string {
  if (ev.event.kind !== 'event') return `kind:${ev.event.kind}`;
  if (ev.event.action === ACTION_LOST_EVENTS) return `action:${ACTION_LOST_EVENTS}`;
  // A fork event shares the serial and time of the clone record it is derived from.
  if (ev.event.action === ACTION_FORK) return `action:${ACTION_FORK}`;
  // A second group of records with the same serial and time (pipeline/events.ts TAG_EVENT_PART).
  const tags = ev.tags;
  if (tags !== undefined) {
    for (let i = 0; i < tags.length; i++) if (tags[i].startsWith(TAG_EVENT_PART)) return tags[i];
  }
  return '';
}

function stableJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    // event.ingested changes on every attempt; it must not change the id.
    return `{${Object.keys(o)
      .filter((k) => o[k] !== undefined && k !== 'ingested')
      .sort()
      .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
