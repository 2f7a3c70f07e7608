import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CallingDestination,
  compileSelectors,
  evaluateCalling,
  parseSelector,
} from '../../src/phone/selectors.js';
import { NUMBER_TYPES, type NumberType } from '../../src/phone/types.js';
import { type CallingFields, compile } from './compile-rules.js';

const jamaicaMobile: CallingDestination = { e164: '+18765550100', country: 'JM', type: 'mobile' };
const usLine: CallingDestination = { e164: '+12125550100', country: 'US', type: 'fixed-line-or-mobile' };
const gbMobile: CallingDestination = { e164: '+447400123456', country: 'GB', type: 'mobile' };
const gbPremium: CallingDestination = { e164: '+449098790000', country: 'GB', type: 'premium-rate' };
const freephone: CallingDestination = { e164: '+80012345678', country: '001', type: 'toll-free' };

describe('parseSelector', () => {
  it.each<readonly [string, unknown, string]>([
    ['GB', { kind: 'region', region: 'GB' }, 'a region'],
    ['001', { kind: 'region', region: '001' }, 'the non-geographic pseudo-region'],
    ['GB/mobile', { kind: 'region-type', region: 'GB', type: 'mobile' }, 'region and type'],
    ['001/toll-free', { kind: 'region-type', region: '001', type: 'toll-free' }, 'non-geographic and type'],
    ['*/premium-rate', { kind: 'any-region-type', type: 'premium-rate' }, 'any region'],
    ['*/unknown', { kind: 'any-region-type', type: 'unknown' }, 'valid numbers without type data'],
    ['+1876', { kind: 'prefix', prefix: '+1876' }, 'E.164 prefix inside +1'],
    ['+44', { kind: 'prefix', prefix: '+44' }, 'a whole calling code'],
    ['+881', { kind: 'prefix', prefix: '+881' }, 'a non-geographic calling code'],
    [`+1${'2'.repeat(14)}`, { kind: 'prefix', prefix: `+1${'2'.repeat(14)}` }, '15 digits'],
  ])('%s parses (%s)', (text, expected) => {
    expect(parseSelector(text)).toEqual(expected);
  });

  it.each([
    ['', 'empty'],
    ['gb', 'lower case'],
    ['UK', 'not ISO 3166-1'],
    ['XX', 'unknown region'],
    ['G', 'one letter'],
    ['GBR', 'alpha-3'],
    ['*', 'bare wildcard'],
    ['GB/cellular', 'unknown type'],
    ['GB/', 'empty type'],
    ['/mobile', 'empty region'],
    ['GB/Mobile', 'type case'],
    ['XX/mobile', 'unknown region with type'],
    ['*/*', 'wildcard type'],
    ['+', 'plus without digits'],
    ['+1-876', 'separator in prefix'],
    [`+1${'2'.repeat(15)}`, '16 digits'],
    ['+999', 'unknown calling code'],
    ['+0', 'calling codes never start with 0'],
    ['1876', 'prefix without plus'],
    [' GB', 'leading space'],
    ['x'.repeat(100), 'too long'],
  ])('%j is rejected (%s)', (text) => {
    expect(typeof parseSelector(text)).toBe('string');
  });

  it('suggests fixes for common mistakes', () => {
    expect(parseSelector('UK')).toMatch(/"GB"/);
    expect(parseSelector('gb')).toMatch(/"GB"/);
  });
});

describe('compileSelectors', () => {
  it('reports every selector that does not parse, by index, quoting it', () => {
    const compiled = compileSelectors(['US', 'XX', '*/cellular', '+1876', 'gb']);
    expect('problems' in compiled && compiled.problems.map((p) => p.index)).toEqual([1, 2, 4]);
    expect('problems' in compiled && compiled.problems[0]?.message).toMatch(/^invalid selector "XX": /);
  });

  it('keeps the texts as written, frozen', () => {
    const compiled = compileSelectors(['GB', '+1876', 'GB']);
    expect('list' in compiled && compiled.list.texts).toEqual(['GB', '+1876', 'GB']);
    expect('list' in compiled && Object.isFrozen(compiled.list.texts)).toBe(true);
  });
});

describe('callingRules', () => {
  it('defaults: no allow list, no deny list, emergency allowed', () => {
    const rules = compile({});
    expect(rules.emergency).toBe('allow');
    expect(rules.allowSelectors).toBeUndefined();
    expect(rules.denySelectors).toEqual([]);
    expect(compile({ emergency: 'apply-rules' }).emergency).toBe('apply-rules');
  });
});

