// Shared by the selector tests: compiles the selector lists of a `calling` object that must be valid.
import { expect } from 'vitest';
import {
  type CallingRules,
  callingRules,
  compileSelectors,
  type EmergencyMode,
  type SelectorList,
} from '../../src/phone/selectors.js';

/** A `calling` object as the policy's shape check passes it on: lists of strings, a known mode. */
export interface CallingFields {
  readonly allow?: readonly string[];
  readonly deny?: readonly string[];
  readonly emergency?: EmergencyMode;
}

function list(texts: readonly string[] | undefined): SelectorList | undefined {
  if (texts === undefined) return undefined;
  const compiled = compileSelectors(texts);
  if (!('list' in compiled)) {
    expect(compiled.problems).toEqual([]);
    throw new Error('selectors do not compile');
  }
  return compiled.list;
}

/** The compiled rules of `calling`, failing the test if a selector does not parse. */
export function compile(calling: CallingFields): CallingRules {
  return callingRules(calling.emergency ?? 'allow', list(calling.allow), list(calling.deny));
}
