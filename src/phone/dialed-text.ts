// Reading a dialed string: from the text as a device or a user wrote it (a tel:/sip: URI, separators,
// an RFC 3966 phone-context) to the number as `+`? and ASCII digits. Nothing here knows a numbering
// plan: classify.ts decides what the digits are.
import { MAX_E164_DIGITS } from '../e164.js';
import { codePointOf, hiddenCharacterAdvice, isHidden, nameCharacter, quote, trimWhere } from '../text.js';
import { fail } from './failure.js';
import type { DialedFailure } from './types.js';

// The longest international (exit) prefix in any region's plan has 5 digits.
const MAX_EXIT_PREFIX_DIGITS = 5;
/** Most digits accepted: a 15-digit E.164 number behind the longest international prefix (5 digits). */
export const MAX_DIALED_DIGITS = MAX_E164_DIGITS + MAX_EXIT_PREFIX_DIGITS;

/** An RFC 3966 phone-context: a global-number prefix, or a domain name (canonical: lower case, no final dot). */
export type PhoneContext =
  | { readonly kind: 'global'; readonly text: string; readonly digits: string }
  | { readonly kind: 'domain'; readonly text: string; readonly domain: string };

/** A local number from a URI with a phone-context. */
export interface LocalNumber {
  /** ASCII digits as written, before the phone-context is applied. */
  readonly number: string;
  readonly context: PhoneContext;
}

/**
 * Reads `dialed` (a string of bounded length): the number with separators dropped (`+`? and ASCII
 * digits), a local number with its phone-context, or a failure saying which part is not a
 * telephone number. Only a phone-context costs an object; a plain number is returned as a string.
 */
export function readDialedText(dialed: string): string | LocalNumber | DialedFailure {
  const colon = dialed.indexOf(':');
  if (colon < 0) return scanNumber(dialed, 0, dialed.length);
  const scheme = trimSpaces(dialed.slice(0, colon)).toLowerCase();
  let userEnd = dialed.length;
  if (scheme === 'sip' || scheme === 'sips') {
    userEnd = dialed.indexOf('@', colon + 1);
    if (userEnd < 0) {
      return fail('unsupported-uri', `${quote(dialed)} is a ${scheme}: URI without a user part`);
    }
    const params = dialed.indexOf(';', userEnd);
    const user =
      params < 0 ? undefined : parameterValue(dialed, params, uriParametersEnd(dialed, userEnd), 'user');
    if (user === DUPLICATE) {
      return fail('unsupported-uri', `${quote(dialed)} has more than one user parameter`);
    }
    if (user?.toLowerCase() === 'dialstring') {
      return fail(
        'unsupported-uri',
        `${quote(dialed)} has user=dialstring: a dial string (RFC 4967) is digits for one dialing plan, not a telephone number, so it is not classified`,
      );
    }
  } else if (scheme !== 'tel') {
    return fail(
      'unsupported-uri',
      `${quote(dialed)} is not a tel:, sip: or sips: URI; other schemes are not classified`,
    );
  }
  const from = colon + 1;
  const semicolon = dialed.indexOf(';', from);
  const to = semicolon >= 0 && semicolon < userEnd ? semicolon : userEnd;
  const contextText = parameterValue(dialed, to, userEnd, 'phone-context');
  if (contextText === DUPLICATE) {
    return fail('unsupported-uri', `${quote(dialed)} has more than one phone-context parameter`);
  }
  const number = scanNumber(dialed, from, to);
  if (typeof number !== 'string' || contextText === undefined) return number;
  if (number.startsWith('+')) {
    return fail(
      'unsupported-uri',
      `${quote(dialed)} is a global number (it starts with "+") with a phone-context; RFC 3966 gives a phone-context to local numbers only`,
    );
  }
  const context = readPhoneContext(contextText);
  if (context === undefined) {
    return fail(
      'unsupported-uri',
      `${quote(dialed)} has phone-context=${quote(contextText)}, which is neither a global number prefix ("+" and digits) nor a domain name (RFC 3966)`,
    );
  }
  if (context.kind === 'global' && context.digits.length + number.length > MAX_DIALED_DIGITS) {
    return fail(
      'too-long',
      `${quote(dialed)} has more than ${MAX_DIALED_DIGITS} digits with its phone-context prefix`,
    );
  }
  return { number, context };
}

const trimSpaces = (text: string): string => trimWhere(text, (code) => code === 0x20);

/** Where the parameters after a SIP URI's host end: at the headers (`?`) or the end of the text. */
function uriParametersEnd(dialed: string, at: number): number {
  const headers = dialed.indexOf('?', at);
  return headers < 0 ? dialed.length : headers;
}

const DUPLICATE = Symbol('duplicate parameter');

/**
 * The value of parameter `name` among the `;`-separated parameters in `dialed[from, to)` (names
 * compared case-insensitively), undefined if absent, DUPLICATE if it appears twice.
 */
function parameterValue(
  dialed: string,
  from: number,
  to: number,
  name: string,
): string | undefined | typeof DUPLICATE {
  let value: string | undefined;
  for (let at = from; at >= 0 && at < to; ) {
    const next = dialed.indexOf(';', at + 1);
    const end = next >= 0 && next < to ? next : to;
    const equals = dialed.indexOf('=', at + 1);
    const nameEnd = equals >= 0 && equals < end ? equals : end;
    if (dialed.slice(at + 1, nameEnd).toLowerCase() === name) {
      if (value !== undefined) return DUPLICATE;
      value = nameEnd < end ? dialed.slice(nameEnd + 1, end) : '';
    }
    at = end;
  }
  return value;
}

