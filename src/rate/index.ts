// The rate area's surface for the rest of sipguard (src/policy, src/cli). The public subset is
// re-exported from src/index.ts; `parseCap` and the scanner internals are for the policy only.

export type { DeckColumn } from './columns.js';
export type { CsvDelimiter } from './csv.js';
export { type BillingIncrement, MAX_INCREMENT_SECONDS } from './dates.js';
export { MAX_PREFIX_DIGITS, type RateDeckCsvOptions, type RateEntryInput } from './deck.js';
export {
  MAX_CAP_DECIMALS,
  MAX_INTEGER_DIGITS,
  MAX_RATE_DECIMALS,
  type ParseRateOptions,
  parseCap,
  parseMoneyLimit,
  parseRate,
  Rate,
  type SafeParseRateResult,
  safeParseRate,
  UNITS_PER_USD,
  unitsOfCanonical,
} from './money.js';
export {
  type DeckUnderCap,
  deckUnderCap,
  type RateEntry,
  RateTable,
  type RateTime,
  timeOf,
} from './table.js';
