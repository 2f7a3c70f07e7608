// The metadata helpers and the number-type plans, tested directly (classifyDialed reaches them only
// through its caches). Plans are held to libphonenumber-js: on made-up plans, including plans without
// type data or lengths that the bundled metadata never has, and on the bundled metadata itself.

import fc from 'fast-check';
import { type E164Number, type MetadataJson, PhoneNumber } from 'libphonenumber-js/core';
import { getCountries } from 'libphonenumber-js/max';
import maxMetadata from 'libphonenumber-js/max/metadata';
import { describe, expect, it } from 'vitest';
import { emergencyNumbersOf } from '../../src/phone/emergency.js';
import {
  callingCodeLength,
  compileTypePlan,
  homePlan,
  isNonGeographicCallingCode,
  isRegionCode,
  numberTypeOf,
  type PlanAccessors,
  planAccessors,
  readPlan,
  typeInPlan,
} from '../../src/phone/metadata.js';
import type { NumberType } from '../../src/phone/types.js';

/** The parts of a minified numbering plan (libphonenumber-js METADATA.md) that number types read. */
interface PlanParts {
  readonly national?: string | undefined;
  readonly lengths?: readonly number[] | undefined;
  readonly types?: unknown;
}

function minifiedPlan({ national, lengths, types }: PlanParts): unknown[] {
  const plan: unknown[] = ['999', '00'];
  plan[2] = national;
  plan[3] = lengths;
  plan[11] = types;
  return plan;
}

/** A metadata set holding only `plan`, as region XA with calling code +999. */
function metadataOf(plan: unknown[]): MetadataJson {
  const metadata = {
    version: 4,
    country_calling_codes: { 999: ['XA'] },
    countries: { XA: plan },
    nonGeographic: {},
  };
  return metadata as unknown as MetadataJson;
}

/** `plan` read through libphonenumber-js's accessors, as sipguard reads the bundled plans. */
function accessorsOf(plan: unknown[]): PlanAccessors {
  const accessors = readPlan(metadataOf(plan), 'XA');
  if (accessors === undefined) throw new Error('the made-up plan is not in its metadata');
  return accessors;
}

/** What libphonenumber-js says of `national` in a metadata holding only `plan` (as +999), in our terms. */
function reference(plan: unknown[], national: string): NumberType | undefined {
  const number = new PhoneNumber(`+999${national}` as E164Number, metadataOf(plan));
  if (!number.isValid()) return undefined;
  const type = number.getType();
  return type === undefined ? 'unknown' : (type.toLowerCase().replaceAll('_', '-') as NumberType);
}

// Slots of the minified types array: 0 fixed line, 1 mobile, 2 toll free, 3 premium rate, 4 personal.
const FOUR_TO_SIX = '\\d{4,6}';

