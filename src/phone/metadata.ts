// Everything sipguard derives from libphonenumber-js metadata. We use the `max` metadata on purpose:
// number types (mobile, premium-rate, …) and the exact region of a shared calling code need it.
import { type CountryCode, getCountries, getCountryCallingCode, Metadata } from 'libphonenumber-js/core';
import maxMetadata from 'libphonenumber-js/max/metadata';
import { emergencyNumbersOf } from './emergency.js';
import type { DialedEmergency, NumberType } from './types.js';

/** The libphonenumber-js metadata every phone function in sipguard uses (the `max` set). */
export const METADATA = maxMetadata;

/** An upper-case ISO 3166-1 alpha-2 region known to the phone metadata (libphonenumber-js's `CountryCode`). */
export type RegionCode = CountryCode;

/** The region code libphonenumber-js and sipguard use for non-geographic calling codes (+800, +881, …). */
export const NON_GEOGRAPHIC_REGION = '001' as const;

const REGIONS: ReadonlySet<string> = new Set(getCountries(METADATA));

// Calling codes of countries and of non-geographic services; E.164 codes are 1 to 3 digits and
// prefix-free, so at most one prefix of a number is in this set.
const CALLING_CODES: ReadonlySet<string> = new Set([
  ...Object.keys(METADATA.country_calling_codes),
  ...Object.keys(METADATA.nonGeographic),
]);
const NON_GEOGRAPHIC_CALLING_CODES: ReadonlySet<string> = new Set(Object.keys(METADATA.nonGeographic));

/** True when `code` is an upper-case ISO 3166-1 alpha-2 region known to the metadata (`"001"` is not). */
export function isRegionCode(code: unknown): code is CountryCode {
  // Only region strings are members, so any value can be looked up: no type or length test needed.
  return (REGIONS as ReadonlySet<unknown>).has(code);
}

/** Length of the country calling code that `digits` (E.164 without `+`) starts with, or 0 if none. */
export function callingCodeLength(digits: string): number {
  // A slice past the end of a short number is the whole number again, so no bound on its length.
  for (let length = 1; length <= 3; length++) {
    if (CALLING_CODES.has(digits.slice(0, length))) return length;
  }
  return 0;
}

/** True when `callingCode` belongs to a non-geographic service rather than a region. */
export function isNonGeographicCallingCode(callingCode: string): boolean {
  return NON_GEOGRAPHIC_CALLING_CODES.has(callingCode);
}

/** What classification needs about the country a call is placed from, computed once per country. */
export interface HomePlan {
  readonly country: CountryCode;
  /** The home country's calling code, digits only (`"1"` for the US, `"44"` for GB). */
  readonly callingCode: string;
  /** The home country's international (IDD) prefix, anchored at the start of the digits. */
  readonly internationalPrefix: RegExp;
  /** The home country's emergency numbers, as dialed, each with its (frozen, shared) result. */
  readonly emergency: ReadonlyMap<string, DialedEmergency>;
}

// At most one plan per region in the metadata (about 245), so this map is bounded by construction.
const homePlans = new Map<string, HomePlan>();

/** The precomputed plan for `country`, or undefined if `country` is not a region code. */
export function homePlan(country: unknown): HomePlan | undefined {
  if (typeof country !== 'string') return undefined;
  const known = homePlans.get(country);
  if (known !== undefined) return known;
  if (!isRegionCode(country)) return undefined;
  const metadata = new Metadata(METADATA);
  metadata.selectNumberingPlan(country);
  // Every region in the metadata has an IDD pattern; '(?!)' never matches, should one ever lack it.
  const idd = metadata.numberingPlan?.IDDPrefix() || '(?!)';
  const plan: HomePlan = {
    country,
    callingCode: getCountryCallingCode(country, METADATA),
    internationalPrefix: new RegExp(`^(?:${idd})`),
    emergency: new Map(
      emergencyNumbersOf(country).map((number) => [
        number,
        Object.freeze({ ok: true, emergency: true, number, country }),
      ]),
    ),
  };
  homePlans.set(country, plan);
  return plan;
}

// Number-type matching with regular expressions compiled once per numbering plan. It follows
// libphonenumber-js's getNumberType exactly (the differential test holds it to that), which would
// otherwise build a fresh RegExp for every pattern on every call.
// Indexes into a minified plan (libphonenumber-js METADATA.md): 2 national pattern, 3 possible
// lengths, 11 types; inside types: 0 fixed line, 1 mobile, 2 toll free, 3 premium rate, 4 personal
// number, 5 voicemail, 6 UAN, 7 pager, 8 VoIP, 9 shared cost; each type is [pattern, lengths?].
const TYPE_SLOTS: readonly (readonly [NumberType, number])[] = [
  ['mobile', 1],
  ['premium-rate', 3],
  ['toll-free', 2],
  ['shared-cost', 9],
  ['voip', 8],
  ['personal-number', 4],
  ['pager', 7],
  ['uan', 6],
  ['voicemail', 5],
];

