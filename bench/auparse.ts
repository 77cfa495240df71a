// Builds go-libaudit's own `auparse` command (module pinned in bench/golibaudit/go.mod, fetched from the Go
// module proxy) into a directory of the caller's choosing. Used by the parse benchmark and by
// scripts/compare-golibaudit.ts. `AUPARSE=/path/to/auparse` skips the build.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { repoRoot } from '../test/corpora';

export function buildAuparse(dir: string): string | undefined {
  if (process.env.AUPARSE) return process.env.AUPARSE;
  const out = path.join(dir, 'auparse');
  const r = spawnSync('go', ['build', '-o', out, 'github.com/elastic/go-libaudit/v2/cmd/auparse'], {
    cwd: path.join(repoRoot, 'bench', 'golibaudit'),
    env: { ...process.env, GOFLAGS: '-mod=mod' },
    encoding: 'utf8',
  });
  if (r.status !== 0) {
    console.error(`go build of go-libaudit's auparse failed:\n${r.stderr ?? String(r.error)}`);
    return undefined;
  }
  return out;
}
