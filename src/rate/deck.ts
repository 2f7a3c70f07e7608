// Loading a rate deck, from entries or CSV text: every row checked, every problem collected with its
// path, line and column, duplicates found in the digit trie the prefix index is laid out from.

import { MAX_E164_DIGITS } from '../e164.js';
import {
  aggregateError,
  argumentError,
  checkOptionNames,
  type RateErrorCode,
  type SipguardIssue,
} from '../errors.js';
import { describeValue, hiddenCharacterProblem, quote } from '../text.js';
import {
  type ChosenColumn,
  chooseColumns,
  DECK_ROLES,
  type DeckColumn,
  type DeckColumnRole,
  roleOfHeader,
} from './columns.js';
import { type CsvDelimiter, detectDelimiter, forEachLine, isSkippedLine, splitCsvLine } from './csv.js';
import { type BillingIncrement, parseBillingIncrement, parseEffectiveDate } from './dates.js';
import { MAX_RATE_DECIMALS, type Rate, type RateProblem, rateFromCanonical, scanRate } from './money.js';
import { DigitTrie } from './prefix-index.js';

type DeckIssue = SipguardIssue<RateErrorCode | 'wrong-type'>;

/** One input entry of {@link RateTable.from}; other fields are ignored. */
export interface RateEntryInput {
  readonly prefix: string;
  readonly rate: string | number;
  /** When the rate takes effect: `"2026-03-01"` (midnight UTC), an ISO date-time, or a `Date`. */
  readonly effectiveFrom?: string | Date;
  /** How calls are billed, as carriers write it: `"60/60"`, `"30/6"`, `"1/1"`. */
  readonly billingIncrement?: string;
  /** A per-call charge in USD, in the money format of rates. */
  readonly connectionFee?: string | number;
  readonly description?: string;
}

/**
 * Options of {@link RateTable.fromCsv}. Columns are found from the header row by name unless given
 * here, by 0-based index or by header text; a deck without a header has the prefix, the rate and a
 * description in its first three columns.
 */
export interface RateDeckCsvOptions {
  /** The field delimiter; detected from the first row (the most frequent of the three) when absent. */
  readonly delimiter?: CsvDelimiter;
  /** Whether the first row is a header; detected when absent (see docs/rates.md). */
  readonly header?: boolean;
  readonly prefixColumn?: DeckColumn;
  readonly rateColumn?: DeckColumn;
  readonly effectiveDateColumn?: DeckColumn;
  readonly billingIncrementColumn?: DeckColumn;
  readonly connectionFeeColumn?: DeckColumn;
  readonly descriptionColumn?: DeckColumn;
}

/** E.164 numbers have at most 15 digits, so no longer prefix can ever match. */
export const MAX_PREFIX_DIGITS = MAX_E164_DIGITS;

/** The optional facts of a row, each kept only by decks that have them. */
interface RowExtras {
  readonly from?: number;
  readonly billing?: BillingIncrement;
  readonly fee?: Rate;
  readonly description?: string;
}

/** What a loaded deck keeps, by row in input order: the loader's trie and bookkeeping are dropped. */
export interface DeckRows {
  /** Digits of each distinct prefix, by prefix id. */
  readonly prefixes: readonly string[];
  /** Per row: its prefix id, in a dated deck; without dates row i has prefix i. */
  readonly rowPrefix: readonly number[] | undefined;
  readonly rates: readonly Rate[];
  readonly from: readonly number[] | undefined;
  readonly billing: readonly (BillingIncrement | undefined)[] | undefined;
  readonly fees: readonly (Rate | undefined)[] | undefined;
  readonly descriptions: readonly (string | undefined)[] | undefined;
}

/**
 * A deck as it loads, by row in input order: its prefix (as an id of distinct prefixes, whose digits
 * are in the trie), rate and optional facts.
 */
