// A carrier rate deck: E.164 prefixes with per-minute rates. Loading is in deck.ts, the longest-prefix
// index (a lead table and small sorted interval nodes) in prefix-index.ts.

import { argumentError } from '../errors.js';
import { describeValue } from '../text.js';
import {
  type DeckBuilder,
  loadCsv,
  loadEntries,
  type RateDeckCsvOptions,
  type RateEntryInput,
} from './deck.js';
import type { Rate } from './money.js';
import { PrefixIndex } from './prefix-index.js';

/** One deck entry: the prefix as digits (no `+`) and its per-minute rate. */
export interface RateEntry {
  readonly prefix: string;
  readonly rate: Rate;
}

/**
 * An immutable rate deck. Lookup reads a lead table and searches sorted interval nodes held in
 * typed arrays: no scanning, no allocation in {@link RateTable.lookupIndex}. Entries keep their input
 * order; indexes are 0 to `size - 1`.
 */
export class RateTable {
  /** Number of entries (distinct prefixes). */
  readonly size: number;
  readonly #index: PrefixIndex;
  readonly #prefixes: readonly string[];
  readonly #rates: readonly Rate[];

  private constructor(deck: DeckBuilder) {
    this.#index = new PrefixIndex(deck.trie);
    this.#prefixes = deck.prefixes;
    this.#rates = deck.rates;
    this.size = deck.prefixes.length;
    Object.freeze(this);
  }

  /**
   * Builds a table from entries such as `{ prefix: '+1876', rate: '0.1200' }`. Rates have at most 8
   * decimal places. Throws one `SipguardError` (`invalid-rate-deck`) listing every bad entry with
   * paths `/<index>/prefix`, `/<index>/rate` or `/<index>`; duplicates (`1` and `+1`) are errors.
   */
  static from(entries: readonly RateEntryInput[]): RateTable {
    return new RateTable(loadEntries(entries));
  }

  /**
   * Parses a CSV rate deck: `prefix,rate[,description]` per line, LF or CRLF, an optional header row
   * (a first row whose prefix and rate fields are both not valid), blank lines and `#` comment lines
   * skipped. Throws one `SipguardError` (`invalid-rate-deck`) listing every bad row with its `line`
   * and path `/lines/<line>`, `/lines/<line>/prefix` or `/lines/<line>/rate`. Nothing is partially loaded.
   */
  static fromCsv(text: string, options?: RateDeckCsvOptions): RateTable {
    return new RateTable(loadCsv(text, options));
  }

  /**
   * Index of the entry with the longest prefix of `e164` (digits with an optional leading `+`),
   * or -1 when no prefix matches or the text is not `+`? digits. Allocates nothing.
   */
  lookupIndex(e164: string): number {
    return typeof e164 === 'string' ? this.#index.lookup(e164) : -1;
  }

  /** The entry with the longest prefix of `e164`, or `undefined`: `{ prefix: '1876', rate }`. */
  lookup(e164: string): RateEntry | undefined {
    const index = this.lookupIndex(e164);
    return index === -1 ? undefined : { prefix: this.prefixAt(index), rate: this.rateAt(index) };
  }

  /** The prefix (digits, no `+`) of entry `index`; throws `invalid-argument` outside 0 to `size - 1`. */
  prefixAt(index: number): string {
    return entryAt(this.#prefixes, index);
  }

  /** The rate of entry `index`; throws `invalid-argument` outside 0 to `size - 1`. */
  rateAt(index: number): Rate {
    return entryAt(this.#rates, index);
  }

  /** Every entry in input order. */
  *entries(): IterableIterator<RateEntry> {
    for (let index = 0; index < this.size; index++) {
      yield { prefix: this.prefixAt(index), rate: this.rateAt(index) };
    }
  }
}

// Entry `index` of a per-entry array; only integer indexes count (an array also answers to "0").
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
 * A rate deck with the verdict of each entry against one cap, kept together so that a lookup's index
 * reads its verdict. Built once per distinct cap when a policy is compiled, so checking a call
 * compares no money.
 */
export interface DeckUnderCap {
  readonly table: RateTable;
  /** Per entry index, 1 when the entry's rate is strictly above the cap (a call there is blocked), else 0. */
  readonly above: Uint8Array;
}

/** The verdicts of every entry of `table` against `cap`. */
export function deckUnderCap(table: RateTable, cap: Rate): DeckUnderCap {
  const above = new Uint8Array(table.size);
  const known = new Map<Rate, number>(); // a deck shares one Rate between entries of the same amount
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
