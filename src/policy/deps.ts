// The one place where src/policy imports from the ip, phone and rate modules, so the agreed
// interfaces are named once.
export { compileAllowList, IpAllowList, PROBE_INVALID, PROBE_NOT_LISTED } from '../ip/allow-list.js';
export { MAX_ENTRY_LENGTH } from '../ip/entry.js';
export type { IpFinding } from '../ip/findings.js';
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
  type DeckUnderCap,
  deckUnderCap,
  parseCap,
  type Rate,
  RateTable,
  safeParseRate,
  unitsOfCanonical,
} from '../rate/index.js';
export {
  type BeginCall,
  type BeginResult,
  type CounterLevel,
  formatDay,
  formatMicros,
  formatMinute,
  isInstant,
  type LimitName,
  type LimitReached,
  type LimitRules,
  MAX_LEDGER_KEY_LENGTH,
  WEEKDAYS,
  withinHours,
} from '../limits/index.js';
