// The shipper against real Elasticsearch: metrics and health after a corpus log, a live tail of a file
// being written, kill -9 of the shipper process, and an Elasticsearch outage. "Exactly once" is checked by
// _id: the ids Elasticsearch holds must equal the ids the same stream produces offline, no more, no less.
import { expect } from 'chai';
import type { Client } from '@elastic/elasticsearch';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createClient } from '../../../common/es/client';
import { startManagedElasticsearch, type ManagedElasticsearch } from '../../../common/es/managed';
import { removeNamespace, testNamespace } from '../../../elastic-templates/src/fixtures';
import { setup } from '../../../elastic-templates/src/setup';
import { corpusPath, repoRoot } from '../../../test/corpora';
import { sharedElasticsearch } from '../../../test/elasticsearch';
import { Daemon } from './daemon';
import { auditStream, compareIds, countIn, describeUnexpected, expectedIds, idsIn, startWriter, testConfig, until } from './testing';

async function install(client: Client, prefix: string, created: string[]): Promise<{ ns: string; target: string }> {
  const ns = testNamespace(prefix);
  created.push(ns);
  const r = await setup(client, { namespace: ns });
  return { ns, target: r.targets.events.name };
}

const metric = (text: string, line: string) => {
  const m = new RegExp(`^${line.replace(/[{}"().]/g, '\\$&')} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : undefined;
};

/** `auditsight ship` in a child process; its metrics URL is read from its (ECS JSON) log. */
function spawnShipper(args: string[], logFile: string): { proc: ChildProcess; url: Promise<string>; exit: Promise<number | null> } {
  // Through bin/auditsight.js once `ship` is in the command table (the lead wires it); until then the
  // same command is registered on a bare program, so this test does not depend on that wiring.
  const wired = fs.readFileSync(path.join(repoRoot, 'shipper/src/cli/commands/index.ts'), 'utf8').includes('registerShip');
  const argv = wired
    ? [path.join(repoRoot, 'bin/auditsight.js'), 'ship', ...args]
    : ['-r', 'tsx/cjs', '-e', `const {Command}=require('commander');const p=new Command();require('./shipper/src/cli/commands/ship.ts').registerShip(p);p.parseAsync(process.argv.slice(0,1).concat(['x'],process.argv.slice(1))).catch(e=>{console.error(e.message);process.exit(1)})`, 'ship', ...args];
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ELASTICSEARCH_') && !k.startsWith('AUDITSIGHT_')));
  const proc = spawn(process.execPath, argv, { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const log = fs.createWriteStream(logFile, { flags: 'a' });
  let buf = '';
  const url = new Promise<string>((resolve, reject) => {
    proc.stderr!.on('data', (d: Buffer) => {
      log.write(d);
      buf += d.toString();
      const m = /metrics and health listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
      if (m) resolve(m[1]);
    });
    proc.once('exit', (code) => reject(new Error(`shipper exited (${code}) before listening; see ${logFile}`)));
  });
  url.catch(() => undefined);
  const exit = new Promise<number | null>((r) => proc.once('exit', (code, sig) => r(code ?? (sig ? -1 : null))));
  return { proc, url, exit };
}

describe('ship -> Elasticsearch @integration', function () {
  this.timeout(600_000);
  let client: Client;
  let url: string;
  let dir: string;
  const created: string[] = [];
  const daemons: Daemon[] = [];
  const children: ChildProcess[] = [];

  before(async () => {
    const es = await sharedElasticsearch();
    client = es.client;
    url = es.conn.url;
  });
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-ship-'))));
  afterEach(async () => {
    for (const c of children.splice(0)) c.kill('SIGKILL');
    for (const d of daemons.splice(0)) await d.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  after(async () => {
    for (const n of created) await removeNamespace(client, n);
  });

  const startDaemon = async (values: Record<string, unknown>) => {
    const d = new Daemon({ config: testConfig({ state_dir: path.join(dir, 'state'), 'metrics.listen': '127.0.0.1:0', 'outputs.elasticsearch.url': url, ...values }) });
    daemons.push(d);
    await d.start();
    return d;
  };

  it('/metrics and /healthz report real values after shipping a corpus log', async () => {
    const { ns, target } = await install(client, 'metrics', created);
    const log = path.join(dir, 'audit.log');
    // A real log plus one line that is not audit text: it must reach Elasticsearch as a pipeline_error event.
    const text = fs.readFileSync(corpusPath('auditbeat/testdata/sudo.log'), 'utf8') + 'this is not an audit record\n';
    fs.writeFileSync(log, text);
    const started = Date.now() / 1000;
    const d = await startDaemon({ 'input.path': log, 'outputs.elasticsearch.namespace': ns, 'input.coalesce_timeout_ms': 300 });
    const expected = expectedIds(text);
    expect(expected.size).to.equal(21);
    await until(async () => (await countIn(client, target)) === 21, 60_000, '21 documents');
    expect(compareIds(expected, await idsIn(client, target))).to.deep.equal({ missing: 0, unexpected: 0, duplicates: 0 });
    const failed = await client.search({ index: target, query: { term: { 'event.kind': 'pipeline_error' } } });
    expect((failed.hits.hits[0]._source as { event: { original: string } }).event.original).to.equal('this is not an audit record');

    const m = await (await fetch(`${d.http!.url}/metrics`)).text();
    expect(metric(m, 'auditsight_input_lines_total')).to.equal(21); // 20 records + the bad line
    expect(metric(m, 'auditsight_events_in_total{kind="audit"}')).to.equal(20);
    expect(metric(m, 'auditsight_events_in_total{kind="parse_error"}')).to.equal(1);
    expect(metric(m, 'auditsight_parse_errors_total')).to.equal(1);
    expect(metric(m, 'auditsight_events_out_total{output="elasticsearch"}')).to.equal(21);
    expect(metric(m, 'auditsight_output_dead_letters_total{output="elasticsearch"}')).to.equal(0);
    expect(metric(m, 'auditsight_queue_events')).to.equal(0);
    expect(metric(m, 'auditsight_output_up{output="elasticsearch"}')).to.equal(1);
    expect(metric(m, 'auditsight_output_last_success_timestamp_seconds{output="elasticsearch"}')).to.be.within(started, Date.now() / 1000);
    expect(metric(m, 'auditsight_sequence_gaps_total')).to.equal(0);
    expect(m).to.match(/^auditsight_process_cpu_seconds_total /m);
    const h = await fetch(`${d.http!.url}/healthz`);
    expect(h.status).to.equal(200);
    const body = (await h.json()) as { status: string; outputs: Record<string, { pending_events: number; last_success: string }> };
    expect(body.status).to.equal('running');
    expect(body.outputs.elasticsearch.pending_events).to.equal(0);
    expect(Date.parse(body.outputs.elasticsearch.last_success)).to.be.at.least(started * 1000 - 1000);
  });

  it('sequence gaps arrive as lost-events documents beside the event after the gap', async () => {
    const { ns, target } = await install(client, 'gaps', created);
    const log = path.join(dir, 'audit.log');
    const text = fs.readFileSync(corpusPath('go-libaudit/testdata/lost_messages.log'), 'utf8');
    fs.writeFileSync(log, text);
    const d = await startDaemon({ 'input.path': log, 'outputs.elasticsearch.namespace': ns, 'input.coalesce_timeout_ms': 300 });
    await until(() => d.pipeline.stats.events === 6 && d.queue!.retained().events === 0, 60_000, 'the gap log shipped');
    const m = await (await fetch(`${d.http!.url}/metrics`)).text();
    expect(metric(m, 'auditsight_sequence_gaps_total')).to.equal(1);
    expect(metric(m, 'auditsight_events_lost_total{source="sequence"}')).to.equal(9);
    await client.indices.refresh({ index: target });
    const gap = await client.search({ index: target, query: { term: { 'event.action': 'lost-events' } } });
    expect(gap.hits.hits).to.have.length(1);
    // The gap event shares host, serial and time with the event after the gap; both must be kept.
    expect(await countIn(client, target)).to.equal(6, 'gap event and the event after the gap must both be stored (distinct _id)');
  });

  it('tails a file being written by a writer process: every event in Elasticsearch exactly once', async () => {
    const { ns, target } = await install(client, 'tail', created);
    const n = 5000;
    const text = auditStream(n);
    const src = path.join(dir, 'stream.log');
    const log = path.join(dir, 'audit.log');
    fs.writeFileSync(src, text);
    fs.writeFileSync(log, '');
    await startDaemon({ 'input.path': log, 'outputs.elasticsearch.namespace': ns });
    const writer = startWriter(src, log, 600_000);
    expect(await writer.done).to.equal(0);
    // n audit events plus the fork events derived from their clones.
    const expected = expectedIds(text);
    await until(async () => (await countIn(client, target)) >= expected.size, 120_000, `${expected.size} documents`, 1000);
    expect(compareIds(expected, await idsIn(client, target))).to.deep.equal({ missing: 0, unexpected: 0, duplicates: 0 });
  });

  it('kill -9 of the shipper process mid-stream, then a restart: every event exactly once', async () => {
    const { ns, target } = await install(client, 'kill', created);
    const n = 20_000;
    const text = auditStream(n);
    const src = path.join(dir, 'stream.log');
    const log = path.join(dir, 'audit.log');
    const shipLog = path.join(dir, 'ship.log');
    fs.writeFileSync(src, text);
    fs.writeFileSync(log, '');
    const args = ['--path', log, '--state-dir', path.join(dir, 'state'), '--es-url', url, '--namespace', ns, '--metrics-listen', '127.0.0.1:0', '--set', 'kernel.lost_poll_interval_s=0', '--config', path.join(dir, 'none.yml')];
    fs.writeFileSync(path.join(dir, 'none.yml'), '');
    const first = spawnShipper(args, shipLog);
    children.push(first.proc);
    await first.url;
    const writer = startWriter(src, log, 500_000); // ~15 s of writing: the kill lands mid-stream
    await until(async () => (await countIn(client, target)) >= 3000, 120_000, 'a first part shipped', 500);
    first.proc.kill('SIGKILL');
    expect(await first.exit).to.equal(-1);
    const atKill = await countIn(client, target);
    const second = spawnShipper(args, shipLog);
    children.push(second.proc);
    const metricsUrl = await second.url;
    expect(await writer.done).to.equal(0);
    const want = expectedIds(text).size; // n audit events plus the fork events derived from their clones
    await until(async () => (await countIn(client, target)) >= want, 180_000, `${want} documents`, 1000);
    await new Promise((r) => setTimeout(r, 1000));
    const m = await (await fetch(`${metricsUrl}/metrics`)).text();
    expect(compareIds(expectedIds(text), await idsIn(client, target))).to.deep.equal({ missing: 0, unexpected: 0, duplicates: 0 });
    second.proc.kill('SIGTERM');
    expect(await second.exit).to.equal(0); // graceful stop through the CLI's signal handler
    console.log(`      killed at ${atKill}/${n} documents; after restart: ${metric(m, 'auditsight_events_out_total{output="elasticsearch"}')} created, ${metric(m, 'auditsight_output_duplicates_total{output="elasticsearch"}')} redelivered (409)`);
  });
});

describe('ship through an Elasticsearch outage @integration', function () {
  this.timeout(900_000);
  let es: ManagedElasticsearch;
  let client: Client;
  let dir: string;
  let daemon: Daemon | undefined;

  before(async () => {
    es = await startManagedElasticsearch({ progress: (m) => console.log(`      [outage es] ${m}`) });
    client = createClient({ url: es.url });
  });
  after(async () => {
    await daemon?.stop();
    await client?.close();
    await es?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('Elasticsearch paused 10 s mid-stream, then resumed: every event exactly once, /healthz 503 meanwhile', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-outage-'));
    const { ns, target } = await install(client, 'outage', []);
    const n = 20_000;
    const text = auditStream(n);
    const src = path.join(dir, 'stream.log');
    const log = path.join(dir, 'audit.log');
    fs.writeFileSync(src, text);
    fs.writeFileSync(log, '');
    daemon = new Daemon({
      config: testConfig({ state_dir: path.join(dir, 'state'), 'metrics.listen': '127.0.0.1:0', 'outputs.elasticsearch.url': es.url, 'outputs.elasticsearch.namespace': ns, 'input.path': log, 'metrics.stuck_after_ms': 3000 }),
    });
    await daemon.start();
    const health = async () => (await fetch(`${daemon!.http!.url}/healthz`)).status;
    const writer = startWriter(src, log, 500_000);
    await until(async () => (await countIn(client, target)) >= 3000, 120_000, 'a first part shipped', 500);
    await es.pause();
    const pausedAt = Date.now();
    await until(async () => (await health()) === 503, 30_000, '/healthz 503 during the outage');
    await new Promise((r) => setTimeout(r, Math.max(0, 10_000 - (Date.now() - pausedAt))));
    const queued = daemon.queue!.retained().events;
    await es.resume();
    expect(await writer.done).to.equal(0);
    const expected = expectedIds(text); // n audit events plus the fork events derived from their clones
    await until(async () => (await countIn(client, target)) >= expected.size, 300_000, `${expected.size} documents`, 1000);
    await until(async () => (await health()) === 200, 30_000, '/healthz 200 after the outage');
    const got = compareIds(expected, await idsIn(client, target));
    expect(got, got.unexpected ? `unexpected documents:\n${await describeUnexpected(client, target, expected)}` : undefined).to.deep.equal({ missing: 0, unexpected: 0, duplicates: 0 });
    console.log(`      ${queued} events were queued at the end of the outage; retried: ${daemon.metrics.total('elasticsearch', 'retried')}`);
  });
});
