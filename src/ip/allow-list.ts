// IpAllowList: entries compiled once into sorted, merged, disjoint intervals per family (intervals.ts),
// held in typed arrays. Lookups scan the source text in place and binary-search; they never allocate
// (except `match`, the explanation path) and never throw. Findings are made in findings.ts.
import { aggregateError, argumentError, type IpErrorCode } from '../errors.js';
import { describeValue } from '../text.js';
import {
  type IpEntry,
  type IpEntryOptions,
  type IpFamily,
  MAX_ENTRY_LENGTH,
  parseEntryOutcome,
  strictOption,
} from './entry.js';
import { collectFindings, type IpFinding } from './findings.js';
import { compileIntervals } from './intervals.js';
import { formatIPv4, NOT_IPV4, scanIPv4 } from './ipv4.js';
import { formatIPv6, formatIPv6Words, isMappedIPv4, parseIPv6, wordsToBigInt } from './ipv6.js';
import { ParsedList } from './parsed-list.js';

/** One merged interval of a list: inclusive bounds in canonical text. */
export interface IpRange {
  readonly family: IpFamily;
  readonly first: string;
  readonly last: string;
}

/** {@link IpAllowList.probe} result for a well-formed address that no entry contains. */
export const PROBE_NOT_LISTED = -1;
/** {@link IpAllowList.probe} result for text that is not a valid source address. */
export const PROBE_INVALID = -2;

/** An entry {@link compileAllowList} rejected: its index in the input, and why. */
export interface RejectedEntry {
  readonly index: number;
  readonly code: IpErrorCode;
  readonly message: string;
  /** The entry itself; left out when it is too long to copy (the message quotes its start). */
  readonly input?: string;
}

let construct: (parsed: ParsedList) => IpAllowList;

/**
 * Compiles a list without throwing: the list, or every rejected entry by its index, for a caller
 * that reports problems at its own paths (a policy document). `IpAllowList.from` is this, throwing.
 */
export function compileAllowList(
  entries: readonly unknown[],
  options?: IpEntryOptions,
): { readonly list: IpAllowList } | { readonly rejected: readonly RejectedEntry[] } {
  const strict = strictOption('IpAllowList.from', options);
  const parsed = new ParsedList(entries.length);
  const rejected: RejectedEntry[] = [];
  for (let index = 0; index < entries.length; index++) {
    const raw = entries[index];
    const outcome = parseEntryOutcome(raw, strict);
    if ('entry' in outcome) {
      parsed.add(outcome);
    } else {
      const problem = { index, code: outcome.code, message: outcome.message };
      // Over-long entries are quoted (truncated) in the message only, never copied whole.
      rejected.push(
        typeof raw === 'string' && raw.length <= MAX_ENTRY_LENGTH ? { ...problem, input: raw } : problem,
      );
    }
  }
  return rejected.length > 0 ? { rejected } : { list: construct(parsed) };
}

// Lookup scratch: a source IPv6 address as four words. Lookups are synchronous, so sharing is safe.
const scratch = new Uint32Array(4);
const NO_ENTRIES: readonly IpEntry[] = Object.freeze([]);

/**
 * A compiled, immutable IP allow-list. Build it with {@link IpAllowList.from}.
 * IPv4-mapped IPv6 sources (`::ffff:192.0.2.1`) are looked up as the IPv4 address they carry.
 */
export class IpAllowList {
  /** The parsed source entries, in input order; `probe` returns indexes into this array. */
  readonly entries: readonly IpEntry[];
  /** Observations about the entries (duplicates, overlaps, host bits, allow-everything), by entry index. */
  readonly findings: readonly IpFinding[];
  /** The number of merged, disjoint intervals (IPv4 and IPv6 together): `ranges().length`. */
  readonly size: number;

