// The body of `auditsight detect`, loaded only when that command runs (detect.ts registers it): `auditsight
// ship`, the daemon on every host, then never loads what only this command needs.
import * as fs from 'node:fs';
import { createClient } from '../../../../common/es/client';
import { setup } from '../../../../elastic-templates/src/setup';
import { loadRules, ruleFieldTypes } from '../../../../detections/src/rules';
import { parseDuration } from '../../../../detections/src/rules/duration';
import { Engine } from '../../../../detections/src/engine/engine';
import { stdoutChannel, webhookChannel, type Channel } from '../../../../detections/src/notify/channels';
import { exportSecurityRules } from '../../../../detections/src/export/security';
import { exportSavedSearches } from '../../../../detections/src/export/kibana';
import { connectionFrom } from './es-options';
import { healthMetrics } from '../../../../detections/src/engine/health';
import { startHttp } from '../../daemon/http';
import type { DetectFlags } from './detect';

export async function runDetect(o: DetectFlags): Promise<void> {
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
