// One allow-list entry: the four text formats, parsed strictly into a closed interval of one family.
// Configuration path: it may allocate and use regexes; the per-request path never comes here.
import { argumentError, checkOptionNames, type IpErrorCode, singleIssueError } from '../errors.js';
import { describeValue, hiddenCharacterProblem, quote, trimWhere } from '../text.js';
import { diagnoseIPv4, formatIPv4, NOT_IPV4, scanIPv4 } from './ipv4.js';
import {
  compareIPv6Words,
  copyWords,
  diagnoseIPv6,
  formatIPv6Words,
  type IPv6Words,
  parseIPv6,
} from './ipv6.js';

/** How an entry was written: one address, `first-last`, `network/prefix`, or `network/mask` (IPv4). */
export type IpEntryKind = 'address' | 'range' | 'cidr' | 'mask';

/** The address family: 4 or 6. IPv4-mapped IPv6 (`::ffff:a.b.c.d`) counts as 4. */
export type IpFamily = 4 | 6;

/**
 * A parsed allow-list entry. `first` and `last` are the inclusive bounds in canonical text
 * (dotted quad, or RFC 5952 for IPv6); `source` is the entry exactly as given.
 */
export interface IpEntry {
  readonly source: string;
  readonly kind: IpEntryKind;
  readonly family: IpFamily;
  readonly first: string;
  readonly last: string;
}

/** Options for {@link parseIpEntry} and `IpAllowList.from`. */
export interface IpEntryOptions {
  /** Reject a CIDR or mask entry with host bits set (`195.168.1.5/24`) instead of reading it as its network. */
  readonly strict?: boolean;
}

/** Entries longer than this are rejected before any parsing (the longest valid one is 93 characters). */
export const MAX_ENTRY_LENGTH = 128;

/** A successfully parsed entry with its bounds: numbers for IPv4, four 32-bit words for IPv6. */
export type ParsedEntry = { readonly entry: IpEntry; readonly hostBitsSet: boolean } & Bounds;

// The inclusive bounds of one family. IPv6 stays in 32-bit words: no BigInt on the compile path.
type Bounds =
  | { readonly family: 4; readonly lo: number; readonly hi: number }
  | { readonly family: 6; readonly lo: IPv6Words; readonly hi: IPv6Words };

/** Why an entry was rejected. `message` quotes the entry. */
export interface EntryProblem {
  readonly code: IpErrorCode;
  readonly message: string;
}

type Problem = { readonly code: IpErrorCode; readonly reason: string };
type Address =
  | { readonly family: 4; readonly value: number }
  | { readonly family: 6; readonly value: IPv6Words };

const IPV4_ALL = 0xffffffff;
const words = new Uint32Array(4);

/**
 * Parses one allow-list entry (address, range, CIDR or IPv4 subnet mask).
 * Throws a `SipguardError` whose code names the problem (`leading-zero`, `invalid-prefix-length`, ...)
 * and whose message quotes the entry.
 */
export function parseIpEntry(text: string, options?: IpEntryOptions): IpEntry {
  const outcome = parseEntryOutcome(text, strictOption('parseIpEntry', options));
  if ('entry' in outcome) return outcome.entry;
  // Only a string is copied back, and only one of entry size: converting anything else would run its
  // toString (or throw), and a huge entry is quoted (shortened) in the message alone.
  const issue = { path: '', code: outcome.code, message: outcome.message };
  const copy = typeof text === 'string' && text.length <= MAX_ENTRY_LENGTH;
  throw singleIssueError(copy ? { ...issue, input: text } : issue);
}

/**
 * The `strict` option, checked: a value that is not true or false is an error, never lenient
 * parsing by default (`{ strict: "yes" }` would otherwise be read as not strict).
 */
export function strictOption(api: string, options: IpEntryOptions | undefined): boolean {
  checkOptionNames(api, options, ['strict']);
  const strict: unknown = options?.strict;
  if (strict !== undefined && typeof strict !== 'boolean') {
    throw argumentError(`${api} option strict must be true or false, got ${describeValue(strict)}`);
  }
  return strict === true;
}

