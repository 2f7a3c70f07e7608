import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

// The end-to-end test (Kamailio + sipp + `sipguard serve`), kept out of `npm test`: run `npm run test:e2e`.
export default defineConfig({
  test: {
    root: resolve(import.meta.dirname, '../..'),
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // One SIP server, one decision service: the steps run in order in one file.
    fileParallelism: false,
  },
});
