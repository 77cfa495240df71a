// Bundles the app for the standalone console with esbuild: one JS file plus one CSS file (our own styles;
// EUI styles itself at runtime through Emotion). Fast enough to run in a test's before().
import * as esbuild from 'esbuild';
import * as path from 'node:path';

export const DEFAULT_OUT_DIR = path.join(__dirname, 'dist');
export const ENTRY = path.join(__dirname, '..', 'public', 'standalone.tsx');

export interface BuildResult {
  outDir: string;
  js: string;
  css: string;
  bytes: number;
}

export async function buildBundle(opts: { outDir?: string; minify?: boolean } = {}): Promise<BuildResult> {
  const outDir = opts.outDir ?? DEFAULT_OUT_DIR;
  const r = await esbuild.build({
    entryPoints: { auditsight: ENTRY },
    outdir: outDir,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: ['es2020'],
    jsx: 'automatic',
    minify: opts.minify ?? true,
    sourcemap: false,
    metafile: true,
    // React and EUI pick their production builds from this; dev builds are several times larger and slower.
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'warning',
    legalComments: 'none',
  });
  const bytes = Object.values(r.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  return { outDir, js: path.join(outDir, 'auditsight.js'), css: path.join(outDir, 'auditsight.css'), bytes };
}

if (require.main === module) {
  const t = Date.now();
  buildBundle().then(
    (b) => console.log(`built ${b.js} and ${b.css} (${(b.bytes / 1e6).toFixed(1)} MB) in ${Date.now() - t} ms`),
    (e) => {
      console.error(e);
      process.exitCode = 1;
    },
  );
}
