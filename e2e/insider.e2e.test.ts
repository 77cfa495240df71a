// The story end to end, on the real kernel: the same stack `auditsight up` runs (shipper tailing the audit
// log, engine, console) on the shared real Elasticsearch, and bob plays the insider scenario for real.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AlertSummary, AncestryResult, NetworkEntry, Page, ProcessDetails, TimelineEntry } from '../kibana-plugin/common/types';
import { removeNamespace } from '../elastic-templates/src/fixtures';
import { withLiveAudit } from '../shipper/src/inputs/live-audit';
import { startStack, type Stack } from '../shipper/src/cli/stack';
import type { Channel } from '../detections/src/notify/channels';
import { sharedElasticsearch, uniqueName } from '../test/elasticsearch';
import { RULES } from './scenario/capture';
import { BACKDOOR, BACKDOOR_PORT, playInsider, prepare, type Prepared, type ScenarioResult } from './scenario/insider';

const STORY_RULES = { backdoor: 'netcat-bind-shell', planted: 'system-binary-dropped-and-executed', history: 'shell-history-deleted' } as const;
const STEP_OF: Record<keyof typeof STORY_RULES, string> = { backdoor: 'backdoor-started', planted: 'backdoor-started', history: 'history-deleted' };

async function api<T>(stack: Stack, route: string, params: Record<string, string>): Promise<T> {
  const url = new URL(`internal/auditsight/${route}`, stack.console.url);
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  const res = await fetch(url, { headers: { 'elastic-api-version': '1' } });
  if (!res.ok) throw new Error(`${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

describe('the insider story end to end, on the real kernel @live @integration', function () {
  this.timeout(240_000);
  let p: Prepared;
  let stack: Stack;
  let story: ScenarioResult;
  let namespace: string;
  let stateDir: string;
  const notified: Array<{ rule: string; at: number }> = [];
  const alertsById = new Map<string, AlertSummary>();

  before(async () => {
    const es = await sharedElasticsearch();
    namespace = uniqueName('e2e').replace(/[^a-z0-9_]/g, '_');
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-e2e-'));
    const channel: Channel = {
      name: 'test',
      send: async (n) => void notified.push({ rule: n.ruleId, at: Date.now() }),
      stats: () => ({ sent: notified.length, failed: 0, retried: 0, rateLimited: 0 }),
    };
    p = await prepare();
    try {
      await withLiveAudit(RULES, async () => {
        stack = await startStack({ client: es.client, conn: es.conn, namespace, input: { type: 'tail', path: '/var/log/audit/audit.log' }, stateDir, every: '1s', channels: [channel], consolePort: 0, log: () => {} });
        story = await playInsider(p);
        const deadline = Date.now() + 60_000; // a liveness bound, not the latency claim (that is measured below)
        while (Object.values(STORY_RULES).some((r) => !notified.some((n) => n.rule === r)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
      });
    } finally {
      // Local evidence is destroyed, as an attacker would: the backdoor, bob and his home go.
      p.cleanup();
    }
    const alerts = await api<Page<AlertSummary>>(stack, 'alerts', { size: '500' });
    for (const a of alerts.items) alertsById.set(a.rule?.id ?? '', a);
  });

  after(async () => {
    await stack?.stop();
    fs.rmSync(stateDir, { recursive: true, force: true });
    const es = await sharedElasticsearch();
    await removeNamespace(es.client, namespace);
  });

  it('raises the three story alerts; the latency from each behaviour is measured and printed', () => {
    for (const [key, rule] of Object.entries(STORY_RULES) as Array<[keyof typeof STORY_RULES, string]>) {
      const n = notified.find((x) => x.rule === rule);
      expect(n, `no ${rule} alert`).to.exist;
      const step = story.steps.find((s) => s.name === STEP_OF[key])!;
      console.log(`      ${rule}: alert ${((n!.at - step.at) / 1000).toFixed(1)} s after '${step.name}'`);
    }
  });

  it('from the backdoor alert: nc, its parent /sbin/service1, and the accepted connection with its peer', async () => {
    const alert = alertsById.get(STORY_RULES.backdoor)!;
    expect(alert.args).to.deep.equal(['/usr/bin/nc.traditional', '-l', '-p', String(BACKDOOR_PORT), '-e', '/bin/sh']);
    const proc = await api<ProcessDetails>(stack, 'process', { entity_id: alert.entity_id! });
    expect(proc.login_user?.name).to.equal('bob');
    const anc = await api<AncestryResult>(stack, 'process/ancestry', { entity_id: alert.entity_id! });
    const chain = anc.chain.map((x) => x.args?.join(' '));
    // sshd -> bash (bob) -> sudo -> sh /sbin/service1 -> nc (nc later becomes the backdoor's sh: exec keeps the entity)
    expect(chain.slice(-3)).to.deep.equal(['sudo /sbin/service1', `/bin/sh ${BACKDOOR}`, chain[chain.length - 1]]);
    expect(chain.some((c) => c === 'bash --noprofile --norc -i')).to.equal(true);
    const net = await api<Page<NetworkEntry>>(stack, 'network', { entity_id: alert.entity_id! });
    const accept = net.items.find((n) => n.action === 'accepted-connection-from');
    expect(accept?.source?.ip).to.equal('127.0.0.1');
    expect(net.items.some((n) => n.action === 'listen-for-connections')).to.equal(true);
  });

  it("bob's login session: every command in order, including the deleted history, all still in Elasticsearch", async () => {
    const alert = alertsById.get(STORY_RULES.history)!;
    const timeline = await api<Page<TimelineEntry>>(stack, 'session', { session_id: alert.entry_leader_entity_id!, size: '1000' });
    const commands = timeline.items.filter((t) => t.action === 'executed').map((t) => t.args?.join(' '));
    const expected = ['sudo tee /sbin/service1', 'sudo chmod 755 /sbin/service1', 'sudo /sbin/service1', `/usr/bin/nc.traditional -l -p ${BACKDOOR_PORT} -e /bin/sh`, 'id', 'uname -a', 'rm /home/bob/.bash_history'];
    const positions = expected.map((c) => commands.indexOf(c));
    expect(positions, `timeline: ${commands.join(' | ')}`).to.not.include(-1);
    expect([...positions].sort((a, b) => a - b)).to.deep.equal(positions);
    expect(timeline.items.some((t) => t.action === 'deleted' && t.file_path === '/home/bob/.bash_history')).to.equal(true);
    // The local evidence is gone (before() destroyed it); the story is not.
    expect(fs.existsSync(BACKDOOR)).to.equal(false);
    expect(fs.existsSync('/home/bob')).to.equal(false);
  });
});
