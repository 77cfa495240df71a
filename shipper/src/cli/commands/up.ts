// `auditsight up` (`npm start`): the main job with an embedded default. Without ELASTICSEARCH_URL it starts
// a managed local Elasticsearch; it installs the schema, then runs the shipper, the detection engine and
// the console, printing where to look and every alert as it fires, until Ctrl-C stops everything.
// Live from the kernel when run as root with auditd available; otherwise it replays a bundled capture
// of the insider scenario, so the story can be seen on any machine.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { createClient, describeConnection, type EsConnection } from '../../../../common/es/client';
import { startManagedElasticsearch, type ManagedElasticsearch } from '../../../../common/es/managed';
import { stdoutChannel } from '../../../../detections/src/notify/channels';
import { startStack, type StackInput } from '../stack';
import { connectionFrom, esOptions, type EsFlags } from './es-options';

export const BUNDLED_CAPTURE = path.resolve(__dirname, '..', '..', '..', '..', 'e2e', 'scenario', 'insider.log');
const RULES_FILE = path.resolve(__dirname, '..', '..', '..', 'rules', 'auditsight.rules');

interface UpFlags extends EsFlags {
  namespace: string;
  mode: 'auto' | 'live' | 'replay';
  replay?: string[];
  consolePort: string;
  every: string;
  auditLog: string;
}

/** Live capture needs root, the audit tools and a kernel that answers; anything else means replay. */
function canCaptureLive(): string | undefined {
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
  ).action(async (o: UpFlags) => {
    const say = (l: string) => process.stderr.write(`${l}\n`);
    const whyNotLive = o.mode === 'replay' || o.replay ? 'replay requested' : canCaptureLive();
    if (o.mode === 'live' && whyNotLive) throw new Error(`cannot capture live: ${whyNotLive}`);

    let managed: ManagedElasticsearch | undefined;
    let conn: EsConnection | undefined = connectionFrom(o);
    if (!conn) {
      say('no ELASTICSEARCH_URL: starting a managed local Elasticsearch (first run downloads ~100 MB with mvn)');
      managed = await startManagedElasticsearch({ progress: (m) => say(`  ${m}`) });
      conn = { url: managed.url };
    }
    const client = createClient(conn);
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-up-'));
    const alerts = stdoutChannel((line) => process.stdout.write(`ALERT ${line}\n`));

    const run = async (input: StackInput) => {
      const stack = await startStack({ client, conn: conn!, namespace: o.namespace, input, stateDir, every: o.every, channels: [alerts], consolePort: Number(o.consolePort), log: say });
      say('');
      say(`  Elasticsearch  ${describeConnection(conn!)}`);
      say(`  console        ${stack.console.url}`);
      say(`  input          ${input.type === 'tail' ? `live: ${input.path} (recommended audit rules loaded)` : `replay: ${input.files.join(', ')}`}`);
      say('  alerts print below as they fire. Ctrl-C stops everything.');
      say('');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      say('stopping...');
      const summary = await stack.stop();
      say(`shipped ${Object.values(summary.shipped).reduce((a, b) => a + b, 0)} events (${summary.parseErrors} unparseable, ${summary.lost} lost)`);
    };

    try {
      if (whyNotLive) {
        const files = o.replay ?? [BUNDLED_CAPTURE];
        if (o.mode === 'auto' && !o.replay) say(`live capture unavailable (${whyNotLive}): replaying the bundled insider scenario`);
        await run({ type: 'replay', files, host: o.replay ? undefined : 'insider-demo' });
      } else {
        // Loaded only in live mode: it drives auditd. It restores the host's own audit rules on exit.
        const { withLiveAudit } = require('../../inputs/live-audit') as typeof import('../../inputs/live-audit');
        await withLiveAudit(RULES_FILE, () => run({ type: 'tail', path: o.auditLog }), { logPath: o.auditLog });
      }
    } finally {
      await client.close();
      await managed?.stop();
      fs.rmSync(stateDir, { recursive: true, force: true });
    }
  });
}
