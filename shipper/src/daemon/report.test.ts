import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ConsumerStats, QueueStats } from '../queue/types';
import { runningHealth, runSummary } from './report';
import { CheckpointFile } from './state';

function queue(consumers: Record<string, Partial<ConsumerStats>>): QueueStats {
  const full: Record<string, ConsumerStats> = {};
  for (const [k, c] of Object.entries(consumers)) full[k] = { cursor: 0, pendingEvents: 0, pendingBytes: 0, ackLagMs: 0, dropped: 0, acked: 0, ...c };
  return { events: 7, bytes: 700, diskBytes: 0, segments: 1, nextSeq: 7, enqueued: 7, droppedOldest: 0, droppedNewest: 0, corruptRegions: 0, corruptBytes: 0, blockedMs: 0, consumers: full };
}

describe('daemon/report: /healthz and the run summary', () => {
  const base = { status: 'running', input: { lines: 10, events: 7 }, startedMs: 0, stuckAfterMs: 60_000, nowMs: 1_000_000 };

  it('an output with old events waiting that shipped nothing for as long is stuck, with the reason', () => {
    const h = runningHealth({
      ...base,
      queue: queue({ es: { pendingEvents: 5, ackLagMs: 120_000 }, ndjson: { pendingEvents: 0 } }),
      outputs: new Map([['es', { lastShipMs: 1_000_000 - 90_000, lastError: 'connect ECONNREFUSED <b>' }]]),
    });
    expect(h.ok).to.equal(false);
    expect(h.status).to.equal('stuck');
    expect(h.reason).to.equal('es: 5 events waiting, nothing shipped for 90 s (connect ECONNREFUSED <b>)');
    expect((h.outputs as Record<string, { stuck: boolean }>).ndjson.stuck).to.equal(false);
  });

  it('an output that is behind but still shipping is not stuck', () => {
    const h = runningHealth({ ...base, queue: queue({ es: { pendingEvents: 5000, ackLagMs: 120_000 } }), outputs: new Map([['es', { lastShipMs: 1_000_000 - 500 }]]) });
    expect(h).to.include({ ok: true, status: 'running' });
    expect(h.queue).to.deep.equal({ events: 7, bytes: 700 });
  });

  it('an output that never shipped is idle since the start of the run', () => {
    const h = runningHealth({ ...base, startedMs: 1_000_000 - 30_000, queue: queue({ es: { pendingEvents: 1, ackLagMs: 120_000 } }), outputs: new Map() });
    expect(h.ok).to.equal(true);
  });

  it('the summary counts 409s as shipped and adds the kernel lost counter to the gaps', () => {
    const totals: Record<string, number> = { 'es/shipped': 90, 'es/duplicates': 10, 'es/deadLettered': 2 };
    const s = runSummary({
      pipeline: { lines: 700, events: 100, parseErrors: 1, gaps: 2, missing: 3 } as never,
      outputs: ['es'],
      metrics: { total: (o: string, k: string) => totals[`${o}/${k}`] ?? 0 } as never,
      kernelEvents: 1,
      kernelLost: 40,
      queued: 0,
      durationMs: 5,
      failure: undefined,
    });
    expect(s).to.deep.include({ lines: 700, events: 101, parseErrors: 1, gaps: 2, lost: 43, shipped: { es: 100 }, deadLettered: { es: 2 }, queued: 0 });
  });
});

describe('daemon/state: checkpoint.json', () => {
  it('is rewritten once for a burst of advances and at stop, and read back for the same log only', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-cpf-'));
    try {
      const file = path.join(dir, 'checkpoint.json');
      const warnings: string[] = [];
      const f = new CheckpointFile(file, '/var/log/audit/audit.log', (m) => warnings.push(m));
      expect(f.saved()).to.equal(undefined);
      f.startAt('tail1:1:2:0');
      f.advance('tail1:1:2:0'); // where it started: nothing to write
      f.advance('tail1:1:2:100');
      f.advance('tail1:1:2:200');
      expect(fs.existsSync(file)).to.equal(false); // not before the second is up
      f.write();
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).to.include({ path: '/var/log/audit/audit.log', checkpoint: 'tail1:1:2:200' });
      // The next run reads it back for the same log only.
      expect(new CheckpointFile(file, '/var/log/audit/audit.log', () => undefined).saved()).to.equal('tail1:1:2:200');
      expect(new CheckpointFile(file, '/var/log/other.log', () => undefined).saved()).to.equal(undefined);
      fs.rmSync(dir, { recursive: true });
      f.write(); // the directory is gone: a warning, not a crash
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.match(/^checkpoint\.json not written: /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
