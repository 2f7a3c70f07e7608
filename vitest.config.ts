import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Hooks that start the decision service start a policy worker, which loads the TypeScript sources
    // through tsx: seconds on a loaded machine, more than the 10 s default allows at worst.
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // The CLI is covered by tests that spawn the built binary or a service process, which V8
      // coverage here cannot see; its JSON text checker (src/cli/json) is unit-tested and measured.
      exclude: ['src/cli/*.ts', 'src/cli/serve/**'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 95, branches: 90, functions: 95, statements: 95 },
    },
  },
});
