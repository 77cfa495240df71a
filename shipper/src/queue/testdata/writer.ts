// Child process for the kill -9 test: enqueues numbered events forever and reports each durable count.
import { DiskQueue } from '../disk-queue';

void (async () => {
  const q = await DiskQueue.open<{ n: number; pad: string }>({ dir: process.argv[2], consumers: ['es'], fsync: 'always', segmentBytes: 256 * 1024 });
  const pad = 'x'.repeat(300);
  for (let n = 0; ; n += 100) {
    await q.enqueue(Array.from({ length: 100 }, (_, i) => ({ event: { n: n + i, pad }, checkpoint: n + i })));
    process.stdout.write(`${n + 100}\n`);
  }
})();