interface TypeMatcher {
  readonly pattern: RegExp;
  /** Possible lengths (the type's own, else the plan's); undefined when neither lists any. */
  readonly lengths: readonly unknown[] | undefined;
}

/** A numbering plan compiled for number-type matching by {@link typeInPlan}. */
export interface TypePlan {
  readonly national: RegExp;
  /** False when the plan has no type data: a number is then valid when it matches `national`. */
  readonly hasTypes: boolean;
  readonly fixedLine: TypeMatcher | undefined;
  /** The mobile slot exists with a pattern (libphonenumber-js drops it when equal to fixed line). */
  readonly mobile: TypeMatcher | undefined;
  readonly others: readonly (readonly [NumberType, TypeMatcher])[];
}

/** A metadata pattern compiled to match a whole national number, as libphonenumber-js matchesEntirely. */
export function anchored(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern})$`);
}

// Elements are not checked: as in libphonenumber-js, a length list is only searched for a number.
function numberList(value: unknown): readonly unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

function typeMatcher(types: readonly unknown[], slot: number, planLengths: readonly unknown[] | undefined) {
  const type = types[slot];
  if (!Array.isArray(type) || typeof type[0] !== 'string' || type[0] === '') return undefined;
  return { pattern: anchored(type[0]), lengths: numberList(type[1]) ?? planLengths };
}

/**
 * Compiles one minified libphonenumber-js numbering plan (an entry of `countries` or `nonGeographic`)
 * for {@link typeInPlan}. Exported for tests, which compare it with libphonenumber-js on made-up plans.
 */
export function compileTypePlan(plan: readonly unknown[]): TypePlan {
  const national = typeof plan[2] === 'string' ? anchored(plan[2]) : /(?!)/;
  const types = plan[11];
  if (!Array.isArray(types) || types.length === 0) {
    return { national, hasTypes: false, fixedLine: undefined, mobile: undefined, others: [] };
  }
  const lengths = numberList(plan[3]);
  const others: (readonly [NumberType, TypeMatcher])[] = [];
  for (const [name, slot] of TYPE_SLOTS) {
    const matcher = typeMatcher(types, slot, lengths);
    if (matcher !== undefined) others.push([name, matcher]);
  }
  return {
    national,
    hasTypes: true,
    fixedLine: typeMatcher(types, 0, lengths),
    mobile: typeMatcher(types, 1, lengths),
    others,
  };
}

// Keyed by region code, or by "+" and calling code for non-geographic plans: at most one entry per
// plan in the metadata, so bounded by construction.
const typePlans = new Map<string, TypePlan>();

function typePlanFor(key: string, plan: unknown): TypePlan | undefined {
  const known = typePlans.get(key);
  if (known !== undefined) return known;
  if (!Array.isArray(plan)) return undefined;
  const compiled = compileTypePlan(plan);
  typePlans.set(key, compiled);
  return compiled;
}

function matches(matcher: TypeMatcher, national: string): boolean {
  return (
    (matcher.lengths === undefined || matcher.lengths.includes(national.length)) &&
    matcher.pattern.test(national)
  );
}

/**
 * The type of a national (significant) number in `region` (or in the non-geographic plan of
 * `callingCode` when region is "001"): a type, 'unknown' for a valid number in a plan without type
 * data, or undefined when the number is not valid there.
 */
export function numberTypeOf(region: string, callingCode: string, national: string): NumberType | undefined {
  const plan =
    region === NON_GEOGRAPHIC_REGION
      ? typePlanFor(`+${callingCode}`, METADATA.nonGeographic[callingCode])
      : typePlanFor(region, METADATA.countries[region as CountryCode]);
  return plan === undefined ? undefined : typeInPlan(plan, national);
}

/**
 * The type of a national number in a compiled plan, as libphonenumber-js getNumberType and isValid
 * decide it: a type, 'unknown' for a valid number in a plan without type data, or undefined.
 */
export function typeInPlan(plan: TypePlan, national: string): NumberType | undefined {
  // Not redundant with the type patterns: some admit numbers the plan's pattern excludes (DE fixed line).
  if (!plan.national.test(national)) return undefined;
  if (!plan.hasTypes) return 'unknown';
  if (plan.fixedLine !== undefined && matches(plan.fixedLine, national)) {
    // As libphonenumber-js: a plan whose mobile pattern is absent or equal to fixed line (dropped),
    // or a number matching both, is "fixed line or mobile".
    if (plan.mobile === undefined || matches(plan.mobile, national)) return 'fixed-line-or-mobile';
    return 'fixed-line';
  }
  for (const [name, matcher] of plan.others) if (matches(matcher, national)) return name;
  return undefined;
}
