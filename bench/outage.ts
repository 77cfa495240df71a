// npm run bench:outage: the figures for the Elasticsearch outage test (the CI test uses 20k events and
// 10 s). A managed Elasticsearch, a writer process appending 100,000 real corpus events to a tailed file,
// Elasticsearch paused for 60 s mid-stream, then resumed. Prints whether every event arrived exactly once
// (by _id), how much was queued, and how long the catch-up took.
//
// Options: --events N (100000), --outage-s S (60), --rate BYTES_PER_S (1000000).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createClient } from '../common/es/client';
import { startManagedElasticsearch } from '../common/es/managed';
import { setup } from '../elastic-templates/src/setup';
import { Daemon } from '../shipper/src/daemon/daemon';
import { auditStream, compareIds, countIn, expectedIds, idsIn, startWriter, testConfig, until } from '../shipper/src/daemon/testing';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : def;
}

async function main(): Promise<void> {
  const n = arg('events', 100_000);
  const outageMs = arg('outage-s', 60) * 1000;
  const rate = arg('rate', 1_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'auditsight-bench-outage-'));
  const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
  const es = await startManagedElasticsearch({ progress: (m) => log(`es: ${m}`) });
  const client = createClient({ url: es.url });
  let daemon: Daemon | undefined;
  try {
    const ns = 'bench_outage';
    const target = (await setup(client, { namespace: ns })).targets.events.name;
    const text = auditStream(n);
    const expected = expectedIds(text);
    const src = path.join(dir, 'stream.log');
    const file = path.join(dir, 'audit.log');
    fs.writeFileSync(src, text);
    fs.writeFileSync(file, '');
    log(`${n} events, ${(text.length / 1e6).toFixed(1)} MB, writer at ${(rate / 1e6).toFixed(1)} MB/s, outage ${outageMs / 1000} s`);
    daemon = new Daemon({
      config: testConfig({ state_dir: path.join(dir, 'state'), 'metrics.listen': 'off', 'input.path': file, 'outputs.elasticsearch.url': es.url, 'outputs.elasticsearch.namespace': ns }),
    });
    await daemon.start();
    const t0 = Date.now();
    const writer = startWriter(src, file, rate);
    await until(async () => (await countIn(client, target)) >= n / 10, 600_000, 'a tenth shipped', 500);
    const before = await countIn(client, target);
    await es.pause();
    const pausedAt = Date.now();
    log(`Elasticsearch paused with ${before} documents`);
    let maxQueued = 0;
    while (Date.now() - pausedAt < outageMs) {
      maxQueued = Math.max(maxQueued, daemon.queue!.retained().events);
      await new Promise((r) => setTimeout(r, 500));
    }
    const queuedBytes = daemon.queue!.retained().bytes;
    log(`resuming; queued ${maxQueued} events (${(queuedBytes / 1e6).toFixed(1)} MB)`);
    await es.resume();
    const resumedAt = Date.now();
    log(`Elasticsearch back after ${((resumedAt - pausedAt) / 1000).toFixed(0)} s (restart included)`);
    await writer.done;
    // n audit events plus the fork events derived from their clones.
    await until(async () => (await countIn(client, target)) >= expected.size, 1_800_000, `${expected.size} documents`, 1000);
    const caughtUp = Date.now();
    const check = compareIds(expected, await idsIn(client, target));
    const m = daemon.metrics;
    console.log('\nbench:outage result');
    console.log(`  events                 ${n} audit events, ${expected.size} documents (with derived fork events)`);
    console.log(`  outage                 ${((resumedAt - pausedAt) / 1000).toFixed(1)} s (paused ${outageMs / 1000} s + Elasticsearch restart)`);
    console.log(`  max queued             ${maxQueued} events`);
    console.log(`  catch-up after resume  ${((caughtUp - resumedAt) / 1000).toFixed(1)} s`);
    console.log(`  total                  ${((caughtUp - t0) / 1000).toFixed(1)} s`);
    console.log(`  in Elasticsearch       ${await countIn(client, target)} documents; missing ${check.missing}, unexpected ${check.unexpected}, duplicate ids ${check.duplicates}`);
    console.log(`  shipped / 409 / retried ${m.total('elasticsearch', 'shipped')} / ${m.total('elasticsearch', 'duplicates')} / ${m.total('elasticsearch', 'retried')}`);
    console.log(`  exactly once           ${check.missing === 0 && check.unexpected === 0 && check.duplicates === 0 ? 'YES' : 'NO'}`);
    if (check.missing || check.unexpected || check.duplicates) process.exitCode = 1;
  } finally {
    await daemon?.stop();
    await client.close();
    await es.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
