// Shared by the selector tests: compiles a `calling` object that must be valid.
import { expect } from 'vitest';
import { type CallingRules, compileCallingRules } from '../../src/phone/selectors.js';

/** The compiled rules of `raw`, failing the test if it has any issue. */
export function compile(raw: unknown): CallingRules {
  const { rules, issues } = compileCallingRules(raw, '/calling');
  expect(issues).toEqual([]);
  if (rules === undefined) throw new Error('no rules');
  return rules;
}
