// Selector lists as written by people: repeated selectors, the lists kept on the compiled rules, and
// the reasons given for mistakes (each names the mistake, not a generic "unknown region").

import { describe, expect, it } from 'vitest';
import { type CallingDestination, evaluateCalling, parseSelector } from '../../src/phone/selectors.js';
import { compile } from './compile-rules.js';

const gbMobile: CallingDestination = { e164: '+447400123456', country: 'GB', type: 'mobile' };

describe('repeated selectors', () => {
  // A later repeat must not take the first one's place: the prefix between them would then be
  // reported although it comes after the first match in the list.
  it.each<readonly [readonly string[], string]>([
    [['GB', '+44', 'GB'], 'a region'],
    [['GB/mobile', '+44', 'GB/mobile'], 'a region and type'],
    [['*/mobile', '+44', '*/mobile'], 'a type in every region'],
  ])('%j: the first occurrence decides (%s)', (list) => {
    expect(evaluateCalling(compile({ deny: list }), gbMobile)).toEqual({
      code: 'area-denied',
      matched: list[0],
    });
    expect(evaluateCalling(compile({ allow: list }), gbMobile)).toEqual({
      code: 'area-allowed',
      matched: list[0],
    });
  });
});

describe('compiled rules keep the lists as written', () => {
  it('for allow and deny, frozen', () => {
    const rules = compile({ allow: ['GB', '+1876', 'GB'], deny: ['*/premium-rate'] });
    expect(rules.allowSelectors).toEqual(['GB', '+1876', 'GB']);
    expect(rules.denySelectors).toEqual(['*/premium-rate']);
    expect(Object.isFrozen(rules.allowSelectors)).toBe(true);
    expect(Object.isFrozen(rules.denySelectors)).toBe(true);
  });
});

describe('reasons for invalid selectors', () => {
  it.each<readonly [string, RegExp, string]>([
    ['', /empty/, 'empty, not an unknown region'],
    ['*', /"\*\/<type>"/, 'a bare wildcard: points to the typed form'],
    ['gb', /upper case: "GB"/, 'a known region in lower case'],
    ['UK', /"GB"/, 'the usual United Kingdom mistake'],
  ])('%j → %s (%s)', (text, reason) => {
    expect(parseSelector(text)).toMatch(reason);
  });

  it.each<readonly [string, RegExp, string]>([
    ['x'.repeat(65), /at most/, "rejected for what it is: the length bound is the policy spec's"],
    ['XX', /UK|upper case/, 'an unknown region gets no United Kingdom or case hint'],
    ['zz', /upper case/, 'lower case, but ZZ is no region either'],
  ])('%j does not say %s (%s)', (text, reason) => {
    const problem = parseSelector(text);
    expect(typeof problem).toBe('string');
    expect(problem).not.toMatch(reason);
  });
});