/** Parses one entry without throwing: the parsed entry with its bounds, or the problem. */
export function parseEntryOutcome(raw: unknown, strict: boolean): ParsedEntry | EntryProblem {
  if (typeof raw !== 'string') {
    return {
      code: 'invalid-address',
      message: `IP entry must be a string, got ${raw === null ? 'null' : Array.isArray(raw) ? 'an array' : typeof raw}`,
    };
  }
  if (raw.length > MAX_ENTRY_LENGTH) {
    return problemIn(raw, {
      code: 'too-long',
      reason: `is ${raw.length} characters long; an entry is at most ${MAX_ENTRY_LENGTH}`,
    });
  }
  const text = trimSpaces(raw);
  if (text === '')
    return problemIn(raw, { code: 'empty-entry', reason: 'is empty; write an address, range or CIDR' });
  const parsed = text.includes('-') ? parseRange(text) : parseSingleOrPrefix(text, strict);
  if ('reason' in parsed) {
    // Host names and hidden characters are looked for only once parsing failed, so valid entries pay
    // nothing for it. A hidden character is the problem to name first: nothing else shows it.
    const hidden = hiddenCharacterProblem(text);
    if (hidden !== undefined) return problemIn(raw, { code: 'invalid-address', reason: hidden });
    return problemIn(raw, looksLikeDomainName(text) ? domainProblem() : parsed);
  }
  const { kind, hostBitsSet } = parsed;
  let lo4: number;
  let hi4: number;
  if (parsed.family === 6) {
    const { lo, hi } = parsed;
    // An entry lying wholly inside ::ffff:0:0/96 is an IPv4 entry written in the mapped form.
    if (!(isMapped(lo) && isMapped(hi))) {
      const first = formatIPv6Words(lo[0], lo[1], lo[2], lo[3]);
      const entry = freezeEntry(raw, kind, 6, first, formatIPv6Words(hi[0], hi[1], hi[2], hi[3]));
      return { entry, hostBitsSet, family: 6, lo, hi };
    }
    lo4 = lo[3];
    hi4 = hi[3];
  } else {
    lo4 = parsed.lo;
    hi4 = parsed.hi;
  }
  const entry = freezeEntry(raw, kind, 4, formatIPv4(lo4), formatIPv4(hi4));
  return { entry, hostBitsSet, family: 4, lo: lo4, hi: hi4 };
}

// Only spaces, tabs and line ends are trimmed: String#trim would also drop a no-break space or a
// byte order mark, which are then named as hidden characters instead of silently accepted.
const trimSpaces = (text: string): string => trimWhere(text, isSpace);

// Space, tab, line feed, carriage return.
const isSpace = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d;

// True for an address in ::ffff:0:0/96 (an IPv4 address written in the mapped form).
function isMapped(value: IPv6Words): boolean {
  return value[0] === 0 && value[1] === 0 && value[2] === 0xffff;
}

function problemIn(raw: string, p: Problem): EntryProblem {
  return { code: p.code, message: `IP entry ${quote(raw)}: ${p.reason}` };
}

type Interval = { readonly kind: IpEntryKind; readonly hostBitsSet: boolean } & Bounds;

function parseRange(text: string): Interval | Problem {
  const parts = text.split('-');
  if (parts.length !== 2) {
    return { code: 'invalid-address', reason: "has more than one '-'; a range is written first-last" };
  }
  const [startText, endText] = parts.map(trimSpaces) as [string, string];
  if (startText === '' || endText === '') {
    return {
      code: 'invalid-address',
      reason: `range is missing its ${startText === '' ? 'first' : 'last'} address; a range is written first-last`,
    };
  }
  if (text.includes('/')) {
    return {
      code: 'invalid-address',
      reason: "a range is two addresses; it cannot carry a '/' prefix or mask",
    };
  }
  const start = parseAddress(startText);
  if ('reason' in start) return { code: start.code, reason: `range start: ${start.reason}` };
  const end = parseAddress(endText);
  if ('reason' in end) return { code: end.code, reason: `range end: ${end.reason}` };
  const reversed: Problem = {
    code: 'range-reversed',
    reason: `the first address ${quote(startText)} is greater than the last ${quote(endText)}; write the lower address first`,
  };
  if (start.family === 6 && end.family === 6) {
    if (compareIPv6Words(start.value, end.value) > 0) return reversed;
    return { kind: 'range', family: 6, lo: start.value, hi: end.value, hostBitsSet: false };
  }
  // A mapped IPv6 end paired with an IPv4 end is the same family once unmapped.
  if ((start.family === 6 && !isMapped(start.value)) || (end.family === 6 && !isMapped(end.value))) {
    return {
      code: 'range-mixed-family',
      reason: 'the first and last addresses of a range must both be IPv4 or both be IPv6',
    };
  }
  const lo = start.family === 4 ? start.value : start.value[3];
  const hi = end.family === 4 ? end.value : end.value[3];
  if (lo > hi) return reversed;
  return { kind: 'range', family: 4, lo, hi, hostBitsSet: false };
}

