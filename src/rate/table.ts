// A carrier rate deck: E.164 prefixes with per-minute rates, looked up by longest prefix in a digit trie.
import { aggregateError, type SipguardIssue } from '../errors.js';
import { splitCsvLine } from './csv.js';
import { MAX_RATE_DECIMALS, type Rate, type RateProblem, rateFromCanonical, scanRate } from './money.js';

/** One deck entry: the prefix as digits (no `+`) and its per-minute rate. */
export interface RateEntry {
  readonly prefix: string;
  readonly rate: Rate;
}

/** One input entry of {@link RateTable.from}; other fields (such as a description) are ignored. */
export interface RateEntryInput {
  readonly prefix: string;
  readonly rate: string | number;
}

/** Options of {@link RateTable.fromCsv}. */
export interface RateDeckCsvOptions {
  /** 0-based column of the prefix. Set both columns or neither; when set, rows may have any other columns. */
  readonly prefixColumn?: number;
  /** 0-based column of the rate (see `prefixColumn`). */
  readonly rateColumn?: number;
}

/** E.164 numbers have at most 15 digits, so no longer prefix can ever match. */
export const MAX_PREFIX_DIGITS = 15;

/**
 * An immutable rate deck. Lookup walks a digit trie held in typed arrays: no scanning, no allocation
 * in {@link RateTable.lookupIndex}. Entries keep their input order; indexes are 0 to `size - 1`.
 */
export class RateTable {
  /** Number of entries (distinct prefixes). */
  readonly size: number;
  // The trie, two ints per node (a "record"; see packNodes for the layout). Record 0 is a dead end
  // whose walk stays at 0, so a walk steps without branching on whether a child exists.
  readonly #nodes: Int32Array;
  // Per value of the first #leadDigits digits: the record reached and the deepest record ending a
  // prefix on the way (-1 for none), so a lookup skips the upper levels with one read.
  readonly #lead: Int32Array;
  readonly #leadDigits: number;
  readonly #prefixes: readonly string[];
  readonly #rates: readonly Rate[];

  private constructor(builder: TrieBuilder) {
    this.#nodes = packNodes(builder);
    this.#leadDigits = leadDigitsFor(builder.nodeCount);
    this.#lead = leadTable(this.#nodes, this.#leadDigits);
    this.#prefixes = builder.prefixes;
    this.#rates = builder.rates;
    this.size = builder.prefixes.length;
    Object.freeze(this);
  }

