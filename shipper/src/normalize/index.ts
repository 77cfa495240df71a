// The normalize stage: one RecordGroup in, one EcsEvent out, in the shape Auditbeat's auditd module emits.
// Pipeline per event: interpret each record (interpret.ts) -> coalesce into one audit event (audit-event.ts)
// -> apply the normalization vocabulary (apply-normalization.ts) -> map to ECS (to-ecs.ts).
// Pure: no I/O, no clocks; uid/gid names come only from ENRICHED values or the injected resolver.
import type { EcsEvent } from '../../../common/ecs/event';
import type { RecordGroup } from '../coalesce/types';
import { applyNormalization } from './apply-normalization';
import { buildAuditEvent, extractProcess } from './audit-event';
import type { SockaddrDecoder } from './sockaddr';
import { ECS_VERSION, toEcs, type IdResolver } from './to-ecs';

export type { IdResolver } from './to-ecs';
export type { SockaddrDecoder, DecodedSockaddr } from './sockaddr';

export interface NormalizeOptions {
  /** uid/gid name lookups; default: none (enrich resolves names on the origin host). */
  resolver?: IdResolver;
  /** event.dataset (default `auditd_manager.auditd`, the data stream Elastic's auditd rules read). */
  dataset?: string;
  /** Put coalescing/normalization warnings in auditd.warnings (default true). */
  includeWarnings?: boolean;
  /** Raw records in event.original (default true; events with warnings keep them regardless). */
  eventOriginal?: boolean;
  /** SOCKADDR decoder; default: ./sockaddr.ts. */
  decodeSockaddr?: SockaddrDecoder;
}

/** Tag on events whose group could not be coalesced into a described event (no records, or evicted). */
export const TAG_INCOMPLETE = '_auditsight_incomplete_event';

export function normalize(group: RecordGroup, opts: NormalizeOptions = {}): EcsEvent {
  const original = group.records.map((r) => r.raw);
  const node = group.node ?? group.records[0]?.node;
  try {
    const ev = buildAuditEvent(group.records, { decodeSockaddr: opts.decodeSockaddr });
    if (!ev) return bare(group, original, node, 'group has no records other than EOE');
    applyNormalization(ev);
    extractProcess(ev);
    if (group.completedBy === 'evicted') ev.warnings.push('group evicted before it was complete');
    const out = toEcs(ev, original, node, opts);
    if (group.completedBy === 'evicted') out.tags = [...(out.tags ?? []), TAG_INCOMPLETE];
    return out;
  } catch (err) {
    // Defensive: normalize must never take the pipeline down; the raw lines still ship.
    return bare(group, original, node, `normalize failed: ${(err as Error).message}`);
  }
}

function bare(group: RecordGroup, original: string[], node: string | undefined, warning: string): EcsEvent {
  const first = group.records[0];
  return {
    '@timestamp': new Date(group.timestampMs).toISOString(),
    ecs: { version: ECS_VERSION },
    event: { kind: 'event', module: 'auditd', original },
    service: { type: 'auditd' },
    ...(node ? { host: { name: node } } : {}),
    tags: [TAG_INCOMPLETE],
    auditd: {
      message_type: first ? first.type.toLowerCase() : undefined,
      sequence: group.serial,
      warnings: [warning],
    },
  };
}
