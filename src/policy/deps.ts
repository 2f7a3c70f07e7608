// The one place where src/policy imports from the ip, phone and rate modules, so the agreed
// interfaces are named once.
export { compileAllowList, IpAllowList, PROBE_INVALID, PROBE_NOT_LISTED } from '../ip/allow-list.js';
export { MAX_ENTRY_LENGTH } from '../ip/entry.js';
export type { IpFinding, IpFindingSeverity } from '../ip/findings.js';
export {
  type AsyncUsageLedger,
  type BeginCall,
  type BeginResult,
  boundsOf,
  type CallingHours,
  type CounterLevel,
  checkTimeZone,
  compileCallingHours,
  DEFAULT_MAX_CALL_SECONDS,
  DEFAULT_TIME_ZONE,
  formatDay,
  formatMicros,
  formatMinute,
  hasBounds,
  isInstant,
  LIMIT_NAMES,
  type LimitFields,
  type LimitName,
  type LimitReached,
  type LimitRules,
  MAX_CALL_SECONDS,
  MAX_HOURS_ENTRIES,
  MAX_HOURS_ENTRY_LENGTH,
  MAX_LEDGER_KEY_LENGTH,
  MAX_LIMIT_COUNT,
  MAX_TIME_ZONE_LENGTH,
  resolveExtensionBounds,
  type UsageLedger,
  type UsageQuery,
  WEEKDAYS,
  withinHours,
  ZoneClock,
} from '../limits/index.js';
export type {
  CallingOutcome,
  CallingRules,
  CallingSelector,
  ClassifyDialedOptions,
  NumberType,
  RegionCode,
  SelectorList,
} from '../phone/index.js';
export {
  callingRules,
  classifyDialed,
  compileSelectors,
  evaluateCalling,
  isRegionCode,
  phoneContextDomain,
} from '../phone/index.js';
export {
  type BillingIncrement,
  type DeckUnderCap,
  deckUnderCap,
  parseCap,
  parseMoneyLimit,
  type Rate,
  RateTable,
  type RateTime,
  safeParseRate,
  timeOf,
  unitsOfCanonical,
} from '../rate/index.js';
