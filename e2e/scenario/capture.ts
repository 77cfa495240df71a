// Records the insider scenario under real auditd with the recommended rules and keeps bob's login
// session only: the bundled capture that `auditsight up` replays where live capture is unavailable.
//   sudo npx tsx e2e/scenario/capture.ts
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withLiveAudit } from '../../shipper/src/inputs/live-audit';
import { linesOfSession } from '../../detections/fixtures-capture/capture';
import { playInsider, prepare } from './insider';

export const RULES = path.resolve(__dirname, '..', '..', 'shipper', 'rules', 'auditsight.rules');
const OUT = path.join(__dirname, 'insider.log');

/** bob's audit session: the one his ssh login (USER_LOGIN with his auid) opened. */
export function bobSession(lines: string[], bobUid: number): string {
  const login = lines.find((l) => l.startsWith('type=USER_LOGIN') && new RegExp(`\\bauid=${bobUid}\\b`).test(l) && /\bres=success/.test(l));
  const ses = login && /\bses=(\d+)/.exec(login)?.[1];
  if (!ses) throw new Error(`no successful USER_LOGIN for uid ${bobUid} in the capture (is pam_loginuid active in sshd?)`);
  return ses;
}

async function main(): Promise<void> {
  const p = await prepare();
  try {
    const r = await withLiveAudit(RULES, () => playInsider(p));
    const ses = bobSession(r.lines, p.bobUid);
    const kept = linesOfSession(r.lines, ses);
    fs.writeFileSync(OUT, `${kept.join('\n')}\n`);
    console.log(`captured ${r.lines.length} lines; kept ${kept.length} of bob's session ${ses} in ${OUT}`);
  } finally {
    p.cleanup();
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
