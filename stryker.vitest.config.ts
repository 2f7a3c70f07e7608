import { defineConfig } from 'vitest/config';

// The unit tests Stryker runs per mutant: everything except the CLI tests (they spawn the built
// dist/cli.js, which mutants never reach), the linear-time tests (timing ratios, slow under
// instrumentation and not about decisions) and the allocation tests (instrumented code allocates).
// Property tests run several times slower instrumented, hence the longer timeout.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [
      'test/cli/**',
      'test/adversarial/linear-time.test.ts',
      'test/**/no-allocation.test.ts',
      'node_modules/**',
    ],
    testTimeout: 60_000,
  },
});
