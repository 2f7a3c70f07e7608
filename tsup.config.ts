import { defineConfig } from 'tsup';

export default defineConfig([
  // Two library entries: `sipguard` (everything) and `sipguard/ip` (no phone metadata).
  {
    entry: { index: 'src/index.ts', ip: 'src/ip/index.ts' },
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
