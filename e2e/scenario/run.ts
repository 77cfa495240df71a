// `npx tsx e2e/scenario/run.ts`: play the insider story once on this machine (root), print what happened,
// and clean up. Run it under `auditsight up` (live mode) to watch the alerts and the process details.
import { playInsider, prepare } from './insider';

async function main(): Promise<void> {
  const p = await prepare();
  try {
    const r = await playInsider(p);
    for (const s of r.steps) console.log(`${new Date(s.at).toISOString()}  ${s.name}`);
    console.log(`backdoor answered: ${r.backdoorOutput.trim().split('\n')[0]}`);
  } finally {
    p.cleanup();
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