describe('typeInPlan on made-up plans', () => {
  it.each<readonly [string, PlanParts, string, NumberType | undefined]>([
    ['no type data: valid by the national pattern alone', { national: FOUR_TO_SIX }, '1234', 'unknown'],
    ['no type data (0, as newer metadata writes it)', { national: FOUR_TO_SIX, types: 0 }, '1234', 'unknown'],
    ['no type data (an empty list)', { national: FOUR_TO_SIX, types: [] }, '1234', 'unknown'],
    ['no type data and outside the national pattern', { national: FOUR_TO_SIX }, '123', undefined],
    ['no national pattern: nothing is valid', { types: [['\\d{4}']] }, '1234', undefined],
    [
      'fixed line, mobile absent',
      { national: FOUR_TO_SIX, types: [['1\\d{3}'], 0] },
      '1234',
      'fixed-line-or-mobile',
    ],
    [
      'mobile dropped as equal to fixed line',
      { national: FOUR_TO_SIX, types: [['1\\d{3}'], ['']] },
      '1234',
      'fixed-line-or-mobile',
    ],
    [
      'fixed line, not mobile',
      { national: FOUR_TO_SIX, types: [['1\\d{3}'], ['19\\d{2}']] },
      '1234',
      'fixed-line',
    ],
    [
      'both fixed line and mobile',
      { national: FOUR_TO_SIX, types: [['1\\d{3}'], ['12\\d{2}']] },
      '1234',
      'fixed-line-or-mobile',
    ],
    ['mobile only', { national: FOUR_TO_SIX, types: [['1\\d{3}'], ['2\\d{3}']] }, '2345', 'mobile'],
    [
      'a type of its own lengths',
      { national: FOUR_TO_SIX, types: [0, 0, ['8\\d{3,5}', [6]]] },
      '812345',
      'toll-free',
    ],
    [
      'the type pattern admits the length, the type lengths do not',
      { national: FOUR_TO_SIX, types: [0, 0, ['8\\d{3,5}', [6]]] },
      '8123',
      undefined,
    ],
    [
      'a type without lengths takes the plan lengths',
      { national: FOUR_TO_SIX, lengths: [5], types: [0, 0, ['8\\d{3,5}']] },
      '81234',
      'toll-free',
    ],
    [
      'a length outside the plan lengths',
      { national: FOUR_TO_SIX, lengths: [5], types: [0, 0, ['8\\d{3,5}']] },
      '8123',
      undefined,
    ],
    [
      'no lengths anywhere: the pattern alone decides',
      { national: FOUR_TO_SIX, types: [0, 0, ['8\\d{3,5}']] },
      '8123',
      'toll-free',
    ],
    [
      'a type pattern the national pattern excludes',
      { national: '[1-7]\\d{3}', types: [0, 0, ['8\\d{3}']] },
      '8123',
      undefined,
    ],
    [
      'premium rate is tried before toll free',
      { national: FOUR_TO_SIX, types: [0, 0, ['8\\d{3}'], ['8\\d{3}']] },
      '8123',
      'premium-rate',
    ],
    [
      'an empty pattern is an absent type',
      { national: FOUR_TO_SIX, types: [0, 0, [''], ['9\\d{3}']] },
      '8123',
      undefined,
    ],
    [
      'a type in no slot matches',
      { national: FOUR_TO_SIX, types: [['1\\d{3}'], ['2\\d{3}']] },
      '3456',
      undefined,
    ],
  ])('%s', (_reason, parts, national, expected) => {
    const plan = minifiedPlan(parts);
    expect(typeInPlan(compileTypePlan(accessorsOf(plan)), national)).toBe(expected);
    // The expectation above is written by hand; libphonenumber-js must read the plan the same way.
    expect(reference(plan, national)).toBe(expected);
  });

  const pattern = fc.constantFrom(
    '\\d{3,6}',
    '[1-4]\\d{2,5}',
    '1\\d{3}',
    '[2-9]\\d{4,5}',
    '(?:12|3)\\d{2,4}',
    '5\\d{5}',
  );
  const lengths = fc.uniqueArray(fc.integer({ min: 3, max: 7 }), { minLength: 1, maxLength: 4 });
  const slot = fc.oneof(
    fc.constant(0),
    fc.constant(undefined),
    fc.constant(['']),
    pattern.map((p) => [p]),
    fc.tuple(pattern, lengths),
  );
  const plans = fc.record({
    national: fc.option(fc.constantFrom('\\d{3,7}', '[1-5]\\d{2,6}', '[2-9]\\d{3,5}'), { nil: undefined }),
    lengths: fc.option(lengths, { nil: undefined }),
    types: fc.oneof(
      fc.constant(undefined),
      fc.constant(0),
      fc.constant([]),
      fc.array(slot, { minLength: 1, maxLength: 10 }),
    ),
  });
  const nationals = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 8 });

  it('agrees with libphonenumber-js on random plans and numbers', () => {
    fc.assert(
      fc.property(plans, fc.array(nationals, { minLength: 1, maxLength: 8 }), (parts, numbers) => {
        const plan = minifiedPlan(parts);
        const compiled = compileTypePlan(accessorsOf(plan));
        for (const national of numbers)
          expect(typeInPlan(compiled, national), national).toBe(reference(plan, national));
      }),
      { numRuns: 400 },
    );
  });
});