/** Reads a phone-context value: `+` and digits with RFC 3966 visual separators, or a domain name. */
export function readPhoneContext(text: string): PhoneContext | undefined {
  if (text.startsWith('+')) {
    let digits = '';
    for (let i = 1; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x30 && c <= 0x39) digits += text[i];
      else if (c !== 0x2d && c !== 0x2e && c !== 0x28 && c !== 0x29) return undefined;
    }
    return digits === '' ? undefined : { kind: 'global', text, digits };
  }
  const domain = phoneContextDomain(text);
  return domain === undefined ? undefined : { kind: 'domain', text, domain };
}

function isAlphanumeric(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || isLetter(c);
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/**
 * The canonical form (lower case, without a final dot) of an RFC 3966 domain name, or undefined if
 * `text` is not one: dot-separated labels of letters, digits and inner hyphens, the last starting
 * with a letter. A hand-written scan, linear in the length, for text that comes with requests.
 */
export function phoneContextDomain(text: string): string | undefined {
  const end = text.endsWith('.') ? text.length - 1 : text.length;
  let labelStart = 0;
  for (let i = 0; i <= end; i++) {
    if (i < end && text.charCodeAt(i) !== 0x2e) {
      const c = text.charCodeAt(i);
      if (!isAlphanumeric(c) && c !== 0x2d) return undefined;
      continue;
    }
    // A label ends at i: not empty, no hyphen at either end; the last (top) label starts with a letter.
    if (i === labelStart || text.charCodeAt(labelStart) === 0x2d || text.charCodeAt(i - 1) === 0x2d) {
      return undefined;
    }
    if (i === end && !isLetter(text.charCodeAt(labelStart))) return undefined;
    labelStart = i + 1;
  }
  return text.slice(0, end).toLowerCase();
}

// libphonenumber's punctuation (its dashes, slashes, dots, brackets, spaces and invisible
// separators) without its tildes, which mean "wait for dial tone", plus every Unicode space (Zs).
// None of them can change a digit. Tabs and line breaks are control characters, not separators.
function isSeparator(c: number): boolean {
  if (c < 0x80) {
    return (
      c === 0x20 ||
      c === 0x2d ||
      c === 0x2e ||
      c === 0x2f ||
      c === 0x28 ||
      c === 0x29 ||
      c === 0x5b ||
      c === 0x5d
    );
  }
  return (
    c === 0xa0 || // no-break space
    c === 0xad || // soft hyphen
    c === 0x1680 || // ogham space mark (Zs)
    (c >= 0x2000 && c <= 0x200b) || // en quad … hair space (Zs), zero width space
    (c >= 0x2010 && c <= 0x2015) || // hyphen … horizontal bar
    c === 0x202f || // narrow no-break space
    c === 0x205f || // medium mathematical space
    c === 0x2060 || // word joiner
    c === 0x2212 || // minus sign
    c === 0x3000 || // ideographic space
    c === 0x30fc || // katakana-hiragana prolonged sound mark
    c === 0xff08 || // full-width ( ) - . /
    c === 0xff09 ||
    (c >= 0xff0d && c <= 0xff0f) ||
    c === 0xff3b || // full-width [ ]
    c === 0xff3d
  );
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
    } else if (isSeparator(c)) {
      // a visual separator only
    } else if (c === 0x2b && normalized === '') {
      normalized = '+';
    } else {
      return fail('not-a-number', `${quote(dialed)} ${whyNotANumber(dialed.codePointAt(i) ?? c)}`);
    }
  }
  if (digitCount === 0) {
    return fail(
      'empty',
      trimSpaces(dialed) === '' ? 'the dialed number is empty' : `${quote(dialed)} has no digits`,
    );
  }
  return normalized;
}

const NON_ASCII_DIGIT = /^\p{Nd}$/u;

function whyNotANumber(c: number): string {
  const char = String.fromCodePoint(c);
  if (isLetter(c)) {
    return `contains the letter "${char}": letters (vanity numbers, pauses) are not translated to digits`;
  }
  if (c === 0x2a || c === 0x23) return `contains "${char}": feature codes are not telephone numbers`;
  if (c === 0x2c || c === 0x3b) return `contains "${char}": pauses and post-dial digits are not supported`;
  if (c === 0x25) return 'contains "%": percent-encoded characters are not decoded';
  if (c === 0x2b) return 'has a "+" that is not at the start';
  if (c === 0x7e || c === 0x2053 || c === 0x223c || c === 0xff5e) {
    return `contains ${quote(char)}: a wait for dial tone is a pause, and pauses are not supported`;
  }
  if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) {
    return `contains the control character ${nameCharacter(char)}: tabs and line breaks are not separators, also not around the number`;
  }
  if (NON_ASCII_DIGIT.test(char) || c === 0xff0b) {
    return `contains ${quote(char)} (${codePointOf(char)}): only ASCII digits and "+" are read, since a switch may not read other digits the same way`;
  }
  if (isHidden(char)) return `contains ${nameCharacter(char)}; ${hiddenCharacterAdvice(char, false)}`;
  return `contains ${quote(char)} (${codePointOf(char)}), which is not a digit or a separator (space - . / ( ) and the Unicode spaces and dashes)`;
}
