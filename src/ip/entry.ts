// One allow-list entry: the four text formats, parsed strictly into a closed interval of one family.
// Configuration path: it may allocate and use regexes; the per-request path never comes here.
import { type IpErrorCode, singleIssueError } from '../errors.js';
import { diagnoseIPv4, formatIPv4, NOT_IPV4, scanIPv4 } from './ipv4.js';
import { diagnoseIPv6, formatIPv6, parseIPv6, wordsToBigInt } from './ipv6.js';

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

/** A successfully parsed entry with its numeric bounds: numbers for IPv4, bigints for IPv6. */
export type ParsedEntry = { readonly entry: IpEntry; readonly hostBitsSet: boolean } & (
  | { readonly family: 4; readonly lo: number; readonly hi: number }
  | { readonly family: 6; readonly lo: bigint; readonly hi: bigint }
);

/** Why an entry was rejected. `message` quotes the entry. */
export interface EntryProblem {
  readonly code: IpErrorCode;
  readonly message: string;
}

type Problem = { readonly code: IpErrorCode; readonly reason: string };
type Address =
  | { readonly family: 4; readonly value: number }
  | { readonly family: 6; readonly value: bigint };

const IPV4_ALL = 0xffffffff;
const IPV6_ALL = (1n << 128n) - 1n;
const words = new Uint32Array(4);

/**
 * Parses one allow-list entry (address, range, CIDR or IPv4 subnet mask).
 * Throws a `SipguardError` whose code names the problem (`leading-zero`, `invalid-prefix-length`, ...)
 * and whose message quotes the entry.
 */
export function parseIpEntry(text: string, options?: IpEntryOptions): IpEntry {
  const outcome = parseEntryOutcome(text, options?.strict === true);
  if ('entry' in outcome) return outcome.entry;
  // Only a string is quoted back: converting anything else would run its toString (or throw).
  const issue = { path: '', code: outcome.code, message: outcome.message };
  throw singleIssueError(typeof text === 'string' ? { ...issue, input: quotable(text) } : issue);
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
  const text = raw.trim();
  if (text === '')
    return problemIn(raw, { code: 'empty-entry', reason: 'is empty; write an address, range or CIDR' });
  const parsed = text.includes('-') ? parseRange(text) : parseSingleOrPrefix(text, strict);
  if ('reason' in parsed) {
    // Host names are recognized only once parsing failed, so valid entries pay nothing for it.
    return problemIn(raw, looksLikeDomainName(text) ? domainProblem() : parsed);
  }
  const { kind, hostBitsSet } = parsed;
  let { lo, hi } = parsed;
  if (typeof lo === 'bigint' && typeof hi === 'bigint') {
    // An entry lying wholly inside ::ffff:0:0/96 is an IPv4 entry written in the mapped form.
    if (lo >> 32n === 0xffffn && hi >> 32n === 0xffffn) {
      lo = Number(lo & 0xffffffffn);
      hi = Number(hi & 0xffffffffn);
    } else {
      const entry = freezeEntry(raw, kind, 6, formatIPv6(lo), formatIPv6(hi));
      return { entry, hostBitsSet, family: 6, lo, hi };
    }
  }
  const lo4 = Number(lo);
  const hi4 = Number(hi);
  const entry = freezeEntry(raw, kind, 4, formatIPv4(lo4), formatIPv4(hi4));
  return { entry, hostBitsSet, family: 4, lo: lo4, hi: hi4 };
}

function problemIn(raw: string, p: Problem): EntryProblem {
  return { code: p.code, message: `IP entry ${JSON.stringify(quotable(raw))}: ${p.reason}` };
}

interface Interval {
  readonly kind: IpEntryKind;
  readonly lo: number | bigint;
  readonly hi: number | bigint;
  readonly hostBitsSet: boolean;
}

