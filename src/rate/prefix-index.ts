// The prefix index of a rate deck: longest-prefix lookup in a lead table and small sorted interval
// nodes, laid out once from the digit trie the deck was loaded into. Digits are read in chunks, each
// digit as d + 1 in base 11 with 0 for "the number has ended", so a shorter number sorts before every
// longer one under it.

/**
 * A digit trie, grown by doubling while a deck loads; the index is laid out from it, then it is
 * dropped. `entryAt[node]` is 1 + the entry index of the prefix ending at `node`, or 0.
 */
export class DigitTrie {
  children = new Int32Array(10 * 1024);
  entryAt = new Int32Array(1024);
  nodeCount = 1;

  /** Records `entry` as the entry of `digits`, unless one is there: then returns that one's index, else -1. */
  insert(digits: string, entry: number): number {
    let node = 0;
    for (let i = 0; i < digits.length; i++) {
      const slot = node * 10 + digits.charCodeAt(i) - 48;
      let child = this.children[slot] ?? 0;
      if (child === 0) {
        child = this.#newNode();
        this.children[slot] = child;
      }
      node = child;
    }
    const existing = this.entryAt[node] ?? 0;
    if (existing !== 0) return existing - 1;
    this.entryAt[node] = entry + 1;
    return -1;
  }

  /**
   * Per entry (`count` of them): the entry of its longest proper prefix in the trie, or -1. Read by
   * dated decks, whose lookup falls back to a shorter prefix when a longer one has no row in force.
   */
  parents(count: number): Int32Array {
    const parents = new Int32Array(count).fill(-1);
    // Depth-first, carrying the nearest entry above each node.
    const nodes: number[] = [0];
    const above: number[] = [-1];
    while (nodes.length > 0) {
      const node = nodes.pop() ?? 0;
      const nearest = above.pop() ?? -1;
      const own = (this.entryAt[node] ?? 0) - 1;
      if (own >= 0) parents[own] = nearest;
      for (let d = 0; d < 10; d++) {
        const child = this.children[node * 10 + d] ?? 0;
        if (child === 0) continue;
        nodes.push(child);
        above.push(own >= 0 ? own : nearest);
      }
    }
    return parents;
  }

  #newNode(): number {
    if (this.nodeCount === this.entryAt.length) {
      const grownEntryAt = new Int32Array(this.entryAt.length * 2);
      grownEntryAt.set(this.entryAt);
      this.entryAt = grownEntryAt;
      const grownChildren = new Int32Array(this.children.length * 2);
      grownChildren.set(this.children);
      this.children = grownChildren;
    }
    return this.nodeCount++;
  }
}

/**
 * Longest-prefix lookup of a deck's entries. `lead` holds, per value of the first `leadDigits`
 * digits, a payload: an entry index, -1 for no match, or -2 - p for the interval node at nodes[p]
 * that resolves the next NODE_DIGITS digits (see buildIntervals for its layout).
 */
export class PrefixIndex {
  readonly #lead: Int32Array;
  readonly #leadDigits: number;
  readonly #nodes: Int32Array;

