import { defineConfig } from 'vitest/config';

// The unit tests Stryker runs per mutant: everything except the CLI tests (they spawn the built
// dist/cli.js, which mutants never reach) and the linear-time tests (timing ratios, slow under
// instrumentation and not about decisions).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/cli/**', 'test/adversarial/linear-time.test.ts', 'node_modules/**'],
  },
});
