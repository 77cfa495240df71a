// Against a REAL forward-protocol receiver: the OpenTelemetry Collector's fluentforward receiver, built from
// testdata/fluentrecv with Go (cached by source hash in the temp dir). A failed build fails the suite.
import { expect } from 'chai';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EcsEvent } from '../../../common/ecs/event';
import { DiskQueue } from '../queue/disk-queue';
import { FluentOutput } from './fluent';
import { CountingMetrics } from './metrics';
import { runOutput } from './output';
import { until } from '../daemon/testing';

const SRC = path.join(__dirname, 'testdata', 'fluentrecv');
const BUILD_TIMEOUT_MS = 8 * 60_000;

function buildReceiver(): Promise<string> {
  const h = createHash('sha256');
  for (const f of ['main.go', 'go.mod', 'go.sum']) h.update(fs.readFileSync(path.join(SRC, f)));
  const bin = path.join(os.tmpdir(), `auditsight-fluentrecv-${h.digest('hex').slice(0, 16)}`);
  if (fs.existsSync(bin)) return Promise.resolve(bin);
  return new Promise((resolve, reject) => {
    execFile('go', ['build', '-o', `${bin}.tmp`, '.'], { cwd: SRC, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 << 20 }, (err, _out, stderr) => {
      if (err) return reject(new Error(`building the fluentforward receiver (go build in ${SRC}) failed: ${err.message}\n${stderr}`));
      fs.renameSync(`${bin}.tmp`, bin);
      resolve(bin);
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

interface Receiver {
  proc: ChildProcess;
  lines: Array<{ time: number; attributes: Record<string, unknown> }>;
  stop(): Promise<void>;
}

async function startReceiver(bin: string, port: number, failFirst = 0): Promise<Receiver> {
  const proc = spawn(bin, ['-listen', `127.0.0.1:${port}`, '-fail-first', String(failFirst)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Receiver['lines'] = [];
  let buf = '';
  let stderr = '';
  proc.stderr!.on('data', (d) => (stderr += d));
  const ready = new Promise<void>((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`receiver exited (${code}): ${stderr}`)));
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('READY')) resolve();
        else if (line.trim()) lines.push(JSON.parse(line));
      }
    });
  });
  await ready;
  return {
    proc,
    lines,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      }),
  };
}

function events(n: number): EcsEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    '@timestamp': new Date(Date.UTC(2025, 0, 1, 0, 0, 1, i)).toISOString(),
    event: { kind: 'event', action: 'executed', module: 'auditd' },
    host: { name: 'web-1' },
    process: { pid: 100 + i, executable: '/usr/bin/id' },
    auditd: { sequence: i + 1 },
  }));
}

describe('Fluent forward output (real OpenTelemetry fluentforward receiver)', function () {
  this.timeout(60_000);
  let bin: string;
  const receivers: Receiver[] = [];
  let dir: string;

  before(async function () {
    this.timeout(BUILD_TIMEOUT_MS + 30_000);
    bin = await buildReceiver();
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-fluent-'));
  });
  afterEach(async () => {
    for (const r of receivers.splice(0)) await r.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  async function pipeline(port: number, opts: { ackTimeoutMs?: number } = {}) {
    const queue = await DiskQueue.open<EcsEvent>({ dir, consumers: ['fluent'] });
    const metrics = new CountingMetrics();
    const logs: string[] = [];
    const out = new FluentOutput({ port, metrics, ackTimeoutMs: opts.ackTimeoutMs ?? 5_000, backoff: { initialMs: 50, maxMs: 300 }, log: (l, m) => logs.push(`${l}: ${m}`) });
    const ac = new AbortController();
    const run = runOutput(queue, out, ac.signal, { maxEvents: 20, lingerMs: 20 });
    const stop = async () => {
      ac.abort();
      await run;
      await out.close();
      await queue.close();
    };
    return { queue, metrics, logs, stop };
  }

  it('delivers every event and acknowledges the queue only after the receiver acked', async () => {
    const port = await freePort();
    const recv = await startReceiver(bin, port);
    receivers.push(recv);
    const p = await pipeline(port);
    await p.queue.enqueue(events(50).map((event) => ({ event })));
    await until(() => p.queue.stats().consumers.fluent.pendingEvents === 0, 20_000, 'acknowledgement of 50 events');
    await p.stop();
    expect(recv.lines).to.have.length(50);
    const seqs = recv.lines.map((l) => (l.attributes.auditd as { sequence: number }).sequence);
    expect(seqs).to.deep.equal(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(recv.lines[0].attributes.host).to.deep.equal({ name: 'web-1' });
    expect(recv.lines[3].time).to.equal(Date.UTC(2025, 0, 1, 0, 0, 1, 3)); // EventTime keeps milliseconds
    expect(typeof (recv.lines[0].attributes.event as { ingested: string }).ingested).to.equal('string');
    expect(p.metrics.get('fluent', 'shipped')).to.equal(50);
    expect(p.metrics.get('fluent', 'retried')).to.equal(0);
  });

  it('resends chunks the receiver did not acknowledge (rejected by its pipeline)', async () => {
    const port = await freePort();
    const recv = await startReceiver(bin, port, 2);
    receivers.push(recv);
    const p = await pipeline(port);
    await p.queue.enqueue(events(30).map((event) => ({ event })));
    await until(() => p.queue.stats().consumers.fluent.pendingEvents === 0, 30_000, 'acknowledgement after rejections');
    await p.stop();
    const seqs = new Set(recv.lines.map((l) => (l.attributes.auditd as { sequence: number }).sequence));
    expect(seqs.size).to.equal(30);
    expect(p.metrics.get('fluent', 'failedRequests')).to.equal(2);
    expect(p.logs.filter((l) => l.startsWith('warn')).length).to.equal(1);
  });

  it('keeps events queued while no receiver listens, delivers them when one appears', async () => {
    const port = await freePort();
    const p = await pipeline(port);
    await p.queue.enqueue(events(10).map((event) => ({ event })));
    await new Promise((r) => setTimeout(r, 1_000));
    expect(p.queue.stats().consumers.fluent.pendingEvents).to.equal(10);
    expect(p.metrics.get('fluent', 'failedRequests')).to.be.at.least(1);
    const recv = await startReceiver(bin, port);
    receivers.push(recv);
    await until(() => p.queue.stats().consumers.fluent.pendingEvents === 0, 20_000, 'delivery after the receiver started');
    await p.stop();
    expect(recv.lines).to.have.length(10);
  });
});
