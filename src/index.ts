// The public API of `sipguard`. Everything exported here is documented in docs/;
// anything not listed is internal and may change without notice.

export type {
  IpErrorCode,
  PolicyErrorCode,
  RateErrorCode,
  SipguardErrorCode,
  SipguardIssue,
  SipguardIssueCode,
} from './errors.js';
export { SipguardError } from './errors.js';

// --- Rates (src/rate, docs/rates.md): exact per-minute USD amounts and rate decks.
// Not exported: parseCap (the policy validates `maxRatePerMinute` with it) and the scanner internals.
export type {
  ParseRateOptions,
  RateDeckCsvOptions,
  RateEntry,
  RateEntryInput,
  SafeParseRateResult,
} from './rate/index.js';
export { parseRate, Rate, RateTable, safeParseRate } from './rate/index.js';
