// Session View's `fork`: a derived event that describes the *child* a successful fork/vfork/clone created.
//
// The audit record of a clone describes the caller (`process.pid` is the parent, the child is the return
// value), and go-libaudit gives it no action; we ship that record unchanged, as Auditbeat does. The ECS Linux
// event model wants one more thing: a `fork` event whose `process` is the new process, so that Kibana's
// Session View draws a node for a child that never execs (a subshell, a prefork worker, an injected payload)
// and shows when each process started. So each such clone yields a second document:
// - `event.action: fork`, `event.category: [process]`, `event.type: [start]`, `event.kind: event`;
// - `process.*` = the child (entity id, start, the image it inherited, parent = the caller, leaders);
// - `@timestamp`, `host`, `user`, `tags`, `auditd.{sequence,session,message_type}` and `auditd.data.syscall`
//   of the clone record it comes from, so it is found next to it; no `event.original` (it is on that record);
// - tag `_auditsight_derived` says it was made by the shipper, not written by the kernel.
// `fork` is not in go-libaudit's vocabulary, so no rule written for Auditbeat data matches it by action; rules
// on `event.type: start` alone match it as they match Endpoint's fork events. Its `_id` gets its own
// discriminator (outputs/ids.ts), so it never takes the clone record's id.
import type { EcsEvent } from '../../../common/ecs/event';

export const ACTION_FORK = 'fork';
export const TAG_DERIVED = '_auditsight_derived';

/** The fork event before enrichment fills in `process.*` from the child's table entry. */
export function forkEventBase(clone: EcsEvent, childPid: number): EcsEvent {
  const a = clone.auditd ?? {};
  const syscall = a.data?.syscall;
  const ev: EcsEvent = {
    '@timestamp': clone['@timestamp'],
    event: {
      kind: 'event',
      category: ['process'],
      type: ['start'],
      action: ACTION_FORK,
      outcome: 'success',
      module: clone.event.module,
      dataset: clone.event.dataset,
    },
    process: childAtFork(clone, childPid),
    auditd: {
      message_type: a.message_type,
      sequence: a.sequence,
      result: 'success',
      session: a.session,
      data: syscall !== undefined ? { syscall } : {},
    },
    tags: [...(clone.tags ?? []), TAG_DERIVED],
  };
  if (clone.ecs) ev.ecs = clone.ecs;
  if (clone.service) ev.service = clone.service;
  if (clone.host) ev.host = clone.host;
  // The child runs with the caller's credentials at the moment of the fork.
  if (clone.user) ev.user = clone.user;
  return ev;
}

/**
 * The child as it was at the fork: a copy of the caller's image. Set here, not from the child's table entry,
 * because the child's own execve often reaches us first (its record can carry a lower serial than the
 * parent's clone, which is logged when clone returns in the parent), and by then the entry shows the new image.
 */
function childAtFork(clone: EcsEvent, childPid: number): NonNullable<EcsEvent['process']> {
  const p = clone.process;
  const child: NonNullable<EcsEvent['process']> = { pid: childPid };
  if (p === undefined) return child;
  if (p.pid !== undefined) child.parent = { pid: p.pid };
  if (p.executable !== undefined) child.executable = p.executable;
  if (p.name !== undefined) child.name = p.name;
  if (p.args !== undefined) {
    child.args = p.args;
    child.args_count = p.args_count ?? p.args.length;
  }
  if (p.working_directory !== undefined) child.working_directory = p.working_directory;
  return child;
}
