// A carrier rate deck: E.164 prefixes with per-minute rates, and in a dated deck several rows per
// prefix by effective date. Loading is in deck.ts, the longest-prefix index (a lead table and small
// sorted interval nodes) in prefix-index.ts.

import { argumentError } from '../errors.js';
import { describeValue } from '../text.js';
import { type BillingIncrement, parseEffectiveDate } from './dates.js';
import {
  type DeckBuilder,
  type DeckRows,
  loadCsv,
  loadEntries,
  type RateDeckCsvOptions,
  type RateEntryInput,
} from './deck.js';
import type { Rate } from './money.js';
import { PrefixIndex } from './prefix-index.js';

/** One deck row: the prefix as digits (no `+`), its per-minute rate, and what else the deck says. */
export interface RateEntry {
  readonly prefix: string;
  readonly rate: Rate;
  /** When the row takes effect (ISO 8601, UTC), in a deck with effective dates. */
  readonly effectiveFrom?: string;
  /** How calls are billed, when the deck says. */
  readonly billingIncrement?: BillingIncrement;
  /** The per-call charge in USD, when the deck has one. */
  readonly connectionFee?: Rate;
  readonly description?: string;
}

/**
 * A moment for a dated lookup: a `Date`, milliseconds since 1970 UTC (as `Date.now()` gives), or ISO
 * 8601 text read as deck dates are (`"2026-07-01"` is midnight UTC, `"2026-07-01T12:00:00+02:00"`).
 */
export type RateTime = Date | number | string;

/** Milliseconds of `at`, or NaN when it is not a valid time. */
export function timeOf(at: unknown): number {
  if (typeof at === 'number') return Number.isFinite(at) ? at : Number.NaN;
  if (typeof at === 'string') {
    const ms = parseEffectiveDate(at);
    return typeof ms === 'number' ? ms : Number.NaN;
  }
  return at instanceof Date ? at.getTime() : Number.NaN;
}

// The rows of a dated deck by prefix: positions start[p] to start[p + 1] - 1 of `order` hold the
// rows of prefix p, oldest first, and `from` their effective instants.
class DatedRows {
  readonly #start: Int32Array;
  readonly #order: Int32Array;
  readonly #from: Float64Array;
  readonly #parents: Int32Array;

  constructor(deck: DeckBuilder, from: readonly number[]) {
    const prefixes = deck.prefixes.length;
    const rows = deck.rowPrefix.length;
    const start = new Int32Array(prefixes + 1);
    for (const p of deck.rowPrefix) start[p + 1] = (start[p + 1] ?? 0) + 1;
    for (let p = 0; p < prefixes; p++) start[p + 1] = (start[p + 1] ?? 0) + (start[p] ?? 0);
    const fill = start.slice(0, prefixes);
    const order = new Int32Array(rows);
    const times = new Float64Array(rows);
    deck.rowPrefix.forEach((p, row) => {
      // Insertion by date within the prefix: a prefix has a handful of rows.
      let k = fill[p] ?? 0;
      fill[p] = k + 1;
      const t = from[row] ?? 0;
      while (k > (start[p] ?? 0) && (times[k - 1] ?? 0) > t) {
        order[k] = order[k - 1] ?? 0;
        times[k] = times[k - 1] ?? 0;
        k--;
      }
      order[k] = row;
      times[k] = t;
    });
    this.#start = start;
    this.#order = order;
    this.#from = times;
    this.#parents = deck.trie.parents(prefixes);
  }

