// Everything sipguard derives from libphonenumber-js metadata, and the one place that reads it. We use
// the `max` metadata on purpose: number types (mobile, premium-rate, …) and the exact region of a
// shared calling code need it. Numbering plans are read through libphonenumber-js's own accessors,
// never by index into its minified arrays, so a change of layout is libphonenumber-js's to absorb.
import {
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  Metadata,
  type MetadataJson,
} from 'libphonenumber-js/core';
import maxMetadata from 'libphonenumber-js/max/metadata';
import { emergencyNumbersOf } from './emergency.js';
import type { DialedEmergency, NumberType } from './types.js';

/** The libphonenumber-js metadata every phone function in sipguard uses (the `max` set). */
const METADATA = maxMetadata;

/** An upper-case ISO 3166-1 alpha-2 region known to the phone metadata (libphonenumber-js's `CountryCode`). */
export type RegionCode = CountryCode;

/** The region code libphonenumber-js and sipguard use for non-geographic calling codes (+800, +881, …). */
export const NON_GEOGRAPHIC_REGION = '001' as const;

// The sets read from the metadata are built by calls marked free of side effects, so that a bundle
// of the IP or rate functions alone drops the metadata (a bundler keeps any property read of it).
/* @__NO_SIDE_EFFECTS__ */
function setOf(list: readonly string[]): ReadonlySet<string> {
  return new Set(list);
}
/* @__NO_SIDE_EFFECTS__ */
function regions(): readonly string[] {
  return getCountries(METADATA);
}
/* @__NO_SIDE_EFFECTS__ */
function callingCodes(): readonly string[] {
  return [...Object.keys(METADATA.country_calling_codes), ...Object.keys(METADATA.nonGeographic)];
}
/* @__NO_SIDE_EFFECTS__ */
function nonGeographicCallingCodes(): readonly string[] {
  return Object.keys(METADATA.nonGeographic);
}

const REGIONS = setOf(regions());

// Calling codes of countries and of non-geographic services; E.164 codes are 1 to 3 digits and
// prefix-free, so at most one prefix of a number is in this set.
const CALLING_CODES = setOf(callingCodes());
const NON_GEOGRAPHIC_CALLING_CODES = setOf(nonGeographicCallingCodes());

/** True when `code` is an upper-case ISO 3166-1 alpha-2 region known to the metadata (`"001"` is not). */
export function isRegionCode(code: unknown): code is CountryCode {
  // Only region strings are members, so any value can be looked up: no type or length test needed.
  return (REGIONS as ReadonlySet<unknown>).has(code);
}

