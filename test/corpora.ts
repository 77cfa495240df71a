// Where the public test corpora live: ../shared/corpora beside the checkout (CI lays shared/ beside its
// clone the same way). They are read at test time, never copied into the repository (licenses differ).
import * as fs from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '..');
export const corporaDir = process.env.AUDITSIGHT_CORPORA ?? path.resolve(repoRoot, '..', 'shared', 'corpora');

export function corpusPath(...parts: string[]): string {
  const p = path.join(corporaDir, ...parts);
  if (!fs.existsSync(p)) {
    throw new Error(`corpus file missing: ${p} (set AUDITSIGHT_CORPORA or lay shared/ beside the checkout)`);
  }
  return p;
}
