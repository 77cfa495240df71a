// The Kibana browser side imports @kbn/* for types only: Kibana's own bundles provide React, EUI and core
// at runtime. Bundling it with those as externals proves nothing else (no Node built-in, no undeclared
// @kbn package) leaks into the browser code.
import { expect } from 'chai';
import * as esbuild from 'esbuild';
import * as path from 'node:path';

describe('kibana-plugin Kibana browser entry', () => {
  it('bundles with only React, EUI and Emotion as runtime externals', async function () {
    this.timeout(60_000);
    const r = await esbuild.build({
      entryPoints: [path.join(__dirname, 'index.ts')],
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      jsx: 'automatic',
      outdir: 'out',
      external: ['react', 'react/*', 'react-dom', 'react-dom/*', '@elastic/eui', '@emotion/*'],
      logLevel: 'silent',
      metafile: true,
    });
    const out = Object.values(r.metafile.outputs).find((o) => o.entryPoint)!;
    const externals = [...new Set(out.imports.filter((i) => i.external).map((i) => i.path))].sort();
    expect(externals).to.deep.equal(['@elastic/eui', 'react', 'react-dom/client', 'react/jsx-runtime']);
    expect(r.outputFiles.find((f) => f.path.endsWith('.js'))!.text).to.not.match(/require\(["']@kbn\//);
  });
});