function parseSingleOrPrefix(text: string, strict: boolean): Interval | Problem {
  if (/\s/.test(text)) {
    return {
      code: 'invalid-address',
      reason: "contains whitespace; only the spaces around the '-' of a range are allowed",
    };
  }
  const slash = text.indexOf('/');
  if (slash < 0) {
    const address = parseAddress(text);
    if ('reason' in address) return address;
    return address.family === 4
      ? { kind: 'address', family: 4, lo: address.value, hi: address.value, hostBitsSet: false }
      : { kind: 'address', family: 6, lo: address.value, hi: address.value, hostBitsSet: false };
  }
  const addressText = text.slice(0, slash);
  const suffix = text.slice(slash + 1);
  if (suffix.includes('/')) return { code: 'invalid-address', reason: "has more than one '/'" };
  if (suffix.includes('.') || suffix.includes(':')) return parseMask(addressText, suffix, strict);
  const address = parseAddress(addressText);
  if ('reason' in address) return address;
  const bits = address.family === 4 ? 32 : 128;
  if (!/^(0|[1-9][0-9]{0,2})$/.test(suffix) || Number(suffix) > bits) {
    return {
      code: 'invalid-prefix-length',
      reason: `prefix length ${quote(suffix)} is not a decimal number from 0 to ${bits} without leading zeros`,
    };
  }
  const prefix = Number(suffix);
  if (address.family === 4) {
    const hostMask = prefix === 32 ? 0 : IPV4_ALL >>> prefix;
    const lo = (address.value & ~hostMask) >>> 0;
    if (lo !== address.value && strict) {
      return hostBitsProblem(text, formatIPv4(lo), prefix, formatIPv4(address.value));
    }
    return { kind: 'cidr', family: 4, lo, hi: lo + hostMask, hostBitsSet: lo !== address.value };
  }
  const w = address.value;
  const m0 = hostMaskOfWord(prefix, 0);
  const m1 = hostMaskOfWord(prefix, 1);
  const m2 = hostMaskOfWord(prefix, 2);
  const m3 = hostMaskOfWord(prefix, 3);
  const lo: IPv6Words = [(w[0] & ~m0) >>> 0, (w[1] & ~m1) >>> 0, (w[2] & ~m2) >>> 0, (w[3] & ~m3) >>> 0];
  const hi: IPv6Words = [(w[0] | m0) >>> 0, (w[1] | m1) >>> 0, (w[2] | m2) >>> 0, (w[3] | m3) >>> 0];
  const hostBitsSet = compareIPv6Words(lo, w) !== 0;
  if (hostBitsSet && strict) {
    const network = formatIPv6Words(lo[0], lo[1], lo[2], lo[3]);
    return hostBitsProblem(text, network, prefix, formatIPv6Words(w[0], w[1], w[2], w[3]));
  }
  return { kind: 'cidr', family: 6, lo, hi, hostBitsSet };
}

// The host bits of 32-bit word k (0 = most significant) of an IPv6 address under a /prefix.
function hostMaskOfWord(prefix: number, k: number): number {
  const networkBits = Math.min(Math.max(prefix - 32 * k, 0), 32);
  return networkBits === 32 ? 0 : IPV4_ALL >>> networkBits;
}

