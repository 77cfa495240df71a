// Which index the Elasticsearch output writes to, found without privileges the shipper should not have.
//
// `auditsight setup` decides the target per namespace: a data stream (full variant) or a write alias
// (minimal). setup's own planner needs cluster privileges (GET _nodes, template simulation) that the
// least-privilege shipper role (create_doc + view_index_metadata) does not have, so the shipper looks the
// two possible names up instead, which view_index_metadata allows. It never creates anything: writing
// before setup ran would let Elasticsearch auto-create an index with guessed mappings.
//
// The lookup happens inside send(), retried until it succeeds: the shipper must start (and queue events
// durably) while Elasticsearch is down or setup has not been run yet.
import type { Client } from '@elastic/elasticsearch';
import type { EcsEvent } from '../../../common/ecs/event';
import { names } from '../../../elastic-templates/src/names';
import { SCHEMA_VERSION } from '../../../elastic-templates/src/schema-version';
import { ElasticsearchOutput, classify, type ElasticsearchOutputOptions } from '../outputs/elasticsearch';
import { Backoff, sleep, type Log, type Output } from '../outputs/output';
import type { OutputMetrics } from '../outputs/metrics';
import type { QueueRecord } from '../queue/types';

export interface ResolvedTarget {
  name: string;
  type: 'data_stream' | 'alias';
  schemaVersion?: number;
}

/** The namespace's write target, or undefined when setup has not created it. Throws on connection/auth errors. */
export async function resolveTarget(client: Client, namespace: string): Promise<ResolvedTarget | undefined> {
  const ds = names('events', namespace, 'full').target;
  const alias = names('events', namespace, 'minimal').target;
  const status = (e: unknown) => (e as { meta?: { statusCode?: number } }).meta?.statusCode;
  // Our caller retries with its own backoff; the client's retries would only delay the first report.
  const once = { maxRetries: 0, requestTimeout: 30_000 };
  let found: ResolvedTarget | undefined;
  if (ds.type === 'data_stream') {
    try {
      const r = await client.indices.getDataStream({ name: ds.name }, once);
      if (r.data_streams.length) found = { name: ds.name, type: 'data_stream' };
    } catch (e) {
      // 404: no such data stream; 400/405: a cluster without the data stream API (setup chose an alias).
      if (![400, 404, 405].includes(status(e) ?? 0)) throw e;
    }
  }
  if (!found && alias.type === 'alias') {
    try {
      await client.indices.getAlias({ name: alias.alias }, once);
      found = { name: alias.alias, type: 'alias' };
    } catch (e) {
      if (status(e) !== 404) throw e;
    }
  }
  if (!found) return undefined;
  try {
    const m = await client.indices.getMapping({ index: found.name }, once);
    const versions = Object.values(m).map((x) => (x.mappings?._meta as { version?: number } | undefined)?.version ?? 0);
    found.schemaVersion = Math.max(0, ...versions);
  } catch {
    // Only informative; shipping does not depend on it.
  }
  return found;
}

export interface LazyEsOptions extends Omit<ElasticsearchOutputOptions, 'index'> {
  namespace: string;
  /** Explicit target: skips the lookup. */
  index?: string;
  metrics: OutputMetrics;
  log: Log;
  retryMs?: number;
}

/** The Elasticsearch output, created on the first batch once the target is known. */
export class LazyElasticsearchOutput implements Output<EcsEvent> {
  readonly name: string;
  private inner: ElasticsearchOutput | undefined;
  target: ResolvedTarget | undefined;

  constructor(private readonly opts: LazyEsOptions) {
    this.name = opts.name ?? 'elasticsearch';
    if (opts.index) this.target = { name: opts.index, type: 'alias' };
  }

  async send(records: Array<QueueRecord<EcsEvent>>, signal: AbortSignal): Promise<void> {
    if (!this.inner) await this.resolve(signal);
    await this.inner!.send(records, signal);
  }

  private async resolve(signal: AbortSignal): Promise<void> {
    const backoff = new Backoff(500, this.opts.retryMs ?? 30_000);
    let last: string | undefined;
    while (!this.target) {
      let problem: string;
      try {
        this.target = await resolveTarget(this.opts.client, this.opts.namespace);
        if (this.target) break;
        problem = `namespace ${this.opts.namespace} is not installed in Elasticsearch: run \`auditsight setup --namespace ${this.opts.namespace}\`; events stay queued`;
      } catch (e) {
        if (signal.aborted) throw e;
        problem = `cannot look up the write target: ${classify(e, `namespace ${this.opts.namespace}`).message}; events stay queued`;
      }
      if (problem !== last) this.opts.log('warn', `${this.name}: ${problem}`);
      last = problem;
      this.opts.metrics.error?.(this.name, problem);
      await sleep(backoff.next(), signal);
    }
    const t = this.target;
    if (t.schemaVersion !== undefined && t.schemaVersion !== SCHEMA_VERSION) {
      this.opts.log('warn', `${this.name}: ${t.name} has schema version ${t.schemaVersion}, this shipper expects ${SCHEMA_VERSION}: run \`auditsight setup\` with the matching auditsight`);
    }
    this.opts.log('info', `${this.name}: shipping to ${t.type === 'data_stream' ? 'data stream' : 'write alias'} ${t.name}`);
    this.inner = new ElasticsearchOutput({ ...this.opts, index: t.name });
  }

  async close(): Promise<void> {
    await this.inner?.close();
  }
}
