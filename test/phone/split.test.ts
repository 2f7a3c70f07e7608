// splitDigits stands in for libphonenumber-js's parse() on the hot path, so
// it is held to it differentially: on hand-picked rows (each exercising one parsing rule) and on
// many thousands of generated digit strings. Every expectation comes from libphonenumber-js.

import fc from 'fast-check';
import {
  type CountryCode,
  getCountries,
  type MetadataJson,
  parsePhoneNumberFromString,
} from 'libphonenumber-js/max';
import maxMetadata from 'libphonenumber-js/max/metadata';
import { describe, expect, it } from 'vitest';
import { homePlan, readPlan } from '../../src/phone/metadata.js';
import { compileParsingPlan, type SplitNumber, splitDigits } from '../../src/phone/split.js';

const regions = getCountries();
const callingCodes = [
  ...Object.keys(maxMetadata.country_calling_codes),
  ...Object.keys(maxMetadata.nonGeographic),
];

/** What libphonenumber-js makes of normalized digits, in SplitNumber's terms. */
function reference(digits: string, home: CountryCode): SplitNumber | undefined {
  const parsed = digits.startsWith('+')
    ? parsePhoneNumberFromString(digits)
    : parsePhoneNumberFromString(digits, home);
  if (parsed === undefined) return undefined;
  return {
    callingCode: parsed.countryCallingCode,
    nationalNumber: parsed.nationalNumber,
    region: parsed.country,
  };
}

function split(digits: string, home: CountryCode): SplitNumber | undefined {
  const plan = homePlan(home);
  if (plan === undefined) throw new Error(`no home plan for ${home}`);
  const result = splitDigits(plan, digits);
  // libphonenumber-js parses nothing without a known calling code either.
  return result === 'unknown-country-code' ? undefined : result;
}

function agree(digits: string, home: CountryCode): void {
  expect(split(digits, home), `${digits} from ${home}`).toEqual(reference(digits, home));
}

describe('split: rows that each exercise one rule of libphonenumber-js parsing', () => {
  it.each([
    ['+18765550100', 'US', 'a shared calling code resolves by leading digits (+1 876 is Jamaica)'],
    ['18765550100', 'US', 'the home calling code without "+" is read as international when only that fits'],
    ['8765550100', 'US', 'a national NANP number in a Jamaican area code belongs to Jamaica'],
    ['2125550100', 'CA', 'a US number dialed from Canada, national form'],
    ['12125550100', 'CA', 'a US number from Canada with the trunk 1'],
    ['5550100', 'US', 'too short for any NANP region: no region claims it, the home region stays'],
    ['02079460000', 'GB', 'the trunk prefix 0 is stripped'],
    ['442079460000', 'GB', 'the home calling code without "+"'],
    ['+4402079460000', 'GB', 'a trunk 0 after the calling code is stripped too'],
    ['0612345678', 'FR', 'France: trunk 0 before a mobile number'],
    ['0236789012', 'IT', 'Italy keeps its leading 0: it is part of the national number'],
    ['+390236789012', 'US', 'Italy from abroad keeps the 0'],
    ['+3906698', 'US', 'Vatican shares +39: leading digits 06698 decide'],
    ['01115234567890', 'AR', 'Argentina: 0 11 15 … is rewritten by the transform rule to 9 11 …'],
    ['+5491123456789', 'US', 'Argentina mobile from abroad'],
    ['89161234567', 'RU', 'Russia: trunk 8'],
    ['+77011234567', 'US', 'Kazakhstan shares +7 with Russia'],
    ['+441481123456', 'US', 'Guernsey shares +44 with the UK'],
    ['+80012345678', 'US', 'a non-geographic calling code (+800) has no region'],
    ['+262269612345', 'US', 'Réunion/Mayotte share +262'],
    ['+1', 'US', 'a "+" needs three digits to be a number at all'],
    ['+12', 'US', 'still fewer than three digits'],
    ['+999123', 'US', 'no calling code'],
    ['+44', 'US', 'a calling code and nothing else'],
    ['1', 'US', 'one digit is not a number'],
    ['12', 'US', 'two digits: the shortest national number libphonenumber-js parses'],
    ['+4412345678901234567890', 'US', 'more than 17 national digits'],
    ['0', 'GB', 'only a trunk prefix'],
    ['1', 'CA', 'only the calling code'],
    ['44', 'GB', 'only the calling code, two digits'],
  ] as const)('%s from %s: %s', (digits, home, _reason) => {
    agree(digits, home);
  });
});