describe('reading plans through libphonenumber-js accessors', () => {
  it('fails loudly, naming the accessor, when a plan lacks one', () => {
    const plan = accessorsOf(minifiedPlan({ national: FOUR_TO_SIX }));
    // Every accessor but type(), as a libphonenumber-js that renamed it would have.
    const withoutType = {
      callingCode: () => plan.callingCode(),
      IDDPrefix: () => plan.IDDPrefix(),
      nationalNumberPattern: () => plan.nationalNumberPattern(),
      possibleLengths: () => plan.possibleLengths(),
      nationalPrefixForParsing: () => plan.nationalPrefixForParsing(),
      nationalPrefixTransformRule: () => plan.nationalPrefixTransformRule(),
      leadingDigits: () => plan.leadingDigits(),
      hasTypes: () => plan.hasTypes(),
    };
    expect(planAccessors({ ...withoutType, type: plan.type.bind(plan) })).toBeDefined();
    expect(() => planAccessors(withoutType)).toThrow(/no type\(\) accessor/);
    expect(() => planAccessors(undefined)).toThrow(/no callingCode\(\) accessor/);
  });

  it('knows a region and a calling code, and nothing else', () => {
    expect(readPlan(maxMetadata, 'GB')?.callingCode()).toBe('44');
    expect(readPlan(maxMetadata, '44')?.callingCode()).toBe('44');
    // +1 selects the plan of its main region, US, not Canada's.
    const fixedLine = (key: string) => readPlan(maxMetadata, key)?.type('FIXED_LINE')?.pattern();
    expect(fixedLine('1')).toBe(fixedLine('US'));
    expect(fixedLine('CA')).not.toBe(fixedLine('US'));
    expect(readPlan(maxMetadata, '800')?.callingCode()).toBe('800'); // non-geographic
    expect(readPlan(maxMetadata, 'XX')).toBeUndefined();
    expect(readPlan(maxMetadata, '999')).toBeUndefined();
    expect(readPlan(maxMetadata, 'toString')).toBeUndefined();
  });
});

describe('the bundled metadata', () => {
  const keys: readonly string[] = [...getCountries(), ...Object.keys(maxMetadata.nonGeographic)];

  // compileTypePlan accepts plans without this data (libphonenumber-js does too), but these guards
  // never fire on the metadata sipguard ships; docs/mutation.md lists their mutants as equivalent.
  it('has a national pattern, possible lengths and type data in every plan', () => {
    const names = ['FIXED_LINE', 'MOBILE', 'TOLL_FREE', 'PREMIUM_RATE', 'VOIP'] as const;
    for (const key of keys) {
      const plan = readPlan(maxMetadata, key);
      expect(plan, key).toBeDefined();
      if (plan === undefined) continue;
      expect(typeof plan.nationalNumberPattern(), key).toBe('string');
      const lengths = plan.possibleLengths();
      expect(Array.isArray(lengths) && lengths.every((n: unknown) => Number.isInteger(n)), key).toBe(true);
      expect(plan.hasTypes(), key).toBe(true);
      for (const name of names) {
        const type = plan.type(name);
        if (type !== undefined) expect(typeof type.pattern(), `${key} ${name}`).toBe('string');
      }
    }
  });

  it.each<readonly [string, string, string, string, NumberType | undefined]>([
    [
      'DE fixed-line pattern admits it, the German national pattern does not',
      'DE',
      '49',
      '4927509698567',
      undefined,
    ],
    ['a German fixed line', 'DE', '49', '30123456', 'fixed-line'],
    ['a UK mobile', 'GB', '44', '7400123456', 'mobile'],
    [
      'a US number (mobile pattern dropped as equal to fixed line)',
      'US',
      '1',
      '2015550123',
      'fixed-line-or-mobile',
    ],
    ['a freephone number on the non-geographic +800 plan', '001', '800', '12345678', 'toll-free'],
    ['an unassigned calling code has no non-geographic plan', '001', '999', '12345678', undefined],
    ['a region the metadata does not know', 'ZZ', '999', '12345678', undefined],
  ])('numberTypeOf: %s', (_reason, region, callingCode, national, expected) => {
    expect(numberTypeOf(region, callingCode, national)).toBe(expected);
    // Again, from its compiled (cached) plan.
    expect(numberTypeOf(region, callingCode, national)).toBe(expected);
  });
});

