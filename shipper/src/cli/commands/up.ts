// `auditsight up` (`npm start`): the main job with an embedded default. Without ELASTICSEARCH_URL it starts
// a managed local Elasticsearch; it installs the schema, then runs the shipper, the detection engine and
// the console, printing where to look and every alert as it fires, until Ctrl-C stops everything.
// Live from the kernel when run as root with auditd available; otherwise it replays a bundled capture
// of the insider scenario, so the story can be seen on any machine.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { esOptions, type EsFlags } from './es-options';

export const BUNDLED_CAPTURE = path.resolve(__dirname, '..', '..', '..', '..', 'e2e', 'scenario', 'insider.log');
export const RULES_FILE = path.resolve(__dirname, '..', '..', '..', 'rules', 'auditsight.rules');

export interface UpFlags extends EsFlags {
  namespace: string;
  mode: 'auto' | 'live' | 'replay';
  replay?: string[];
  consolePort: string;
  every: string;
  auditLog: string;
}

/** Live capture needs root, the audit tools and a kernel that answers; anything else means replay. */
export function canCaptureLive(): string | undefined {
  if (process.getuid?.() !== 0) return 'not running as root';
  if (!['/sbin/auditctl', '/usr/sbin/auditctl'].some((p) => fs.existsSync(p))) return 'auditd is not installed (apt-get install auditd)';
  return undefined;
}

export function registerUp(program: Command): void {
  esOptions(
    program
      .command('up')
      .description('run everything: (managed) Elasticsearch, schema, shipper, detections and console; Ctrl-C stops it all')
      .option('--namespace <ns>', 'namespace of the indices', 'default')
      .option('--mode <mode>', 'auto | live | replay (auto: live when root with auditd, else replay the bundled capture)', 'auto')
      .option('--replay <files...>', 'replay these audit logs instead of the bundled capture')
      .option('--console-port <port>', 'console port', '5602')
      .option('--every <duration>', 'run every rule this often', '1s')
      .option('--audit-log <file>', 'live mode: the log auditd writes', '/var/log/audit/audit.log'),
  ).action(async (o: UpFlags) => (require('./up-run') as typeof import('./up-run')).runUp(o));
}