  // Merged intervals, inclusive, sorted: IPv4 as uint32, IPv6 as four words per bound.
  private readonly v4Lo: Uint32Array;
  private readonly v4Hi: Uint32Array;
  // A bucket index over the top bits of IPv4 starts (see buildBuckets): it keeps lookups flat as lists grow.
  private readonly v4Buckets: Uint32Array;
  private readonly v4SegBuckets: Uint32Array;
  private readonly v4Shift: number;
  private readonly v4SegShift: number;
  private readonly v6Lo: Uint32Array;
  private readonly v6Hi: Uint32Array;
  // Per merged interval k, the entries inside it are members[memberStart[k] .. memberStart[k+1]), by index.
  private readonly v4MemberStart: Int32Array;
  private readonly v4Members: Int32Array;
  private readonly v6MemberStart: Int32Array;
  private readonly v6Members: Int32Array;
  // Elementary segments: on each, the first entry (in input order) containing it is constant.
  private readonly v4SegLo: Uint32Array;
  private readonly v4SegHi: Uint32Array;
  private readonly v4SegEntry: Int32Array;
  private readonly v6SegLo: Uint32Array;
  private readonly v6SegHi: Uint32Array;
  private readonly v6SegEntry: Int32Array;
  // Each entry's own bounds, indexed by entry index (only the entry's family is set). An IPv6 entry's
  // bounds are the eight words from entryBounds6[8 * entryOrdinal6[index]] (first, then last).
  private readonly entryLo4: Float64Array;
  private readonly entryHi4: Float64Array;
  private readonly entryOrdinal6: Int32Array;
  private readonly entryBounds6: Uint32Array;

  /**
   * Compiles a list of entries. Throws one `SipguardError` (code `invalid-ip-list`) listing every
   * invalid entry, with issue path `/<index>`; nothing is partially compiled.
   */
  static from(entries: readonly string[], options?: IpEntryOptions): IpAllowList {
    if (!Array.isArray(entries)) {
      throw aggregateError('invalid-ip-list', 'invalid IP allow-list', [
        { path: '', code: 'invalid-address', message: 'an IP allow-list must be an array of strings' },
      ]);
    }
    const compiled = compileAllowList(entries, options);
    if ('list' in compiled) return compiled.list;
    const issues = compiled.rejected.map(({ index, ...problem }) => ({ path: `/${index}`, ...problem }));
    throw aggregateError('invalid-ip-list', 'invalid IP allow-list', issues);
  }

  static {
    construct = (parsed) => new IpAllowList(parsed);
  }

  private constructor(parsed: ParsedList) {
    // A copy: the array that grew entry by entry has spare capacity, which a list would keep.
    this.entries = Object.freeze(parsed.entries.slice());
    const c = compileIntervals(parsed);
    this.v4Lo = c.v4Lo;
    this.v4Hi = c.v4Hi;
    this.v4MemberStart = c.v4MemberStart;
    this.v4Members = c.v4Members;
    this.v4SegLo = c.v4SegLo;
    this.v4SegHi = c.v4SegHi;
    this.v4SegEntry = c.v4SegEntry;
    this.v4Shift = bucketShift(this.v4Lo.length);
    this.v4Buckets = buildBuckets(this.v4Lo, this.v4Shift);
    this.v4SegShift = bucketShift(this.v4SegLo.length);
    this.v4SegBuckets = buildBuckets(this.v4SegLo, this.v4SegShift);
    this.v6Lo = c.v6Lo;
    this.v6Hi = c.v6Hi;
    this.v6MemberStart = c.v6MemberStart;
    this.v6Members = c.v6Members;
    this.v6SegLo = c.v6SegLo;
    this.v6SegHi = c.v6SegHi;
    this.v6SegEntry = c.v6SegEntry;
    this.entryLo4 = c.entryLo4;
    this.entryHi4 = c.entryHi4;
    this.entryOrdinal6 = c.entryOrdinal6;
    this.entryBounds6 = c.entryBounds6;
    this.size = this.v4Lo.length + this.v6Lo.length / 4;
    this.findings = Object.freeze(collectFindings(parsed, c.sorted4, c.sorted6));
    Object.freeze(this);
  }

  /** True if `ip` is a valid source address that some entry contains. Never throws; allocates nothing. */
  has(ip: string): boolean {
    if (typeof ip !== 'string') return false;
    const v4 = scanIPv4(ip, 0, ip.length);
    if (v4 !== NOT_IPV4) return findV4(this.v4Lo, this.v4Hi, this.v4Buckets, this.v4Shift, v4) >= 0;
    if (!parseIPv6(ip, 0, ip.length, scratch)) return false;
    if (isMappedIPv4(scratch))
      return findV4(this.v4Lo, this.v4Hi, this.v4Buckets, this.v4Shift, scratch[3] as number) >= 0;
    return findV6(this.v6Lo, this.v6Hi, scratch) >= 0;
  }

