// `auditsight detect`: run the detection rules as scheduled searches against the cluster, write alerts,
// notify; or export them for Kibana / Elastic Security. Setup is read in dry-run mode to find the
// namespace's events and alerts targets, so the engine never writes templates itself.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { createClient } from '../../../../common/es/client';
import { setup } from '../../../../elastic-templates/src/setup';
import { loadRules, ruleFieldTypes } from '../../../../detections/src/rules';
import { parseDuration } from '../../../../detections/src/rules/duration';
import { Engine } from '../../../../detections/src/engine/engine';
import { stdoutChannel, webhookChannel, type Channel } from '../../../../detections/src/notify/channels';
import { exportSecurityRules } from '../../../../detections/src/export/security';
import { exportSavedSearches } from '../../../../detections/src/export/kibana';
import { connectionFrom, esOptions, type EsFlags } from './es-options';
import { healthMetrics } from '../../../../detections/src/engine/health';
import { startHttp } from '../../daemon/http';

export const DEFAULT_RULES_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'detections', 'rules');

interface DetectFlags extends EsFlags {
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
  ).action(async (o: DetectFlags) => {
    const loaded = loadRules(o.rules);
    for (const e of loaded.errors) console.error(e.message);
    if (loaded.errors.length) throw new Error(`${loaded.errors.length} rule error(s) in ${o.rules}`);
    if (o.exportSecurity || o.exportKibana) {
      if (o.exportSecurity) {
        const out = exportSecurityRules(loaded.rules);
        fs.writeFileSync(o.exportSecurity, out.ndjson);
        console.log(`wrote ${out.exported.length} rules to ${o.exportSecurity}; not exported: ${out.skipped.map((s) => `${s.id} (${s.reason})`).join(', ') || 'none'}`);
      }
      if (o.exportKibana) {
        fs.writeFileSync(o.exportKibana, exportSavedSearches(loaded.rules, { dataViewId: 'auditsight-events' }));
        console.log(`wrote ${loaded.rules.length} saved searches to ${o.exportKibana}`);
      }
      return;
    }
    const conn = connectionFrom(o);
    if (!conn) throw new Error('no cluster: set ELASTICSEARCH_URL or --es-url (or use `auditsight up`)');
    const client = createClient(conn);
    const engine = await startEngine(client, { ...o, rulesDir: o.rules });
    if (o.once) {
      await engine.stop();
      await client.close();
      return;
    }
    const http = o.metrics === 'off' ? undefined : await startHealthHttp(engine, o.metrics);
    if (http) console.error(`detect: rule health on ${http.url}/metrics and ${http.url}/healthz`);
    await new Promise<void>((resolve) => {
      const stop = () => void engine.stop().then(resolve);
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await http?.close();
    await client.close();
  });
}

/** Healthy while every rule's last run succeeded; the body names the failing rules and why. */
export async function startHealthHttp(engine: Engine, addr: string) {
  const i = addr.lastIndexOf(':');
  return startHttp(addr.slice(0, i), Number(addr.slice(i + 1)), healthMetrics(() => engine.ruleHealth()), () => {
    const failing = engine.ruleHealth().filter((h) => h.lastError);
    return failing.length
      ? { ok: false, status: 'failing', reason: failing.map((h) => `${h.ruleId}: ${h.lastError}`).join('; ') }
      : { ok: true, status: 'running' };
  });
}

export interface EngineStartOptions {
  rulesDir: string;
  namespace: string;
  every?: string;
  webhook?: string[];
  webhookFormat?: 'json' | 'slack';
  once?: boolean;
  channels?: Channel[];
  log?: (line: string) => void;
}

/** Shared by `detect` and `up`: resolve targets, load rules against them, start (or run once). */
export async function startEngine(client: ReturnType<typeof createClient>, o: EngineStartOptions): Promise<Engine> {
  const log = o.log ?? ((l: string) => console.error(l));
  const report = await setup(client, { namespace: o.namespace, dryRun: true });
  if (report.status !== 'unchanged') log(`note: the schema for namespace ${o.namespace} is not (fully) installed; run \`auditsight setup\``);
  // Rules compile against the mapping this cluster really has (wildcard vs keyword changes the DSL).
  const fields = ruleFieldTypes(report.variant, report.capabilities.fieldTypes.flattened);
  const { rules, errors } = loadRules(o.rulesDir, { defaultIndex: [report.targets.events.name], fields });
  if (errors.length) throw new Error(errors.map((e) => e.message).join('\n'));
  const every = o.every ? parseDuration(o.every) : undefined;
  if (typeof every === 'string') throw new Error(`--every: ${every}`);
  const channels = o.channels ?? [
    stdoutChannel(),
    ...(o.webhook ?? []).map((url) => webhookChannel({ url, format: o.webhookFormat ?? 'json' })),
  ];
  const engine = new Engine({
    client,
    rules,
    alertsIndex: report.targets.alerts.name,
    channels,
    intervalOverrideMs: every?.ms,
    onError: (id, err) => log(`rule ${id}: ${err.message}`),
  });
  log(`detect: ${rules.filter((r) => r.rule.enabled).length} rules on ${report.targets.events.name} -> alerts in ${report.targets.alerts.name}`);
  if (o.once) await Promise.all(rules.map((r) => engine.tick(r)));
  else engine.start();
  return engine;
}
