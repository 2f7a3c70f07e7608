// Loading a rate deck, from entries or CSV text: every row checked, every problem collected with its
// path (and line), duplicates found in the digit trie the prefix index is laid out from.
import { aggregateError, argumentError, type RateErrorCode, type SipguardIssue } from '../errors.js';
import { describeValue, hiddenCharacterProblem, quote } from '../text.js';
import { splitCsvLine } from './csv.js';
import { MAX_RATE_DECIMALS, type Rate, type RateProblem, rateFromCanonical, scanRate } from './money.js';
import { DigitTrie } from './prefix-index.js';

type DeckIssue = SipguardIssue<RateErrorCode | 'wrong-type'>;

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

/** A deck as it loads: prefixes and rates by entry index, and the trie of its prefixes. */
export class DeckBuilder {
  readonly trie = new DigitTrie();
  readonly prefixes: string[] = [];
  readonly rates: Rate[] = [];
  // One Rate per distinct amount: real decks repeat a few hundred amounts across many prefixes.
  readonly #rateByText = new Map<string, Rate>();
  // Per entry: the caller's tag (input index or line number), to name the earlier of two duplicates.
  readonly #tags: number[] = [];

  /** Adds an entry; returns the `tag` of the entry already holding this prefix, if any. */
  add(digits: string, canonicalRate: string, tag: number): number | undefined {
    const earlier = this.trie.insert(digits, this.prefixes.length);
    if (earlier >= 0) return this.#tags[earlier];
    this.prefixes.push(digits);
    this.#tags.push(tag);
    let rate = this.#rateByText.get(canonicalRate);
    if (rate === undefined) {
      rate = rateFromCanonical(canonicalRate);
      this.#rateByText.set(canonicalRate, rate);
    }
    this.rates.push(rate);
    return undefined;
  }
}

/** One row of a deck: its prefix and rate as checked, the prefix as written, where it is. */
interface CheckedRow {
  readonly prefix: string | RateProblem;
  readonly rate: string | RateProblem;
  readonly written: string;
  /** The row's path: `/<index>` for an entry, `/lines/<line>` for a CSV line. */
  readonly at: string;
  /** The row's 1-based line in a CSV deck. */
  readonly line?: number;
  /** How the row is named to the one it duplicates: its input index, or its line number. */
  readonly tag: number;
}

// Collects a deck's rows and every problem with them, the same way for RateTable.from and fromCsv.
class DeckLoader {
  readonly #deck = new DeckBuilder();
  readonly #issues: DeckIssue[] = [];
  readonly #duplicate: (row: CheckedRow, earlier: number) => string;

  constructor(duplicate: (row: CheckedRow, earlier: number) => string) {
    this.#duplicate = duplicate;
  }

  /** Records a problem of a row as a whole. */
  reject(issue: DeckIssue): void {
    this.#issues.push(issue);
  }

  /** Adds a row, or records why it cannot be added: a bad prefix or rate, or a repeated prefix. */
  add(row: CheckedRow): void {
    const { prefix, rate, at } = row;
    const line = row.line === undefined ? {} : { line: row.line };
    if (typeof prefix !== 'string') this.#issues.push({ path: `${at}/prefix`, ...line, ...prefix });
    if (typeof rate !== 'string') this.#issues.push({ path: `${at}/rate`, ...line, ...rate });
    if (typeof prefix !== 'string' || typeof rate !== 'string') return;
    const earlier = this.#deck.add(prefix, rate, row.tag);
    if (earlier !== undefined) {
      this.#issues.push({
        path: `${at}/prefix`,
        ...line,
        code: 'duplicate-prefix',
        message: this.#duplicate(row, earlier),
        input: row.written,
      });
    }
  }

  /** The deck, or one `invalid-rate-deck` error with every problem; a deck without rows is one. */
  finish(empty: string): DeckBuilder {
    if (this.#issues.length === 0 && this.#deck.prefixes.length === 0) {
      this.#issues.push({ path: '', code: 'empty-rate-deck', message: empty });
    }
    if (this.#issues.length > 0) throw aggregateError('invalid-rate-deck', 'invalid rate deck', this.#issues);
    return this.#deck;
  }
}