describe('homePlan', () => {
  it.each<readonly [string, string, string | undefined, string]>([
    ['US', '011442079460958', '011', 'NANP dials 011'],
    ['US', '00442079460958', undefined, 'NANP does not dial 00'],
    ['GB', '0012125550100', '00', 'most of the world dials 00'],
    ['AU', '0011442079460958', '0011', 'Australia dials 0011'],
    ['JP', '010442079460958', '010', 'Japan dials 010'],
    ['RU', '810442079460958', '810', 'Russia dials 8, tone, 10'],
    ['GB', '442079460958', undefined, 'a number without a prefix'],
  ])('%s: the international prefix of %s is %s (%s)', (country, digits, expected) => {
    const plan = homePlan(country);
    expect(plan?.country).toBe(country);
    expect(plan?.internationalPrefix.exec(digits)?.[0]).toBe(expected);
  });

  const regions = getCountries();

  it('holds exactly the emergency numbers of its region, each with a frozen emergency result', () => {
    // Regions without emergency data (GN, for one) must get none, not a placeholder.
    expect(emergencyNumbersOf('GN')).toEqual([]);
    for (const region of regions) {
      const emergency = homePlan(region)?.emergency;
      expect([...(emergency?.keys() ?? [])], region).toEqual(emergencyNumbersOf(region));
      for (const [number, result] of emergency ?? []) {
        expect(result).toEqual({ ok: true, emergency: true, number, country: region });
        expect(Object.isFrozen(result)).toBe(true);
      }
    }
  });

  it.each<readonly [unknown, string]>([
    ['ZZ', 'not a region'],
    ['001', 'the non-geographic pseudo-region has no home'],
    ['gb', 'lower case'],
    [7, 'not a string'],
    [null, 'null'],
  ])('has no plan for %j (%s)', (country) => {
    expect(homePlan(country)).toBeUndefined();
  });
});

describe('isRegionCode', () => {
  it.each<readonly [unknown, boolean, string]>([
    ['GB', true, 'a region'],
    ['JM', true, 'a region sharing +1'],
    ['gb', false, 'lower case'],
    ['UK', false, 'not ISO 3166-1'],
    ['GBR', false, 'alpha-3'],
    ['001', false, 'the non-geographic pseudo-region'],
    ['', false, 'empty'],
    [null, false, 'null'],
    [undefined, false, 'undefined'],
    [44, false, 'a number'],
    [['GB'], false, 'an array holding a region'],
    [{ length: 2 }, false, 'an object with a length'],
  ])('%j → %s (%s)', (code, expected) => {
    expect(isRegionCode(code)).toBe(expected);
  });
});

describe('callingCodeLength and isNonGeographicCallingCode', () => {
  it.each<readonly [string, number, string]>([
    ['12125550100', 1, 'NANP +1'],
    ['79161234567', 1, 'Russia +7'],
    ['442079460958', 2, 'a two-digit code'],
    ['8801712345678', 3, 'a three-digit code (Bangladesh)'],
    ['80012345678', 3, 'a non-geographic code'],
    ['44', 2, 'the code alone'],
    ['4', 0, 'a prefix of a code is not a code'],
    ['', 0, 'nothing'],
    ['0123', 0, 'no code starts with 0'],
    ['999123456', 0, 'unassigned'],
    ['2', 0, 'no code is "2"'],
  ])('%s → %i (%s)', (digits, expected) => {
    expect(callingCodeLength(digits)).toBe(expected);
  });

  it('tells non-geographic codes from regions', () => {
    expect(isNonGeographicCallingCode('800')).toBe(true);
    expect(isNonGeographicCallingCode('881')).toBe(true);
    expect(isNonGeographicCallingCode('44')).toBe(false);
    expect(isNonGeographicCallingCode('1')).toBe(false);
  });
});
