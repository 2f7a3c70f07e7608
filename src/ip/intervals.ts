// Building the interval layout of an allow-list (configuration path): per family, the entries as
// half-open intervals sorted by radix sorts, merged into disjoint intervals and swept into elementary
// segments; IPv6 bounds ranked as 32-bit words, so the compile does no per-bound BigInt arithmetic.
import { FLAG_IPV6, type ParsedList } from './parsed-list.js';

/** One family's items and their positions by (lo asc, end desc, index asc), as the findings read them. */
export interface SortedItems {
  readonly items: Items;
  readonly order: Uint32Array;
}

/**
 * What IpAllowList searches, by family: merged intervals (inclusive, sorted; IPv6 as four words per
 * bound) with the entries inside each, and elementary segments with the first entry containing each;
 * plus every entry's own bounds, by entry index.
 */
export interface CompiledIntervals {
  readonly v4Lo: Uint32Array;
  readonly v4Hi: Uint32Array;
  /** The entries inside merged interval k are v4Members[v4MemberStart[k] .. v4MemberStart[k + 1]). */
  readonly v4MemberStart: Int32Array;
  readonly v4Members: Int32Array;
  readonly v4SegLo: Uint32Array;
  readonly v4SegHi: Uint32Array;
  readonly v4SegEntry: Int32Array;
  readonly v6Lo: Uint32Array;
  readonly v6Hi: Uint32Array;
  readonly v6MemberStart: Int32Array;
  readonly v6Members: Int32Array;
  readonly v6SegLo: Uint32Array;
  readonly v6SegHi: Uint32Array;
  readonly v6SegEntry: Int32Array;
  /** Each IPv4 entry's bounds, by entry index (unset for IPv6 entries). */
  readonly entryLo4: Float64Array;
  readonly entryHi4: Float64Array;
  /** An IPv6 entry's bounds are the eight words from entryBounds6[8 * entryOrdinal6[index]] (first, then last). */
  readonly entryOrdinal6: Int32Array;
  readonly entryBounds6: Uint32Array;
  readonly sorted4: SortedItems;
  readonly sorted6: SortedItems;
}

/** Lays out the intervals of parsed entries, in input order. */
export function compileIntervals(parsed: ParsedList): CompiledIntervals {
  const n = parsed.entries.length;
  const { flags, lo4, hi4 } = parsed;
  // Both families are compiled as numbers, in half-open form [lo, end): IPv4 by value, IPv6 by
  // rank among its distinct bounds (ranks keep order, equality and adjacency of the bounds).
  const count6 = parsed.count6;
  const entryBounds6 = parsed.bounds6();
  const items4 = newItems(n - count6);
  const items6 = newItems(count6);
  let count4 = 0;
  let ordinal6 = 0;
  for (let i = 0; i < n; i++) {
    if (((flags[i] as number) & FLAG_IPV6) === 0) {
      items4.lo[count4] = lo4[i] as number;
      items4.end[count4] = (hi4[i] as number) + 1;
      items4.index[count4++] = i;
    } else {
      items6.index[ordinal6++] = i;
    }
  }
  // IPv6 bound slot s (2k: start of the k-th IPv6 entry, 2k + 1: its end + 1) as five words from
  // boundWords[5s]: a carry word (1 only for 2^128, the end of a list reaching ffff:...:ffff), then the
  // four 32-bit words of the value. Words keep the compile free of per-bound BigInt arithmetic.
  const boundWords = new Uint32Array(5 * 2 * count6);
  for (let k = 0; k < count6; k++) {
    const from = 8 * k;
    const to = 10 * k;
    for (let w = 0; w < 4; w++) {
      boundWords[to + 1 + w] = entryBounds6[from + w] as number;
      boundWords[to + 6 + w] = entryBounds6[from + 4 + w] as number;
    }
    incrementWords(boundWords, to + 5);
  }
  // Ranks come from a radix sort of the bounds by their five words (least significant first), not
  // from a Map or a comparator sort: no BigInt keys, no comparator calls.
  const slots = 2 * count6;
  let order = identityOrder(slots);
  let spare: Uint32Array = new Uint32Array(slots);
  for (let w = 4; w >= 0; w--) [order, spare] = radixSortByWord(order, spare, boundWords, 5, w);
  // The distinct bound values in ascending order, five words each as in boundWords: value r is the
  // bound of rank r, so packing ranks that ascend reads this array forwards, not boundWords at random.
  const rankWords = new Uint32Array(5 * slots);
  const rankOfSlot = new Int32Array(slots);
  let rank = -1;
  for (let i = 0; i < slots; i++) {
    const slot = order[i] as number;
    if (rank < 0 || !sameBound(boundWords, 5 * slot, rankWords, 5 * rank)) {
      rank++;
      for (let w = 0; w < 5; w++) rankWords[5 * rank + w] = boundWords[5 * slot + w] as number;
    }
    rankOfSlot[slot] = rank;
  }
  for (let k = 0; k < count6; k++) {
    items6.lo[k] = rankOfSlot[2 * k] as number;
    items6.end[k] = rankOfSlot[2 * k + 1] as number;
  }
  const plan4 = compileFamily(items4);
  const plan6 = compileFamily(items6);
  // The four words of the bounds with these ranks, minus `minus` (0 or 1), for the lookup arrays.
  const pack6 = (ranks: Float64Array, minus: 0 | 1) => packRankWords(ranks, rankWords, minus);

  return {
    v4Lo: Uint32Array.from(plan4.mergedLo),
    v4Hi: Uint32Array.from(plan4.mergedEnd, (end) => end - 1),
    v4MemberStart: plan4.memberStart,
    v4Members: plan4.members,
    v4SegLo: Uint32Array.from(plan4.segmentLo),
    v4SegHi: Uint32Array.from(plan4.segmentEnd, (end) => end - 1),
    v4SegEntry: plan4.segmentEntry,
    v6Lo: pack6(plan6.mergedLo, 0),
    v6Hi: pack6(plan6.mergedEnd, 1),
    v6MemberStart: plan6.memberStart,
    v6Members: plan6.members,
    v6SegLo: pack6(plan6.segmentLo, 0),
    v6SegHi: pack6(plan6.segmentEnd, 1),
    v6SegEntry: plan6.segmentEntry,
    entryLo4: lo4,
    entryHi4: hi4,
    entryOrdinal6: parsed.ordinal6,
    entryBounds6,
    sorted4: { items: items4, order: plan4.order },
    sorted6: { items: items6, order: plan6.order },
  };
}

