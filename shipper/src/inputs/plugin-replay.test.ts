import { expect } from 'chai';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { ByteLineSplitter, splitAll } from './line-splitter';
import { PluginInput } from './plugin';
import { Replay, type ReplayProgress } from './replay';
import type { InputBatch } from './types';

const rec = (i: number) => `type=SYSCALL msg=audit(1700000000.${String(i % 1000).padStart(3, '0')}:${i}): arch=c000003e syscall=59 success=yes comm="x" key="exec"\x1dARCH=x86_64 SYSCALL=execve`;

describe('inputs/line-splitter (bytes, for tail)', () => {
  it('joins lines split across chunks, at any byte, with byte-exact end offsets', () => {
    const text = 'type=A one\ntype=B twö\r\n\ntype=C three\n';
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const s = new ByteLineSplitter();
      const got: Array<[string, number]> = [];
      s.push(bytes.subarray(0, cut), (l, e) => got.push([l, e]));
      s.push(bytes.subarray(cut), (l, e) => got.push([l, e]));
      expect(got, `cut at ${cut}`).to.deep.equal([['type=A one', 11], ['type=B twö', 24], ['type=C three', 38]]);
    }
  });
  it('keeps a partial last line until flush()', () => {
    expect(splitAll('a\nb')).to.deep.equal(['a', 'b']);
    const s = new ByteLineSplitter();
    const got: string[] = [];
    s.push(Buffer.from('x\ny'), (l) => got.push(l));
    expect(got).to.deep.equal(['x']);
    expect(s.pendingBytes).to.equal(1);
  });
});

describe('inputs/plugin', () => {
  it('reads records from a stream, chunked at odd places, in order', async () => {
    const pt = new PassThrough();
    const input = new PluginInput({ stream: pt });
    const text = Array.from({ length: 5000 }, (_, i) => rec(i) + '\n').join('');
    (async () => {
      for (let off = 0; off < text.length; off += 777) {
        pt.write(text.slice(off, off + 777));
        if (off % 77_700 === 0) await new Promise((r) => setImmediate(r));
      }
      pt.end('type=EOE msg=audit(1700000000.999:5000): '); // no final newline: still delivered at EOF
    })();
    const got: string[] = [];
    for await (const l of input.lines()) got.push(l.line);
    expect(got.length).to.equal(5001);
    expect(got[0]).to.equal(rec(0));
    expect(got[4999]).to.equal(rec(4999));
    expect(got[5000]).to.equal('type=EOE msg=audit(1700000000.999:5000): ');
    expect(input.stats).to.include({ lines: 5001, ended: true });
  });

  it('after taking everything buffered, lets records written one by one gather into one batch (lingerMs)', async () => {
    const pt = new PassThrough();
    const input = new PluginInput({ stream: pt, lingerMs: 1500 });
    const it = input.batches()[Symbol.asyncIterator]();
    pt.write(`${rec(0)}\n`);
    expect(((await it.next()).value as InputBatch).length).to.equal(1);
    // Nine records, each its own write, 10 ms apart; the linger is far longer than that takes.
    for (let i = 1; i <= 9; i++) {
      pt.write(`${rec(i)}\n`);
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(((await it.next()).value as InputBatch).map((l) => l.line)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9].map(rec));
    pt.end();
    expect((await it.next()).done).to.equal(true);
  });

  it('reads its own stdin in a child process (as auditd runs it)', async () => {
    const script = `const { PluginInput } = require(${JSON.stringify(path.join(__dirname, 'plugin.ts'))});
      (async () => { const seen = []; for await (const b of new PluginInput().batches()) for (const l of b) seen.push(l.line);
        process.stdout.write(JSON.stringify({ n: seen.length, first: seen[0], last: seen[seen.length - 1] })); })();`;
    const child = spawn(process.execPath, ['--require', 'tsx/cjs', '-e', script], { stdio: ['pipe', 'pipe', 'inherit'], cwd: path.resolve(__dirname, '../../..') });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    for (let i = 0; i < 20_000; i++) child.stdin.write(rec(i) + '\n');
    child.stdin.end();
    expect(await exited).to.equal(0);
    expect(JSON.parse(out)).to.deep.equal({ n: 20_000, first: rec(0), last: rec(19_999) });
  });
});

describe('inputs/replay', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-replay-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('replays plain and gzip files in the given order with progress and a summary', async () => {
    const body = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => rec(from + k) + '\n').join('');
    // Evidence named misleadingly on purpose: gzip is detected by content, order is the caller's.
    fs.writeFileSync(path.join(dir, 'b.log'), gzipSync(body(0, 3000)));
    fs.writeFileSync(path.join(dir, 'a.log.gz'), body(3000, 4000));
    // Two concatenated gzip members (as `cat x.gz y.gz > z.gz` makes).
    fs.writeFileSync(path.join(dir, 'c.gz'), Buffer.concat([gzipSync(body(4000, 4500)), gzipSync(body(4500, 5000))]));
    const files = ['b.log', 'a.log.gz', 'c.gz'].map((f) => path.join(dir, f));
    const progress: ReplayProgress[] = [];
    const r = new Replay(files, { onProgress: (p) => progress.push(p), progressIntervalMs: 0 });
    const got: string[] = [];
    for await (const l of r.lines()) got.push(l.line);
    expect(got.length).to.equal(5000);
    got.forEach((l, i) => expect(l).to.equal(rec(i)));
    const s = r.summary!;
    expect(s.lines).to.equal(5000);
    expect(s.files.map((f) => [f.compressed, f.lines])).to.deep.equal([[true, 3000], [false, 1000], [true, 1000]]);
    expect(s.bytes).to.equal(files.reduce((a, f) => a + fs.statSync(f).size, 0));
    const last = progress[progress.length - 1]!;
    expect(last).to.include({ done: true, lines: 5000, bytesRead: s.bytes, totalBytes: s.bytes });
    expect(progress.length).to.be.greaterThan(1);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.bytesRead).to.be.at.least(progress[i - 1]!.bytesRead);
  });

  it('refuses to start when a file is missing, naming it', async () => {
    const ok = path.join(dir, 'ok.log');
    fs.writeFileSync(ok, rec(1) + '\n');
    const r = new Replay([ok, path.join(dir, 'missing.log')]);
    let err: Error | undefined;
    try {
      for await (const _ of r.batches());
    } catch (e) {
      err = e as Error;
    }
    expect(err?.message).to.match(/missing\.log/);
  });
});
