// The public surface of the rate area: what `sipguard` and `sipguard/rate` export. Not exported:
// parseCap (the policy validates `maxRatePerMinute` with it) and the scanner internals.
export type {
  BillingIncrement,
  CsvDelimiter,
  DeckColumn,
  ParseRateOptions,
  RateDeckCsvOptions,
  RateEntry,
  RateEntryInput,
  RateTime,
  SafeParseRateResult,
} from './index.js';
export { parseRate, Rate, RateTable, safeParseRate } from './index.js';
