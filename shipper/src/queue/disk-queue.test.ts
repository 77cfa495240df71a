import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn } from 'node:child_process';
import { DiskQueue } from './disk-queue';
import { encodeRecord, HEADER_BYTES } from './record';
import type { DiskQueueOptions } from './types';

interface Ev {
  n: number;
  pad?: string;
}
type Ck = { file: string; offset: number };

const entries = (from: number, count: number, pad = '') =>
  Array.from({ length: count }, (_, i) => ({ event: { n: from + i, pad } as Ev, checkpoint: { file: '/var/log/audit/audit.log', offset: (from + i) * 100 } }));

describe('DiskQueue', () => {
  let dir: string;
  const opened: Array<DiskQueue<Ev, Ck>> = [];
  const open = async (o: Partial<DiskQueueOptions> = {}) => {
    const q = await DiskQueue.open<Ev, Ck>({ dir, consumers: ['es'], ...o });
    opened.push(q);
    return q;
  };
  const drain = async (q: DiskQueue<Ev, Ck>, name = 'es', ack = true) => {
    const c = q.consumer(name);
    const got: number[] = [];
    for (;;) {
      // reuse, as runOutput reads: each batch is done with before the next read.
      const b = await c.read({ maxEvents: 7, waitMs: 10, reuse: true });
      if (!b.length) return got;
      got.push(...b.map((r) => r.event.n));
      if (ack) c.ack(b);
    }
  };
  const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-queue-'));
  });
  afterEach(async () => {
    for (const q of opened.splice(0)) await q.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('events prepared as bytes when produced are stored exactly as events handed over whole', async () => {
    const now = () => 1_700_000_000_000;
    const evs = (pad: string) =>
      [
        ...Array.from({ length: 5 }, (_, i) => ({ event: { n: i, pad } as Ev, checkpoint: 'tail1:a' as unknown as Ck })),
        { event: { n: 5, pad: 'caf\u00e9 \u{1F600} "q" \\' } as Ev, checkpoint: 'tail1:b' as unknown as Ck },
        { event: { n: 6, pad } as Ev },
        { event: { n: 7, pad } as Ev, checkpoint: { file: 'f', offset: 7 } },
      ];
    const write = async (d: string, prepared: boolean) => {
      const q = await DiskQueue.open<Ev, Ck>({ dir: d, consumers: ['es'], now, segmentBytes: 400 });
      const entries = evs('x'.repeat(40));
      await q.enqueue(prepared ? entries.map((e) => ({ prepared: q.prepare(e.event), checkpoint: 'checkpoint' in e ? e.checkpoint : undefined })) : entries);
      const got = (await q.consumer('es').read({ maxEvents: 100 })).map((r) => [r.event, r.checkpoint]);
      await q.close();
      return { got, files: fs.readdirSync(d).filter((f) => f.endsWith('.aq')).sort().map((f) => fs.readFileSync(path.join(d, f))) };
    };
    const whole = await write(path.join(dir, 'whole'), false);
    const early = await write(path.join(dir, 'prepared'), true);
    expect(whole.files.length).to.be.greaterThan(1);
    expect(early.files).to.deep.equal(whole.files);
    expect(early.got).to.deep.equal(whole.got);
    expect(early.got).to.deep.equal(evs('x'.repeat(40)).map((e) => [e.event, 'checkpoint' in e ? e.checkpoint : undefined]));
  });

  it('prepared bytes whose arena space was written over after their write are still read back intact', async () => {
    const q = await open();
    const first = [0, 1, 2].map((n) => ({ prepared: q.prepare({ n, pad: 'a'.repeat(100) }) }));
    const bytesBefore = first[0].prepared.json;
    await q.enqueue(first);
    // Written: the arena starts over, and the next events take the same memory.
    const second = [3, 4, 5].map((n) => ({ prepared: q.prepare({ n, pad: 'b'.repeat(100) }) }));
    expect(second[0].prepared.json.buffer).to.equal(bytesBefore.buffer);
    expect(second[0].prepared.json.byteOffset).to.equal(bytesBefore.byteOffset);
    await q.enqueue(second);
    const got = await q.consumer('es').read({ maxEvents: 100 });
    expect(got.map((r) => r.event)).to.deep.equal([0, 1, 2, 3, 4, 5].map((n) => ({ n, pad: (n < 3 ? 'a' : 'b').repeat(100) })));
    // Its bytes may be another event's now: a second enqueue of it fails instead of storing them.
    let err: Error | undefined;
    await q.enqueue([first[1]]).catch((e: Error) => (err = e));
    expect(err?.message).to.equal('a prepared event was enqueued twice');
  });

  it('read({ reuse }) reads each batch into the same memory, across segments, and the records are whole', async () => {
    const q = await open({ segmentBytes: 300 });
    await q.enqueue(range(0, 40).map((n) => ({ event: { n, pad: 'p'.repeat(n) }, checkpoint: `tail1:${n}` as unknown as Ck })));
    expect(q.segments.length).to.be.greaterThan(3);
    const c = q.consumer('es');
    const got: Ev[] = [];
    const memory = new Set<ArrayBufferLike>();
    for (;;) {
      const b = await c.read({ maxEvents: 9, waitMs: 10, reuse: true });
      if (!b.length) break;
      for (const r of b) memory.add(r.eventBytes!.buffer);
      got.push(...b.map((r) => r.event));
      c.ack(b);
    }
    expect(got).to.deep.equal(range(0, 40).map((n) => ({ n, pad: 'p'.repeat(n) })));
    // Five batches, one buffer (it grew once at most).
    expect(memory.size).to.be.at.most(2);
  });

  it('string checkpoints and keys: the event comes last, its text is handed out and it is parsed only when read', async () => {
    const q = await DiskQueue.open<Ev, string>({ dir, consumers: ['es'], eventKey: (e) => (e.n === 2 ? undefined : `id-${e.n}`) });
    await q.enqueue([
      { event: { n: 1, pad: '"e":{' }, checkpoint: 'tail1:a,"e":' },
      { event: { n: 2 }, checkpoint: 'tail1:b' },
      { event: { n: 3 }, key: 'given' },
      { event: { n: 4 } },
    ]);
    const recs = await q.consumer('es').read({ maxEvents: 10 });
    expect(recs.map((r) => [r.event, r.checkpoint, r.key, r.eventText])).to.deep.equal([
      [{ n: 1, pad: '"e":{' }, 'tail1:a,"e":', 'id-1', '{"n":1,"pad":"\\"e\\":{"}'],
      [{ n: 2 }, 'tail1:b', undefined, '{"n":2}'],
      [{ n: 3 }, undefined, 'given', '{"n":3}'],
      [{ n: 4 }, undefined, 'id-4', '{"n":4}'],
    ]);
    expect(recs.map((r) => r.eventBytes?.toString('utf8'))).to.deep.equal(recs.map((r) => r.eventText));
    await q.close();
    // What an older version reads: plain JSON with e and c (it ignores k).
    const seg = fs.readFileSync(path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.aq'))!));
    expect(JSON.parse(seg.subarray(HEADER_BYTES, HEADER_BYTES + seg.readUInt32LE(8)).toString('utf8'))).to.deep.equal({ c: 'tail1:a,"e":', k: 'id-1', e: { n: 1, pad: '"e":{' } });
  });

  it('reopened, resumes from the string checkpoint of the newest record (the daemon\'s layout)', async () => {
    const q = await DiskQueue.open<Ev, string>({ dir, consumers: ['es'], eventKey: (e) => `id-${e.n}` });
    await q.enqueue([1, 2, 3].map((n) => ({ prepared: q.prepare({ n, pad: '"c":"x"' }), checkpoint: `tail1:1:2:${n * 100},"e":` })));
    await q.close();
    const again = await DiskQueue.open<Ev, string>({ dir, consumers: ['es'] });
    expect(again.lastCheckpoint()).to.equal('tail1:1:2:300,"e":');
    await again.close();
  });

  it('reads records written by an older version ({"e":...,"c":...}): parsed whole, no text', async () => {
    fs.mkdirSync(dir, { recursive: true });
    const old = [encodeRecord(1, 5, Buffer.from(JSON.stringify({ e: { n: 1 }, c: 'tail1:x' }))), encodeRecord(2, 5, Buffer.from(JSON.stringify({ e: { n: 2 } })))];
    fs.writeFileSync(path.join(dir, 'seg-0000000000000001.aq'), Buffer.concat(old));
    const q = await DiskQueue.open<Ev, string>({ dir, consumers: ['es'] });
    expect(q.lastCheckpoint()).to.equal(undefined);
    const recs = await q.consumer('es').read({ maxEvents: 10 });
    expect(recs.map((r) => [r.event, r.checkpoint, r.key, r.eventText, r.seq])).to.deep.equal([
      [{ n: 1 }, 'tail1:x', undefined, undefined, 1],
      [{ n: 2 }, undefined, undefined, undefined, 2],
    ]);
  });

  it('delivers in FIFO order with the checkpoint token, across segments', async () => {
    const q = await open({ segmentBytes: 300 });
    const r = await q.enqueue(entries(0, 50));
    expect(r).to.deep.equal({ accepted: 50, dropped: 0 });
    const first = await q.consumer('es').read({ maxEvents: 1 });
    expect(first[0].checkpoint).to.deep.equal({ file: '/var/log/audit/audit.log', offset: 0 });
    q.consumer('es').rewind();
    expect(q.stats().segments).to.be.greaterThan(5);
    expect(await drain(q)).to.deep.equal(range(0, 50));
    // Acknowledged segments are deleted: only the active one remains.
    expect(q.stats().segments).to.equal(1);
    expect(q.stats().events).to.equal(0);
  });

  it('persists across reopen and redelivers what was not acknowledged', async () => {
    let q = await open();
    await q.enqueue(entries(0, 20));
    const c = q.consumer('es');
    const b1 = await c.read({ maxEvents: 5 });
    c.ack(b1);
    const b2 = await c.read({ maxEvents: 5 }); // read, never acknowledged
    expect(b2.map((r) => r.event.n)).to.deep.equal(range(5, 10));
    await q.close();
    q = await open();
    expect(q.lastCheckpoint()).to.deep.equal({ file: '/var/log/audit/audit.log', offset: 1900 });
    expect(q.stats().events).to.equal(15);
    expect(await drain(q)).to.deep.equal(range(5, 20));
    await q.enqueue(entries(20, 3));
    expect(await drain(q)).to.deep.equal([20, 21, 22]);
  });

  it('survives an unclean stop (no close): acknowledged stays acknowledged, the rest comes back', async () => {
    const q1 = await open({ fsync: 'always' });
    await q1.enqueue(entries(0, 10));
    q1.consumer('es').ack((await q1.consumer('es').read({ maxEvents: 4 })).at(-1)!);
    // Simulate kill -9: the first instance is simply abandoned (fds stay open, nothing flushed on purpose).
    opened.splice(opened.indexOf(q1), 1);
    const q2 = await open();
    expect(await drain(q2)).to.deep.equal(range(4, 10));
  });

  it('kill -9 of a writing process: on reopen every durable event is there, in order, nothing crashes', async function () {
    this.timeout(30_000);
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'testdata', 'writer.ts'), dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let durable = 0;
    child.stdout!.on('data', (d: Buffer) => (durable = Number(d.toString().trim().split('\n').at(-1))));
    while (durable < 3000) await new Promise((r) => setTimeout(r, 5));
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const q = await open({ segmentBytes: 256 * 1024 });
    const got = await drain(q);
    expect(got.length).to.be.at.least(durable);
    expect(got).to.deep.equal(range(0, got.length));
    expect(q.lastCheckpoint()).to.equal(got.length - 1);
  });

  it('gives two consumers independent cursors', async () => {
    let q = await open({ consumers: ['es', 'fluent'] });
    await q.enqueue(entries(0, 10));
    expect(await drain(q, 'es')).to.deep.equal(range(0, 10));
    // fluent saw nothing yet; its records are retained for it although es acknowledged them.
    expect(q.stats().events).to.equal(10);
    expect(q.stats().consumers.es.pendingEvents).to.equal(0);
    expect(q.stats().consumers.fluent.pendingEvents).to.equal(10);
    const f = q.consumer('fluent');
    f.ack(await f.read({ maxEvents: 3 }));
    await q.close();
    q = await open({ consumers: ['es', 'fluent'] });
    expect(await drain(q, 'es')).to.deep.equal([]);
    expect(await drain(q, 'fluent')).to.deep.equal(range(3, 10));
  });

  describe('bound', () => {
    const sizes = entries(0, 15).map((e) => HEADER_BYTES + Buffer.byteLength(JSON.stringify({ e: e.event, c: e.checkpoint })));
    const first10 = sizes.slice(0, 10).reduce((a, b) => a + b, 0);

    it('block: enqueue waits (back-pressure) until the output acknowledges, nothing dropped', async () => {
      const q = await open({ maxEvents: 10, policy: 'block' });
      let done = false;
      const p = q.enqueue(entries(0, 25)).then((r) => ((done = true), r));
      await new Promise((r) => setTimeout(r, 50));
      expect(done).to.equal(false);
      expect(q.stats().events).to.equal(10);
      const got = await drain(q);
      expect(await p).to.deep.equal({ accepted: 25, dropped: 0 });
      got.push(...(await drain(q)));
      expect(got).to.deep.equal(range(0, 25));
      expect(q.stats().droppedNewest + q.stats().droppedOldest).to.equal(0);
    });

    it('drop-newest: keeps the first maxBytes worth, counts every dropped event', async () => {
      const q = await open({ maxBytes: first10, policy: 'drop-newest' });
      expect(await q.enqueue(entries(0, 15))).to.deep.equal({ accepted: 10, dropped: 5 });
      expect(q.stats().droppedNewest).to.equal(5);
      expect(q.stats().bytes).to.equal(first10);
      expect(await drain(q)).to.deep.equal(range(0, 10));
    });

    it('drop-oldest: keeps the newest, counts per consumer; a down output does not block another', async () => {
      const q = await open({ maxEvents: 10, policy: 'drop-oldest', consumers: ['es', 'down'] });
      expect(await q.enqueue(entries(0, 15))).to.deep.equal({ accepted: 15, dropped: 0 });
      expect(await drain(q, 'es')).to.deep.equal(range(5, 15)); // es also lost 5: it had not read them yet
      await q.enqueue(entries(15, 8));
      expect(await drain(q, 'es')).to.deep.equal(range(15, 23));
      const s = q.stats();
      expect(s.droppedOldest).to.equal(13);
      expect(s.consumers.down.dropped).to.equal(13);
      expect(s.consumers.es.dropped).to.equal(5);
      expect(await drain(q, 'down')).to.deep.equal(range(13, 23));
    });
  });

  describe('damage', () => {
    const segFiles = () => fs.readdirSync(dir).filter((f) => f.startsWith('seg-')).sort().map((f) => path.join(dir, f));

    it('a torn last record (kill -9 mid-write) is detected, counted, cut off; the rest is delivered', async () => {
      let q = await open();
      await q.enqueue(entries(0, 10));
      await q.close();
      const [seg] = segFiles();
      const full = fs.statSync(seg).size;
      fs.truncateSync(seg, full - 7); // the last record loses its tail
      const seen: unknown[] = [];
      q = await open({ onCorrupt: (i) => seen.push(i) });
      expect(q.stats().corruptRegions).to.equal(1);
      expect(seen).to.have.length(1);
      expect(await drain(q)).to.deep.equal(range(0, 9));
      // New appends start on a clean boundary and survive another reopen without new damage.
      await q.enqueue(entries(100, 2));
      await q.close();
      q = await open();
      expect(q.stats().corruptRegions).to.equal(0);
      expect(await drain(q)).to.deep.equal([100, 101]);
    });

    it('a damaged record in the middle is skipped and counted; later records still arrive', async () => {
      let q = await open();
      await q.enqueue(entries(0, 10));
      await q.close();
      const [seg] = segFiles();
      const buf = fs.readFileSync(seg);
      buf[Math.floor(buf.length / 2)] ^= 0xff;
      fs.writeFileSync(seg, buf);
      q = await open();
      expect(q.stats().corruptRegions).to.equal(1);
      const got = await drain(q);
      expect(got).to.have.length(9);
      expect(got[0]).to.equal(0);
      expect(got.at(-1)).to.equal(9);
    });

    it('garbage or a missing cursor file means redelivery from the oldest, never a crash', async () => {
      let q = await open();
      await q.enqueue(entries(0, 5));
      q.consumer('es').ack(2);
      await q.close();
      fs.writeFileSync(path.join(dir, 'cursor.es.json'), '{"se');
      q = await open();
      expect(await drain(q)).to.deep.equal(range(0, 5));
    });
  });

  it('fsync on an interval resolves enqueue at the next tick; stats report lag', async () => {
    const q = await open({ fsync: { intervalMs: 30 } });
    const t0 = Date.now();
    await q.enqueue(entries(0, 3));
    expect(Date.now() - t0).to.be.at.most(500);
    await new Promise((r) => setTimeout(r, 20));
    expect(q.stats().consumers.es.ackLagMs).to.be.at.least(15);
    expect(q.stats().consumers.es.pendingEvents).to.equal(3);
  });

  it('fsync on an interval: later enqueues are written without waiting for an earlier one to be durable', async () => {
    // An interval far longer than the test: nothing becomes durable until close() flushes.
    const q = await open({ fsync: { intervalMs: 60_000 } });
    let durable = 0;
    const batches = [entries(0, 3), entries(3, 3), entries(6, 3)].map((e) => q.enqueueAccepted(e));
    for (const b of batches) void b.durable.then(() => durable++);
    const accepted = await Promise.all(batches.map((b) => b.accepted));
    expect(accepted.map((r) => r.accepted)).to.deep.equal([3, 3, 3]);
    // All three are written and readable, in order, while none is durable yet.
    expect(durable).to.equal(0);
    expect(await drain(q, 'es', false)).to.deep.equal(range(0, 9));
    await q.close();
    await Promise.all(batches.map((b) => b.durable));
    expect(durable).to.equal(3);
  });
});
