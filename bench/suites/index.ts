// Every benchmark suite, in the order they run. Add a suite by importing it here.
import type { BenchSuite } from '../harness.js';
import { bundleSuite } from './bundle.js';
import { callingSuite } from './calling.js';
import { ipSuite } from './ip.js';
import { limitsSuite } from './limits.js';
import { policySuite } from './policy.js';
import { rateSuite } from './rate.js';

export const suites: readonly BenchSuite[] = [
  ipSuite,
  rateSuite,
  callingSuite,
  policySuite,
  limitsSuite,
  bundleSuite,
];
