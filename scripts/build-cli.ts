// `npm run build`: the CLI as one CommonJS file, dist/auditsight.cjs, for production installs
// (shipper/README.md). Development and the tests run the TypeScript sources through tsx (bin/auditsight.js);
// a long-running shipper should not: tsx keeps every module's source, its compiled form and an inline
// source map in the heap, and loads its own loader. Measured on the idle shipper: RSS 127 -> 93 MB.
//
// Our sources are bundled; node_modules stay external (required from the install's node_modules). Sources
// that find files relative to themselves (`__dirname`: the bundled capture, the rules, the console app)
// get their own directory back: each `__dirname` is rewritten to the source file's directory, expressed
// relative to where the bundle sits, so an install works wherever it is copied to. And a module's
// `require.main === module` block (a script entry, like the console app's build) must not run: in one
// bundle every module is the main module.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '..');
export const DEFAULT_BUNDLE = path.join(ROOT, 'dist', 'auditsight.cjs');

export async function buildCli(outfile = DEFAULT_BUNDLE): Promise<string> {
  const outDir = path.dirname(path.resolve(outfile));
  let n = 0;
  const dirnames: esbuild.Plugin = {
    name: 'source-dirname',
    setup(b) {
      b.onLoad({ filter: /\.tsx?$/ }, (args) => {
        let text = fs.readFileSync(args.path, 'utf8');
        const entry = /require\.main === module/g;
        const dir = /\b__dirname\b/g;
        if (!entry.test(text) && !dir.test(text)) return undefined;
        text = text.replace(entry, 'false');
        if (/\b__dirname\b/.test(text)) {
          const name = `__auditsight_dirname_${n++}`;
          const rel = path.relative(outDir, path.dirname(args.path)).split(path.sep).join('/');
          text = `const ${name} = require('node:path').join(__auditsight_bundle_dir, ${JSON.stringify(rel)});\n` + text.replace(dir, name);
        }
        return { contents: text, loader: args.path.endsWith('x') ? 'tsx' : 'ts' };
      });
    },
  };
  await esbuild.build({
    entryPoints: [path.join(ROOT, 'shipper', 'src', 'cli', 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    packages: 'external',
    outfile,
    plugins: [dirnames],
    // The bundle's own directory, taken before any module code runs (Node's CommonJS __dirname).
    banner: { js: '"use strict";\nconst __auditsight_bundle_dir = __dirname;' },
    footer: {
      js: 'if (require.main === module) module.exports.main(process.argv).catch((err) => { console.error(`auditsight: ${err && err.message ? err.message : err}`); process.exit(1); });',
    },
    logLevel: 'warning',
    legalComments: 'none',
  });
  return outfile;
}

if (require.main === module) {
  buildCli(process.argv[2]).then(
    (f) => console.log(`built ${path.relative(process.cwd(), f)} (${(fs.statSync(f).size / 1024).toFixed(0)} KB)`),
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
