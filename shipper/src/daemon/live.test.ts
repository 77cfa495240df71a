// The daemon on the real kernel: it tails the audit.log auditd writes while the recommended rules are
// loaded, and a command run meanwhile comes out as one enriched `executed` event.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { withLiveAudit } from '../inputs/live-audit';
import { Daemon } from './daemon';
import { testConfig, until } from './testing';

const RULES = path.resolve(__dirname, '../../rules/auditsight.rules');

describe('ship daemon @live', function () {
  this.timeout(180_000);

  it('tails the live audit.log: a command run now arrives as an enriched executed event', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-live-'));
    const out = path.join(dir, 'out.ndjson');
    const token = `auditsight-live-${randomUUID()}`;
    let daemon: Daemon | undefined;
    const events = () => (fs.existsSync(out) ? fs.readFileSync(out, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);
    const mine = () => events().filter((e) => e.event?.action === 'executed' && (e.process?.args ?? []).includes(token));
    try {
      await withLiveAudit(RULES, async (capture) => {
        daemon = new Daemon({
          config: testConfig({ state_dir: path.join(dir, 'state'), 'input.path': capture.logPath, 'input.from': 'end', 'outputs.ndjson.path': out, 'metrics.listen': 'off', 'kernel.lost_poll_interval_s': 1 }),
        });
        await daemon.start();
        await new Promise((r) => setTimeout(r, 500)); // the tail has positioned itself at the end
        await new Promise<void>((resolve, reject) => {
          const p = spawn('/bin/echo', [token], { stdio: 'ignore' });
          p.once('exit', () => resolve());
          p.once('error', reject);
        });
        await capture.mark('workload done');
        await until(() => mine().length > 0, 30_000, `the executed event of /bin/echo ${token}`);
      });
    } finally {
      await daemon?.stop();
    }
    const found = mine();
    fs.rmSync(dir, { recursive: true, force: true });
    const [ev] = found;
    expect(ev.process.executable).to.equal(fs.realpathSync('/bin/echo')); // /usr/bin/echo where /bin is merged
    expect(ev.process.entity_id).to.match(/^[0-9a-f]{32}$/);
    expect(ev.process.parent.pid).to.equal(process.pid);
    expect(ev.host.id).to.be.a('string');
    expect(ev.tags).to.include('exec');
    expect(found).to.have.length(1);
  });
});
