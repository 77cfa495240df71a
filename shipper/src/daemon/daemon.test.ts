// The daemon without Elasticsearch: NDJSON output, checkpoints across restarts, health, kernel lost events.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { corpusPath } from '../../../test/corpora';
import { eventId } from '../outputs/ids';
import { Daemon } from './daemon';
import { kernelLostEvent, lostIncrease, parseAuditctlStatus, readKernelLost, TAG_KERNEL_LOST } from './kernel-lost';
import { formatSummary } from './progress';
import { acquireLock } from './state';
import { auditStream, expectedIds, testConfig, until } from './testing';

const readNdjson = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)) : []);

describe('ship daemon (no Elasticsearch)', function () {
  this.timeout(60_000);
  let dir: string;
  const daemons: Daemon[] = [];
  const start = async (values: Record<string, unknown>, extra: Partial<ConstructorParameters<typeof Daemon>[0]> = {}) => {
    const d = new Daemon({ config: testConfig({ state_dir: path.join(dir, 'state'), 'metrics.listen': '127.0.0.1:0', ...values }), ...extra });
    daemons.push(d);
    await d.start();
    return d;
  };

  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-daemon-'))));
  afterEach(async () => {
    for (const d of daemons.splice(0)) await d.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('replays corpus files to NDJSON with a summary, and removes its private queue', async () => {
    const out = path.join(dir, 'out.ndjson');
    const files = [corpusPath('go-libaudit/testdata/lost_messages.log'), corpusPath('auditbeat/testdata/sudo.log')];
    const d = await start({ 'input.type': 'replay', 'input.files': files, 'outputs.ndjson.path': out, 'metrics.listen': 'off' });
    const s = await d.done;
    const events = readNdjson(out);
    // sudo.log is written newest first, so its serials jump around: 2 gaps there besides lost_messages' one.
    expect(s).to.deep.include({ lines: 37, events: 28, parseErrors: 0, gaps: 3, queued: 0 });
    expect(s.shipped).to.deep.equal({ ndjson: 28 });
    expect(events).to.have.length(28);
    // lost_messages.log drops serials 50..58.
    const gap = events.find((e) => e.event.action === 'lost-events' && e.auditd.data.sequence_after === '49');
    expect(gap.auditd.data.lost).to.equal('9');
    expect(fs.readdirSync(path.join(dir, 'state'))).to.deep.equal([]);
    expect(formatSummary(s)).to.match(/events +28\n.*\ngaps +3 \(\d+ events lost\)\nshipped +28/);
    expect(events.filter((e) => e.event.kind === 'event' && e.event.action !== 'lost-events').every((e) => e.event.original?.length > 0)).to.equal(true);

    // normalize.event_original: false ships the same events without their raw records.
    const lean = path.join(dir, 'lean.ndjson');
    const d2 = await start({ 'input.type': 'replay', 'input.files': files, 'outputs.ndjson.path': lean, 'metrics.listen': 'off', 'normalize.event_original': false });
    expect((await d2.done).events).to.equal(28);
    const leanEvents = readNdjson(lean);
    expect(leanEvents.map((e) => e.auditd?.sequence)).to.deep.equal(events.map((e) => e.auditd?.sequence));
    expect(leanEvents.filter((e) => e.event.original !== undefined)).to.deep.equal([]);
  });

  it('plugin: reads stdin until auditd closes it, flushes the coalescer, drains and stops by itself', async () => {
    const out = path.join(dir, 'out.ndjson');
    const stdin = new PassThrough();
    const d = await start({ 'input.type': 'plugin', 'outputs.ndjson.path': out, 'metrics.listen': 'off' }, { stdin });
    const text = auditStream(300);
    // Chunks that split lines, as a pipe does.
    for (let i = 0; i < text.length; i += 7000) stdin.write(text.slice(i, i + 7000));
    stdin.end();
    const s = await d.done;
    // 300 audit events plus a Session View fork event for each clone among them.
    const want = expectedIds(text).size;
    expect(want).to.be.greaterThan(300);
    expect(s).to.deep.include({ events: want, parseErrors: 0, gaps: 0, queued: 0 });
    expect(new Set(readNdjson(out).map((e) => eventId(e))).size).to.equal(want);
  });

  it('tail: resumes from the durable checkpoint after a restart, without re-shipping', async () => {
    const log = path.join(dir, 'audit.log');
    const out = path.join(dir, 'out.ndjson');
    const text = auditStream(600);
    const want = expectedIds(text).size; // 600 audit events and their fork events
    const lines = text.split('\n');
    const half = lines.slice(0, 700).join('\n') + '\n';
    fs.writeFileSync(log, half);
    const cfg = { 'input.path': log, 'outputs.ndjson.path': out, 'input.coalesce_timeout_ms': 300 };
    const d1 = await start(cfg);
    const firstHalf = new Set(readNdjsonIdsSoon());
    function readNdjsonIdsSoon() {
      return readNdjson(out).map((e) => eventId(e));
    }
    await until(() => d1.pipeline.stats.lines === 700 && d1.queue!.retained().events === 0 && d1.pipeline.pending === 0, 20_000, 'the first half shipped');
    // Only the read in progress waits for a stop: nothing accumulates per batch (a Promise.race against one
    // long-lived stop promise kept every batch ever read reachable).
    expect((d1 as unknown as { stopWaiters: Set<unknown> }).stopWaiters.size).to.be.at.most(1);
    await until(() => fs.existsSync(path.join(dir, 'state', 'checkpoint.json')), 5000, 'checkpoint.json');
    await d1.stop();
    const afterFirst = readNdjson(out).length;
    expect(afterFirst).to.be.greaterThan(0);
    expect(firstHalf.size).to.be.at.most(afterFirst);
    fs.appendFileSync(log, lines.slice(700).join('\n'));
    const d2 = await start(cfg);
    await until(() => readNdjson(out).length >= want, 30_000, `all ${want} events`);
    await new Promise((r) => setTimeout(r, 600)); // anything extra (a duplicate) would show up now
    const ids = readNdjson(out).map((e) => eventId(e));
    expect(ids).to.have.length(want);
    expect(new Set(ids)).to.deep.equal(expectedIds(text));
    expect(d2.pipeline.stats.lines).to.be.at.most(lines.length - 700 + 10); // resumed, did not start over
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'state', 'enrich.json'), 'utf8')).version).to.equal(1);
  });

  it('tail: an event cut between two writes stays whole across an event loop stalled longer than the coalesce timeout', async () => {
    // bob's first execve (SYSCALL, EXECVE, CWD, PATH..., PROCTITLE) from the insider scenario.
    const all = fs.readFileSync(path.resolve(__dirname, '..', '..', '..', 'e2e', 'scenario', 'insider.log'), 'utf8').split('\n');
    const serialOf = (l: string) => /audit\([\d.]+:(\d+)\)/.exec(l)?.[1];
    const serial = all.filter((l) => l.includes('type=EXECVE')).map(serialOf)[0];
    const event = all.filter((l) => serialOf(l) === serial);
    expect(event.length).to.be.greaterThan(3);
    const log = path.join(dir, 'audit.log');
    const out = path.join(dir, 'out.ndjson');
    fs.writeFileSync(log, '');
    const d = await start({ 'input.path': log, 'outputs.ndjson.path': out, 'input.coalesce_timeout_ms': 2000 });
    fs.appendFileSync(log, `${event.slice(0, 2).join('\n')}\n`);
    await until(() => d.pipeline.stats.lines === 2, 10_000, 'the first two records read');
    await new Promise((r) => setTimeout(r, 300)); // the input waits for more
    // The daemon runs in this process: hold its event loop for longer than the timeout, as a long
    // synchronous task would, while auditd has already written the rest.
    fs.appendFileSync(log, `${event.slice(2).join('\n')}\n`);
    const t0 = Date.now();
    while (Date.now() - t0 < 3000);
    await until(() => d.pipeline.stats.lines === event.length && d.queue!.retained().events === 0 && readNdjson(out).length > 0, 10_000, 'the event shipped');
    await new Promise((r) => setTimeout(r, 2500)); // a second part would have left by now
    const docs = readNdjson(out).filter((e) => String(e.auditd?.sequence) === serial);
    // One document: no `_auditsight_event_part_2` with the records that came after the stall.
    expect(docs.map((e) => e.event.action)).to.deep.equal(['executed']);
    expect(docs[0].event.original).to.have.length(event.length);
  });

  it('/healthz is 503 with a reason when an output is stuck, /metrics shows the queue and the failure', async () => {
    const log = path.join(dir, 'audit.log');
    const text = auditStream(50);
    fs.writeFileSync(log, text);
    const n = expectedIds(text).size; // 50 audit events and their fork events
    // Nothing listens on port 9: Elasticsearch is "down" from the start.
    const d = await start({ 'input.path': log, 'outputs.elasticsearch.url': 'http://127.0.0.1:9', 'metrics.stuck_after_ms': 800, 'shutdown.drain_timeout_ms': 200 });
    const url = d.http!.url;
    expect((await fetch(`${url}/healthz`)).status).to.equal(200);
    const stuck = async () => {
      const r = await fetch(`${url}/healthz`);
      return r.status === 503 && /unreachable/.test(((await r.json()) as { reason: string }).reason);
    };
    await until(async () => d.queue!.retained().events === n && (await stuck()), 20_000, '/healthz 503 naming the failure');
    const h = (await (await fetch(`${url}/healthz`)).json()) as { status: string; reason: string; outputs: Record<string, { pending_events: number }> };
    expect(h.status).to.equal('stuck');
    expect(h.reason).to.match(new RegExp(`^elasticsearch: ${n} events waiting, nothing shipped for \\d+ s \\(cannot look up the write target: Elasticsearch unreachable`));
    expect(h.outputs.elasticsearch.pending_events).to.equal(n);
    const m = await (await fetch(`${url}/metrics`)).text();
    expect(m).to.match(new RegExp(`^auditsight_queue_events ${n}$`, 'm'));
    expect(m).to.match(/^auditsight_output_up\{output="elasticsearch"\} 0$/m);
    expect(m).to.match(/^auditsight_events_in_total\{kind="audit"\} 50$/m);
    expect(m).to.match(new RegExp(`^auditsight_events_in_total\\{kind="derived"\\} ${n - 50}$`, 'm'));
    expect(m).to.match(/^auditsight_output_last_success_timestamp_seconds\{output="elasticsearch"\} 0$/m);
    // The process metrics stay, the event-loop delay histogram included (its coarser sampling is not visible here).
    expect(m).to.match(/^auditsight_nodejs_eventloop_lag_p99_seconds [\d.e+-]+$/m);
    expect(m).to.match(/^auditsight_process_resident_memory_bytes \d+$/m);
    const summary = await d.stop();
    expect(summary.queued).to.equal(n); // kept for the next start
    expect((await fetch(`${url}/healthz`).catch(() => undefined))?.status).to.equal(undefined); // closed
  });

  it('reports a rise of the kernel lost counter as a metric and as an event', async function () {
    if (process.getuid?.() !== 0) this.skip(); // the poll runs only as root (CAP_AUDIT_CONTROL)
    const fake = path.join(dir, 'auditctl');
    fs.writeFileSync(fake, '#!/bin/sh\necho "enabled 1"\necho "lost 7"\necho "backlog 0"\n', { mode: 0o755 });
    const log = path.join(dir, 'audit.log');
    fs.writeFileSync(log, '');
    const out = path.join(dir, 'out.ndjson');
    const d = await start({ 'input.path': log, 'outputs.ndjson.path': out, 'kernel.lost_poll_interval_s': 1 }, { auditctl: fake });
    await until(() => readNdjson(out).length === 1, 10_000, 'the kernel lost event');
    const [ev] = readNdjson(out);
    expect(ev.event.action).to.equal('lost-events');
    expect(ev.tags).to.deep.equal([TAG_KERNEL_LOST]);
    expect(ev.auditd.data).to.deep.equal({ lost: '7', kernel_lost_total: '7' });
    expect(ev.host.id).to.be.a('string'); // enriched like any event of this host
    const m = await (await fetch(`${d.http!.url}/metrics`)).text();
    expect(m).to.match(/^auditsight_kernel_lost 7$/m);
    expect(m).to.match(/^auditsight_events_lost_total\{source="kernel"\} 7$/m);
    await new Promise((r) => setTimeout(r, 1500)); // the next polls see no rise: no second event
    expect(readNdjson(out)).to.have.length(1);
    await d.stop();
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'state', 'kernel-lost.json'), 'utf8')).lost).to.equal(7);
  });

  it('kernel lost helpers: auditctl -s parsing, increases across restarts and reboots, the real auditctl', async () => {
    expect(parseAuditctlStatus('enabled 1\nfailure 1\npid 321\nrate_limit 0\nbacklog_limit 8192\nlost 42\nbacklog 3\n')).to.deep.equal({ lost: 42, enabled: 1, backlog: 3, backlogLimit: 8192 });
    expect(lostIncrease(undefined, 'b1', 5)).to.equal(5);
    expect(lostIncrease({ bootId: 'b1', lost: 5 }, 'b1', 9)).to.equal(4);
    expect(lostIncrease({ bootId: 'b1', lost: 5 }, 'b2', 2)).to.equal(2); // rebooted: counter restarted
    expect(lostIncrease({ bootId: 'b1', lost: 5 }, 'b1', 1)).to.equal(1); // reset with auditctl --reset-lost
    expect(kernelLostEvent(3, 10, 0).auditd!.warnings![0]).to.match(/dropped 3 audit record/);
    if (process.getuid?.() === 0 && fs.existsSync('/usr/sbin/auditctl')) {
      expect(await readKernelLost('/usr/sbin/auditctl')).to.be.a('number');
    }
  });

  it('one shipper per state directory: a live lock is refused, a dead owner\'s lock is taken over', () => {
    const state = path.join(dir, 'state');
    fs.mkdirSync(state);
    const release = acquireLock(state);
    fs.writeFileSync(path.join(state, 'lock'), '1'); // pid 1 is alive
    expect(() => acquireLock(state)).to.throw(/in use by another auditsight \(pid 1\)/);
    fs.writeFileSync(path.join(state, 'lock'), '999999999'); // no such process (killed -9)
    const again = acquireLock(state);
    expect(fs.readFileSync(path.join(state, 'lock'), 'utf8')).to.equal(String(process.pid));
    again();
    release();
  });
});
