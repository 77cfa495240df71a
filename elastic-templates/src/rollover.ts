// Rollover without ILM (the minimal variant has none): the CLI or a timer calls rolloverIfNeeded with the
// write alias / data stream; Elasticsearch checks the conditions and only rolls when one is met, so
// calling it often is cheap and safe. The new index gets the current templates' mapping.
import type { Client } from '@elastic/elasticsearch';
import { call } from './errors';
import { names, type Variant } from './templates';

export interface RolloverConditions {
  max_age?: string;
  max_primary_shard_size?: string;
  max_docs?: number;
  /** Never roll an empty index over (it would leave an empty index behind). */
  min_docs?: number;
}

/** ~50 GB primary shards are the size Elastic recommends; a month keeps deletion by age coarse but simple. */
export const DEFAULT_ROLLOVER_CONDITIONS: RolloverConditions = { max_age: '30d', max_primary_shard_size: '50gb', min_docs: 1 };

/** The names writers and readers use for a namespace. */
export function writeTargets(namespace: string, variant: Variant): { events: string; alerts: string } {
  return { events: names('events', namespace, variant).readName, alerts: names('alerts', namespace, variant).readName };
}

export interface RolloverResult {
  rolledOver: boolean;
  oldIndex: string;
  newIndex: string;
}

export async function rolloverIfNeeded(client: Client, target: string, conditions: RolloverConditions = DEFAULT_ROLLOVER_CONDITIONS): Promise<RolloverResult> {
  const res = await call(client, `roll over ${target}`, () => client.indices.rollover({ alias: target, conditions }));
  return { rolledOver: res.rolled_over, oldIndex: res.old_index, newIndex: res.new_index };
}
