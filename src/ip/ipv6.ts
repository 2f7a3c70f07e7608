// IPv6 text <-> four uint32 words (most significant first). The parser is hand-written so that a
// lookup allocates nothing: it writes into a caller-owned Uint32Array. It accepts the RFC 4291 text
// forms (hex groups, one '::', an IPv4 dotted-quad tail) and nothing else: no zone, no brackets.
import { characterAt, nameCharacter, quote } from '../text.js';
import { NOT_IPV4, scanIPv4 } from './ipv4.js';

/** The longest valid IPv6 text: six full groups plus a dotted quad. */
export const MAX_IPV6_LENGTH = 45;

// Scratch for the 16-bit groups; the parser is synchronous, so one module-level buffer is safe.
const groups = new Uint16Array(8);

/**
 * Parses `text[start, end)` as an IPv6 address into `out[0..3]`.
 * Returns false (leaving `out` unspecified) if the text is not a valid address.
 */
export function parseIPv6(text: string, start: number, end: number, out: Uint32Array): boolean {
  const length = end - start;
  if (length < 2 || length > MAX_IPV6_LENGTH) return false;
  let count = 0;
  let gap = -1;
  let i = start;
  if (text.charCodeAt(i) === 58) {
    if (text.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
  }
  while (i < end) {
    if (count === 8) return false;
    const groupStart = i;
    let value = 0;
    let digits = 0;
    while (i < end) {
      const c = text.charCodeAt(i);
      let digit: number;
      if (c >= 48 && c <= 57) digit = c - 48;
      else if (c >= 97 && c <= 102) digit = c - 87;
      else if (c >= 65 && c <= 70) digit = c - 55;
      else break;
      if (++digits > 4) return false;
      value = value * 16 + digit;
      i++;
    }
    if (i < end && text.charCodeAt(i) === 46) {
      // A dotted-quad tail fills the last two groups and must end the text.
      if (count > 6) return false;
      const v4 = scanIPv4(text, groupStart, end);
      if (v4 === NOT_IPV4) return false;
      groups[count++] = v4 >>> 16;
      groups[count++] = v4 & 0xffff;
      i = end;
      break;
    }
    if (digits === 0) return false;
    groups[count++] = value;
    if (i === end) break;
    if (text.charCodeAt(i) !== 58) return false;
    i++;
    if (i < end && text.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = count;
      i++;
    } else if (i === end) {
      return false;
    }
  }
  if (gap < 0) {
    if (count !== 8) return false;
  } else {
    // '::' stands for at least one zero group.
    if (count > 7) return false;
    const tail = count - gap;
    for (let k = 1; k <= tail; k++) groups[8 - k] = groups[count - k] as number;
    for (let k = gap; k < 8 - tail; k++) groups[k] = 0;
  }
  out[0] = (((groups[0] as number) << 16) | (groups[1] as number)) >>> 0;
  out[1] = (((groups[2] as number) << 16) | (groups[3] as number)) >>> 0;
  out[2] = (((groups[4] as number) << 16) | (groups[5] as number)) >>> 0;
  out[3] = (((groups[6] as number) << 16) | (groups[7] as number)) >>> 0;
  return true;
}

/** True if the words hold an IPv4-mapped address (`::ffff:0:0/96`); word 3 is then the IPv4 address. */
export function isMappedIPv4(words: Uint32Array): boolean {
  return words[0] === 0 && words[1] === 0 && words[2] === 0xffff;
}

/** The 128-bit value of four words, where the API returns a bigint (`addressCount`) and for `toCidrs`. */
export function wordsToBigInt(words: ArrayLike<number>, base = 0): bigint {
  return (
    (BigInt(words[base] as number) << 96n) |
    (BigInt(words[base + 1] as number) << 64n) |
    (BigInt(words[base + 2] as number) << 32n) |
    BigInt(words[base + 3] as number)
  );
}

/** An IPv6 address as four unsigned 32-bit words, most significant first (configuration-time values). */
export type IPv6Words = readonly [number, number, number, number];

/** Copies the four words that {@link parseIPv6} wrote into `words`. */
export function copyWords(words: Uint32Array): IPv6Words {
  return [words[0] as number, words[1] as number, words[2] as number, words[3] as number];
}

/** Compares two addresses held as words: negative, zero or positive, as `a - b` would be. */
export function compareIPv6Words(a: IPv6Words, b: IPv6Words): number {
  for (let k = 0; k < 4; k++) {
    if (a[k] !== b[k]) return (a[k] as number) < (b[k] as number) ? -1 : 1;
  }
  return 0;
}

/** Formats a 128-bit value in the RFC 5952 canonical form (lowercase, shortest, longest zero run as '::'). */
export function formatIPv6(value: bigint): string {
  return formatIPv6Words(
    Number(value >> 96n),
    Number((value >> 64n) & 0xffffffffn),
    Number((value >> 32n) & 0xffffffffn),
    Number(value & 0xffffffffn),
  );
}

/** As {@link formatIPv6}, for the address held as four unsigned 32-bit words (most significant first). */
export function formatIPv6Words(w0: number, w1: number, w2: number, w3: number): string {
  groups[0] = w0 >>> 16;
  groups[1] = w0;
  groups[2] = w1 >>> 16;
  groups[3] = w1;
  groups[4] = w2 >>> 16;
  groups[5] = w2;
  groups[6] = w3 >>> 16;
  groups[7] = w3;
  // The longest run of two or more zero groups is compressed; the first one wins a tie.
  let bestStart = -1;
  let bestLength = 1;
  for (let k = 0; k < 8; ) {
    if (groups[k] !== 0) {
      k++;
      continue;
    }
    let j = k;
    while (j < 8 && groups[j] === 0) j++;
    if (j - k > bestLength) {
      bestStart = k;
      bestLength = j - k;
    }
    k = j;
  }
  // A separator goes before every group except the first and the one right after '::'. The text is
  // built as character codes and made in one step: one flat string (repeated `+=` would leave a tree
  // of pieces, several times larger, which an IpEntry would keep for its lifetime), without the
  // per-group strings of `toString(16)`.
  const codes: number[] = [];
  let needsColon = false;
  for (let k = 0; k < 8; k++) {
    if (k === bestStart) {
      codes.push(COLON, COLON);
      k += bestLength - 1;
      needsColon = false;
      continue;
    }
    if (needsColon) codes.push(COLON);
    const group = groups[k] as number;
    // Shortest hex, lowercase (RFC 5952 4.1 and 4.3): no leading zeros.
    if (group >= 0x1000) codes.push(HEX_CODES[group >>> 12] as number);
    if (group >= 0x100) codes.push(HEX_CODES[(group >>> 8) & 15] as number);
    if (group >= 0x10) codes.push(HEX_CODES[(group >>> 4) & 15] as number);
    codes.push(HEX_CODES[group & 15] as number);
    needsColon = true;
  }
  return String.fromCharCode.apply(null, codes);
}

const COLON = 58;
// Character codes of the lowercase hex digits 0-9, a-f.
const HEX_CODES = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 97, 98, 99, 100, 101, 102] as const;

/**
 * Explains why {@link parseIPv6} rejected `text` (configuration path only, may allocate).
 * Zones, brackets and ports are diagnosed by the caller before this is asked.
 */
export function diagnoseIPv6(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = characterAt(text, i);
    if (c === ':' || c === '.' || /[0-9a-fA-F]/.test(c)) continue;
    return `unexpected character ${nameCharacter(c)} at position ${i + 1} in an IPv6 address`;
  }
  if (text.includes(':::')) return "':::' is not valid in an IPv6 address";
  if (text.indexOf('::') !== text.lastIndexOf('::')) return "'::' may appear only once in an IPv6 address";
  const long = text.split(':').find((g) => !g.includes('.') && g.length > 4);
  if (long !== undefined) return `group ${quote(long)} has more than four hex digits`;
  return "expected eight groups of up to four hex digits separated by ':', with '::' standing for a run of zero groups";
}
