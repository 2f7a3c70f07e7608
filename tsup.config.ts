import { defineConfig } from 'tsup';

export default defineConfig([
  // Library entries: `sipguard` (everything), `sipguard/ip` and `sipguard/rate`. The rate code is then
  // a chunk of its own that dist/index.js re-exports, so a bundle without rates drops it and decimal.js
  // (which does not declare itself free of side effects).
  {
    entry: { index: 'src/index.ts', ip: 'src/ip/index.ts', rate: 'src/rate/public.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: false,
    target: 'node20',
    splitting: true,
    treeshake: true,
  },
  // The command-line tool, reached only through package.json `bin`.
  {
    // The policy worker of `sipguard serve` is its own entry: a worker thread starts from a file.
    entry: { cli: 'src/cli/main.ts', 'serve-worker': 'src/cli/serve/policy-worker.ts' },
    format: ['esm'],
    dts: false,
    sourcemap: false,
    target: 'node20',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