/** The entries of `RateTable.from`, checked; throws `invalid-rate-deck` with every problem. */
export function loadEntries(entries: readonly RateEntryInput[]): DeckBuilder {
  if (!Array.isArray(entries)) {
    const issue: DeckIssue = {
      path: '',
      code: 'wrong-type',
      message: 'rate entries must be an array of { prefix, rate }',
    };
    throw aggregateError('invalid-rate-deck', 'invalid rate deck', [issue]);
  }
  const loader = new DeckLoader((row, earlier) => `prefix ${quote(row.written)} duplicates entry ${earlier}`);
  const list: readonly unknown[] = entries;
  list.forEach((entry, index) => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      loader.reject({
        path: `/${index}`,
        code: 'invalid-row',
        message: `entry ${index} must be an object { prefix, rate }`,
      });
      return;
    }
    const prefixValue = ownDataValue(entry, 'prefix');
    const prefix = checkPrefix(prefixValue);
    loader.add({
      prefix,
      rate: scanRate(ownDataValue(entry, 'rate'), MAX_RATE_DECIMALS, 'rate'),
      written: typeof prefixValue === 'string' ? prefixValue : '',
      at: `/${index}`,
      tag: index,
    });
  });
  return loader.finish('the rate deck has no entries');
}

/** The rows of `RateTable.fromCsv`, checked; throws `invalid-rate-deck` with every problem. */
export function loadCsv(text: string, options?: RateDeckCsvOptions): DeckBuilder {
  if (typeof text !== 'string') {
    const issue: DeckIssue = {
      path: '',
      code: 'wrong-type',
      message: `a CSV rate deck must be a string, got ${describeValue(text)}`,
    };
    throw aggregateError('invalid-rate-deck', 'invalid rate deck', [issue]);
  }
  const columns = csvColumns(options);
  const loader = new DeckLoader(
    (row, earlier) => `prefix ${quote(row.written)} on line ${row.tag} duplicates line ${earlier}`,
  );
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
    const rowProblem = (message: string) =>
      loader.reject({
        path: at,
        line: lineNo,
        code: 'invalid-row',
        message: `line ${lineNo} ${message}`,
        input: line,
      });
    const split = splitCsvLine(line);
    if ('error' in split) {
      rowProblem(split.error);
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
      rowProblem(`has ${fields.length} fields; expected prefix, rate and an optional description`);
      continue;
    }
    if (prefixText === undefined || rateText === undefined) {
      rowProblem(
        `has ${fields.length} fields; expected at least ${Math.max(columns.prefix, columns.rate) + 1}`,
      );
      continue;
    }
    loader.add({ prefix, rate, written: prefixText, at, line: lineNo, tag: lineNo });
  }
  return loader.finish('the rate deck has no rows');
}

// Only own data properties count: an inherited `prefix` (a polluted Object.prototype) or a getter
// is treated as absent, so nothing outside the entry itself can shape the deck.
function ownDataValue(holder: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(holder, key);
  return descriptor !== undefined && Object.hasOwn(descriptor, 'value') ? descriptor.value : undefined;
}

/** Digits of a prefix (`+1876` → `1876`), or the problem with it. */
function checkPrefix(raw: unknown): string | RateProblem {
  if (typeof raw !== 'string') {
    const shown = raw === undefined ? 'nothing' : raw === null ? 'null' : `a ${typeof raw}`;
    return { code: 'invalid-prefix', message: `invalid prefix: expected a string of digits, got ${shown}` };
  }
  const bad = (why: string): RateProblem => ({
    code: 'invalid-prefix',
    message: `invalid prefix ${quote(raw)}: ${why}`,
    input: raw,
  });
  const digits = raw.charCodeAt(0) === 43 ? raw.slice(1) : raw;
  if (digits.length === 0) return bad('is empty; expected E.164 digits such as "1876" or "+1876"');
  for (let i = 0; i < digits.length; i++) {
    const c = digits.charCodeAt(i);
    if (c < 48 || c > 57)
      return bad(hiddenCharacterProblem(raw) ?? 'must be digits with an optional leading "+"');
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
  const prefix: unknown = options?.prefixColumn;
  const rate: unknown = options?.rateColumn;
  if (prefix === undefined && rate === undefined) return { prefix: 0, rate: 1, count: 3 };
  if (prefix === undefined || rate === undefined) {
    throw argumentError('set both prefixColumn and rateColumn, or neither');
  }
  const column = (name: string, value: unknown): number => {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      throw argumentError(`${name} must be a non-negative integer, got ${describeValue(value)}`);
    }
    return value;
  };
  const p = column('prefixColumn', prefix);
  const r = column('rateColumn', rate);
  if (p === r) throw argumentError(`prefixColumn and rateColumn must differ, both are ${p}`);
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
