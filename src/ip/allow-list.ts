// IpAllowList: entries compiled once into sorted, merged, disjoint intervals per family, held in
// typed arrays. Lookups scan the source text in place and binary-search; they never allocate
// (except `match`, the explanation path) and never throw.
import { aggregateError, type IpErrorCode } from '../errors.js';
import {
  coversWholeFamily,
  type IpEntry,
  type IpEntryOptions,
  type IpFamily,
  MAX_ENTRY_LENGTH,
  type ParsedEntry,
  parseEntryOutcome,
} from './entry.js';
import { formatIPv4, NOT_IPV4, scanIPv4 } from './ipv4.js';
import { formatIPv6, formatIPv6Words, isMappedIPv4, parseIPv6, wordsToBigInt } from './ipv6.js';

/** Codes of the observations made about a compiled list; none of them stops compilation. */
export type IpFindingCode =
  | 'duplicate-entry'
  | 'contained-entry'
  | 'overlapping-entries'
  | 'host-bits-set'
  | 'allow-everything';

/** How much a finding matters. IP lists emit `warning` and `info`; `error` is for callers that escalate. */
export type IpFindingSeverity = 'error' | 'warning' | 'info';

/** An observation about entry `index` (and, for the pairwise ones, the entry `relatedIndex`). */
export interface IpFinding {
  readonly code: IpFindingCode;
  readonly severity: IpFindingSeverity;
  readonly index: number;
  readonly relatedIndex?: number;
  readonly message: string;
}

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

let construct: (parsed: readonly ParsedEntry[]) => IpAllowList;

/**
 * Compiles a list without throwing: the list, or every rejected entry by its index, for a caller
 * that reports problems at its own paths (a policy document). `IpAllowList.from` is this, throwing.
 */
