#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx's require hook: no build step between a checkout and
// a running shipper. (esbuild, which tsx uses, transpiles each file once and caches it.)
require('tsx/cjs');
require('../shipper/src/cli/main.ts')
  .main(process.argv)
  .catch((err) => {
    console.error(`auditsight: ${err && err.message ? err.message : err}`);
    process.exit(1);
  });
