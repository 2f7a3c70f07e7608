// Every benchmark suite, in the order they run. Add a suite by importing it here.
import type { BenchSuite } from '../harness.js';

export const suites: readonly BenchSuite[] = [];