export class DeckBuilder {
  readonly trie = new DigitTrie();
  /** Digits of each distinct prefix, by prefix id (ids in order of first appearance). */
  readonly prefixes: string[] = [];
  /** Per row: its prefix id. In a deck without dates each row has a prefix of its own, so this is 0, 1, 2, … */
  readonly rowPrefix: number[] = [];
  readonly rates: Rate[] = [];
  /** Per row, when the deck has effective dates: the instant the row takes effect (ms, UTC). */
  from: number[] | undefined;
  billing: (BillingIncrement | undefined)[] | undefined;
  fees: (Rate | undefined)[] | undefined;
  descriptions: (string | undefined)[] | undefined;
  // One Rate per distinct amount: real decks repeat a few hundred amounts across many prefixes.
  readonly #rateByText = new Map<string, Rate>();
  // Per row: the caller's tag (input index or line number), to name the earlier of two duplicates;
  // and the previous row of the same prefix (-1 for none), to find a repeated date.
  readonly #tags: number[] = [];
  readonly #sameBefore: number[] = [];
  readonly #lastRowOf: number[] = [];

  constructor(dated: boolean, billing: boolean, fees: boolean, descriptions: boolean) {
    if (dated) this.from = [];
    if (billing) this.billing = [];
    if (fees) this.fees = [];
    if (descriptions) this.descriptions = [];
  }

  /** The rows alone, without the trie and the loader's bookkeeping (tens of MB for a large deck). */
  rows(): DeckRows {
    const { prefixes, rowPrefix, rates, from, billing, fees, descriptions } = this;
    return {
      prefixes,
      rowPrefix: from === undefined ? undefined : rowPrefix,
      rates,
      from,
      billing,
      fees,
      descriptions,
    };
  }

  /** The rate value of a canonical amount, shared with every other row of the same amount. */
  rate(canonical: string): Rate {
    let rate = this.#rateByText.get(canonical);
    if (rate === undefined) {
      rate = rateFromCanonical(canonical);
      this.#rateByText.set(canonical, rate);
    }
    return rate;
  }

  /**
   * Adds a row; returns the `tag` of the row it repeats (the same prefix, and in a dated deck the
   * same effective date), if any.
   */
  add(digits: string, rate: Rate, extras: RowExtras, tag: number): number | undefined {
    const known = this.trie.insert(digits, this.prefixes.length);
    const from = this.from;
    let before = -1;
    if (known >= 0) {
      if (from === undefined) return this.#tags[known];
      for (let row = this.#lastRowOf[known] ?? -1; row >= 0; row = this.#sameBefore[row] ?? -1) {
        if (from[row] === extras.from) return this.#tags[row];
      }
      before = this.#lastRowOf[known] ?? -1;
    }
    const prefixId = known >= 0 ? known : this.prefixes.length;
    if (known < 0) this.prefixes.push(digits);
    const row = this.rates.length;
    this.#lastRowOf[prefixId] = row;
    this.#sameBefore.push(before);
    this.rowPrefix.push(prefixId);
    this.rates.push(rate);
    this.#tags.push(tag);
    from?.push(extras.from ?? Number.NEGATIVE_INFINITY);
    this.billing?.push(extras.billing);
    this.fees?.push(extras.fee);
    this.descriptions?.push(extras.description);
    return undefined;
  }
}

/** A checked field: its value, or the problem with it. */
type Checked<T> = T | RateProblem;
const isProblem = <T>(value: Checked<T>): value is RateProblem =>
  typeof value === 'object' && value !== null && 'code' in value && 'message' in value;

/** One row of a deck: its fields as checked, the prefix as written, where it is. */
interface CheckedRow {
  readonly prefix: Checked<string>;
  readonly rate: Checked<string>;
  readonly from?: Checked<number>;
  readonly billing?: Checked<BillingIncrement>;
  readonly fee?: Checked<string>;
  readonly description?: string;
  readonly written: string;
  /** The row's path: `/<index>` for an entry, `/lines/<line>` for a CSV line. */
  readonly at: string;
  /** The row's 1-based line in a CSV deck. */
  readonly line?: number;
  /** Per field, the 1-based column it was read from, in a CSV deck. */
  readonly columns?: Partial<Record<DeckColumnRole, number>>;
  /** How the row is named to the one it duplicates: its input index, or its line number. */
  readonly tag: number;
}