describe('split: differential against libphonenumber-js on generated digits', () => {
  const home = fc.constantFrom(...regions);
  const digits = (min: number, max: number) =>
    fc.array(fc.integer({ min: 0, max: 9 }), { minLength: min, maxLength: max }).map((d) => d.join(''));

  it('national digits from any home region', () => {
    fc.assert(
      fc.property(home, digits(1, 18), (region, number) => agree(number, region)),
      { numRuns: 20_000 },
    );
  });

  it('the home calling code or national prefix, then digits', () => {
    fc.assert(
      fc.property(home, fc.boolean(), digits(0, 15), (region, withCallingCode, rest) => {
        const plan = maxMetadata.countries[region];
        const lead = withCallingCode ? (plan?.[0] ?? '') : (plan?.[5] ?? '0');
        agree(`${lead}${rest}`, region);
      }),
      { numRuns: 20_000 },
    );
  });

  it('an international prefix of some home region, then digits', () => {
    // The prefixes in use across the metadata's IDD patterns; most homes accept only one of them.
    const idd = fc.constantFrom('00', '011', '0011', '010', '001', '002', '009', '810', '119', '1');
    fc.assert(
      fc.property(home, idd, digits(0, 15), (region, prefix, rest) => agree(`${prefix}${rest}`, region)),
      { numRuns: 20_000 },
    );
  });

  it('"+", a calling code, then digits', () => {
    fc.assert(
      fc.property(fc.constantFrom(...callingCodes), digits(0, 15), (code, rest) =>
        agree(`+${code}${rest}`, 'US'),
      ),
      { numRuns: 20_000 },
    );
  });

  it('"+" and any digits', () => {
    fc.assert(
      fc.property(digits(1, 18), (number) => agree(`+${number}`, 'US')),
      { numRuns: 10_000 },
    );
  });
});

/** `plan` read through libphonenumber-js's accessors, as region XA of a metadata holding only it. */
function accessorsOf(plan: unknown[]) {
  const metadata = { version: 4, country_calling_codes: {}, countries: { XA: plan }, nonGeographic: {} };
  const accessors = readPlan(metadata as unknown as MetadataJson, 'XA');
  if (accessors === undefined) throw new Error('the made-up plan is not in its metadata');
  return accessors;
}

describe('compileParsingPlan: plans the bundled metadata never has fail closed', () => {
  const gb: unknown[] = maxMetadata.countries.GB ?? [];
  it.each([
    ['no calling code', [undefined, ...gb.slice(1)]],
    ['an empty calling code', ['', ...gb.slice(1)]],
    ['no national pattern', [gb[0], gb[1], undefined, ...gb.slice(3)]],
  ])('%s: no plan, so no number is read with it', (_reason, plan) => {
    expect(compileParsingPlan(accessorsOf(plan))).toBeUndefined();
  });

  it('keeps the pieces of a complete plan (GB: 44, trunk prefix 0, lengths as listed)', () => {
    const plan = compileParsingPlan(accessorsOf(gb));
    expect(plan?.callingCode).toBe('44');
    expect(plan?.possibleLengths).toEqual(gb[3]);
    expect(plan?.nationalPrefix?.exec('02079460000')?.[0]).toBe('0');
    expect(plan?.leadingDigits).toBeUndefined();
    expect(plan?.national.test('2079460000')).toBe(true);
    expect(plan?.national.test('02079460000')).toBe(false);
  });
});