  /**
   * The index in {@link entries} of the first entry, in input order, that contains `ip`;
   * {@link PROBE_NOT_LISTED} (-1) if `ip` is valid but not listed; {@link PROBE_INVALID} (-2) if `ip`
   * is not a valid source address. Never throws; allocates nothing.
   */
  probe(ip: string): number {
    if (typeof ip !== 'string') return PROBE_INVALID;
    let k: number;
    const v4 = scanIPv4(ip, 0, ip.length);
    if (v4 !== NOT_IPV4) {
      k = findV4(this.v4SegLo, this.v4SegHi, this.v4SegBuckets, this.v4SegShift, v4);
      return k >= 0 ? (this.v4SegEntry[k] as number) : PROBE_NOT_LISTED;
    }
    if (!parseIPv6(ip, 0, ip.length, scratch)) return PROBE_INVALID;
    if (isMappedIPv4(scratch)) {
      k = findV4(this.v4SegLo, this.v4SegHi, this.v4SegBuckets, this.v4SegShift, scratch[3] as number);
      return k >= 0 ? (this.v4SegEntry[k] as number) : PROBE_NOT_LISTED;
    }
    k = findV6(this.v6SegLo, this.v6SegHi, scratch);
    return k >= 0 ? (this.v6SegEntry[k] as number) : PROBE_NOT_LISTED;
  }

  /** Every entry containing `ip`, in input order; empty if none does or `ip` is not a valid address. */
  match(ip: string): readonly IpEntry[] {
    if (typeof ip !== 'string') return NO_ENTRIES;
    const found: IpEntry[] = [];
    let v4 = scanIPv4(ip, 0, ip.length);
    if (v4 === NOT_IPV4) {
      if (!parseIPv6(ip, 0, ip.length, scratch)) return NO_ENTRIES;
      if (isMappedIPv4(scratch)) {
        v4 = scratch[3] as number;
      } else {
        const k = findV6(this.v6Lo, this.v6Hi, scratch);
        if (k < 0) return NO_ENTRIES;
        const x0 = scratch[0] as number;
        const x1 = scratch[1] as number;
        const x2 = scratch[2] as number;
        const x3 = scratch[3] as number;
        for (let m = this.v6MemberStart[k] as number; m < (this.v6MemberStart[k + 1] as number); m++) {
          const e = this.v6Members[m] as number;
          const bounds = 8 * (this.entryOrdinal6[e] as number);
          if (
            compareWords(this.entryBounds6, bounds, x0, x1, x2, x3) <= 0 &&
            compareWords(this.entryBounds6, bounds + 4, x0, x1, x2, x3) >= 0
          ) {
            found.push(this.entries[e] as IpEntry);
          }
        }
        return found;
      }
    }
    const k = findV4(this.v4Lo, this.v4Hi, this.v4Buckets, this.v4Shift, v4);
    if (k < 0) return NO_ENTRIES;
    for (let m = this.v4MemberStart[k] as number; m < (this.v4MemberStart[k + 1] as number); m++) {
      const e = this.v4Members[m] as number;
      if ((this.entryLo4[e] as number) <= v4 && v4 <= (this.entryHi4[e] as number)) {
        found.push(this.entries[e] as IpEntry);
      }
    }
    return found;
  }

  /** The merged, disjoint intervals: IPv4 first, then IPv6, each ascending. */
  ranges(): IpRange[] {
    const out: IpRange[] = [];
    for (let k = 0; k < this.v4Lo.length; k++) {
      out.push({
        family: 4,
        first: formatIPv4(this.v4Lo[k] as number),
        last: formatIPv4(this.v4Hi[k] as number),
      });
    }
    for (let k = 0; k < this.v6Lo.length / 4; k++) {
      out.push({ family: 6, first: formatWordsAt(this.v6Lo, 4 * k), last: formatWordsAt(this.v6Hi, 4 * k) });
    }
    return out;
  }

  /**
   * The fewest CIDR blocks covering exactly the listed addresses, never more: IPv4 first, then IPv6,
   * ascending. A single address is written with its full prefix (`/32`, `/128`).
   */
  toCidrs(): string[] {
    const out: string[] = [];
    for (let k = 0; k < this.v4Lo.length; k++) {
      splitIntoCidrs(BigInt(this.v4Lo[k] as number), BigInt(this.v4Hi[k] as number), 32, out, (v) =>
        formatIPv4(Number(v)),
      );
    }
    for (let k = 0; k < this.v6Lo.length / 4; k++) {
      splitIntoCidrs(wordsToBigInt(this.v6Lo, 4 * k), wordsToBigInt(this.v6Hi, 4 * k), 128, out, formatIPv6);
    }
    return out;
  }