function parseMask(addressText: string, maskText: string, strict: boolean): Interval | Problem {
  if (addressText.includes(':') || maskText.includes(':')) {
    return {
      code: 'mask-on-ipv6',
      reason:
        'subnet masks are for IPv4 only; write an IPv6 network with a prefix length, such as 2001:db8::/32',
    };
  }
  const address = parseAddress(addressText);
  if ('reason' in address) return address;
  const mask = scanIPv4(maskText, 0, maskText.length);
  if (mask === NOT_IPV4) {
    const why = diagnoseIPv4(maskText);
    return {
      code: why?.code ?? 'invalid-address',
      reason: `subnet mask ${quote(maskText)}: ${why?.reason ?? 'is not a dotted quad'}`,
    };
  }
  const hostMask = ~mask >>> 0;
  // Contiguous iff the host part is a run of low one bits: 2^k - 1.
  if ((hostMask & (hostMask + 1)) !== 0) {
    return {
      code: 'non-contiguous-mask',
      reason: `subnet mask ${maskText} is not contiguous: its one bits must all come before its zero bits (as in 255.255.255.0)`,
    };
  }
  const value = address.value as number;
  const lo = (value & mask) >>> 0;
  const prefix = 32 - Math.log2(hostMask + 1);
  if (lo !== value && strict) {
    return hostBitsProblem(`${addressText}/${maskText}`, formatIPv4(lo), prefix, formatIPv4(value));
  }
  return { kind: 'mask', family: 4, lo, hi: lo + hostMask, hostBitsSet: lo !== value };
}

function hostBitsProblem(text: string, network: string, prefix: number, written: string): Problem {
  return {
    code: 'host-bits-set',
    reason: `host bits are set: ${text} is inside network ${network}/${prefix}; write the network address, or the single address ${written}`,
  };
}

function parseAddress(text: string): Address | Problem {
  if (text.includes('%')) {
    return {
      code: 'zone-not-allowed',
      reason: `zone ${quote(text.slice(text.indexOf('%')))} is not allowed: a zone names a local interface, not an address`,
    };
  }
  if (text.startsWith('[') || text.includes(']')) {
    return {
      code: 'invalid-address',
      reason: 'brackets belong to URLs and address:port pairs; write the address alone, such as 2001:db8::1',
    };
  }
  if (!text.includes(':')) {
    const value = scanIPv4(text, 0, text.length);
    if (value !== NOT_IPV4) return { family: 4, value };
    if (looksLikeDomainName(text)) return domainProblem();
    return diagnoseIPv4(text) ?? { code: 'invalid-address', reason: 'is not an IPv4 address' };
  }
  if (parseIPv6(text, 0, text.length, words)) return { family: 6, value: copyWords(words) };
  const colon = text.indexOf(':');
  if (colon === text.lastIndexOf(':') && scanIPv4(text, 0, colon) !== NOT_IPV4) {
    return {
      code: 'invalid-address',
      reason: `looks like an address with a port; write the address alone, without ${quote(text.slice(colon))}`,
    };
  }
  const tail = text.slice(text.lastIndexOf(':') + 1);
  if (tail.includes('.')) {
    const why = diagnoseIPv4(tail);
    if (why) return { code: why.code, reason: `embedded IPv4 address ${quote(tail)}: ${why.reason}` };
  }
  return { code: 'invalid-address', reason: diagnoseIPv6(text) };
}

function domainProblem(): Problem {
  return {
    code: 'domain-not-supported',
    reason: 'domain names are not supported, only IP addresses; enter the actual IP address of the device',
  };
}

// Host names are letters, digits, dots and hyphens, and their last label starts with a letter,
// which no IPv4 address or shorthand (`127.1`, `0x7f.0.0.1`) does.
function looksLikeDomainName(text: string): boolean {
  if (!/^[A-Za-z0-9.-]+$/.test(text)) return false;
  const labels = text.replace(/\.$/, '').split('.');
  return /^[A-Za-z]/.test(labels[labels.length - 1] ?? '');
}

function freezeEntry(
  source: string,
  kind: IpEntryKind,
  family: IpFamily,
  first: string,
  last: string,
): IpEntry {
  return Object.freeze({ source, kind, family, first, last });
}

/** True for the entries that cover a whole family (`0.0.0.0/0`, `::/0` or an equivalent range). */
export function coversWholeFamily(parsed: ParsedEntry): boolean {
  if (parsed.family === 4) return parsed.lo === 0 && parsed.hi === IPV4_ALL;
  const { lo, hi } = parsed;
  return lo.every((word) => word === 0) && hi.every((word) => word === IPV4_ALL);
}