// Collects a deck's rows and every problem with them, the same way for RateTable.from and fromCsv.
class DeckLoader {
  readonly #deck: DeckBuilder;
  readonly #issues: DeckIssue[] = [];
  readonly #duplicate: (row: CheckedRow, earlier: number) => string;

  constructor(deck: DeckBuilder, duplicate: (row: CheckedRow, earlier: number) => string) {
    this.#deck = deck;
    this.#duplicate = duplicate;
  }

  /** Records a problem of a row as a whole, or of the deck. */
  reject(issue: DeckIssue): void {
    this.#issues.push(issue);
  }

  /** Adds a row, or records why it cannot be added: a bad field, or a repeated prefix (and date). */
  add(row: CheckedRow): void {
    const { at } = row;
    const where = (field: DeckColumnRole) => {
      const column = row.columns?.[field];
      return {
        path: `${at}/${field}`,
        ...(row.line === undefined ? {} : { line: row.line }),
        ...(column === undefined ? {} : { column }),
      };
    };
    let bad = false;
    const check = <T>(field: DeckColumnRole, value: Checked<T> | undefined): T | undefined => {
      if (value === undefined || !isProblem(value)) return value;
      bad = true;
      this.#issues.push({ ...where(field), ...value });
      return undefined;
    };
    const prefix = check('prefix', row.prefix);
    const rate = check('rate', row.rate);
    const from = check('effectiveDate', row.from);
    const billing = check('billingIncrement', row.billing);
    const fee = check('connectionFee', row.fee);
    if (bad || prefix === undefined || rate === undefined) return;
    const deck = this.#deck;
    const extras: RowExtras = {
      ...(from === undefined ? {} : { from }),
      ...(billing === undefined ? {} : { billing }),
      ...(fee === undefined ? {} : { fee: deck.rate(fee) }),
      ...(row.description === undefined ? {} : { description: row.description }),
    };
    const earlier = deck.add(prefix, deck.rate(rate), extras, row.tag);
    if (earlier !== undefined) {
      this.#issues.push({
        ...where('prefix'),
        code: 'duplicate-prefix',
        message: this.#duplicate(row, earlier),
        input: row.written,
      });
    }
  }

  /** The deck, or one `invalid-rate-deck` error with every problem; a deck without rows is one. */
  finish(empty: string): DeckBuilder {
    if (this.#issues.length === 0 && this.#deck.rates.length === 0) {
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
  const list: readonly unknown[] = entries;
  const objects = list.map((entry) =>
    typeof entry === 'object' && entry !== null && !Array.isArray(entry) ? entry : undefined,
  );
  const has = (key: string) => objects.some((o) => o !== undefined && ownDataValue(o, key) !== undefined);
  const deck = new DeckBuilder(
    has('effectiveFrom'),
    has('billingIncrement'),
    has('connectionFee'),
    has('description'),
  );
  const dated = deck.from !== undefined;
  const loader = new DeckLoader(deck, (row, earlier) =>
    dated
      ? `prefix ${quote(row.written)} with the same effective date duplicates entry ${earlier}`
      : `prefix ${quote(row.written)} duplicates entry ${earlier}`,
  );
  objects.forEach((entry, index) => {
    if (entry === undefined) {
      loader.reject({
        path: `/${index}`,
        code: 'invalid-row',
        message: `entry ${index} must be an object { prefix, rate }`,
      });
      return;
    }
    const prefixValue = ownDataValue(entry, 'prefix');
    const description = ownDataValue(entry, 'description');
    const optional = <T>(key: string, read: (value: unknown) => Checked<T>): Checked<T> | undefined => {
      const value = ownDataValue(entry, key);
      return value === undefined ? undefined : read(value);
    };
    const from = optional('effectiveFrom', checkDateValue);
    loader.add({
      prefix: checkPrefix(prefixValue),
      rate: scanRate(ownDataValue(entry, 'rate'), MAX_RATE_DECIMALS, 'rate'),
      ...(from !== undefined
        ? { from }
        : dated
          ? { from: { code: 'invalid-date', message: 'entry has no effectiveFrom, and other entries do' } }
          : {}),
      ...optionalField('billing', optional('billingIncrement', checkIncrementValue)),
      ...optionalField(
        'fee',
        optional('connectionFee', (v) => scanRate(v, MAX_RATE_DECIMALS, 'connection fee')),
      ),
      ...(typeof description === 'string' ? { description } : {}),
      written: typeof prefixValue === 'string' ? prefixValue : '',
      at: `/${index}`,
      tag: index,
    });
  });
  return loader.finish('the rate deck has no entries');
}

const optionalField = <K extends string, V>(key: K, value: V | undefined) =>
  (value === undefined ? {} : { [key]: value }) as Partial<Record<K, V>>;

function checkDateValue(value: unknown): Checked<number> {
  if (value instanceof Date) {
    const time = value.getTime();
    return Number.isNaN(time) ? { code: 'invalid-date', message: 'effectiveFrom is an invalid Date' } : time;
  }
  if (typeof value !== 'string') {
    return {
      code: 'invalid-date',
      message: `effectiveFrom must be a date string or a Date, got ${describeValue(value)}`,
    };
  }
  return dateOf(value);
}

function checkIncrementValue(value: unknown): Checked<BillingIncrement> {
  if (typeof value !== 'string') {
    return {
      code: 'invalid-billing-increment',
      message: `billingIncrement must be a string such as "60/60", got ${describeValue(value)}`,
    };
  }
  return incrementOf(value);
}

function dateOf(text: string): Checked<number> {
  const read = parseEffectiveDate(text);
  return typeof read === 'number'
    ? read
    : { code: 'invalid-date', message: `invalid effective date: ${read}`, input: text };
}

function incrementOf(text: string): Checked<BillingIncrement> {
  const read = parseBillingIncrement(text);
  return typeof read === 'string'
    ? { code: 'invalid-billing-increment', message: `invalid billing increment: ${read}`, input: text }
    : read;
}

const OPTION_ROLES: readonly (readonly [DeckColumnRole, keyof RateDeckCsvOptions])[] =
  /* @__PURE__ */ DECK_ROLES.map((role) => [role, `${role}Column` as keyof RateDeckCsvOptions] as const);

/** The options of `fromCsv`, checked: a wrong one is `invalid-argument`, thrown before the text is read. */
function csvOptions(options: unknown): {
  delimiter: CsvDelimiter | undefined;
  header: boolean | undefined;
  columns: Partial<Record<DeckColumnRole, DeckColumn>>;
} {
  if (options === undefined) return { delimiter: undefined, header: undefined, columns: {} };
  checkOptionNames('fromCsv', options, ['delimiter', 'header', ...OPTION_ROLES.map(([, key]) => key)]);
  const read = (key: string): unknown => ownDataValue(options, key);
  const delimiter = read('delimiter');
  if (delimiter !== undefined && delimiter !== ',' && delimiter !== ';' && delimiter !== '\t') {
    throw argumentError(`delimiter must be ",", ";" or "\\t", got ${describeValue(delimiter)}`);
  }
  const header = read('header');
  if (header !== undefined && typeof header !== 'boolean') {
    throw argumentError(`header must be true or false, got ${describeValue(header)}`);
  }
  const columns: Partial<Record<DeckColumnRole, DeckColumn>> = {};
  const byIndex = new Map<number, string>();
  for (const [role, key] of OPTION_ROLES) {
    const value = read(key);
    if (value === undefined) continue;
    if (typeof value === 'number') {
      if (!Number.isInteger(value) || value < 0) {
        throw argumentError(
          `${key} must be a non-negative integer or a header name, got ${describeValue(value)}`,
        );
      }
      const other = byIndex.get(value);
      if (other !== undefined) throw argumentError(`${other} and ${key} must differ, both are ${value}`);
      byIndex.set(value, key);
    } else if (typeof value !== 'string' || value.trim() === '') {
      throw argumentError(
        `${key} must be a non-negative integer or a header name, got ${describeValue(value)}`,
      );
    }
    columns[role] = value;
  }
  return { delimiter, header, columns };
}

/** The rows of `RateTable.fromCsv`, checked; throws `invalid-rate-deck` with every problem. */
export function loadCsv(text: string, options?: RateDeckCsvOptions): DeckBuilder {
  const given = csvOptions(options);
  if (typeof text !== 'string') {
    const issue: DeckIssue = {
      path: '',
      code: 'wrong-type',
      message: `a CSV rate deck must be a string, got ${describeValue(text)}`,
    };
    throw aggregateError('invalid-rate-deck', 'invalid rate deck', [issue]);
  }
  const problems: DeckIssue[] = [];
  let delimiter = given.delimiter;
  let columns: Partial<Record<DeckColumnRole, ChosenColumn>> | undefined;
  let header: readonly string[] | undefined;
  let deck: DeckBuilder | undefined;
  let loader: DeckLoader | undefined;
  let columnNumbers: Partial<Record<DeckColumnRole, number>> = {};

  forEachLine(text, (line, lineNo) => {
    if (isSkippedLine(line) || problems.length > 0) return;
    const at = `/lines/${lineNo}`;
    delimiter ??= detectDelimiter(line);
    const split = splitCsvLine(line, delimiter);
    const rowProblem = (message: string, column?: number) => {
      const issue: DeckIssue = {
        path: at,
        line: lineNo,
        ...(column === undefined ? {} : { column }),
        code: 'invalid-row',
        message: `line ${lineNo} ${message}`,
        input: line,
      };
      if (loader === undefined) problems.push(issue);
      else loader.reject(issue);
    };
    if (columns === undefined) {
      // The first row: a header, or the first data row.
      const fields = 'fields' in split ? split.fields : undefined;
      const isHeader = given.header ?? (fields !== undefined && looksLikeHeader(fields, given.columns));
      if (isHeader && fields === undefined) {
        rowProblem('error' in split ? split.error : '');
        return;
      }
      header = isHeader ? fields : undefined;
      const chosen = chooseColumns(given.columns, header);
      if ('problems' in chosen) {
        for (const p of chosen.problems) {
          problems.push(
            header === undefined
              ? { path: '', ...p }
              : { path: at, line: lineNo, code: p.code, message: `line ${lineNo}: ${p.message}` },
          );
        }
        return;
      }
      columns = chosen.columns;
      // The same for every row: the 1-based column of each role, for the row's issues.
      const numbers: Partial<Record<DeckColumnRole, number>> = {};
      for (const role of DECK_ROLES) {
        const column = columns[role];
        if (column !== undefined) numbers[role] = column.index + 1;
      }
      columnNumbers = numbers;
      deck = new DeckBuilder(
        columns.effectiveDate !== undefined,
        columns.billingIncrement !== undefined,
        columns.connectionFee !== undefined,
        columns.description !== undefined,
      );
      const dateColumn = columns.effectiveDate;
      loader = new DeckLoader(deck, (row, earlier) =>
        dateColumn === undefined
          ? `line ${row.line}, ${columns?.prefix?.label}: prefix ${quote(row.written)} duplicates line ${earlier}`
          : `line ${row.line}, ${columns?.prefix?.label}: prefix ${quote(row.written)} has two rates with the same effective date (${dateColumn.label}), here and on line ${earlier}`,
      );
      if (isHeader) return;
    }
    if (loader === undefined || columns === undefined) return;
    if ('error' in split) {
      rowProblem(split.error);
      return;
    }
    const { fields } = split;
    const { prefix: prefixColumn, rate: rateColumn } = columns;
    if (prefixColumn === undefined || rateColumn === undefined) return;
    const prefixText = fields[prefixColumn.index];
    const rateText = fields[rateColumn.index];
    if (prefixText === undefined || rateText === undefined) {
      const missing = prefixText === undefined ? prefixColumn : rateColumn;
      rowProblem(
        `has ${fields.length} field${fields.length === 1 ? '' : 's'}; the ${missing === prefixColumn ? 'prefix' : 'rate'} is read from ${missing.label}`,
      );
      return;
    }
    const located = (role: DeckColumnRole, value: RateProblem): RateProblem => ({
      ...value,
      message: `line ${lineNo}, ${columns?.[role]?.label}: ${value.message}`,
    });
    const readField = <T>(
      role: DeckColumnRole,
      read: (text: string) => Checked<T>,
    ): Checked<T> | undefined => {
      const column = columns?.[role];
      if (column === undefined) return undefined;
      const value = read(fields[column.index] ?? '');
      return isProblem(value) ? located(role, value) : value;
    };
    const optionalText = (role: DeckColumnRole): string | undefined => {
      const column = columns?.[role];
      const value = column === undefined ? undefined : fields[column.index];
      return value === undefined || value === '' ? undefined : value;
    };
    const prefix = checkPrefix(prefixText);
    const rate = scanRate(rateText, MAX_RATE_DECIMALS, 'rate');
    const billingText = optionalText('billingIncrement');
    const feeText = optionalText('connectionFee');
    const description = optionalText('description');
    const from = readField('effectiveDate', (t) =>
      t === ''
        ? {
            code: 'invalid-date',
            message: 'invalid effective date: the field is empty; give the date the rate takes effect',
          }
        : dateOf(t),
    );
    const billing = billingText === undefined ? undefined : readField('billingIncrement', incrementOf);
    const fee =
      feeText === undefined
        ? undefined
        : readField('connectionFee', (t) => scanRate(t, MAX_RATE_DECIMALS, 'connection fee'));
    loader.add({
      prefix: isProblem(prefix) ? located('prefix', prefix) : prefix,
      rate: isProblem(rate) ? located('rate', rate) : rate,
      ...(from === undefined ? {} : { from }),
      ...(billing === undefined ? {} : { billing }),
      ...(fee === undefined ? {} : { fee }),
      ...(description === undefined ? {} : { description }),
      written: prefixText,
      at,
      line: lineNo,
      columns: columnNumbers,
      tag: lineNo,
    });
  });
  if (problems.length > 0) throw aggregateError('invalid-rate-deck', 'invalid rate deck', problems);
  if (loader === undefined) {
    throw aggregateError('invalid-rate-deck', 'invalid rate deck', [
      { path: '', code: 'empty-rate-deck', message: 'the rate deck has no rows' },
    ]);
  }
  return loader.finish('the rate deck has no rows');
}

/**
 * Whether a first row is a header: a field names a column role ("Prefix", "Rate", …), or neither the
 * prefix nor the rate field (as the options or the positions say) is a valid value.
 */
function looksLikeHeader(
  fields: readonly string[],
  given: Partial<Record<DeckColumnRole, DeckColumn>>,
): boolean {
  if (fields.some((f) => roleOfHeader(f) !== undefined)) return true;
  const at = (role: 'prefix' | 'rate', fallback: number) => {
    const option = given[role];
    return typeof option === 'number' ? option : fallback;
  };
  if (typeof given.prefix === 'string' || typeof given.rate === 'string') return true;
  const prefix = checkPrefix(fields[at('prefix', 0)]);
  const rate = scanRate(fields[at('rate', 1)], MAX_RATE_DECIMALS, 'rate');
  return typeof prefix !== 'string' && typeof rate !== 'string';
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