describe('evaluateCalling', () => {
  it.each<readonly [CallingFields, CallingDestination, string, string | undefined, string]>([
    [{ allow: ['US', 'CA'] }, usLine, 'area-allowed', 'US', 'region allowed'],
    [{ allow: ['US', 'CA'] }, jamaicaMobile, 'area-not-allowed', undefined, 'Jamaica is not US'],
    [{ allow: ['US', '+1876'] }, jamaicaMobile, 'area-allowed', '+1876', 'prefix allowed'],
    [{ allow: ['JM/fixed-line'] }, jamaicaMobile, 'area-not-allowed', undefined, 'type differs'],
    [{ allow: ['JM/mobile'] }, jamaicaMobile, 'area-allowed', 'JM/mobile', 'region and type'],
    [{ deny: ['*/premium-rate'] }, gbPremium, 'area-denied', '*/premium-rate', 'deny any premium'],
    [{ deny: ['*/premium-rate'] }, gbMobile, 'area-allowed', undefined, 'allow absent allows all'],
    [{ allow: ['GB'], deny: ['GB/premium-rate'] }, gbPremium, 'area-denied', 'GB/premium-rate', 'deny wins'],
    [{ allow: ['GB'], deny: ['+4490'] }, gbPremium, 'area-denied', '+4490', 'deny prefix wins'],
    [{ allow: ['GB'], deny: ['+4490'] }, gbMobile, 'area-allowed', 'GB', 'deny prefix does not match'],
    [{ allow: [] }, usLine, 'area-not-allowed', undefined, 'empty allow list allows nothing'],
    [{ allow: ['001'] }, freephone, 'area-allowed', '001', 'non-geographic'],
    [{ allow: ['+800'] }, freephone, 'area-allowed', '+800', 'non-geographic prefix'],
    [{ allow: ['*/toll-free', 'US'] }, usLine, 'area-allowed', 'US', 'second selector matches'],
    [
      { allow: ['GB/mobile', 'GB'] },
      gbMobile,
      'area-allowed',
      'GB/mobile',
      'first matching selector reported',
    ],
    [{ allow: ['GB', 'GB/mobile'] }, gbMobile, 'area-allowed', 'GB', 'first matching selector reported'],
    [{ allow: ['+44', 'GB'] }, gbMobile, 'area-allowed', '+44', 'prefix before region'],
    [{ allow: ['GB', '+44'] }, gbMobile, 'area-allowed', 'GB', 'region before prefix'],
    [{ allow: ['*/mobile', '+44'] }, gbMobile, 'area-allowed', '*/mobile', 'any-region type first'],
    [{ allow: ['GB', 'GB'] }, gbMobile, 'area-allowed', 'GB', 'duplicates are harmless'],
    [{ allow: ['+1', '+1876'] }, jamaicaMobile, 'area-allowed', '+1', 'first prefix in list order'],
  ])('%j, %j → %s %s (%s)', (raw, destination, code, matched) => {
    const outcome = evaluateCalling(compile(raw), destination);
    expect(outcome).toEqual(matched === undefined ? { code } : { code, matched });
  });

  it('returns the same frozen outcome object on every call', () => {
    const rules = compile({ allow: ['US'] });
    const first = evaluateCalling(rules, usLine);
    expect(evaluateCalling(rules, usLine)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
  });

  // Slow, obviously-correct reference: walk the selector text in list order.
  function selectorMatches(selector: string, d: CallingDestination): boolean {
    if (selector.startsWith('+')) return d.e164.startsWith(selector);
    const [region, type] = selector.split('/');
    if (type === undefined) return region === d.country;
    return (region === '*' || region === d.country) && type === d.type;
  }
  function reference(allow: string[] | undefined, deny: string[], d: CallingDestination) {
    const denied = deny.find((s) => selectorMatches(s, d));
    if (denied !== undefined) return { code: 'area-denied', matched: denied };
    if (allow === undefined) return { code: 'area-allowed' };
    const allowed = allow.find((s) => selectorMatches(s, d));
    return allowed === undefined ? { code: 'area-not-allowed' } : { code: 'area-allowed', matched: allowed };
  }

  it('agrees with a slow reference on random selectors and destinations', () => {
    const regions = ['US', 'CA', 'JM', 'GB', 'GG', '001'];
    const types: NumberType[] = [...NUMBER_TYPES];
    const region = fc.constantFrom(...regions);
    const type = fc.constantFrom(...types);
    const selector = fc.oneof(
      region,
      fc.tuple(region, type).map(([r, t]) => `${r}/${t}`),
      type.map((t) => `*/${t}`),
      fc.constantFrom('+1', '+1876', '+44', '+447', '+800', '+18765'),
    );
    const destination = fc.record({
      e164: fc.constantFrom('+18765550100', '+12125550100', '+447400123456', '+80012345678', '+441481256789'),
      country: region,
      type,
    });
    fc.assert(
      fc.property(
        fc.option(fc.array(selector, { maxLength: 6 }), { nil: undefined }),
        fc.array(selector, { maxLength: 4 }),
        destination,
        (allow, deny, d) => {
          const raw = allow === undefined ? { deny } : { allow, deny };
          expect(evaluateCalling(compile(raw), d)).toEqual(reference(allow, deny, d));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