  constructor(trie: DigitTrie) {
    this.#leadDigits = leadDigitsFor(trie.nodeCount);
    const { lead, nodes } = buildIntervals(trie, this.#leadDigits);
    this.#lead = lead;
    this.#nodes = nodes;
    Object.freeze(this);
  }

  /**
   * The number of intervals of the node that resolves the digits after `digits` (the lead digits,
   * then whole chunks), or 0 when they lead to an answer rather than a node. For layout tests only.
   */
  intervalsAfter(digits: string): number {
    if (digits.length < this.#leadDigits || (digits.length - this.#leadDigits) % NODE_DIGITS !== 0) return 0;
    let payload = this.#lead[paddedChunkValue(digits, 0, this.#leadDigits)] ?? -1;
    for (let i = this.#leadDigits; i < digits.length && payload < -1; i += NODE_DIGITS) {
      payload = nodePayload(this.#nodes, -2 - payload, paddedChunkValue(digits, i, NODE_DIGITS));
    }
    return payload < -1 ? (this.#nodes[-2 - payload] ?? 0) : 0;
  }

  /**
   * Index of the entry with the longest prefix of `e164` (digits with an optional leading `+`),
   * or -1 when no prefix matches or the text is not `+`? digits. Allocates nothing.
   */
  lookup(e164: string): number {
    const n = e164.length;
    let i = n > 0 && e164.charCodeAt(0) === 43 ? 1 : 0;
    if (i === n) return -1;
    const leadDigits = this.#leadDigits;
    let value =
      leadDigits === MAX_LEAD_DIGITS && n - i >= MAX_LEAD_DIGITS
        ? fiveDigitsValue(e164, i)
        : paddedChunkValue(e164, i, leadDigits);
    if (value < 0) return -1;
    i += leadDigits;
    let payload = this.#lead[value] ?? -1;
    const nodes = this.#nodes;
    // Each node covers 4 more digits, so a walk ends within four nodes (prefixes have at most 15).
    while (payload < -1) {
      const at = -2 - payload;
      value = n - i >= NODE_DIGITS ? fourDigitsValue(e164, i) : paddedChunkValue(e164, i, NODE_DIGITS);
      if (value < 0) return -1;
      i += NODE_DIGITS;
      payload = nodePayload(nodes, at, value);
    }
    // The rest must still be digits, so malformed input never matches.
    for (; i < n; i++) {
      const c = e164.charCodeAt(i);
      if (c < 48 || c > 57) return -1;
    }
    return payload;
  }
}

const RADIX = 11;
// Digits resolved by one interval node: 11^4 values, so a node has at most 14,641 intervals. The
// lookup reads a full chunk with fourDigitsValue, and the lead digits of a large deck (5) with
// fiveDigitsValue.
const NODE_DIGITS = 4;
// Nodes of up to this many intervals (a power of 4) are searched in a fixed number of rounds.
const SMALL_NODE = 16;
// 11^5 lead slots (629 KiB) once a deck has that many trie nodes: the lead table is never larger
// than the trie it stands for.
const MAX_LEAD_DIGITS = 5;
/** RADIX ** k for k = 0 to MAX_LEAD_DIGITS. */
const POWERS = [1, 11, 121, 1331, 14_641, 161_051] as const;

function leadDigitsFor(nodeCount: number): number {
  let digits = 0;
  while (digits < MAX_LEAD_DIGITS && RADIX ** (digits + 1) <= nodeCount) digits++;
  return digits;
}

// One interval of a chunk's values: where it starts and its payload (an entry index or -1); or, with
// `below`, the trie node whose subtree continues past the chunk and the entry inherited from above
// it, whose node is placed later (payload is then a placeholder).
interface Interval {
  start: number;
  payload: number;
  below?: { node: number; best: number };
}

// Growable int storage for the interval nodes while they are laid out.
class IntList {
  ints = new Int32Array(1024);
  length = 0;

  reserve(count: number): number {
    const at = this.length;
    while (this.length + count > this.ints.length) {
      const grown = new Int32Array(this.ints.length * 2);
      grown.set(this.ints);
      this.ints = grown;
    }
    this.length += count;
    return at;
  }
}

// Lays the trie out as a lead table over the first `leadDigits` digits and interval nodes over each
// following chunk of NODE_DIGITS digits. Every value of a chunk falls in exactly one interval, whose
// payload is the entry of the longest prefix ending within the chunk or above it ("leaf pushing"),
// so a lookup never looks back up. A node of c intervals at p holds c at p, the starts of intervals
// 1 to c - 1 (ascending; interval 0 starts at 0) at p + 1 to p + c - 1, and the payloads of
// intervals 0 to c - 1 at p + c to p + 2c - 1. A node is placed before the nodes below it.
function buildIntervals(trie: DigitTrie, leadDigits: number): { lead: Int32Array; nodes: Int32Array } {
  const { children, entryAt } = trie;
  const hasChildren = (node: number) => {
    for (let d = 0; d < 10; d++) if (intAt(children, node * 10 + d) !== 0) return true;
    return false;
  };
  // The chunk being collected by visit: its intervals and its number of digits.
  let out: Interval[] = [];
  let digits = 0;
  const add = (start: number, payload: number, below?: Interval['below']) => {
    const last = out[out.length - 1];
    if (below !== undefined) out.push({ start, payload, below });
    else if (last === undefined || last.below !== undefined || last.payload !== payload)
      out.push({ start, payload });
  };
  // `value` is the base-11 value of the `depth` digits of the chunk read down to `node`; `best` the
  // entry of the longest prefix ending at `node` or above it.
  const visit = (node: number, depth: number, value: number, best: number): void => {
    const scale = POWERS[digits - depth] ?? 0;
    if (!hasChildren(node)) {
      add(value * scale, best);
    } else if (depth === digits) {
      add(value, 0, { node, best });
    } else {
      add(value * scale, best); // the number ends here
      for (let d = 0; d < 10; d++) {
        const child = intAt(children, node * 10 + d);
        const childValue = value * RADIX + d + 1;
        const entry = intAt(entryAt, child);
        if (child === 0) add(childValue * (scale / RADIX), best);
        else visit(child, depth + 1, childValue, entry === 0 ? best : entry - 1);
      }
    }
  };
  // The intervals of `chunkDigits` digits below trie node `top`, merged where neighbours agree.
  const chunk = (top: number, best: number, chunkDigits: number): Interval[] => {
    out = [];
    digits = chunkDigits;
    visit(top, 0, 0, best);
    return out;
  };
  const nodes = new IntList();
  // Places the node for `intervals` and, after it, the nodes below it; returns its payload.
  const place = (intervals: readonly Interval[]): number => {
    const count = intervals.length;
    const at = nodes.reserve(2 * count);
    nodes.ints[at] = count;
    intervals.forEach((interval, j) => {
      // Placing a node below may grow (replace) nodes.ints: read it after.
      const payload = payloadOf(interval);
      if (j > 0) nodes.ints[at + j] = interval.start;
      nodes.ints[at + count + j] = payload;
    });
    return -2 - at;
  };
  const payloadOf = (interval: Interval): number => {
    const { below } = interval;
    return below === undefined ? interval.payload : place(chunk(below.node, below.best, NODE_DIGITS));
  };
  const lead = new Int32Array(POWERS[leadDigits] ?? 1);
  const leadIntervals = chunk(0, -1, leadDigits);
  leadIntervals.forEach((interval, j) => {
    const end = leadIntervals[j + 1]?.start ?? lead.length;
    lead.fill(payloadOf(interval), interval.start, end);
  });
  // Zeros past the last node, so that its probes past its count (masked out) stay inside the array.
  nodes.reserve(SMALL_NODE);
  return { lead, nodes: nodes.ints.slice(0, nodes.length) };
}

/**
 * The payload of the interval of the node at `at` that holds `value`: the last one starting at or
 * below it. A node of at most 16 intervals is searched in two rounds of three independent probes
 * (which quarter, then which interval in it), a probe at or past the count counting as above `value`;
 * larger ones by halving. Probes add through masks, not branches, so the CPU has nothing to mispredict.
 */
function nodePayload(nodes: Int32Array, at: number, value: number): number {
  const count = nodes[at] ?? 1;
  let low = 0;
  if (count <= SMALL_NODE) {
    for (let step = SMALL_NODE / 4; step > 0; step >>>= 2) {
      const p1 = low + step;
      const p2 = p1 + step;
      const p3 = p2 + step;
      low +=
        (step & ((p1 - count) >> 31) & ~((value - (nodes[at + p1] ?? 0)) >> 31)) +
        (step & ((p2 - count) >> 31) & ~((value - (nodes[at + p2] ?? 0)) >> 31)) +
        (step & ((p3 - count) >> 31) & ~((value - (nodes[at + p3] ?? 0)) >> 31));
    }
  } else {
    for (let span = count; span > 1; ) {
      const half = span >>> 1;
      low += half & ~((value - (nodes[at + low + half] ?? 0)) >> 31);
      span -= half;
    }
  }
  return nodes[at + count + low] ?? -1;
}

/** The base-11 value of the 4 digits of `text` at `from` (in range), or -1 if one is not a digit. */
function fourDigitsValue(text: string, from: number): number {
  const d0 = text.charCodeAt(from) - 48;
  const d1 = text.charCodeAt(from + 1) - 48;
  const d2 = text.charCodeAt(from + 2) - 48;
  const d3 = text.charCodeAt(from + 3) - 48;
  // Independent products instead of a chain of multiplications, so the reads overlap.
  const value = d0 * 1331 + d1 * 121 + d2 * 11 + d3 + 1464;
  return (d0 | (9 - d0) | d1 | (9 - d1) | d2 | (9 - d2) | d3 | (9 - d3)) < 0 ? -1 : value;
}

/** As {@link fourDigitsValue}, for the 5 lead digits of a large deck. */
function fiveDigitsValue(text: string, from: number): number {
  const d0 = text.charCodeAt(from) - 48;
  const d1 = text.charCodeAt(from + 1) - 48;
  const d2 = text.charCodeAt(from + 2) - 48;
  const d3 = text.charCodeAt(from + 3) - 48;
  const d4 = text.charCodeAt(from + 4) - 48;
  const value = d0 * 14_641 + d1 * 1331 + d2 * 121 + d3 * 11 + d4 + 16_105;
  const outside = d0 | (9 - d0) | d1 | (9 - d1) | d2 | (9 - d2) | d3 | (9 - d3) | d4 | (9 - d4);
  return outside < 0 ? -1 : value;
}

/**
 * The base-11 value of `digits` characters of `text` from `from`, digit d counting as d + 1 and a
 * position past the end as 0 ("ended"); -1 if one of them is not a digit.
 */
function paddedChunkValue(text: string, from: number, digits: number): number {
  let value = 0;
  for (let at = from; at < from + digits; at++) {
    value *= RADIX;
    if (at >= text.length) continue;
    const digit = text.charCodeAt(at) - 48;
    if (digit < 0 || digit > 9) return -1;
    value += digit + 1;
  }
  return value;
}

// Build-time reads at indexes the loops keep in range; 0 stands in for the impossible undefined.
function intAt(array: Int32Array, index: number): number {
  return array[index] ?? 0;
}
