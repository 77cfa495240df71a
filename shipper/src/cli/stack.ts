// The whole system in one process: schema setup, the shipper, the detection engine and the console, on
// one cluster. `auditsight up` runs it; the end-to-end test runs the same code, so what the test proves is
// what a user starts.
import * as path from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import type { EsConnection } from '../../../common/es/client';
import { setup, describeReport, type SetupReport } from '../../../elastic-templates/src/setup';
import type { Engine } from '../../../detections/src/engine/engine';
import type { Channel } from '../../../detections/src/notify/channels';
import { loadConfig } from '../config';
import { Daemon, type RunSummary } from '../daemon/daemon';
import { startEngine } from './commands/detect-run';
import { startConsole, type ConsoleHandle } from './commands/console-run';

export const RULES_DIR = path.resolve(__dirname, '..', '..', '..', 'detections', 'rules');

export type StackInput = { type: 'tail'; path: string } | { type: 'replay'; files: string[]; host?: string };

export interface StackOptions {
  client: Client;
  conn: EsConnection;
  namespace: string;
  input: StackInput;
  stateDir: string;
  rulesDir?: string;
  /** How often every rule runs (the rules' own schedules are minutes; a demo wants seconds). */
  every?: string;
  channels: Channel[];
  consolePort?: number;
  log: (line: string) => void;
}

export interface Stack {
  setup: SetupReport;
  daemon: Daemon;
  engine: Engine;
  console: ConsoleHandle;
  stop(): Promise<RunSummary>;
}

function shipperConfig(o: StackOptions) {
  const flags: Array<{ key: string; value: unknown; flag: string }> = [];
  const set = (key: string, value: unknown) => flags.push({ key, value, flag: `(up) ${key}` });
  set('input.type', o.input.type);
  if (o.input.type === 'tail') {
    set('input.path', o.input.path);
    // A fresh demo starts at the end of the log: the past of this host is not the story being shown.
    set('input.from', 'end');
  } else {
    set('input.files', o.input.files);
    if (o.input.host) set('input.replay_host', o.input.host);
  }
  set('state_dir', o.stateDir);
  set('outputs.elasticsearch.url', o.conn.url);
  if (o.conn.apiKey) set('outputs.elasticsearch.api_key', o.conn.apiKey);
  if (o.conn.username) set('outputs.elasticsearch.username', o.conn.username);
  if (o.conn.password) set('outputs.elasticsearch.password', o.conn.password);
  if (o.conn.caFile) set('outputs.elasticsearch.ca', o.conn.caFile);
  set('outputs.elasticsearch.namespace', o.namespace);
  set('metrics.listen', 'off');
  set('logging.level', 'warn');
  // No config file and no AUDITSIGHT_* environment: `up` is self-contained and predictable.
  return loadConfig({ env: {}, flags }).config;
}

export async function startStack(o: StackOptions): Promise<Stack> {
  const report = await setup(o.client, { namespace: o.namespace });
  for (const line of describeReport(report)) o.log(line);
  const engine = await startEngine(o.client, { rulesDir: o.rulesDir ?? RULES_DIR, namespace: o.namespace, every: o.every ?? '1s', channels: o.channels, log: o.log });
  // The console shows this namespace only: another namespace's alerts on the same cluster are not this story.
  const indices = { events: [report.targets.events.name], alerts: [report.targets.alerts.name] };
  const console = await startConsole(o.client, { port: o.consolePort ?? 5602, indices, log: o.log });
  const daemon = new Daemon({ config: shipperConfig(o) });
  await daemon.start();
  return {
    setup: report,
    daemon,
    engine,
    console,
    async stop() {
      const summary = await daemon.stop('stack stopping');
      await engine.stop();
      await console.close();
      return summary;
    },
  };
}
