import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Hooks that start the decision service start a policy worker, which loads the TypeScript sources
    // through tsx: seconds on a loaded machine, more than the 10 s default allows at worst.
    hookTimeout: 60_000,
    // A hang guard, not a speed check: CPU-bound property tests that take under a second alone took
    // up to 5.4 s beside two CPU-bound processes on the shared 2-core machine (with coverage), past
    // the 5 s default. Files with longer tests set their own, again several times what they took.
    testTimeout: 60_000,
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // The CLI is covered by tests that spawn the built binary or a service process, which V8
      // coverage here cannot see; its JSON text checker (src/cli/json) is unit-tested and measured.
      // The Redis ledger (src/cli/ledger) is tested against a real redis-server in test/e2e.
      exclude: ['src/cli/*.ts', 'src/cli/serve/**', 'src/cli/ledger/**'],
      reporter: ['text-summary', 'text'],
      thresholds: { lines: 95, branches: 90, functions: 95, statements: 95 },
    },
  },
});
