// `auditsight detect`: run the detection rules as scheduled searches against the cluster, write alerts,
// notify; or export them for Kibana / Elastic Security. Setup is read in dry-run mode to find the
// namespace's events and alerts targets, so the engine never writes templates itself.
import * as path from 'node:path';
import type { Command } from 'commander';
import { esOptions, type EsFlags } from './es-options';

export const DEFAULT_RULES_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'detections', 'rules');

export interface DetectFlags extends EsFlags {
  rules: string;
  namespace: string;
  every?: string;
  webhook?: string[];
  webhookFormat: 'json' | 'slack';
  once?: boolean;
  exportSecurity?: string;
  exportKibana?: string;
  metrics: string;
}

export function registerDetect(program: Command): void {
  esOptions(
    program
      .command('detect')
      .description('run the detection rules on their schedules, write alerts and notify; or export them')
      .option('--rules <dir>', 'rules directory', DEFAULT_RULES_DIR)
      .option('--namespace <ns>', 'namespace of the events and alerts indices', 'default')
      .option('--every <duration>', 'run every rule at least this often (e.g. 2s), overriding longer schedules')
      .option('--webhook <url...>', 'POST each new alert to this URL')
      .option('--webhook-format <f>', 'json | slack', 'json')
      .option('--once', 'run every rule once over its window and exit')
      .option('--metrics <addr>', 'serve /metrics (per-rule health gauges) and /healthz on this address, or "off"', '127.0.0.1:9478')
      .option('--export-security <file>', 'write Elastic Security rules NDJSON (rules import API) and exit')
      .option('--export-kibana <file>', 'write Kibana saved searches NDJSON (saved objects import API) and exit'),
  ).action(async (o: DetectFlags) => (require('./detect-run') as typeof import('./detect-run')).runDetect(o));
}