  /** The row in force at `t` for the longest prefix with one: its latest row effective at or before `t`. */
  rowAt(prefix: number, t: number): number {
    for (let p = prefix; p >= 0; p = this.#parents[p] ?? -1) {
      const first = this.#start[p] ?? 0;
      for (let k = (this.#start[p + 1] ?? 0) - 1; k >= first; k--) {
        if ((this.#from[k] ?? 0) <= t) return this.#order[k] ?? -1;
      }
    }
    return -1;
  }
}

/**
 * An immutable rate deck. Lookup reads a lead table and searches sorted interval nodes held in
 * typed arrays: no scanning, no allocation in {@link RateTable.lookupIndex}. Rows keep their input
 * order; indexes are 0 to `size - 1`.
 */
export class RateTable {
  /** Number of rows: distinct prefixes, or in a dated deck distinct (prefix, effective date) pairs. */
  readonly size: number;
  /** True when rows have effective dates: lookups then need the time of the call. */
  readonly hasEffectiveDates: boolean;
  readonly #index: PrefixIndex;
  readonly #dated: DatedRows | undefined;
  readonly #deck: DeckRows;

  private constructor(deck: DeckBuilder) {
    this.#index = new PrefixIndex(deck.trie);
    this.#dated = deck.from === undefined ? undefined : new DatedRows(deck, deck.from);
    // Not the builder: its trie and bookkeeping are garbage once the index is laid out.
    this.#deck = deck.rows();
    this.size = deck.rates.length;
    this.hasEffectiveDates = deck.from !== undefined;
    Object.freeze(this);
  }

  /**
   * Builds a table from entries such as `{ prefix: '+1876', rate: '0.1200' }`, optionally with
   * `effectiveFrom`, `billingIncrement`, `connectionFee` and `description`. Rates have at most 8
   * decimal places. Throws one `SipguardError` (`invalid-rate-deck`) listing every bad entry with
   * paths `/<index>/prefix`, `/<index>/rate`, … or `/<index>`; a repeated prefix (`1` and `+1`), or
   * in a dated deck a repeated prefix and date, is an error.
   */
  static from(entries: readonly RateEntryInput[]): RateTable {
    return new RateTable(loadEntries(entries));
  }

  /**
   * Parses a CSV rate deck as carriers publish them: comma, semicolon or tab separated (detected),
   * CR, LF or CRLF line ends, columns found from the header by name (or given in `options`), and
   * optionally effective dates, billing increments, connection fees and a description. Blank lines
   * and `#` comment lines are skipped. Throws one `SipguardError` (`invalid-rate-deck`) listing every
   * bad row with its `line`, `column` and path `/lines/<line>/<field>`. Nothing is partially loaded.
   * See docs/rates.md.
   */
  static fromCsv(text: string, options?: RateDeckCsvOptions): RateTable {
    return new RateTable(loadCsv(text, options));
  }

  /**
   * Index of the row with the longest prefix of `e164` (digits with an optional leading `+`), or -1
   * when no prefix matches or the text is not `+`? digits. In a dated deck, the row in force at `at`:
   * of the longest prefix that has one, its latest row effective at or before `at`; without a valid
   * `at`, -1 (sipguard reads no clock). Allocates nothing.
   */
  lookupIndex(e164: string, at?: RateTime): number {
    if (typeof e164 !== 'string') return -1;
    const prefix = this.#index.lookup(e164);
    const dated = this.#dated;
    // Without dates, row i is the one row of prefix i.
    if (dated === undefined || prefix < 0) return prefix;
    const t = timeOf(at);
    return Number.isNaN(t) ? -1 : dated.rowAt(prefix, t);
  }

  /** The row {@link RateTable.lookupIndex} finds, or `undefined`: `{ prefix: '1876', rate, … }`. */
  lookup(e164: string, at?: RateTime): RateEntry | undefined {
    const index = this.lookupIndex(e164, at);
    return index === -1 ? undefined : this.entryAt(index);
  }

  /** Row `index`; throws `invalid-argument` outside 0 to `size - 1`. */
  entryAt(index: number): RateEntry {
    const rate = this.rateAt(index);
    const deck = this.#deck;
    const effectiveFrom = this.effectiveFromAt(index);
    const billing = deck.billing?.[index];
    const fee = deck.fees?.[index];
    const description = deck.descriptions?.[index];
    return {
      prefix: this.prefixAt(index),
      rate,
      ...(effectiveFrom === undefined ? {} : { effectiveFrom }),
      ...(billing === undefined ? {} : { billingIncrement: billing }),
      ...(fee === undefined ? {} : { connectionFee: fee }),
      ...(description === undefined ? {} : { description }),
    };
  }

  /** The prefix (digits, no `+`) of row `index`; throws `invalid-argument` outside 0 to `size - 1`. */
  prefixAt(index: number): string {
    entryAt(this.#deck.rates, index);
    return this.#deck.prefixes[this.#deck.rowPrefix?.[index] ?? index] ?? '';
  }

  /** The rate of row `index`; throws `invalid-argument` outside 0 to `size - 1`. */
  rateAt(index: number): Rate {
    return entryAt(this.#deck.rates, index);
  }

  /** When row `index` takes effect (ISO 8601, UTC), in a deck with effective dates. */
  effectiveFromAt(index: number): string | undefined {
    entryAt(this.#deck.rates, index);
    const from = this.#deck.from?.[index];
    return from === undefined ? undefined : isoOf(from);
  }

  /** The billing increment of row `index`, when the deck has one for it. */
  billingIncrementAt(index: number): BillingIncrement | undefined {
    entryAt(this.#deck.rates, index);
    return this.#deck.billing?.[index];
  }

  /** The connection fee of row `index`, when the deck has one for it. */
  connectionFeeAt(index: number): Rate | undefined {
    entryAt(this.#deck.rates, index);
    return this.#deck.fees?.[index];
  }

  /** Every row in input order. */
  *entries(): IterableIterator<RateEntry> {
    for (let index = 0; index < this.size; index++) yield this.entryAt(index);
  }
}

// A date before any deck (the rows of a deck without dates) has no ISO form; such rows have no date.
function isoOf(ms: number): string | undefined {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

// Entry `index` of a per-row array; only integer indexes count (an array also answers to "0").
function entryAt<T>(entries: readonly T[], index: unknown): T {
  const entry = typeof index === 'number' && Number.isInteger(index) ? entries[index] : undefined;
  if (entry === undefined) {
    throw argumentError(
      `no rate table entry ${describeValue(index)}: entries are 0 to ${entries.length - 1}`,
    );
  }
  return entry;
}

/**
 * A rate deck with the verdict of each row against one cap, kept together so that a lookup's index
 * reads its verdict. Built once per distinct cap when a policy is compiled, so checking a call
 * compares no money.
 */
export interface DeckUnderCap {
  readonly table: RateTable;
  /** Per row index, 1 when the row's rate is strictly above the cap (a call there is blocked), else 0. */
  readonly above: Uint8Array;
}

/** The verdicts of every row of `table` against `cap`. */
export function deckUnderCap(table: RateTable, cap: Rate): DeckUnderCap {
  const above = new Uint8Array(table.size);
  const known = new Map<Rate, number>(); // a deck shares one Rate between rows of the same amount
  for (let index = 0; index < table.size; index++) {
    const rate = table.rateAt(index);
    let verdict = known.get(rate);
    if (verdict === undefined) {
      verdict = rate.compare(cap) > 0 ? 1 : 0;
      known.set(rate, verdict);
    }
    above[index] = verdict;
  }
  return Object.freeze({ table, above });
}
