// Exact per-minute USD amounts: a strict hand-written scanner and an immutable `Rate` value.
import { Decimal } from 'decimal.js';
import {
  argumentError,
  checkOptionNames,
  type RateErrorCode,
  type SipguardIssue,
  singleIssueError,
} from '../errors.js';
import { describeValue, hiddenCharacterProblem, quote } from '../text.js';

// A private decimal.js configuration, so sipguard never reads or writes the caller's global one.
// Amounts are bounded (6 integer + 8 decimal digits), so 20 significant digits are always exact.
const Money = /* @__PURE__ */ Decimal.clone({ defaults: true, precision: 20, toExpNeg: -30, toExpPos: 30 });
type MoneyValue = InstanceType<typeof Money>;

/** At most this many decimal places in a cap (`maxRatePerMinute`): the `$0.xxxx` format. */
export const MAX_CAP_DECIMALS = 4;
/** At most this many decimal places in a deck rate or a request's rate (carriers quote `0.008750`). */
export const MAX_RATE_DECIMALS = 8;
/** At most this many integer digits: $999999.99999999 per minute is far beyond any real tariff. */
export const MAX_INTEGER_DIGITS = 6;
// Longer text is rejected before scanning: no amount needs more (6 + 1 + 8 digits, `$`, trailing zeros).
const MAX_TEXT_LENGTH = 40;

/** Options of {@link parseRate}. */
export interface ParseRateOptions {
  /** Decimal places accepted, not counting trailing zeros: an integer 0–8, default 8. */
  readonly maxDecimals?: number;
}

/** Result of {@link safeParseRate}: the rate, or the one issue that explains the rejection. */
export type SafeParseRateResult =
  | { readonly success: true; readonly rate: Rate }
  | { readonly success: false; readonly issue: SipguardIssue<RateErrorCode> };

let makeRate: (value: MoneyValue, text: string) => Rate;
let amountOf: (rate: unknown) => MoneyValue;

/**
 * An exact, non-negative per-minute amount in US dollars. Immutable; compare with
 * {@link Rate.compare} or {@link Rate.equals} (relational operators throw, they would compare text).
 */
export class Rate {
  readonly #value: MoneyValue;
  readonly #text: string;

  private constructor(value: MoneyValue, text: string) {
    this.#value = value;
    this.#text = text;
    Object.freeze(this);
  }