  /** The exact number of distinct addresses of one family that the list allows. */
  addressCount(family: IpFamily): bigint {
    if (family !== 4 && family !== 6) {
      throw argumentError(`addressCount takes an address family, 4 or 6, got ${describeValue(family)}`);
    }
    let total = 0n;
    if (family === 4) {
      for (let k = 0; k < this.v4Lo.length; k++) {
        total += BigInt((this.v4Hi[k] as number) - (this.v4Lo[k] as number) + 1);
      }
    } else {
      for (let k = 0; k < this.v6Lo.length / 4; k++) {
        total += wordsToBigInt(this.v6Hi, 4 * k) - wordsToBigInt(this.v6Lo, 4 * k) + 1n;
      }
    }
    return total;
  }
}

// --- lookups (hot path) -------------------------------------------------------------------------

// The index of the interval containing x, or -1. lo/hi are sorted, disjoint, inclusive.
// Only the intervals starting in x's bucket are searched; if none of them starts at or below x,
// the candidate is the last interval of an earlier bucket, which may reach into this one.
function findV4(lo: Uint32Array, hi: Uint32Array, buckets: Uint32Array, shift: number, x: number): number {
  const bucket = x >>> shift;
  let low = buckets[bucket] as number;
  let high = (buckets[bucket + 1] as number) - 1;
  let found = low - 1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if ((lo[mid] as number) <= x) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found >= 0 && (hi[found] as number) >= x ? found : -1;
}

// About one bucket per interval, between 2 and 2^16 buckets (256 KiB at most): x >>> shift is x's bucket.
function bucketShift(intervals: number): number {
  return 32 - Math.min(16, Math.max(1, Math.floor(Math.log2(Math.max(2, intervals)))));
}

/**
 * buckets[k] is the first interval whose start is in bucket k or later (2^(32 - shift) + 1 slots),
 * so a lookup binary-searches only the few intervals of one bucket at any list size.
 */
function buildBuckets(lo: Uint32Array, shift: number): Uint32Array {
  const buckets = new Uint32Array(2 ** (32 - shift) + 1);
  let i = 0;
  for (let k = 0; k < buckets.length; k++) {
    while (i < lo.length && (lo[i] as number) >>> shift < k) i++;
    buckets[k] = i;
  }
  return buckets;
}

// As findV4 for 128-bit values stored as four words per bound.
function findV6(lo: Uint32Array, hi: Uint32Array, x: Uint32Array): number {
  const x0 = x[0] as number;
  const x1 = x[1] as number;
  const x2 = x[2] as number;
  const x3 = x[3] as number;
  let low = 0;
  let high = lo.length / 4 - 1;
  let found = -1;
  while (low <= high) {
    const mid = (low + high) >>> 1;
    if (compareWords(lo, 4 * mid, x0, x1, x2, x3) <= 0) {
      found = mid;
      low = mid + 1;
    } else {
      high = mid - 1;
    }
  }
  return found >= 0 && compareWords(hi, 4 * found, x0, x1, x2, x3) >= 0 ? found : -1;
}

function compareWords(a: Uint32Array, base: number, x0: number, x1: number, x2: number, x3: number): number {
  const a0 = a[base] as number;
  if (a0 !== x0) return a0 < x0 ? -1 : 1;
  const a1 = a[base + 1] as number;
  if (a1 !== x1) return a1 < x1 ? -1 : 1;
  const a2 = a[base + 2] as number;
  if (a2 !== x2) return a2 < x2 ? -1 : 1;
  const a3 = a[base + 3] as number;
  return a3 === x3 ? 0 : a3 < x3 ? -1 : 1;
}

// RFC 5952 text of the four words from words[base].
function formatWordsAt(words: Uint32Array, base: number): string {
  return formatIPv6Words(
    words[base] as number,
    words[base + 1] as number,
    words[base + 2] as number,
    words[base + 3] as number,
  );
}

function splitIntoCidrs(
  lo: bigint,
  hi: bigint,
  bits: number,
  out: string[],
  format: (value: bigint) => string,
): void {
  const whole = 1n << BigInt(bits);
  while (lo <= hi) {
    // The largest block aligned at lo (lo's lowest set bit), shrunk until it fits before hi.
    let size = lo === 0n ? whole : lo & -lo;
    while (lo + size - 1n > hi) size >>= 1n;
    out.push(`${format(lo)}/${bits - (size.toString(2).length - 1)}`);
    lo += size;
  }
}
