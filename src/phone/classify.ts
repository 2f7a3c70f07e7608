// classifyDialed: from what a user or PBX dialed to { e164, country, type }, never throwing.
// Our own strict scan turns the input into digits first; split.ts then resolves calling code, region
// and number type from clean digits only, following libphonenumber-js over its `max` metadata.
import {
  type HomePlan,
  homePlan,
  isNonGeographicCallingCode,
  NON_GEOGRAPHIC_REGION,
  numberTypeOf,
} from './metadata.js';
import { splitDigits } from './split.js';
import type {
  ClassifyDialedOptions,
  DialedClassification,
  DialedFailure,
  DialedFailureCode,
  DialedNumber,
} from './types.js';

/** Longest input accepted, URI and host included; longer input is `too-long` before any parsing. */
export const MAX_DIALED_LENGTH = 256;
/** Most digits accepted: a 15-digit E.164 number behind the longest international prefix (5 digits). */
export const MAX_DIALED_DIGITS = 20;
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
let byDigits = new GenerationalCache<CachedClassification>();

/** A result by the dialed text as given, valid for the home plan it was classified from only. */
interface TextCacheEntry {
  readonly plan: HomePlan;
  readonly result: DialedClassification;
}
// In front of `byDigits`: keyed by the dialed text exactly as given (at most MAX_DIALED_LENGTH
// characters), so a repeated string costs one hash lookup, with no scanning and no key building.
// An entry counts only for its own plan, so keys are unambiguous across home countries.
let byText = new GenerationalCache<TextCacheEntry>();

/** Empties the classification cache. Internal: for tests and cold benchmarks only. */
export function clearDialedCache(): void {
  byDigits = new GenerationalCache();
  byText = new GenerationalCache();
}

function fail(code: DialedFailureCode, message: string): DialedFailure {
  return Object.freeze({ ok: false, code, message });
}

function quote(text: string): string {
  return JSON.stringify(text.length > 48 ? `${text.slice(0, 48)}…` : text);
}

/**
 * Classifies what was dialed from `homeCountry`: an E.164 number with its region and type, one of the
 * home country's emergency numbers, or a failure with a code. Never throws, whatever the input.
 * Accepts `+` numbers, the home country's international prefix, national forms with or without the
 * trunk prefix, the separators space `-` `.` `(` `)`, and `tel:`, `sip:` and `sips:` URIs.
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
  if (known !== undefined && known.plan === plan) return known.result;
  const result = classifyText(plan, dialed);
  byText.set(dialed, { plan, result });
  return result;
}

/** Classifies `dialed` (a string of at most MAX_DIALED_LENGTH characters) from `plan`'s country. */
function classifyText(plan: HomePlan, dialed: string): DialedClassification {
  let from = 0;
  let to = dialed.length;
  const colon = dialed.indexOf(':');
  if (colon >= 0) {
    const scheme = dialed.slice(0, colon).trim().toLowerCase();
    let userEnd = dialed.length;
    if (scheme === 'sip' || scheme === 'sips') {
      userEnd = dialed.indexOf('@', colon + 1);
      if (userEnd < 0) {
        return fail('unsupported-uri', `${quote(dialed)} is a ${scheme}: URI without a user part`);
      }
    } else if (scheme !== 'tel') {
      return fail(
        'unsupported-uri',
        `${quote(dialed)} is not a tel:, sip: or sips: URI; other schemes are not classified`,
      );
    }
    from = colon + 1;
    const semicolon = dialed.indexOf(';', from);
    to = semicolon >= 0 && semicolon < userEnd ? semicolon : userEnd;
    // A local number with a phone-context belongs to a place we do not interpret: refuse, never guess.
    if (to < userEnd && dialed.slice(to, userEnd).toLowerCase().includes('phone-context')) {
      return fail(
        'unsupported-uri',
        `${quote(dialed)} has a phone-context parameter, which is not supported`,
      );
    }
  }

  const normalized = scanNumber(dialed, from, to);
  if (typeof normalized !== 'string') return normalized;

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
 * Reduces `dialed[from, to)` to an optional leading `+` and ASCII digits, dropping separators.
 * Returns a failure for anything that is not part of a telephone number.
 */
function scanNumber(dialed: string, from: number, to: number): string | DialedFailure {
  let normalized = '';
  let digitCount = 0;
  for (let i = from; i < to; i++) {
    const c = dialed.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (++digitCount > MAX_DIALED_DIGITS) {
        return fail('too-long', `${quote(dialed)} has more than ${MAX_DIALED_DIGITS} digits`);
      }
      normalized += dialed[i];
    } else if (c === 0x20 || c === 0x2d || c === 0x2e || c === 0x28 || c === 0x29) {
      // space - . ( ) are visual separators only
    } else if (c === 0x2b && normalized === '') {
      normalized = '+';
    } else {
      return fail('not-a-number', `${quote(dialed)} ${whyNotANumber(c)}`);
    }
  }
  if (digitCount === 0) {
    return fail(
      'empty',
      dialed.trim() === '' ? 'the dialed number is empty' : `${quote(dialed)} has no digits`,
    );
  }
  return normalized;
}

function whyNotANumber(c: number): string {
  const char = String.fromCharCode(c);
  if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) {
    return `contains the letter "${char}": letters (vanity numbers, pauses) are not translated to digits`;
  }
  if (c === 0x2a || c === 0x23) return `contains "${char}": feature codes are not telephone numbers`;
  if (c === 0x2c || c === 0x3b) return `contains "${char}": pauses and post-dial digits are not supported`;
  if (c === 0x25) return 'contains "%": percent-encoded characters are not decoded';
  if (c === 0x2b) return 'has a "+" that is not at the start';
  return `contains ${JSON.stringify(char)}, which is not a digit or a separator (space - . ( ))`;
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
