// StrykerJS mutation testing (issue 9): `npm run mutate` mutates the decision modules and runs
// only the unit tests related to each mutated file. Slow on two cores; not part of CI.
// One module at a time: `npm run mutate -- --mutate 'src/rate/**/*.ts'`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'stryker.vitest.config.ts', related: true },
  // perTest: each mutant runs only the tests that executed its code in the dry run.
  coverageAnalysis: 'perTest',
  mutate: [
    'src/text.ts',
    'src/ip/**/*.ts',
    'src/policy/**/*.ts',
    'src/rate/**/*.ts',
    'src/phone/**/*.ts',
    '!src/**/index.ts',
  ],
  ignoreStatic: true,
  // Messages are for people and "may change between versions" (docs/decisions.md); decision codes
  // are checked by the tests, but mutating every message string doubles the run for no signal.
  mutator: { excludedMutations: ['StringLiteral'] },
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  concurrency: 2,
  timeoutMS: 5000,
  timeoutFactor: 1.5,
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
};