  /**
   * Builds a table from entries such as `{ prefix: '+1876', rate: '0.1200' }`. Rates have at most 8
   * decimal places. Throws one `SipguardError` (`invalid-rate-deck`) listing every bad entry with
   * paths `/<index>/prefix`, `/<index>/rate` or `/<index>`; duplicates (`1` and `+1`) are errors.
   */
  static from(entries: readonly RateEntryInput[]): RateTable {
    const issues: SipguardIssue[] = [];
    if (!Array.isArray(entries)) {
      const issue: SipguardIssue = {
        path: '',
        code: 'wrong-type',
        message: 'rate entries must be an array of { prefix, rate }',
      };
      throw aggregateError('invalid-rate-deck', 'invalid rate deck', [issue]);
    }
    const builder = new TrieBuilder();
    const list: readonly unknown[] = entries;
    list.forEach((entry, index) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
        issues.push({
          path: `/${index}`,
          code: 'invalid-row',
          message: `entry ${index} must be an object { prefix, rate }`,
        });
        return;
      }
      const prefixValue = ownDataValue(entry, 'prefix');
      const prefix = checkPrefix(prefixValue);
      const rate = scanRate(ownDataValue(entry, 'rate'), MAX_RATE_DECIMALS, 'rate');
      if (typeof prefix !== 'string') issues.push({ path: `/${index}/prefix`, ...prefix });
      if (typeof rate !== 'string') issues.push({ path: `/${index}/rate`, ...rate });
      if (typeof prefix !== 'string' || typeof rate !== 'string') return;
      const earlier = builder.add(prefix, rate, index);
      if (earlier !== undefined) {
        issues.push({
          path: `/${index}/prefix`,
          code: 'duplicate-prefix',
          message: `prefix ${JSON.stringify(prefixValue)} duplicates entry ${earlier}`,
          input: prefixValue as string,
        });
      }
    });
    if (issues.length === 0 && builder.prefixes.length === 0) {
      issues.push({ path: '', code: 'empty-rate-deck', message: 'the rate deck has no entries' });
    }
    if (issues.length > 0) throw aggregateError('invalid-rate-deck', 'invalid rate deck', issues);
    return new RateTable(builder);
  }

  /**
   * Parses a CSV rate deck: `prefix,rate[,description]` per line, LF or CRLF, an optional header row
   * (a first row whose prefix and rate fields are both not valid), blank lines and `#` comment lines
   * skipped. Throws one `SipguardError` (`invalid-rate-deck`) listing every bad row with its `line`
   * and path `/lines/<line>`, `/lines/<line>/prefix` or `/lines/<line>/rate`. Nothing is partially loaded.
   */
  static fromCsv(text: string, options?: RateDeckCsvOptions): RateTable {
    if (typeof text !== 'string') throw new TypeError('RateTable.fromCsv expects the deck as a string');
    const columns = csvColumns(options);
    const issues: SipguardIssue[] = [];
    const builder = new TrieBuilder();
    let seenFirstRow = false;
    let start = text.charCodeAt(0) === 0xfeff ? 1 : 0; // a UTF-8 byte-order mark, as spreadsheets write
    let lineNo = 0;
    while (start <= text.length) {
      let end = text.indexOf('\n', start);
      if (end === -1) end = text.length;
      const next = end + 1;
      if (end > start && text.charCodeAt(end - 1) === 13) end--;
      const line = text.slice(start, end);
      start = next;
      lineNo++;
      if (isSkippedLine(line)) continue;
      const at = `/lines/${lineNo}`;
      const split = splitCsvLine(line);
      if ('error' in split) {
        issues.push({
          path: at,
          line: lineNo,
          code: 'invalid-row',
          message: `line ${lineNo} ${split.error}`,
          input: line,
        });
        seenFirstRow = true;
        continue;
      }
      const { fields } = split;
      const prefixText = fields[columns.prefix];
      const rateText = fields[columns.rate];
      const prefix = checkPrefix(prefixText);
      const rate = scanRate(rateText, MAX_RATE_DECIMALS, 'rate');
      const isFirstRow = !seenFirstRow;
      seenFirstRow = true;
      if (isFirstRow && typeof prefix !== 'string' && typeof rate !== 'string') continue; // the header row
      if (columns.count !== undefined && (fields.length < 2 || fields.length > columns.count)) {
        issues.push({
          path: at,
          line: lineNo,
          code: 'invalid-row',
          message: `line ${lineNo} has ${fields.length} fields; expected prefix, rate and an optional description`,
          input: line,
        });
        continue;
      }
      if (prefixText === undefined || rateText === undefined) {
        const needed = Math.max(columns.prefix, columns.rate) + 1;
        issues.push({
          path: at,
          line: lineNo,
          code: 'invalid-row',
          message: `line ${lineNo} has ${fields.length} fields; expected at least ${needed}`,
          input: line,
        });
        continue;
      }
      if (typeof prefix !== 'string') issues.push({ path: `${at}/prefix`, line: lineNo, ...prefix });
      if (typeof rate !== 'string') issues.push({ path: `${at}/rate`, line: lineNo, ...rate });
      if (typeof prefix !== 'string' || typeof rate !== 'string') continue;
      const earlier = builder.add(prefix, rate, lineNo);
      if (earlier !== undefined) {
        issues.push({
          path: `${at}/prefix`,
          line: lineNo,
          code: 'duplicate-prefix',
          message: `prefix ${JSON.stringify(prefixText)} on line ${lineNo} duplicates line ${earlier}`,
          input: prefixText,
        });
      }
    }
    if (issues.length === 0 && builder.prefixes.length === 0) {
      issues.push({ path: '', code: 'empty-rate-deck', message: 'the rate deck has no rows' });
    }
    if (issues.length > 0) throw aggregateError('invalid-rate-deck', 'invalid rate deck', issues);
    return new RateTable(builder);
  }

  /**
   * Index of the entry with the longest prefix of `e164` (digits with an optional leading `+`),
   * or -1 when no prefix matches or the text is not `+`? digits. Allocates nothing.
   */
  lookupIndex(e164: string): number {
    const n = e164.length;
    let i = n > 0 && e164.charCodeAt(0) === 43 ? 1 : 0;
    if (i === n) return -1;
    const nodes = this.#nodes;
    const leadDigits = this.#leadDigits;
    let at = ROOT;
    let best = -1; // the deepest record on the walk that ends a prefix
    if (n - i >= leadDigits) {
      let slot = 0;
      let outside = 0; // negative once a character is not a digit
      for (const end = i + leadDigits; i < end; i++) {
        const digit = e164.charCodeAt(i) - 48;
        outside |= digit | (9 - digit);
        slot = slot * 10 + digit;
      }
      if (outside < 0) return -1;
      at = this.#lead[2 * slot] ?? DEAD;
      best = this.#lead[2 * slot + 1] ?? -1;
    }
    let word = nodes[at] ?? 0;
    // Exactly as many steps as the subtree is high (or digits remain): the loop length is then the
    // same for most numbers and the CPU predicts it; a step off the trie lands on DEAD and stays.
    let stop = i + ((word >>> HEIGHT_SHIFT) & 15);
    if (stop > n) stop = n;
    for (; i < stop; i++) {
      const digit = e164.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return -1;
      at = ((nodes[at + 1] ?? 0) + 2 * digit) & -((word >>> digit) & 1);
      word = nodes[at] ?? 0;
      const ends = -((word >>> ENDS_PREFIX_SHIFT) & 1);
      best = (at & ends) | (best & ~ends);
    }
    // The rest must still be digits, so malformed input never matches.
    for (; i < n; i++) {
      const digit = e164.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return -1;
    }
    return best === -1 ? -1 : entryOfRecord(nodes, best);
  }

  /** The entry with the longest prefix of `e164`, or `undefined`: `{ prefix: '1876', rate }`. */
  lookup(e164: string): RateEntry | undefined {
    const index = this.lookupIndex(e164);
    return index === -1 ? undefined : { prefix: this.prefixAt(index), rate: this.rateAt(index) };
  }

  /** The prefix (digits, no `+`) of entry `index`; throws a RangeError outside 0 to `size - 1`. */
  prefixAt(index: number): string {
    const prefix = this.#prefixes[index];
    if (prefix === undefined) throw new RangeError(`no rate table entry ${index}`);
    return prefix;
  }

  /** The rate of entry `index`; throws a RangeError outside 0 to `size - 1`. */
  rateAt(index: number): Rate {
    const rate = this.#rates[index];
    if (rate === undefined) throw new RangeError(`no rate table entry ${index}`);
    return rate;
  }

  /**
   * For each entry index, 1 when its rate is strictly above `cap` (a call there is blocked), else 0.
   * Computed once per distinct cap when a policy is compiled, so the call path compares nothing.
   */
  aboveCap(cap: Rate): Uint8Array {
    const verdicts = new Uint8Array(this.size);
    const known = new Map<Rate, number>(); // rates are shared between entries with the same amount
    this.#rates.forEach((rate, index) => {
      let verdict = known.get(rate);
      if (verdict === undefined) {
        verdict = rate.compare(cap) > 0 ? 1 : 0;
        known.set(rate, verdict);
      }
      verdicts[index] = verdict;
    });
    return verdicts;
  }

  /** Every entry in input order. */
  *entries(): IterableIterator<RateEntry> {
    for (let index = 0; index < this.size; index++) {
      yield { prefix: this.prefixAt(index), rate: this.rateAt(index) };
    }
  }
}