/**
 * One family's entries as half-open intervals [lo[k], end[k]) of numbers (values for IPv4, ranks for
 * IPv6) with their entry index[k], by position k in ascending entry index. Parallel typed arrays, not
 * an object per entry: a compile of 100k entries allocates a few arrays instead of 100k objects.
 */
export interface Items {
  readonly lo: Float64Array;
  readonly end: Float64Array;
  readonly index: Int32Array;
}
interface FamilyPlan {
  /** Positions of the items by lo ascending, end descending, index ascending. */
  readonly order: Uint32Array;
  /** Merged interval m is [mergedLo[m], mergedEnd[m]). */
  readonly mergedLo: Float64Array;
  readonly mergedEnd: Float64Array;
  /** The entries inside merged interval m: members[memberStart[m] .. memberStart[m + 1]), by index. */
  readonly memberStart: Int32Array;
  readonly members: Int32Array;
  /** Elementary segment s is [segmentLo[s], segmentEnd[s]); its first entry (input order) is segmentEntry[s]. */
  readonly segmentLo: Float64Array;
  readonly segmentEnd: Float64Array;
  readonly segmentEntry: Int32Array;
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
  // `order`, so its members are one slice of `members`, then sorted by entry index. Outputs are
  // typed arrays of the most they can hold (one merged interval per item), cut to size at the end.
  const mergedLo = new Float64Array(count);
  const mergedEnd = new Float64Array(count);
  const starts = new Int32Array(count + 1);
  const members = new Int32Array(count);
  let merged = 0;
  let mergedTo = 0;
  for (let j = 0; j < count; j++) {
    const k = order[j] as number;
    const itemLo = lo[k] as number;
    const itemEnd = end[k] as number;
    members[j] = index[k] as number;
    if (merged > 0 && itemLo <= mergedTo) {
      if (itemEnd > mergedTo) {
        mergedTo = itemEnd;
        mergedEnd[merged - 1] = itemEnd;
      }
    } else {
      mergedLo[merged] = itemLo;
      mergedEnd[merged] = itemEnd;
      starts[merged++] = j;
      mergedTo = itemEnd;
    }
  }
  starts[merged] = count;
  const memberStart = starts.slice(0, merged + 1);
  for (let m = 0; m < merged; m++) {
    const from = memberStart[m] as number;
    const to = memberStart[m + 1] as number;
    if (to - from > 1) members.subarray(from, to).sort();
  }

