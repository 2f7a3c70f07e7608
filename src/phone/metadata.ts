// Everything sipguard derives from libphonenumber-js metadata. We use the `max` metadata on purpose:
// number types (mobile, premium-rate, …) and the exact region of a shared calling code need it.
import { type CountryCode, getCountries, Metadata } from 'libphonenumber-js/core';
import maxMetadata from 'libphonenumber-js/max/metadata';
import { EMERGENCY_NUMBERS } from './emergency.js';
import type { DialedEmergency } from './types.js';

/** The libphonenumber-js metadata every phone function in sipguard uses (the `max` set). */
export const METADATA = maxMetadata;

/** The region code libphonenumber-js and sipguard use for non-geographic calling codes (+800, +881, …). */
export const NON_GEOGRAPHIC_REGION = '001';

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
  return typeof code === 'string' && code.length === 2 && REGIONS.has(code);
}

/** Length of the country calling code that `digits` (E.164 without `+`) starts with, or 0 if none. */
export function callingCodeLength(digits: string): number {
  for (let length = 1; length <= 3 && length <= digits.length; length++) {
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
    internationalPrefix: new RegExp(`^(?:${idd})`),
    emergency: new Map(
      (EMERGENCY_NUMBERS[country] ?? []).map((number) => [
        number,
        Object.freeze({ ok: true, emergency: true, number, country }),
      ]),
    ),
  };
  homePlans.set(country, plan);
  return plan;
}
