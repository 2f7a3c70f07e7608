// classifyDialed: from what a user or PBX dialed to { e164, country, type }, never throwing.
// dialed-text.ts reads the text into digits first (URI, separators, phone-context); split.ts then
// resolves calling code, region and number type from clean digits only, following libphonenumber-js
// over its `max` metadata.

import { quote } from '../text.js';
import { type PhoneContext, readDialedText } from './dialed-text.js';
import { fail } from './failure.js';
import {
  type HomePlan,
  homePlan,
  isNonGeographicCallingCode,
  NON_GEOGRAPHIC_REGION,
  numberTypeOf,
} from './metadata.js';
import { splitDigits } from './split.js';
import type { ClassifyDialedOptions, DialedClassification, DialedFailure, DialedNumber } from './types.js';

/** Longest input accepted, URI and host included; longer input is `too-long` before any parsing. */
export const MAX_DIALED_LENGTH = 256;
/** Entries per cache generation; the cache holds at most two generations. */
export const CACHE_GENERATION_SIZE = 4096;

type CachedClassification = DialedNumber | DialedFailure;

// Two generations: when `current` fills up it becomes `previous`, so recently used keys survive a
// turnover and memory stays bounded at 2 × CACHE_GENERATION_SIZE entries.
class GenerationalCache<V> {
  #current = new Map<string, V>();
  #previous = new Map<string, V>();

  set(key: string, value: V): void {
    if (this.#current.size >= CACHE_GENERATION_SIZE) {
      this.#previous = this.#current;
      this.#current = new Map();
    }
    this.#current.set(key, value);
  }

  get(key: string): V | undefined {
    const recent = this.#current.get(key);
    if (recent !== undefined) return recent;
    const older = this.#previous.get(key);
    if (older !== undefined) this.set(key, older);
    return older;
  }
}

// Key: home country, U+0000, then `+`? and ASCII digits: U+0000 occurs in neither part, so keys are unambiguous.
let byDigits = /* @__PURE__ */ new GenerationalCache<CachedClassification>();

type PhoneContexts = ReadonlyMap<string, string>;
// Marks a text-cache entry whose result does not depend on the caller's phoneContexts.
const ANY_CONTEXTS = Symbol('any phoneContexts');

/** A result by the dialed text as given, valid for the home plan it was classified from only. */
interface TextCacheEntry {
  readonly plan: HomePlan;
  /** The phoneContexts the result was read with (domain-name contexts only), else ANY_CONTEXTS. */
  readonly contexts: PhoneContexts | undefined | typeof ANY_CONTEXTS;
  readonly result: DialedClassification;
}
// In front of `byDigits`: keyed by the dialed text exactly as given (at most MAX_DIALED_LENGTH
// characters), so a repeated string costs one hash lookup, with no scanning and no key building.
// An entry counts only for its own plan (and mapping), so keys are unambiguous across home countries.
let byText = /* @__PURE__ */ new GenerationalCache<TextCacheEntry>();

/** Empties the classification cache. Internal: for tests and cold benchmarks only. */
export function clearDialedCache(): void {
  byDigits = new GenerationalCache();
  byText = new GenerationalCache();
}

function phoneContextsOf(options: ClassifyDialedOptions): PhoneContexts | undefined {
  const contexts: unknown = options.phoneContexts;
  return contexts instanceof Map ? (contexts as PhoneContexts) : undefined;
}

/**
 * Classifies what was dialed from `homeCountry`: an E.164 number with its region and type, one of the
 * home country's emergency numbers, or a failure with a code. Never throws, whatever the input.
 * Accepts `+` numbers, the home country's international prefix, national forms with or without the
 * trunk prefix, separators (space `-` `.` `/` `(` `)` and the Unicode spaces and dashes), and `tel:`,
 * `sip:` and `sips:` URIs, with an RFC 3966 phone-context (see docs/calling-areas.md).
 */
export function classifyDialed(dialed: unknown, options: ClassifyDialedOptions): DialedClassification {
  const home: unknown = typeof options === 'object' && options !== null ? options.homeCountry : undefined;
  const plan = homePlan(home);
  if (plan === undefined) {
    return fail(
      'invalid-home-country',
      // Never String(home): an object's toString would run, and Object.create(null) would throw.
      `home country ${typeof home === 'string' ? quote(home) : `(${home === null ? 'null' : typeof home})`} is not an upper-case ISO 3166-1 alpha-2 region known to libphonenumber-js`,
    );
  }
  if (typeof dialed !== 'string') {
    return fail(
      'not-a-number',
      `expected the dialed number as a string, got ${dialed === null ? 'null' : typeof dialed}`,
    );
  }
  if (dialed.length > MAX_DIALED_LENGTH) {
    return fail('too-long', `${quote(dialed)} is longer than ${MAX_DIALED_LENGTH} characters`);
  }

  const known = byText.get(dialed);
  if (
    known !== undefined &&
    known.plan === plan &&
    (known.contexts === ANY_CONTEXTS || known.contexts === phoneContextsOf(options))
  ) {
    return known.result;
  }
  return classifyText(plan, dialed, options);
}