// Grows the trie arrays by doubling while a deck loads; the table keeps exact-size copies.
class TrieBuilder {
  children = new Int32Array(10 * 1024);
  entryAt = new Int32Array(1024);
  nodeCount = 1;
  readonly prefixes: string[] = [];
  readonly rates: Rate[] = [];
  // One Rate per distinct amount: real decks repeat a few hundred amounts across many prefixes.
  readonly #rateByText = new Map<string, Rate>();
  // Per entry: the caller's tag (input index or line number), to name the earlier of two duplicates.
  readonly #tags: number[] = [];

  /** Adds an entry; returns the `tag` of the entry already holding this prefix, if any. */
  add(digits: string, canonicalRate: string, tag: number): number | undefined {
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
    if (existing !== 0) return this.#tags[existing - 1];
    this.prefixes.push(digits);
    this.#tags.push(tag);
    let rate = this.#rateByText.get(canonicalRate);
    if (rate === undefined) {
      rate = rateFromCanonical(canonicalRate);
      this.#rateByText.set(canonicalRate, rate);
    }
    this.rates.push(rate);
    this.entryAt[node] = this.prefixes.length;
    return undefined;
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

// A record's first int: bits 0-9 say which digits have a child, bit 10 that the node ends a prefix,
// bits 11-14 its height (digits down to its deepest descendant, at most MAX_PREFIX_DIGITS).
const CHILD_BITS = 0x3ff;
const ENDS_PREFIX_SHIFT = 10;
const HEIGHT_SHIFT = 11;
const DEAD = 0;
const ROOT = 2;
// 10^5 slots of two ints (800 KiB) once a deck has 100k nodes: 10^digits stays at most the node
// count, so the lead table is never larger than the records.
const MAX_LEAD_DIGITS = 5;

function leadDigitsFor(nodeCount: number): number {
  let digits = 0;
  while (digits < MAX_LEAD_DIGITS && 10 ** (digits + 1) <= nodeCount) digits++;
  return digits;
}

/** The entry index of a record that ends a prefix. */
function entryOfRecord(nodes: Int32Array, at: number): number {
  const bits = (nodes[at] ?? 0) & CHILD_BITS;
  const second = nodes[at + 1] ?? 0;
  if (bits === 0) return second;
  return nodes[second + 2 * lowestDigit(bits) - 2] ?? -1;
}

// Lays the builder's trie out as records of two ints: the first as described above; the second is
// a leaf's entry index or, for a node with children, the record index of its child for digit 0
// (its children are one block of records from its lowest to its highest digit, unused ones zero, so
// the child for digit d is at second + 2d). A node with children that ends a prefix keeps its entry
// in a two-int header just before its block. Blocks are placed depth first, so a walk down a chain
// of digits reads neighbouring memory.
function packNodes(builder: TrieBuilder): Int32Array {
  const { children, entryAt, nodeCount } = builder;
  // Each node's first int (see RateTable.#nodes). A child is created after its parent, so
  // descending ids see every child's height before its parent's.
  const words = new Int32Array(nodeCount);
  let size = ROOT + 2;
  for (let node = nodeCount - 1; node >= 0; node--) {
    let bits = 0;
    let height = 0;
    for (let d = 0; d < 10; d++) {
      const child = intAt(children, node * 10 + d);
      if (child === 0) continue;
      bits |= 1 << d;
      height = Math.max(height, ((intAt(words, child) >>> HEIGHT_SHIFT) & 15) + 1);
    }
    const ends = intAt(entryAt, node) !== 0 ? 1 : 0;
    words[node] = bits | (ends << ENDS_PREFIX_SHIFT) | (height << HEIGHT_SHIFT);
    if (bits !== 0) size += 2 * spanOf(bits) + 2 * ends;
  }
  const nodes = new Int32Array(size);
  nodes[ROOT] = intAt(words, 0);
  let free = ROOT + 2;
  // Places the child block of `node`, whose record is `at`, then the blocks below it, lowest digit
  // first. Recursion is at most MAX_PREFIX_DIGITS deep.
  const place = (node: number, at: number): void => {
    const bits = intAt(words, node) & CHILD_BITS;
    const entry = intAt(entryAt, node);
    if (bits === 0) {
      nodes[at + 1] = entry - 1; // a leaf always ends a prefix
      return;
    }
    if (entry !== 0) {
      nodes[free] = entry - 1;
      free += 2;
    }
    const lowest = lowestDigit(bits);
    const start = free;
    nodes[at + 1] = start - 2 * lowest;
    free += 2 * spanOf(bits);
    for (let d = lowest; d < 10; d++) {
      const child = intAt(children, node * 10 + d);
      if (child !== 0) nodes[start + 2 * (d - lowest)] = intAt(words, child);
    }
    for (let d = lowest; d < 10; d++) {
      const child = intAt(children, node * 10 + d);
      if (child !== 0) place(child, start + 2 * (d - lowest));
    }
  };
  place(0, ROOT);
  return nodes;
}

// Fills the lead table by walking every digit string of length `digits` from the root.
function leadTable(nodes: Int32Array, digits: number): Int32Array {
  const lead = new Int32Array(2 * 10 ** digits);
  const fill = (at: number, best: number, depth: number, slot: number): void => {
    if (depth === digits) {
      lead[2 * slot] = at;
      lead[2 * slot + 1] = best;
      return;
    }
    const word = intAt(nodes, at);
    for (let d = 0; d < 10; d++) {
      const child = ((word >>> d) & 1) === 0 ? DEAD : intAt(nodes, at + 1) + 2 * d;
      const ends = ((intAt(nodes, child) >>> ENDS_PREFIX_SHIFT) & 1) !== 0;
      fill(child, ends ? child : best, depth + 1, slot * 10 + d);
    }
  };
  fill(ROOT, -1, 0, 0);
  return lead;
}

/** The lowest digit whose bit is set in `bits` (non-zero). */
function lowestDigit(bits: number): number {
  return 31 - Math.clz32(bits & -bits);
}

/** Records in a child block: from the lowest to the highest digit in `bits` (non-zero). */
function spanOf(bits: number): number {
  return 32 - Math.clz32(bits) - lowestDigit(bits);
}

// Build-time reads at indexes the loops keep in range; 0 stands in for the impossible undefined.
function intAt(array: Int32Array, index: number): number {
  return array[index] ?? 0;
}

/** Digits of a prefix (`+1876` → `1876`), or the problem with it. */
// Only own data properties count: an inherited `prefix` (a polluted Object.prototype) or a getter
// is treated as absent, so nothing outside the entry itself can shape the deck.
function ownDataValue(holder: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(holder, key);
  return descriptor !== undefined && Object.hasOwn(descriptor, 'value') ? descriptor.value : undefined;
}

function checkPrefix(raw: unknown): string | RateProblem {
  if (typeof raw !== 'string') {
    const shown = raw === undefined ? 'nothing' : raw === null ? 'null' : `a ${typeof raw}`;
    return { code: 'invalid-prefix', message: `invalid prefix: expected a string of digits, got ${shown}` };
  }
  const quoted = JSON.stringify(raw.length > 40 ? `${raw.slice(0, 40)}…` : raw);
  const bad = (why: string): RateProblem => ({
    code: 'invalid-prefix',
    message: `invalid prefix ${quoted}: ${why}`,
    input: raw,
  });
  const digits = raw.charCodeAt(0) === 43 ? raw.slice(1) : raw;
  if (digits.length === 0) return bad('is empty; expected E.164 digits such as "1876" or "+1876"');
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57) return bad('must be digits with an optional leading "+"');
  }
  if (digits.length > MAX_PREFIX_DIGITS)
    return bad(`is longer than ${MAX_PREFIX_DIGITS} digits, the E.164 maximum`);
  if (digits.charCodeAt(0) === 48) {
    return bad(
      'starts with 0; E.164 prefixes begin with a country code (drop an access code such as 00 or 011)',
    );
  }
  return digits;
}

function csvColumns(options: RateDeckCsvOptions | undefined): {
  prefix: number;
  rate: number;
  count: number | undefined;
} {
  const prefix = options?.prefixColumn;
  const rate = options?.rateColumn;
  if (prefix === undefined && rate === undefined) return { prefix: 0, rate: 1, count: 3 };
  if (prefix === undefined || rate === undefined) {
    throw new RangeError('set both prefixColumn and rateColumn, or neither');
  }
  const p = prefix;
  const r = rate;
  for (const [name, value] of [
    ['prefixColumn', p],
    ['rateColumn', r],
  ] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
    }
  }
  if (p === r) throw new RangeError(`prefixColumn and rateColumn must differ, both are ${p}`);
  return { prefix: p, rate: r, count: undefined };
}

function isSkippedLine(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) continue;
    return c === 35; // '#'
  }
  return true;
}
