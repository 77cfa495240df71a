// Events the pipeline makes itself, for input that is not an audit event: unparseable lines and sequence
// gaps. Both must reach Elasticsearch, not only a log file: a forensic trail has to show where it is
// incomplete, and an attacker who can inject garbage into the log must not be able to hide it.
//
// Shapes (documented for the templates and the plugin):
//  - Unparseable line: ECS's convention for documents a pipeline could not process, as Elastic's
//    integrations write them in their on_failure handlers: `event.kind: pipeline_error`, `error.message`
//    (why), `event.original` (the raw line, as one string), plus tag `_auditsight_parse_failure`.
//    Auditbeat in the same situation (CoalesceMessages failed) ships `error.message` + `event.original` only.
//  - Sequence gap (events the kernel or auditd lost between two serials): Auditbeat only counts these
//    (metric `auditd.lost`) and go-libaudit only calls EventsLost(n); we also ship one event per gap,
//    `event.kind: event`, `event.action: lost-events`, `event.type: [info]`, `auditd.data.lost` = the count,
//    `auditd.data.sequence_after/sequence_before` = the serials around the gap, `auditd.sequence` = the serial
//    after the gap, a human-readable `auditd.warnings` entry and tag `_auditsight_sequence_gap`.
//    `lost-events` is not in go-libaudit's action vocabulary, so no prebuilt rule mistakes it for activity.
import type { EcsEvent } from '../../../common/ecs/event';
import type { SequenceGap } from '../coalesce/types';
import type { ParseError } from '../parse/types';
import { ECS_VERSION } from '../normalize/to-ecs';
import { flat } from '../../../common/flat';

export const TAG_PARSE_FAILURE = '_auditsight_parse_failure';
export const TAG_SEQUENCE_GAP = '_auditsight_sequence_gap';
export const ACTION_LOST_EVENTS = 'lost-events';
/**
 * `_auditsight_event_part_<n>` on the 2nd, 3rd... group of records that share one serial and time (see
 * RecordGroup.part): each part is its own document with its own _id, instead of a duplicate of the first.
 */
export const TAG_EVENT_PART = '_auditsight_event_part_';
export const DEFAULT_DATASET = 'auditd_manager.auditd';

/** `timestampMs`: the line has no readable time of its own, so the caller picks one (see Pipeline). */
export function parseErrorEvent(err: ParseError, timestampMs: number, dataset: string): EcsEvent {
  return {
    '@timestamp': new Date(timestampMs).toISOString(),
    ecs: { version: ECS_VERSION },
    event: { kind: 'pipeline_error', module: 'auditd', dataset, original: err.raw },
    service: { type: 'auditd' },
    error: { message: err.source === undefined ? err.error : `${err.error} (${err.source})`, type: 'parse' },
    tags: [TAG_PARSE_FAILURE],
  };
}

export function gapEvent(gap: SequenceGap, dataset: string): EcsEvent {
  const ev: EcsEvent = {
    '@timestamp': new Date(gap.timestampMs).toISOString(),
    ecs: { version: ECS_VERSION },
    event: { kind: 'event', module: 'auditd', dataset, action: ACTION_LOST_EVENTS, type: ['info'] },
    service: { type: 'auditd' },
    tags: [TAG_SEQUENCE_GAP],
    auditd: {
      sequence: gap.before,
      data: { lost: String(gap.missing), sequence_after: String(gap.after), sequence_before: String(gap.before) },
      warnings: [flat(`${gap.missing} audit event(s) lost between sequence ${gap.after} and ${gap.before}`)],
    },
  };
  if (gap.node !== undefined) ev.host = { name: gap.node };
  return ev;
}
