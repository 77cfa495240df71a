// The body of `auditsight up`, loaded only when that command runs (up.ts registers it): `auditsight
// ship`, the daemon on every host, then never loads what only this command needs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createClient, describeConnection, type EsConnection } from '../../../../common/es/client';
import { startManagedElasticsearch, type ManagedElasticsearch } from '../../../../common/es/managed';
import { stdoutChannel } from '../../../../detections/src/notify/channels';
import { startStack, type StackInput } from '../stack';
import { connectionFrom } from './es-options';
import { BUNDLED_CAPTURE, RULES_FILE, canCaptureLive, type UpFlags } from './up';

export async function runUp(o: UpFlags): Promise<void> {
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
}