  static {
    makeRate = (value, text) => new Rate(value, text);
    amountOf = (rate) => {
      if (typeof rate === 'object' && rate !== null && #value in rate) return rate.#value;
      throw argumentError(
        `a Rate compares with a Rate from parseRate (of this copy of sipguard), got ${describeValue(rate)}`,
      );
    };
  }

  /** -1, 0 or 1 as this amount is below, equal to or above `other`; exact, never rounded. */
  compare(other: Rate): -1 | 0 | 1 {
    const c = this.#value.cmp(amountOf(other));
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }

  /** Whether both are the same amount: `0.030` equals `$0.03`. */
  equals(other: Rate): boolean {
    return this.#value.eq(amountOf(other));
  }

  /**
   * Canonical text: plain decimal, no `$`, no leading zeros beyond one, no trailing fractional zeros
   * (`"$0.0500"` → `"0.05"`, `"$.5"` → `"0.5"`, `"2.00"` → `"2"`). `parseRate` accepts it back.
   */
  toString(): string {
    return this.#text;
  }

  /** The canonical text, so that a decision or a table serializes as plain strings. */
  toJSON(): string {
    return this.#text;
  }

  // Shows `Rate(0.05)` in Node's console and test diffs instead of an empty object.
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Rate(${this.#text})`;
  }

  // `rateA < rateB` would silently compare text ("0.1" < "0.05" is false, "10" < "9" is true).
  [Symbol.toPrimitive](hint: string): string {
    if (hint === 'number')
      throw new TypeError('a Rate is not a number: compare rates with rate.compare(other)');
    return this.#text;
  }
}

/**
 * Parses a per-minute USD amount: `"$0.0500"`, `"0.05"`, `"$.05"`, `"2"`, or a JSON number whose
 * decimal text is exact (`0.05`, not `1e-7` or `0.30000000000000004`). Throws a `SipguardError`
 * (`invalid-rate`, `negative-rate`, `too-many-decimals`, `rate-too-large`) that quotes the input.
 */
export function parseRate(text: string | number, options?: ParseRateOptions): Rate {
  const result = scanRate(text, decimalsOption(options), 'rate');
  if (typeof result === 'string') return rateFromCanonical(result);
  throw singleIssueError({ path: '', ...result });
}

/** {@link parseRate} for per-request input: never throws on bad text, returns the issue instead. */
export function safeParseRate(text: unknown, options?: ParseRateOptions): SafeParseRateResult {
  const result = scanRate(text, decimalsOption(options), 'rate');
  if (typeof result === 'string') return { success: true, rate: rateFromCanonical(result) };
  return { success: false, issue: { path: '', ...result } };
}

/**
 * Validates a policy's `maxRatePerMinute` (at most 4 decimal places): `undefined` when absent,
 * `null` for "no cap", else a `Rate`. Issues carry `path`; the caller decides how to aggregate them.
 */
export function parseCap(
  raw: unknown,
  path: string,
): { cap: Rate | null | undefined; issues: SipguardIssue<RateErrorCode>[] } {
  if (raw === undefined || raw === null) return { cap: raw, issues: [] };
  const result = scanRate(raw, MAX_CAP_DECIMALS, 'cap');
  if (typeof result === 'string') return { cap: rateFromCanonical(result), issues: [] };
  return { cap: undefined, issues: [{ path, ...result }] };
}

/** A rejection found by the scanner, before a path is attached. */
export interface RateProblem {
  readonly code: RateErrorCode;
  readonly message: string;
  readonly input?: string;
}

function decimalsOption(options: ParseRateOptions | undefined): number {
  if (options === undefined) return MAX_RATE_DECIMALS;
  checkOptionNames('parseRate', options, ['maxDecimals']);
  const max: unknown = options?.maxDecimals ?? MAX_RATE_DECIMALS;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 0 || max > MAX_RATE_DECIMALS) {
    throw argumentError(
      `maxDecimals must be an integer from 0 to ${MAX_RATE_DECIMALS}, got ${describeValue(max)}`,
    );
  }
  return max;
}

/** The Rate for canonical text produced by {@link scanRate}. */
export function rateFromCanonical(canonical: string): Rate {
  return makeRate(new Money(canonical), canonical);
}

const DIGIT_0 = 48;
const DIGIT_9 = 57;
const DOLLAR = 36;
const MINUS = 45;
const DOT = 46;

/**
 * Scans an amount with no regex and no allocation on the accepting path beyond the canonical text.
 * Returns the canonical text (see {@link Rate.toString}) or the problem.
 * Grammar: `-`? `$`? `-`? (digits (`.` digits)? | `.` digits); a `-` anywhere is a negative amount.
 */
export function scanRate(raw: unknown, maxDecimals: number, noun: string): string | RateProblem {
  let text: string;
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return problem('invalid-rate', noun, String(raw), 'is not a finite amount');
    if (raw < 0 || Object.is(raw, -0)) {
      const shown = Object.is(raw, -0) ? '-0' : String(raw);
      return problem('negative-rate', noun, shown, 'is negative; amounts are 0 or more');
    }
    text = String(raw);
    if (!isPlainDigits(text)) {
      return problem(
        'invalid-rate',
        noun,
        text,
        'is a JSON number with no exact plain decimal form; write it as a string such as "0.0000001"',
      );
    }
  } else if (typeof raw === 'string') {
    text = raw;
  } else {
    const shown = raw === null ? 'null' : raw === undefined ? 'nothing' : `a ${typeof raw}`;
    return {
      code: 'invalid-rate',
      message: `invalid ${noun}: expected a string such as "$0.0500" or a number, got ${shown}`,
    };
  }

  const n = text.length;
  if (n === 0) return problem('invalid-rate', noun, text, 'is empty; expected an amount such as "$0.0500"');
  if (n > MAX_TEXT_LENGTH) {
    return problem('invalid-rate', noun, text, `is longer than ${MAX_TEXT_LENGTH} characters`);
  }