// Kept out of classifyDialed, so that the cached path stays a small function.
function classifyText(plan: HomePlan, dialed: string, options: ClassifyDialedOptions): DialedClassification {
  const text = readDialedText(dialed);
  let contexts: TextCacheEntry['contexts'] = ANY_CONTEXTS;
  let result: DialedClassification;
  if (typeof text === 'string') result = classifyInPlan(plan, text);
  else if ('ok' in text) result = text;
  else if (text.context.kind === 'domain') {
    contexts = phoneContextsOf(options);
    result = classifyInDomain(plan, dialed, text.number, text.context, contexts);
  } else result = classifyInGlobalContext(plan, dialed, text.number, text.context);
  byText.set(dialed, { plan, contexts, result });
  return result;
}

/** Classifies a local number whose phone-context is a global-number prefix. */
function classifyInGlobalContext(
  plan: HomePlan,
  dialed: string,
  number: string,
  context: Extract<PhoneContext, { kind: 'global' }>,
): DialedClassification {
  // The context names the home country's own numbering plan: its emergency numbers are local there.
  // Anything else is read with the context's digits as the prefix, as libphonenumber does.
  if (context.digits === plan.callingCode) {
    const emergency = plan.emergency.get(number);
    if (emergency !== undefined) return emergency;
  }
  const read = `+${context.digits}${number}`;
  const result = classifyInPlan(plan, read);
  return result.ok
    ? result
    : fail(
        result.code,
        `${quote(dialed)} is read as ${quote(read)} (phone-context ${context.text}): ${result.message}`,
      );
}

/** Classifies a local number whose phone-context is a domain name, in the region `contexts` maps it to. */
function classifyInDomain(
  plan: HomePlan,
  dialed: string,
  number: string,
  context: Extract<PhoneContext, { kind: 'domain' }>,
  contexts: PhoneContexts | undefined,
): DialedClassification {
  const region = contexts?.get(context.domain);
  if (region === undefined) {
    return fail(
      'unmapped-phone-context',
      `${quote(dialed)} has the domain-name phone-context ${quote(context.domain)}, which phoneContexts does not map to a region; a local number of another network is not guessed at (dialed from ${plan.country})`,
    );
  }
  const local = homePlan(region);
  if (local === undefined) {
    return fail(
      'invalid-home-country',
      `phoneContexts maps ${quote(context.domain)} to ${quote(region)}, which is not an upper-case ISO 3166-1 alpha-2 region known to libphonenumber-js`,
    );
  }
  const result = classifyInPlan(local, number);
  return result.ok
    ? result
    : fail(
        result.code,
        `${quote(dialed)} is read as ${quote(number)} dialed from ${region} (phone-context ${context.domain}): ${result.message}`,
      );
}

/** Classifies `+`? and digits dialed from `plan`'s country: an emergency number, or cached by digits. */
function classifyInPlan(plan: HomePlan, normalized: string): DialedClassification {
  const emergency = plan.emergency.get(normalized);
  if (emergency !== undefined) return emergency;

  const key = `${plan.country}\u0000${normalized}`;
  const cached = byDigits.get(key);
  if (cached !== undefined) return cached;
  const result = classifyDigits(plan, normalized);
  byDigits.set(key, result);
  return result;
}

/**
 * Classifies normalized digits (`+` and digits, or digits as dialed in the home country).
 * Results are cached by these digits, so messages quote them, not one particular spelling.
 */
function classifyDigits(plan: HomePlan, normalized: string): CachedClassification {
  const split = splitDigits(plan, normalized);
  if (split === 'unknown-country-code') {
    return fail(
      'unknown-country-code',
      `the number ${quote(normalized)} does not start with a known country calling code`,
    );
  }
  if (split === undefined) {
    return fail(
      'invalid-number',
      `the number ${quote(normalized)} is not a valid telephone number dialed from ${plan.country}${emergencyHint(plan, normalized)}`,
    );
  }

  const { callingCode, nationalNumber } = split;
  const e164 = `+${callingCode}${nationalNumber}`;
  const country =
    split.region ?? (isNonGeographicCallingCode(callingCode) ? NON_GEOGRAPHIC_REGION : undefined);
  // Valid exactly when it has a type: the same rule as libphonenumber-js getType()/isValid().
  const type = country === undefined ? undefined : numberTypeOf(country, callingCode, nationalNumber);
  if (country === undefined || type === undefined) {
    return fail(
      'invalid-number',
      `the number ${quote(normalized)} (${e164}) is not a valid telephone number${country === undefined ? '' : ` for ${country}`}${emergencyHint(plan, normalized)}`,
    );
  }
  return Object.freeze({ ok: true, emergency: false, e164, country, type });
}

// Longest emergency number worth a hint; longer digits are plainly not meant as one.
const HINT_MAX_LENGTH = 6;
const HINT_MAX_NUMBERS = 8;

/** For short national digits that are not an emergency number here: which ones are (112 from NZ). */
function emergencyHint(plan: HomePlan, normalized: string): string {
  if (normalized.length > HINT_MAX_LENGTH || normalized.startsWith('+')) return '';
  const numbers = [...plan.emergency.keys()];
  if (numbers.length === 0) return `; the emergency-number data has none for ${plan.country}`;
  const shown = numbers.slice(0, HINT_MAX_NUMBERS).join(', ');
  return `; it is not an emergency number of ${plan.country}, whose emergency numbers are ${shown}${numbers.length > HINT_MAX_NUMBERS ? ', …' : ''}`;
}
