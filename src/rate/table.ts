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
  // The trie's inner nodes, ROW ints each: slots 0-9 hold the child for that digit (a positive row
  // offset for an inner node, -(entry + 1) for a leaf, 0 for none); slot 10 holds entry + 1 or 0.
  // Rows are in depth-first order, so a walk down a chain of digits reads neighbouring memory.
  readonly #rows: Int32Array;
  readonly #prefixes: readonly string[];
  readonly #rates: readonly Rate[];

  private constructor(builder: TrieBuilder) {
    this.#rows = packRows(builder);
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
    const rows = this.#rows;
    let row = 0;
    let best = -1;
    for (; i < n; i++) {
      const digit = e164.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return -1;
      const child = rows[row + digit] ?? 0;
      if (child > 0) {
        row = child;
        const entry = rows[row + 10] ?? 0;
        if (entry !== 0) best = entry - 1;
        continue;
      }
      if (child < 0) best = -child - 1;
      break;
    }
    // The walk may stop early; the rest must still be digits, so malformed input never matches.
    for (i++; i < n; i++) {
      const digit = e164.charCodeAt(i) - 48;
      if (digit < 0 || digit > 9) return -1;
    }
    return best;
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

const ROW = 11;

// Packs the builder's trie into rows (see RateTable.#rows): leaves need no row of their own, and
// inner nodes are numbered in depth-first preorder.
function packRows(builder: TrieBuilder): Int32Array {
  const { children, entryAt, nodeCount } = builder;
  const offsetOf = new Int32Array(nodeCount); // builder node -> row offset, for inner nodes
  const isInner = (node: number) => {
    for (let d = 0; d < 10; d++) if ((children[node * 10 + d] ?? 0) !== 0) return true;
    return false;
  };
  const order: number[] = [];
  const stack = [0];
  while (stack.length > 0) {
    const node = stack.pop() ?? 0;
    if (node !== 0 && !isInner(node)) continue;
    offsetOf[node] = order.length * ROW;
    order.push(node);
    for (let d = 9; d >= 0; d--) {
      const child = children[node * 10 + d] ?? 0;
      if (child !== 0) stack.push(child);
    }
  }
  const rows = new Int32Array(Math.max(1, order.length) * ROW);
  order.forEach((node, index) => {
    const base = index * ROW;
    for (let d = 0; d < 10; d++) {
      const child = children[node * 10 + d] ?? 0;
      if (child === 0) continue;
      // A leaf always ends a prefix, so its entryAt is non-zero and the encoding stays negative.
      rows[base + d] = isInner(child) ? (offsetOf[child] ?? 0) : -(entryAt[child] ?? 0);
    }
    rows[base + 10] = entryAt[node] ?? 0;
  });
  return rows;
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
