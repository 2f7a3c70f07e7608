import { defineConfig } from 'tsup';

// Two library entries: `sipguard` (everything) and `sipguard/ip` (no phone metadata).
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    ip: 'src/ip/index.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: false,
  target: 'node20',
  splitting: true,
  treeshake: true,
});