  // Sweep the boundaries with a min-heap of active positions (expired ones are dropped lazily when
  // they reach the top): between two boundaries the first active entry is constant. The 2n
  // boundaries make at most 2n - 1 segments.
  const points = mergeBoundaries(lo, order, end, byEndDescending);
  const segmentLo = new Float64Array(points.length);
  const segmentEnd = new Float64Array(points.length);
  const segmentEntry = new Int32Array(points.length);
  let segments = 0;
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
    if (segments > 0 && segmentEntry[segments - 1] === entry && segmentEnd[segments - 1] === point) {
      segmentEnd[segments - 1] = nextPoint;
    } else {
      segmentLo[segments] = point;
      segmentEnd[segments] = nextPoint;
      segmentEntry[segments++] = entry;
    }
  }
  return {
    order,
    mergedLo: mergedLo.subarray(0, merged),
    mergedEnd: mergedEnd.subarray(0, merged),
    memberStart,
    members,
    segmentLo: segmentLo.subarray(0, segments),
    segmentEnd: segmentEnd.subarray(0, segments),
    segmentEntry: segmentEntry.slice(0, segments),
  };
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
// It grows to the widest digit sorted so far (2^16 + 1 counts, 256 KiB, at most): short lists keep it small.
let digitStarts = new Uint32Array(2 ** 8 + 1);

/**
 * Stable LSD radix sort of `order`, a permutation of 0 .. n - 1, by the 32-bit key
 * `keys[stride * e + offset]` of each element e. Only the bits that differ between some two keys are
 * sorted on, in digits of about log2(n) bits (8 to 16): few passes over a long list, a small histogram
 * for a short one. Returns [sorted, spare]: the two buffers, the sorted permutation first.
 */
export function radixSortByWord(
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
  let varying = all ^ any; // the bits that differ between some two keys, not yet sorted on
  const width = Math.min(16, Math.max(8, 31 - Math.clz32(n)));
  const mask = 2 ** width - 1;
  if (digitStarts.length < mask + 2) digitStarts = new Uint32Array(mask + 2);
  const counts = digitStarts;
  let from = order;
  let to = spare;
  while (varying !== 0) {
    const shift = 31 - Math.clz32(varying & -varying); // the lowest such bit starts the digit
    counts.fill(0, 0, mask + 2);
    // Counting needs no order: reading the keys by element, not through `from`, keeps it sequential.
    for (let e = 0; e < n; e++) {
      const digit = ((keys[stride * e + offset] as number) >>> shift) & mask;
      counts[digit + 1] = (counts[digit + 1] as number) + 1;
    }
    for (let d = 1; d <= mask + 1; d++) {
      counts[d] = (counts[d] as number) + (counts[d - 1] as number);
    }
    for (let i = 0; i < n; i++) {
      const e = from[i] as number;
      const digit = ((keys[stride * e + offset] as number) >>> shift) & mask;
      const at = counts[digit] as number;
      to[at] = e;
      counts[digit] = at + 1;
    }
    [from, to] = [to, from];
    const sorted = shift + width; // bits below this are done
    varying = sorted >= 32 ? 0 : varying & ~(2 ** sorted - 1);
  }
  return [from, to];
}

// True if the five-word bound values at a[from] and b[at] are equal.
function sameBound(a: Uint32Array, from: number, b: Uint32Array, at: number): boolean {
  for (let w = 0; w < 5; w++) if (a[from + w] !== b[at + w]) return false;
  return true;
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
function packRankWords(ranks: Float64Array, rankWords: Uint32Array, minus: 0 | 1): Uint32Array {
  const out = new Uint32Array(4 * ranks.length);
  for (let k = 0; k < ranks.length; k++) {
    const from = 5 * (ranks[k] as number) + 1;
    let borrow: number = minus;
    for (let w = 3; w >= 0; w--) {
      const word = (rankWords[from + w] as number) - borrow;
      borrow = word < 0 ? 1 : 0;
      out[4 * k + w] = word; // stored modulo 2^32: -1 becomes 0xffffffff
    }
  }
  return out;
}
