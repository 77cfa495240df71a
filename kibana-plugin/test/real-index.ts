// Test indices made the way production makes them: setup() installs auditsight's own templates for a
// throwaway namespace (so every document is mapped by the real schema, not a hand-written mapping), and
// documents go in with `create` under their deterministic ids, as the shipper writes them. Shared by the
// real-capture tests and the hand-built bob story.
import fs from 'node:fs';
import type { Client } from '@elastic/elasticsearch';
import type { EcsEvent } from '../../common/ecs/event';
import { removeNamespace } from '../../elastic-templates/src/fixtures';
import { setup, type SetupReport } from '../../elastic-templates/src/setup';
import { FIXTURE_HOST } from '../../detections/fixtures-capture/pipeline';
import { Enricher } from '../../shipper/src/enrich';
import { eventId } from '../../shipper/src/outputs/ids';
import { runLines } from '../../shipper/src/pipeline';
import { uniqueName } from '../../test/elasticsearch';
import type { IndexConfig } from '../common/types';
import { NESTED_FIXTURE } from './nested-workload';

export interface RealNamespace {
  namespace: string;
  report: SetupReport;
  /** What the QueryService reads: the events and alerts write targets (alias or data stream). */
  indices: IndexConfig;
  cleanup(): Promise<void>;
}

/** A namespace from a test prefix: namespaces allow only [a-z0-9_] (uniqueName puts '-' between parts). */
export function namespaceFor(prefix: string): string {
  return uniqueName(prefix).toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

export async function realNamespace(client: Client, prefix: string): Promise<RealNamespace> {
  const namespace = namespaceFor(prefix);
  const report = await setup(client, { namespace });
  const t = report.targets;
  return {
    namespace,
    report,
    indices: { events: [t.events.name], alerts: [t.alerts.name] },
    async cleanup() {
      // removeNamespace knows the alias layout; a data stream (full variant) has to go by name first.
      for (const x of [t.events, t.alerts]) {
        if (x.type === 'data_stream') await client.indices.deleteDataStream({ name: x.name }, { ignore: [404] });
      }
      await removeNamespace(client, namespace);
    },
  };
}

/** Bulk `create` (data streams take nothing else) with a refresh; any rejected document fails the test. */
export async function createDocs(client: Client, index: string, docs: Array<{ _id: string; doc: object }>): Promise<void> {
  if (!docs.length) return;
  const r = await client.bulk({ operations: docs.flatMap((d) => [{ create: { _index: index, _id: d._id } }, d.doc]), refresh: true });
  const failed = r.items.filter((i) => i.create?.error).map((i) => `${i.create?._id}: ${JSON.stringify(i.create?.error)}`);
  if (failed.length) throw new Error(`bulk rejected ${failed.length} of ${docs.length} documents into ${index}: ${failed.slice(0, 3).join('; ')}`);
}

/**
 * The committed capture through the real pipeline (parse -> coalesce -> normalize -> enrich), with the
 * fixture host of the detection fixtures so ids do not depend on the machine running the test. Only audit
 * events are kept: the file is one session's slice of the log, so the pipeline's `lost-events` gap events
 * mark the other sessions' serials, not events the kernel lost.
 */
export function nestedWorkloadEvents(): EcsEvent[] {
  const lines = fs.readFileSync(NESTED_FIXTURE, 'utf8').split('\n');
  const { events, metas, stats } = runLines(lines, { enricher: new Enricher({ host: FIXTURE_HOST }) });
  if (stats.parseErrors) throw new Error(`${stats.parseErrors} unparseable lines in ${NESTED_FIXTURE}`);
  return events.filter((_, i) => metas[i]!.kind === 'audit');
}

export async function indexEvents(client: Client, ns: RealNamespace, events: EcsEvent[]): Promise<void> {
  await createDocs(client, ns.indices.events[0]!, events.map((doc) => ({ _id: eventId(doc), doc })));
}