  let i = 0;
  let negative = false;
  if (text.charCodeAt(i) === MINUS) {
    negative = true;
    i++;
  }
  if (text.charCodeAt(i) === DOLLAR) i++;
  if (!negative && text.charCodeAt(i) === MINUS) {
    negative = true;
    i++;
  }
  const intStart = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  let hasPoint = false;
  if (i < n && text.charCodeAt(i) === DOT) {
    hasPoint = true;
    i++;
    fracStart = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    fracEnd = i;
  }
  if (i !== n || (intEnd === intStart && fracEnd === fracStart)) return describeMalformed(text, noun);
  if (hasPoint && fracEnd === fracStart) {
    return problem('invalid-rate', noun, text, 'ends with a decimal point; write digits after it or drop it');
  }
  if (negative) return problem('negative-rate', noun, text, 'is negative; amounts are 0 or more');
  if (intEnd - intStart > 1 && text.charCodeAt(intStart) === DIGIT_0) {
    return problem('invalid-rate', noun, text, 'has a leading zero in its integer part');
  }
  if (intEnd - intStart > MAX_INTEGER_DIGITS) {
    return problem(
      'rate-too-large',
      noun,
      text,
      `has more than ${MAX_INTEGER_DIGITS} integer digits; no per-minute tariff is that high`,
    );
  }
  // Trailing zeros carry no precision, so they do not count against the bound.
  while (fracEnd > fracStart && text.charCodeAt(fracEnd - 1) === DIGIT_0) fracEnd--;
  const decimals = fracEnd - fracStart;
  if (decimals > maxDecimals) {
    const noun2 = noun === 'cap' ? 'a cap' : 'an amount';
    return problem(
      'too-many-decimals',
      noun,
      text,
      `has ${decimals} decimal places; ${noun2} has at most ${maxDecimals}`,
    );
  }
  const integer = intEnd === intStart ? '0' : text.slice(intStart, intEnd);
  return decimals === 0 ? integer : `${integer}.${text.slice(fracStart, fracEnd)}`;
}

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

// String(n) of a finite non-negative number is either plain (`0.05`, `12`) or exponent form (`1e-7`).
function isPlainDigits(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (!isDigit(c) && c !== DOT) return false;
  }
  return true;
}

// Built once at module load; each is a character class or a short fixed pattern, hence linear.
const WHITESPACE = /\s/;
const NOT_FINITE = /nan|inf/i;
const RADIX_PREFIX = /^[-$]*0[xob]/i;
const EXPONENT = /[0-9.]e[-+]?[0-9]/i;
// Characters of amount syntax, or of a mistake explained more precisely than "not US dollars".
const SYNTAX = /^[-0-9.$+,\s]*$/;

// Only reached on rejection: finds the most helpful explanation of why the text is not an amount.
function describeMalformed(text: string, noun: string): RateProblem {
  const say = (why: string) => problem('invalid-rate', noun, text, why);
  const hidden = hiddenCharacterProblem(text);
  if (hidden !== undefined) return say(hidden);
  if (NOT_FINITE.test(text)) return say('is not a finite amount');
  if (RADIX_PREFIX.test(text)) {
    return say('is not a decimal amount; hexadecimal, octal and binary are not accepted');
  }
  if (EXPONENT.test(text)) return say('uses exponent notation; write a plain decimal such as 0.01');
  if (!SYNTAX.test(text)) {
    return say('is not a US dollar amount; write "$0.0500" or "0.05" (no other currency symbols or codes)');
  }
  if (WHITESPACE.test(text)) return say('contains whitespace; write the amount alone, such as "$0.0500"');
  if (text.includes(',')) {
    return say('contains a comma; thousands separators and decimal commas are not accepted');
  }
  if (text.includes('+')) return say('has a sign; amounts are written without one');
  if (text.indexOf('.') !== text.lastIndexOf('.')) return say('has more than one decimal point');
  return say('is not an amount; expected digits with an optional "$" and decimal point, such as "$0.0500"');
}

function problem(code: RateErrorCode, noun: string, input: string, why: string): RateProblem {
  return { code, message: `invalid ${noun} ${quote(input)}: ${why}`, input };
}

/** 10^-8 USD per unit: every amount sipguard accepts (at most 8 decimals) is a whole number of units. */
export const UNITS_PER_USD = 100_000_000;

/**
 * The exact amount of a rate's canonical text (as `Rate#toString` and decisions give it) as a whole
 * number of 10^-8 USD: at most 999999.99999999 USD, so the result is below 2^53 and exact.
 */
export function unitsOfCanonical(text: string): number {
  const point = text.indexOf('.');
  if (point < 0) return Number(text) * UNITS_PER_USD;
  const fraction = text.slice(point + 1);
  return Number(text.slice(0, point)) * UNITS_PER_USD + Number(fraction.padEnd(MAX_RATE_DECIMALS, '0'));
}

/**
 * Validates a money limit such as a policy's `spendPerDay` (the cap's format: at most 4 decimals):
 * `undefined` when absent, `null` for "no limit", else the amount in 10^-8 USD units. Issues carry `path`.
 */
export function parseMoneyLimit(
  raw: unknown,
  path: string,
  noun: string,
): { units: number | null | undefined; issues: SipguardIssue<RateErrorCode>[] } {
  if (raw === undefined || raw === null) return { units: raw, issues: [] };
  const result = scanRate(raw, MAX_CAP_DECIMALS, noun);
  if (typeof result === 'string') return { units: unitsOfCanonical(result), issues: [] };
  return { units: undefined, issues: [{ path, ...result }] };
}