function parseRange(text: string): Interval | Problem {
  const parts = text.split('-');
  if (parts.length !== 2) {
    return { code: 'invalid-address', reason: "has more than one '-'; a range is written first-last" };
  }
  const [startText, endText] = parts.map((p) => p.trim()) as [string, string];
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
  let lo: number | bigint = start.value;
  let hi: number | bigint = end.value;
  if (start.family !== end.family) {
    // A mapped IPv6 end paired with an IPv4 end is the same family once unmapped.
    const v6 = start.family === 6 ? start.value : (end.value as bigint);
    if (v6 >> 32n !== 0xffffn) {
      return {
        code: 'range-mixed-family',
        reason: 'the first and last addresses of a range must both be IPv4 or both be IPv6',
      };
    }
    lo = typeof lo === 'bigint' ? Number(lo & 0xffffffffn) : lo;
    hi = typeof hi === 'bigint' ? Number(hi & 0xffffffffn) : hi;
  }
  if (lo > hi) {
    return {
      code: 'range-reversed',
      reason: `the first address ${JSON.stringify(startText)} is greater than the last ${JSON.stringify(endText)}; write the lower address first`,
    };
  }
  return { kind: 'range', lo, hi, hostBitsSet: false };
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
    return { kind: 'address', lo: address.value, hi: address.value, hostBitsSet: false };
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
      reason: `prefix length ${JSON.stringify(suffix)} is not a decimal number from 0 to ${bits} without leading zeros`,
    };
  }
  const prefix = Number(suffix);
  if (address.family === 4) {
    const hostMask = prefix === 32 ? 0 : IPV4_ALL >>> prefix;
    const lo = (address.value & ~hostMask) >>> 0;
    return networkInterval('cidr', text, strict, address.value, lo, lo + hostMask, formatIPv4, prefix);
  }
  const hostMask = IPV6_ALL >> BigInt(prefix);
  const lo = address.value & ~hostMask & IPV6_ALL;
  return networkInterval('cidr', text, strict, address.value, lo, lo | hostMask, formatIPv6, prefix);
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
      reason: `subnet mask ${JSON.stringify(maskText)}: ${why?.reason ?? 'is not a dotted quad'}`,
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
  return networkInterval(
    'mask',
    `${addressText}/${maskText}`,
    strict,
    value,
    lo,
    lo + hostMask,
    formatIPv4,
    prefix,
  );
}

function networkInterval<T extends number | bigint>(
  kind: 'cidr' | 'mask',
  text: string,
  strict: boolean,
  written: T,
  lo: T,
  hi: T,
  format: (value: T) => string,
  prefix: number,
): Interval | Problem {
  const hostBitsSet = written !== lo;
  if (hostBitsSet && strict) {
    return {
      code: 'host-bits-set',
      reason: `host bits are set: ${text} is inside network ${format(lo)}/${prefix}; write the network address, or the single address ${format(written)}`,
    };
  }
  return { kind, lo, hi, hostBitsSet };
}

function parseAddress(text: string): Address | Problem {
  if (text.includes('%')) {
    return {
      code: 'zone-not-allowed',
      reason: `zone ${JSON.stringify(text.slice(text.indexOf('%')))} is not allowed: a zone names a local interface, not an address`,
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
  if (parseIPv6(text, 0, text.length, words)) return { family: 6, value: wordsToBigInt(words) };
  const colon = text.indexOf(':');
  if (colon === text.lastIndexOf(':') && scanIPv4(text, 0, colon) !== NOT_IPV4) {
    return {
      code: 'invalid-address',
      reason: `looks like an address with a port; write the address alone, without ${JSON.stringify(text.slice(colon))}`,
    };
  }
  const tail = text.slice(text.lastIndexOf(':') + 1);
  if (tail.includes('.')) {
    const why = diagnoseIPv4(tail);
    if (why)
      return { code: why.code, reason: `embedded IPv4 address ${JSON.stringify(tail)}: ${why.reason}` };
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

// Quotes at most 64 characters of an entry in messages, so that a huge entry cannot flood a log.
function quotable(text: string): string {
  return text.length > 64 ? `${text.slice(0, 64)}…` : text;
}

/** True for the entries that cover a whole family (`0.0.0.0/0`, `::/0` or an equivalent range). */
export function coversWholeFamily(parsed: ParsedEntry): boolean {
  return parsed.family === 4
    ? parsed.lo === 0 && parsed.hi === IPV4_ALL
    : parsed.lo === 0n && parsed.hi === IPV6_ALL;
}
