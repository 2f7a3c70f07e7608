// IPv4 text <-> uint32. The scanner is the hot path of every lookup: one pass over the characters,
// no regex, no split, no allocation. It accepts exactly what Go's netip.ParseAddr accepts for IPv4:
// four decimal octets 0-255 separated by dots, no leading zeros, nothing else.

import { characterAt, nameCharacter, quote } from '../text.js';

/** Result of {@link scanIPv4} for text that is not a strict dotted quad. */
export const NOT_IPV4 = -1;

/**
 * Scans `text[start, end)` as a strict dotted-quad IPv4 address.
 * Returns the address as an unsigned 32-bit value (0 to 2^32 - 1), or {@link NOT_IPV4}.
 */
export function scanIPv4(text: string, start: number, end: number): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      // A second digit after a leading '0' would be an octal-looking octet: reject.
      if (digits === 1 && octet === 0) return NOT_IPV4;
      octet = octet * 10 + (c - 48);
      if (octet > 255) return NOT_IPV4;
      digits++;
    } else if (c === 46) {
      if (digits === 0 || dots === 3) return NOT_IPV4;
      value = value * 256 + octet;
      dots++;
      octet = 0;
      digits = 0;
    } else {
      return NOT_IPV4;
    }
  }
  if (dots !== 3 || digits === 0) return NOT_IPV4;
  return value * 256 + octet;
}

/** Formats an unsigned 32-bit value as a dotted quad. */
export function formatIPv4(value: number): string {
  // Joined in one step, so the result is one flat string rather than a tree of pieces (see formatIPv6).
  return [(value >>> 24) & 255, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** Why a text is not a strict IPv4 address: the issue code and a reason for a person. */
export interface IPv4Problem {
  readonly code: 'leading-zero' | 'invalid-address';
  readonly reason: string;
}

/**
 * Explains why {@link scanIPv4} rejected `text` (configuration path only, may allocate).
 * Returns undefined if the text is in fact a valid address.
 */
export function diagnoseIPv4(text: string): IPv4Problem | undefined {
  for (let i = 0; i < text.length; i++) {
    const c = characterAt(text, i);
    if (c === '.' || (c >= '0' && c <= '9')) continue;
    if ((c === 'x' || c === 'X') && i > 0 && text.charAt(i - 1) === '0') {
      return { code: 'invalid-address', reason: 'hexadecimal octets are not allowed; write decimal octets' };
    }
    return {
      code: 'invalid-address',
      reason: `unexpected character ${nameCharacter(c)} at position ${i + 1}; an IPv4 address is four decimal octets such as 192.0.2.1`,
    };
  }
  const octets = text.split('.');
  if (octets.length !== 4) {
    return {
      code: 'invalid-address',
      reason: `expected four decimal octets separated by dots, found ${octets.length} part${octets.length === 1 ? '' : 's'} (shorthand and single-number forms are not allowed)`,
    };
  }
  for (const octet of octets) {
    if (octet === '') return { code: 'invalid-address', reason: 'an octet is empty' };
    if (octet.length > 1 && octet.startsWith('0')) {
      return {
        code: 'leading-zero',
        reason: `octet ${quote(octet)} has a leading zero, which some software reads as octal; write it without leading zeros`,
      };
    }
    if (Number(octet) > 255) {
      return { code: 'invalid-address', reason: `octet ${quote(octet)} is greater than 255` };
    }
  }
  return undefined;
}