/** Every region {@link isRegionCode} accepts, sorted: the list the policy's JSON Schema offers. */
export function regionCodes(): readonly CountryCode[] {
  return [...REGIONS].filter(isRegionCode).sort();
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

/** The names libphonenumber-js gives number types in its metadata accessors. */
type MetadataTypeName =
  | 'FIXED_LINE'
  | 'MOBILE'
  | 'TOLL_FREE'
  | 'PREMIUM_RATE'
  | 'PERSONAL_NUMBER'
  | 'VOICEMAIL'
  | 'UAN'
  | 'PAGER'
  | 'VOIP'
  | 'SHARED_COST';

/**
 * The accessors of one libphonenumber-js numbering plan that sipguard reads. libphonenumber-js's own
 * parser uses them, but its type declarations list only a few, so their results are typed `unknown`
 * here and checked where they are read.
 */
export interface PlanAccessors {
  callingCode(): unknown;
  IDDPrefix(): unknown;
  nationalNumberPattern(): unknown;
  possibleLengths(): unknown;
  nationalPrefixForParsing(): unknown;
  nationalPrefixTransformRule(): unknown;
  leadingDigits(): unknown;
  hasTypes(): boolean;
  type(name: MetadataTypeName): { pattern(): unknown; possibleLengths(): unknown } | undefined;
}

const ACCESSORS: readonly (keyof PlanAccessors)[] = [
  'callingCode',
  'IDDPrefix',
  'nationalNumberPattern',
  'possibleLengths',
  'nationalPrefixForParsing',
  'nationalPrefixTransformRule',
  'leadingDigits',
  'hasTypes',
  'type',
];

/** `plan` as {@link PlanAccessors}; throws, naming the accessor, when libphonenumber-js lacks one. */
export function planAccessors(plan: unknown): PlanAccessors {
  for (const name of ACCESSORS) {
    if (typeof (plan as Partial<Record<string, unknown>> | undefined)?.[name] !== 'function') {
      throw new Error(
        `sipguard cannot read libphonenumber-js metadata: its numbering plans have no ${name}() accessor; install a libphonenumber-js version that sipguard's package.json accepts`,
      );
    }
  }
  return plan as PlanAccessors;
}

/**
 * The numbering plan `key` of `metadata`: a region's own plan, or, for a calling code, its main
 * region's plan or its non-geographic plan, as libphonenumber-js selects it; undefined if unknown.
 */
export function readPlan(metadata: MetadataJson, key: string): PlanAccessors | undefined {
  const known = /^[0-9]+$/.test(key)
    ? Object.hasOwn(metadata.country_calling_codes, key) || Object.hasOwn(metadata.nonGeographic ?? {}, key)
    : Object.hasOwn(metadata.countries, key);
  if (!known) return undefined;
  const selected = new Metadata(metadata);
  // libphonenumber-js takes a region code or a calling code here; its types name the region only.
  selected.selectNumberingPlan(key as CountryCode);
  return planAccessors(selected.numberingPlan);
}

/** {@link readPlan} of the bundled (`max`) metadata. */
export function planOf(key: string): PlanAccessors | undefined {
  return readPlan(METADATA, key);
}

/** The regions sharing `callingCode`, main region first; undefined for non-geographic codes. */
export function regionsOf(callingCode: string): readonly string[] | undefined {
  const regions: readonly string[] | undefined = METADATA.country_calling_codes[callingCode];
  // As libphonenumber-js: a single three-character "region" is the non-geographic "001".
  if (regions === undefined || (regions.length === 1 && regions[0]?.length === 3)) return undefined;
  return regions;
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
  const idd = planOf(country)?.IDDPrefix();
  // Every region in the metadata has an IDD pattern; '(?!)' never matches, should one ever lack it.
  const iddPattern = typeof idd === 'string' && idd !== '' ? idd : '(?!)';
  const plan: HomePlan = {
    country,
    callingCode: getCountryCallingCode(country, METADATA),
    internationalPrefix: new RegExp(`^(?:${iddPattern})`),
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
// otherwise build a fresh RegExp for every pattern on every call. Fixed line and mobile are read
// first; the others in libphonenumber-js's order.
const TYPE_NAMES: readonly (readonly [NumberType, MetadataTypeName])[] = [
  ['mobile', 'MOBILE'],
  ['premium-rate', 'PREMIUM_RATE'],
  ['toll-free', 'TOLL_FREE'],
  ['shared-cost', 'SHARED_COST'],
  ['voip', 'VOIP'],
  ['personal-number', 'PERSONAL_NUMBER'],
  ['pager', 'PAGER'],
  ['uan', 'UAN'],
  ['voicemail', 'VOICEMAIL'],
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

// A type the plan lists with an empty pattern counts as absent (libphonenumber-js drops a mobile
// pattern equal to fixed line that way); its lengths default to the plan's.
function typeMatcher(plan: PlanAccessors, name: MetadataTypeName): TypeMatcher | undefined {
  const type = plan.type(name);
  const pattern = type?.pattern();
  if (type === undefined || typeof pattern !== 'string' || pattern === '') return undefined;
  return { pattern: anchored(pattern), lengths: numberList(type.possibleLengths()) };
}

/**
 * Compiles one numbering plan for {@link typeInPlan}. Exported for tests, which compare it with
 * libphonenumber-js on made-up plans.
 */
export function compileTypePlan(plan: PlanAccessors): TypePlan {
  const pattern = plan.nationalNumberPattern();
  const national = typeof pattern === 'string' ? anchored(pattern) : /(?!)/;
  if (!plan.hasTypes()) {
    return { national, hasTypes: false, fixedLine: undefined, mobile: undefined, others: [] };
  }
  const others: (readonly [NumberType, TypeMatcher])[] = [];
  for (const [type, name] of TYPE_NAMES) {
    const matcher = typeMatcher(plan, name);
    if (matcher !== undefined) others.push([type, matcher]);
  }
  return {
    national,
    hasTypes: true,
    fixedLine: typeMatcher(plan, 'FIXED_LINE'),
    mobile: typeMatcher(plan, 'MOBILE'),
    others,
  };
}

// Keyed by region code, or by "+" and calling code for non-geographic plans: at most one entry per
// plan in the metadata, so bounded by construction.
const typePlans = new Map<string, TypePlan>();

function typePlanFor(key: string, planKey: string): TypePlan | undefined {
  const known = typePlans.get(key);
  if (known !== undefined) return known;
  const plan = planOf(planKey);
  if (plan === undefined) return undefined;
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
      ? isNonGeographicCallingCode(callingCode)
        ? typePlanFor(`+${callingCode}`, callingCode)
        : undefined
      : isRegionCode(region)
        ? typePlanFor(region, region)
        : undefined;
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