export function compileAllowList(
  entries: readonly unknown[],
  options?: IpEntryOptions,
): { readonly list: IpAllowList } | { readonly rejected: readonly RejectedEntry[] } {
  const strict = options?.strict === true;
  const parsed: ParsedEntry[] = [];
  const rejected: RejectedEntry[] = [];
  for (let index = 0; index < entries.length; index++) {
    const raw = entries[index];
    const outcome = parseEntryOutcome(raw, strict);
    if ('entry' in outcome) {
      parsed.push(outcome);
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

  private constructor(parsed: readonly ParsedEntry[]) {
    const n = parsed.length;
    this.entries = Object.freeze(parsed.map((p) => p.entry));
    this.entryLo4 = new Float64Array(n);
    this.entryHi4 = new Float64Array(n);
    this.entryOrdinal6 = new Int32Array(n);
    // Both families are compiled as numbers, in half-open form [lo, end): IPv4 by value, IPv6 by
    // rank among its distinct bounds (ranks keep order, equality and adjacency of the bounds).
    const count6 = parsed.reduce((count, p) => (p.family === 6 ? count + 1 : count), 0);
    const items4 = newItems(n - count6);
    const items6 = newItems(count6);
    let count4 = 0;
    let ordinal6 = 0;
    // IPv6 bound slot s (2k: start of the k-th IPv6 entry, 2k + 1: its end + 1) as five words from
    // boundWords[5s]: a carry word (1 only for 2^128, the end of a list reaching ffff:...:ffff), then the
    // four 32-bit words of the value. Words keep the compile free of per-bound BigInt arithmetic.
    const boundWords = new Uint32Array(5 * 2 * count6);
    this.entryBounds6 = new Uint32Array(8 * count6);
    for (let i = 0; i < n; i++) {
      const p = parsed[i] as ParsedEntry;
      if (p.family === 4) {
        this.entryLo4[i] = p.lo;
        this.entryHi4[i] = p.hi;
        items4.lo[count4] = p.lo;
        items4.end[count4] = p.hi + 1;
        items4.index[count4++] = i;
      } else {
        const ordinal = ordinal6++;
        this.entryOrdinal6[i] = ordinal;
        items6.index[ordinal] = i;
        this.entryBounds6.set(p.lo, 8 * ordinal);
        this.entryBounds6.set(p.hi, 8 * ordinal + 4);
        boundWords.set(p.lo, 10 * ordinal + 1);
        boundWords.set(p.hi, 10 * ordinal + 6);
        incrementWords(boundWords, 10 * ordinal + 5);
      }
    }
    // Ranks come from a radix sort of the bounds by their five words (least significant first), not
    // from a Map or a comparator sort: no BigInt keys, no comparator calls.
    const slots = 2 * count6;
    let order = identityOrder(slots);
    let spare: Uint32Array = new Uint32Array(slots);
    for (let w = 4; w >= 0; w--) [order, spare] = radixSortByWord(order, spare, boundWords, 5, w);
    // slotOfRank[r]: a slot holding the r-th smallest distinct bound value.
    const slotOfRank: number[] = [];
    const rankOfSlot = new Int32Array(slots);
    let previous = -1;
    for (const slot of order) {
      if (previous < 0 || !sameBound(boundWords, previous, slot)) slotOfRank.push(slot);
      rankOfSlot[slot] = slotOfRank.length - 1;
      previous = slot;
    }
    for (let k = 0; k < count6; k++) {
      items6.lo[k] = rankOfSlot[2 * k] as number;
      items6.end[k] = rankOfSlot[2 * k + 1] as number;
    }
    const plan4 = compileFamily(items4);
    const plan6 = compileFamily(items6);
    // The four words of the bound with rank `rank`, minus `minus` (0 or 1), for the lookup arrays.
    const pack6 = (ranks: readonly number[], minus: 0 | 1) =>
      packRankWords(ranks, slotOfRank, boundWords, minus);

    this.v4Lo = Uint32Array.from(plan4.mergedLo);
    this.v4Hi = Uint32Array.from(plan4.mergedEnd, (end) => end - 1);
    this.v4MemberStart = plan4.memberStart;
    this.v4Members = plan4.members;
    this.v4SegLo = Uint32Array.from(plan4.segmentLo);
    this.v4SegHi = Uint32Array.from(plan4.segmentEnd, (end) => end - 1);
    this.v4SegEntry = Int32Array.from(plan4.segmentEntry);
    this.v4Shift = bucketShift(this.v4Lo.length);
    this.v4Buckets = buildBuckets(this.v4Lo, this.v4Shift);
    this.v4SegShift = bucketShift(this.v4SegLo.length);
    this.v4SegBuckets = buildBuckets(this.v4SegLo, this.v4SegShift);

    this.v6Lo = pack6(plan6.mergedLo, 0);
    this.v6Hi = pack6(plan6.mergedEnd, 1);
    this.v6MemberStart = plan6.memberStart;
    this.v6Members = plan6.members;
    this.v6SegLo = pack6(plan6.segmentLo, 0);
    this.v6SegHi = pack6(plan6.segmentEnd, 1);
    this.v6SegEntry = Int32Array.from(plan6.segmentEntry);

    this.size = plan4.mergedLo.length + plan6.mergedLo.length;
    this.findings = Object.freeze(collectFindings(parsed, items4, plan4.order, items6, plan6.order));
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

// --- compilation -------------------------------------------------------------------------------

/**
 * One family's entries as half-open intervals [lo[k], end[k]) of numbers (values for IPv4, ranks for
 * IPv6) with their entry index[k], by position k in ascending entry index. Parallel typed arrays, not
 * an object per entry: a compile of 100k entries allocates a few arrays instead of 100k objects.
 */
interface Items {
  readonly lo: Float64Array;
  readonly end: Float64Array;
  readonly index: Int32Array;
}
interface FamilyPlan {
  /** Positions of the items by lo ascending, end descending, index ascending. */
  readonly order: Uint32Array;
  /** Merged interval m is [mergedLo[m], mergedEnd[m]). */
  readonly mergedLo: readonly number[];
  readonly mergedEnd: readonly number[];
  /** The entries inside merged interval m: members[memberStart[m] .. memberStart[m + 1]), by index. */
  readonly memberStart: Int32Array;
  readonly members: Int32Array;
  /** Elementary segment s is [segmentLo[s], segmentEnd[s]); its first entry (input order) is segmentEntry[s]. */
  readonly segmentLo: readonly number[];
  readonly segmentEnd: readonly number[];
  readonly segmentEntry: readonly number[];
}

function newItems(count: number): Items {
  return { lo: new Float64Array(count), end: new Float64Array(count), index: new Int32Array(count) };
}

// Positions must be in ascending index order: the sorts are stable, so that order breaks the last
// ties, and the sweep's heap of positions pops the lowest entry index first.
function compileFamily(items: Items): FamilyPlan {
  // Sorted by (lo asc, end desc, index asc) with two stable radix sorts: by end descending, then by lo.
  // Keys fit 32 bits: lo < 2^32, and 2^32 - end < 2^32 since end > lo >= 0.
  const { lo, end, index } = items;
  const count = lo.length;
  const loKeys = new Uint32Array(count);
  const endKeys = new Uint32Array(count);
  for (let k = 0; k < count; k++) {
    loKeys[k] = lo[k] as number;
    endKeys[k] = 2 ** 32 - (end[k] as number);
  }
  let order = identityOrder(count);
  let spare: Uint32Array = new Uint32Array(count);
  [order, spare] = radixSortByWord(order, spare, endKeys, 1, 0);
  const byEndDescending = order.slice(); // kept for the sweep below
  [order] = radixSortByWord(order, spare, loKeys, 1, 0);

  // Merge overlapping and adjacent intervals. The items of a merged interval are consecutive in
  // `order`, so its members are one slice of `members`, then sorted by entry index.
  const mergedLo: number[] = [];
  const mergedEnd: number[] = [];
  const starts: number[] = [];
  const members = new Int32Array(count);
  let mergedTo = 0;
  for (let j = 0; j < count; j++) {
    const k = order[j] as number;
    const itemLo = lo[k] as number;
    const itemEnd = end[k] as number;
    members[j] = index[k] as number;
    if (starts.length > 0 && itemLo <= mergedTo) {
      if (itemEnd > mergedTo) {
        mergedTo = itemEnd;
        mergedEnd[mergedEnd.length - 1] = itemEnd;
      }
    } else {
      mergedLo.push(itemLo);
      mergedEnd.push(itemEnd);
      starts.push(j);
      mergedTo = itemEnd;
    }
  }
  starts.push(count);
  const memberStart = Int32Array.from(starts);
  for (let m = 0; m + 1 < memberStart.length; m++) {
    const from = memberStart[m] as number;
    const to = memberStart[m + 1] as number;
    if (to - from > 1) members.subarray(from, to).sort();
  }

  // Sweep the boundaries with a min-heap of active positions (expired ones are dropped lazily when
  // they reach the top): between two boundaries the first active entry is constant.
  const points = mergeBoundaries(lo, order, end, byEndDescending);
  const segmentLo: number[] = [];
  const segmentEnd: number[] = [];
  const segmentEntry: number[] = [];
  const heap: number[] = [];
  let cursor = 0;
  for (let k = 0; k + 1 < points.length; k++) {
    const point = points[k] as number;
    const nextPoint = points[k + 1] as number;
    if (point === nextPoint) continue;
    for (; cursor < count && lo[order[cursor] as number] === point; cursor++) {
      heapPush(heap, order[cursor] as number);
    }
    while (heap.length > 0 && (end[heap[0] as number] as number) <= point) heapPop(heap);
    const first = heap[0];
    if (first === undefined) continue;
    const entry = index[first] as number;
    const last = segmentEnd.length - 1;
    if (last >= 0 && segmentEntry[last] === entry && segmentEnd[last] === point) {
      segmentEnd[last] = nextPoint;
    } else {
      segmentLo.push(point);
      segmentEnd.push(nextPoint);
      segmentEntry.push(entry);
    }
  }
  return { order, mergedLo, mergedEnd, memberStart, members, segmentLo, segmentEnd, segmentEntry };
}

// All starts and ends in ascending order, merged from the starts in `order` (ascending) and the ends in
// `byEndDescending` read backwards: linear, where sorting the 2n boundaries again would not be.
function mergeBoundaries(
  lo: Float64Array,
  order: Uint32Array,
  end: Float64Array,
  byEndDescending: Uint32Array,
): Float64Array {
  const count = order.length;
  const points = new Float64Array(2 * count);
  let i = 0;
  let j = count - 1;
  for (let p = 0; p < points.length; p++) {
    const start = i < count ? (lo[order[i] as number] as number) : Infinity;
    const stop = j >= 0 ? (end[byEndDescending[j] as number] as number) : Infinity;
    if (start <= stop) {
      points[p] = start;
      i++;
    } else {
      points[p] = stop;
      j--;
    }
  }
  return points;
}

function heapPush(heap: number[], value: number): void {
  let i = heap.push(value) - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if ((heap[parent] as number) <= value) break;
    heap[i] = heap[parent] as number;
    i = parent;
  }
  heap[i] = value;
}

function heapPop(heap: number[]): void {
  const last = heap.pop();
  if (last === undefined || heap.length === 0) return;
  let i = 0;
  for (;;) {
    const left = 2 * i + 1;
    if (left >= heap.length) break;
    const right = left + 1;
    const child = right < heap.length && (heap[right] as number) < (heap[left] as number) ? right : left;
    if ((heap[child] as number) >= last) break;
    heap[i] = heap[child] as number;
    i = child;
  }
  heap[i] = last;
}

/** 0, 1, ..., n - 1: the starting permutation of a radix sort. */
function identityOrder(n: number): Uint32Array {
  const order = new Uint32Array(n);
  for (let k = 0; k < n; k++) order[k] = k;
  return order;
}

// Digit counts of one radix pass; compilation is synchronous, so one module-level buffer is safe.
const digitStarts = new Uint32Array(257);

/**
 * Stable LSD radix sort of the permutation `order` by the 32-bit key `keys[stride * e + offset]` of
 * each element e, one byte per pass; a byte that every key shares is skipped. Returns
 * [sorted, spare]: the two buffers, the sorted permutation first.
 */
function radixSortByWord(
  order: Uint32Array,
  spare: Uint32Array,
  keys: Uint32Array,
  stride: number,
  offset: number,
): [Uint32Array, Uint32Array] {
  const n = order.length;
  let all = 0xffffffff;
  let any = 0;
  for (let e = 0; e < n; e++) {
    const key = keys[stride * e + offset] as number;
    all &= key;
    any |= key;
  }
  const varying = all ^ any; // the bits that differ between some two keys
  let from = order;
  let to = spare;
  for (let shift = 0; shift < 32; shift += 8) {
    if (((varying >>> shift) & 0xff) === 0) continue;
    digitStarts.fill(0);
    for (let i = 0; i < n; i++) {
      const digit = ((keys[stride * (from[i] as number) + offset] as number) >>> shift) & 0xff;
      digitStarts[digit + 1] = (digitStarts[digit + 1] as number) + 1;
    }
    for (let d = 1; d < 257; d++)
      digitStarts[d] = (digitStarts[d] as number) + (digitStarts[d - 1] as number);
    for (let i = 0; i < n; i++) {
      const e = from[i] as number;
      const digit = ((keys[stride * e + offset] as number) >>> shift) & 0xff;
      const at = digitStarts[digit] as number;
      to[at] = e;
      digitStarts[digit] = at + 1;
    }
    [from, to] = [to, from];
  }
  return [from, to];
}

// True if IPv6 bound slots a and b (five words each, see the constructor) hold the same value.
function sameBound(boundWords: Uint32Array, a: number, b: number): boolean {
  for (let w = 0; w < 5; w++) if (boundWords[5 * a + w] !== boundWords[5 * b + w]) return false;
  return true;
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

// Adds 1 to the 129-bit value held as a carry word and four words from words[base].
function incrementWords(words: Uint32Array, base: number): void {
  for (let w = base + 4; w > base; w--) {
    const word = (words[w] as number) + 1;
    words[w] = word; // stored modulo 2^32
    if (word <= 0xffffffff) return;
  }
  words[base] = 1;
}

// Packs, per rank, the four words of that bound value (minus 1 when `minus` is 1) for lookups.
// A bound minus 1 always fits in 128 bits: ends are above starts, and starts are at least 0.
function packRankWords(
  ranks: readonly number[],
  slotOfRank: readonly number[],
  boundWords: Uint32Array,
  minus: 0 | 1,
): Uint32Array {
  const out = new Uint32Array(4 * ranks.length);
  ranks.forEach((rank, k) => {
    const from = 5 * (slotOfRank[rank] as number) + 1;
    let borrow: number = minus;
    for (let w = 3; w >= 0; w--) {
      const word = (boundWords[from + w] as number) - borrow;
      borrow = word < 0 ? 1 : 0;
      out[4 * k + w] = word; // stored modulo 2^32: -1 becomes 0xffffffff
    }
  });
  return out;
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

function collectFindings(
  parsed: readonly ParsedEntry[],
  items4: Items,
  order4: Uint32Array,
  items6: Items,
  order6: Uint32Array,
): IpFinding[] {
  const findings: IpFinding[] = [];
  const describe = (i: number) => `entry ${i} ${JSON.stringify((parsed[i] as ParsedEntry).entry.source)}`;
  parsed.forEach((p, i) => {
    if (p.hostBitsSet) {
      findings.push({
        code: 'host-bits-set',
        severity: 'warning',
        index: i,
        message: `${describe(i)} has host bits set; it is read as its network ${p.entry.first}-${p.entry.last}. Write the network address, or the single address if that was meant`,
      });
    }
    if (coversWholeFamily(p)) {
      findings.push({
        code: 'allow-everything',
        severity: 'warning',
        index: i,
        message: `${describe(i)} allows every IPv${p.family} address: the list does not restrict IPv${p.family} registrations`,
      });
    }
  });
  pairFindings(items4, order4, describe, findings);
  pairFindings(items6, order6, describe, findings);
  return findings.sort((a, b) => a.index - b.index);
}

// One pass over items in `order` (lo asc, end desc, index asc): equal neighbours are duplicates;
// otherwise the item reaching furthest so far either contains the item, overlaps it, or neither.
function pairFindings(
  items: Items,
  order: Uint32Array,
  describe: (index: number) => string,
  findings: IpFinding[],
): void {
  const { lo, end, index } = items;
  let best = order[0] as number; // a position; unused when there are no items
  let runStart = best;
  for (let j = 1; j < order.length; j++) {
    const item = order[j] as number;
    const prev = order[j - 1] as number;
    const itemEnd = end[item] as number;
    if (lo[item] === lo[prev] && itemEnd === end[prev]) {
      findings.push({
        code: 'duplicate-entry',
        severity: 'info',
        index: index[item] as number,
        relatedIndex: index[runStart] as number,
        message: `${describe(index[item] as number)} covers the same addresses as ${describe(index[runStart] as number)}; it adds nothing`,
      });
    } else {
      runStart = item;
      if ((end[best] as number) >= itemEnd) {
        findings.push({
          code: 'contained-entry',
          severity: 'info',
          index: index[item] as number,
          relatedIndex: index[best] as number,
          message: `${describe(index[item] as number)} lies inside ${describe(index[best] as number)}; it adds nothing`,
        });
      } else if ((end[best] as number) > (lo[item] as number)) {
        findings.push({
          code: 'overlapping-entries',
          severity: 'info',
          index: index[item] as number,
          relatedIndex: index[best] as number,
          message: `${describe(index[item] as number)} overlaps ${describe(index[best] as number)}`,
        });
      }
    }
    if (itemEnd > (end[best] as number)) best = item;
  }
}
