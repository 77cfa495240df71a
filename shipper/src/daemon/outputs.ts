// Builds the configured outputs and runs each one's queue consumer loop.
import type { Client } from '@elastic/elasticsearch';
import type { EcsEvent } from '../../../common/ecs/event';
import { createClient } from '../../../common/es/client';
import type { Logger } from '../../../common/log';
import type { ShipConfig } from '../config/types';
import { NdjsonOutput } from '../outputs/ndjson';
import { runOutput, sleep, type BatchOptions, type Log, type Output } from '../outputs/output';
import type { DiskQueue } from '../queue/disk-queue';
import { LazyElasticsearchOutput } from './es-target';
import type { DaemonMetrics } from './metrics';

export interface BuiltOutput {
  output: Output<EcsEvent>;
  batch: BatchOptions;
}

export function logAdapter(logger: Logger): Log {
  return (level, message) => logger[level](message);
}

export function buildOutputs(cfg: ShipConfig, metrics: DaemonMetrics, logger: Logger, clients: Client[]): BuiltOutput[] {
  const log = logAdapter(logger);
  const out: BuiltOutput[] = [];
  const es = cfg.outputs.elasticsearch;
  if (es) {
    const client = createClient({ url: es.url, apiKey: es.apiKey, username: es.username, password: es.password, caFile: es.ca, requestTimeoutMs: 60_000 });
    clients.push(client);
    out.push({
      output: new LazyElasticsearchOutput({ client, namespace: es.namespace, index: es.index, deadLetter: es.deadLetter, metrics, log }),
      batch: { maxEvents: es.batch.maxEvents, maxBytes: es.batch.maxBytes, lingerMs: es.flushIntervalMs },
    });
  }
  if (cfg.outputs.fluent) {
    const f = cfg.outputs.fluent;
    // Loaded only when configured: fluent-logger and msgpack are ~30 modules a host without Fluentd never needs.
    const { FluentOutput } = require('../outputs/fluent') as typeof import('../outputs/fluent');
    out.push({ output: new FluentOutput({ host: f.host, port: f.port, tag: f.tag, metrics, log }), batch: {} });
  }
  if (cfg.outputs.ndjson) out.push({ output: new NdjsonOutput({ file: cfg.outputs.ndjson.path, metrics, log }), batch: {} });
  for (const o of out) metrics.registerOutput(o.output.name);
  return out;
}

/**
 * runOutput() until aborted. send() retries transient failures itself; anything it throws otherwise is a
 * bug or an unexpected error, logged and retried after a pause rather than taking the shipper down: the
 * events are safe in the queue, the other outputs keep going, and /healthz shows the output stuck.
 */
export async function superviseOutput(queue: DiskQueue<EcsEvent>, o: BuiltOutput, signal: AbortSignal, logger: Logger, metrics: DaemonMetrics): Promise<void> {
  while (!signal.aborted && !queue.isClosed) {
    try {
      await runOutput(queue, o.output, signal, o.batch);
    } catch (e) {
      if (signal.aborted) break;
      const msg = `output ${o.output.name} failed: ${(e as Error).message}; restarting it in 5 s`;
      logger.error({ err: e }, msg);
      metrics.error(o.output.name, msg);
      await sleep(5000, signal).catch(() => undefined);
    }
  }
}
