import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { EcsEvent } from '../../../common/ecs/event';
import { DiskQueue } from '../queue/disk-queue';
import { CountingMetrics } from './metrics';
import { NdjsonOutput } from './ndjson';
import { runOutput } from './output';

describe('NDJSON output', () => {
  it('appends one line per event (with event.ingested) and acknowledges after writing', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-ndjson-'));
    const file = path.join(dir, 'events.ndjson');
    fs.writeFileSync(file, '{"earlier":true}\n');
    const queue = await DiskQueue.open<EcsEvent>({ dir: path.join(dir, 'q'), consumers: ['ndjson'] });
    const evs: EcsEvent[] = Array.from({ length: 25 }, (_, i) => ({ '@timestamp': '2025-01-01T00:00:00.000Z', event: { kind: 'event' }, auditd: { sequence: i } }));
    await queue.enqueue(evs.map((event) => ({ event })));
    const metrics = new CountingMetrics();
    const out = new NdjsonOutput({ file, metrics, now: () => new Date('2025-02-02T00:00:00Z') });
    const ac = new AbortController();
    const run = runOutput(queue, out, ac.signal, { maxEvents: 10, lingerMs: 0 });
    while (queue.stats().consumers.ndjson.pendingEvents) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await run;
    await out.close();
    await queue.close();
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).to.have.length(26);
    expect(lines[0]).to.deep.equal({ earlier: true });
    expect(lines[1].event.ingested).to.equal('2025-02-02T00:00:00.000Z');
    expect(lines.slice(1).map((l) => l.auditd.sequence)).to.deep.equal(evs.map((e) => e.auditd!.sequence));
    expect(metrics.get('ndjson', 'shipped')).to.equal(25);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('ships to a device that cannot be synced (/dev/null: fdatasync EINVAL) once, without retrying forever', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-ndjson-'));
    const queue = await DiskQueue.open<EcsEvent>({ dir: path.join(dir, 'q'), consumers: ['ndjson'] });
    const evs: EcsEvent[] = Array.from({ length: 30 }, (_, i) => ({ '@timestamp': '2025-01-01T00:00:00.000Z', event: { kind: 'event' }, auditd: { sequence: i } }));
    await queue.enqueue(evs.map((event) => ({ event })));
    const metrics = new CountingMetrics();
    const logs: string[] = [];
    const out = new NdjsonOutput({ file: '/dev/null', metrics, log: (_l, m) => logs.push(m) });
    const ac = new AbortController();
    const run = runOutput(queue, out, ac.signal, { maxEvents: 10, lingerMs: 0 });
    const deadline = Date.now() + 10_000;
    while (queue.stats().consumers.ndjson.pendingEvents && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await run;
    await out.close();
    expect(queue.stats().consumers.ndjson.pendingEvents).to.equal(0);
    await queue.close();
    expect(logs).to.deep.equal([]);
    expect(metrics.get('ndjson', 'shipped')).to.equal(30);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
