// From normalized digits to calling code + national (significant) number + region, with every
// pattern compiled once per numbering plan. It reproduces libphonenumber-js's parse() of such digits
// step for step (the differential test in test/phone/split.test.ts holds it to that); the library
// itself would build a fresh RegExp and Metadata object for nearly every step of every call.
import type { CountryCode } from 'libphonenumber-js/core';
import {
  anchored,
  callingCodeLength,
  type HomePlan,
  isRegionCode,
  numberTypeOf,
  type PlanAccessors,
  planOf,
  regionsOf,
} from './metadata.js';

/** Where a number goes: its calling code, national significant number and, when known, region. */
export interface SplitNumber {
  readonly callingCode: string;
  readonly nationalNumber: string;
  /** The ISO region, or undefined when no region of the calling code claims the number. */
  readonly region: string | undefined;
}

// libphonenumber-js's bounds on a national significant number (MIN/MAX_LENGTH_FOR_NSN).
const MIN_NATIONAL_LENGTH = 2;
const MAX_NATIONAL_LENGTH = 17;

/** The parsing part of one numbering plan, compiled once. */
export interface ParsingPlan {
  readonly callingCode: string;
  readonly national: RegExp;
  readonly possibleLengths: readonly unknown[] | undefined;
  /** National (trunk) prefix and carrier code to strip, anchored at the start. */
  readonly nationalPrefix: RegExp | undefined;
  /** Replacement for `nationalPrefix` when it captures (for example Argentina's mobile 15). */
  readonly transformRule: string | undefined;
  /** Which national numbers belong to this region of a shared calling code, anchored at the start. */
  readonly leadingDigits: RegExp | undefined;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

// A plan without calling code or national pattern compiles to undefined, so its numbers are not
// numbers (fail closed); other absent parts mean "none", as in libphonenumber-js.
/** Compiles one numbering plan; exported for tests of malformed plans only. */
export function compileParsingPlan(plan: PlanAccessors): ParsingPlan | undefined {
  const callingCode = text(plan.callingCode());
  const national = text(plan.nationalNumberPattern());
  if (callingCode === undefined || national === undefined) return undefined;
  const lengths = plan.possibleLengths();
  // As libphonenumber-js: the prefix for parsing defaults to the national prefix itself.
  const prefix = text(plan.nationalPrefixForParsing());
  const leading = text(plan.leadingDigits());
  return {
    callingCode,
    national: anchored(national),
    // Kept as given, as libphonenumber-js does: a non-number entry matches no length.
    possibleLengths: Array.isArray(lengths) ? lengths : undefined,
    nationalPrefix: prefix === undefined ? undefined : new RegExp(`^(?:${prefix})`),
    transformRule: text(plan.nationalPrefixTransformRule()),
    leadingDigits: leading === undefined ? undefined : new RegExp(`^(?:${leading})`),
  };
}

// Keyed by region code, or by "+" and calling code for a calling code's main plan: bounded by the
// number of plans in the metadata.
const parsingPlans = new Map<string, ParsingPlan>();

function planFor(key: string, planKey: string): ParsingPlan | undefined {
  const known = parsingPlans.get(key);
  if (known !== undefined) return known;
  const plan = planOf(planKey);
  const compiled = plan === undefined ? undefined : compileParsingPlan(plan);
  if (compiled !== undefined) parsingPlans.set(key, compiled);
  return compiled;
}

function regionPlan(region: string): ParsingPlan | undefined {
  return parsingPlans.get(region) ?? (isRegionCode(region) ? planFor(region, region) : undefined);
}

/** The plan libphonenumber-js selects for a calling code: its main region's, or the non-geographic one. */
function callingCodePlan(callingCode: string): ParsingPlan | undefined {
  const main = regionsOf(callingCode)?.[0];
  return main === undefined ? planFor(`+${callingCode}`, callingCode) : regionPlan(main);
}

type LengthVerdict = 'possible' | 'too-short' | 'too-long' | 'invalid-length';

/** libphonenumber-js checkNumberLength for no particular type; no lengths means any length. */
function lengthVerdict(length: number, lengths: readonly unknown[] | undefined): LengthVerdict {
  if (lengths === undefined) return 'possible';
  const shortest = lengths[0];
  const longest = lengths[lengths.length - 1];
  if (shortest === length) return 'possible';
  if (typeof shortest === 'number' && shortest > length) return 'too-short';
  if (typeof longest === 'number' && longest < length) return 'too-long';
  return lengths.includes(length, 1) ? 'possible' : 'invalid-length';
}

/**
 * The region of `callingCode` that a national number belongs to: the only one, or the first whose
 * leading digits match, or (for a region without leading digits) the first where it has a type.
 */
function regionOf(callingCode: string, nationalNumber: string): string | undefined {
  const regions = regionsOf(callingCode);
  if (regions === undefined) return undefined;
  if (regions.length === 1) return regions[0];
  for (const region of regions) {
    const plan = regionPlan(region);
    if (plan === undefined) continue;
    if (plan.leadingDigits !== undefined) {
      if (nationalNumber !== '' && plan.leadingDigits.test(nationalNumber)) return region;
    } else {
      // getNumberType finds no type in a plan without type data: 'unknown' does not claim the number.
      const type = numberTypeOf(region, callingCode, nationalNumber);
      if (type !== undefined && type !== 'unknown') return region;
    }
  }
  return undefined;
}

/** The number without its national prefix, or the number itself when the plan has none to strip. */
function withoutNationalPrefix(number: string, plan: ParsingPlan): string {
  if (number === '' || plan.nationalPrefix === undefined) return number;
  const match = plan.nationalPrefix.exec(number);
  if (match === null) return number;
  const lastGroup = match.length > 1 ? match[match.length - 1] : undefined;
  if (plan.transformRule !== undefined && lastGroup !== undefined && lastGroup !== '') {
    return number.replace(plan.nationalPrefix, plan.transformRule);
  }
  return number.slice(match[0].length);
}

/** The national significant number: the prefix is stripped only when what remains still fits the plan. */
function nationalNumberOf(number: string, plan: ParsingPlan): string {
  const stripped = withoutNationalPrefix(number, plan);
  if (stripped === number) return number;
  if (plan.national.test(number) && !plan.national.test(stripped)) return number;
  if (plan.possibleLengths !== undefined) {
    const region = regionOf(plan.callingCode, stripped);
    const lengths = region === undefined ? plan.possibleLengths : regionPlan(region)?.possibleLengths;
    const verdict = lengthVerdict(stripped.length, lengths);
    if (verdict === 'too-short' || verdict === 'invalid-length') return number;
  }
  return stripped;
}

function bounded(split: SplitNumber): SplitNumber | undefined {
  const { length } = split.nationalNumber;
  return length >= MIN_NATIONAL_LENGTH && length <= MAX_NATIONAL_LENGTH ? split : undefined;
}

/**
 * Splits normalized digits (`+` and digits, or digits as dialed) dialed from `home`: a split number,
 * `'unknown-country-code'` for an international number without a known calling code, or undefined
 * when libphonenumber-js would not parse the digits as a number at all (too short, too long).
 */
export function splitDigits(
  home: HomePlan,
  normalized: string,
): SplitNumber | 'unknown-country-code' | undefined {
  if (normalized.charCodeAt(0) === 0x2b) return splitInternational(normalized);
  // As libphonenumber-js does: an international prefix counts only if a non-zero digit follows it.
  const prefix = home.internationalPrefix.exec(normalized);
  if (prefix !== null) {
    const rest = prefix[0].length;
    if (rest < normalized.length && normalized.charCodeAt(rest) !== 0x30) {
      return splitInternational(`+${normalized.slice(rest)}`);
    }
  }
  return splitNational(home.country, normalized);
}

function splitInternational(international: string): SplitNumber | 'unknown-country-code' | undefined {
  const codeLength = callingCodeLength(international.slice(1));
  if (codeLength === 0) return 'unknown-country-code';
  // libphonenumber-js's viability rule: a "+" needs at least three digits after it.
  if (international.length < 4) return undefined;
  const callingCode = international.slice(1, 1 + codeLength);
  const rest = international.slice(1 + codeLength);
  const plan = callingCodePlan(callingCode);
  if (rest === '' || plan === undefined) return undefined;
  const nationalNumber = nationalNumberOf(rest, plan);
  return bounded({ callingCode, nationalNumber, region: regionOf(callingCode, nationalNumber) });
}

// As libphonenumber-js does, digits that start with the home calling code are read as international
// without a `+` when only that reading fits (`1 876 555 0100` from the US is Jamaica).
function splitNational(home: CountryCode, digits: string): SplitNumber | undefined {
  const homePlan = regionPlan(home);
  if (digits.length < MIN_NATIONAL_LENGTH || homePlan === undefined) return undefined;
  const { callingCode } = homePlan;
  if (digits.startsWith(callingCode)) {
    const shorter = digits.slice(callingCode.length);
    const shorterNational = nationalNumberOf(shorter, homePlan);
    const asDialed = nationalNumberOf(digits, homePlan);
    if (
      (!homePlan.national.test(asDialed) && homePlan.national.test(shorterNational)) ||
      lengthVerdict(asDialed.length, homePlan.possibleLengths) === 'too-long'
    ) {
      const plan = callingCodePlan(callingCode);
      if (shorter === '' || plan === undefined) return undefined;
      const nationalNumber = nationalNumberOf(shorter, plan);
      return bounded({ callingCode, nationalNumber, region: regionOf(callingCode, nationalNumber) });
    }
  }
  const nationalNumber = nationalNumberOf(digits, homePlan);
  return bounded({ callingCode, nationalNumber, region: regionOf(callingCode, nationalNumber) ?? home });
}
