// The limits area's surface for the rest of sipguard (src/policy, src/cases, src/index.ts): the
// usage ledger and its in-memory implementation, calendar readings, calling hours and limit rules.

export { beginResultProblem, isBeginResult } from './begin-result.js';
export {
  checkTimeZone,
  formatDay,
  formatMinute,
  isInstant,
  MAX_TIME_ZONE_LENGTH,
  WEEKDAYS,
  ZoneClock,
} from './calendar.js';
export {
  type CallingHours,
  compileCallingHours,
  type HoursProblem,
  MAX_HOURS_ENTRIES,
  MAX_HOURS_ENTRY_LENGTH,
  withinHours,
} from './hours.js';
export {
  type AnswerCall,
  type AnswerResult,
  type AsyncUsageLedger,
  type BeginCall,
  type BeginResult,
  type CounterLevel,
  type EndCall,
  type EndResult,
  EVENT_RETENTION_MS,
  isLedgerKey,
  type LevelBounds,
  type LevelUsage,
  LIMIT_NAMES,
  type LimitName,
  type LimitReached,
  ledgerKeyProblem,
  MAX_BILLED_SECONDS,
  MAX_CALL_SECONDS,
  MAX_LEDGER_KEY_LENGTH,
  type ResetTarget,
  type Usage,
  type UsageLedger,
  type UsageQuery,
} from './ledger.js';
export {
  answerCallProblem,
  beginCallProblem,
  DEFAULT_MAX_ACCOUNTS,
  DEFAULT_MAX_CALLS,
  endCallProblem,
  MemoryLedger,
  type MemoryLedgerOptions,
  resetTargetProblem,
  usageQueryProblem,
} from './memory-ledger.js';
export { callCostMicros, formatMicros, MICROS_PER_USD } from './money.js';
export {
  boundsOf,
  DEFAULT_MAX_CALL_SECONDS,
  DEFAULT_TIME_ZONE,
  type HoursRule,
  hasBounds,
  type LimitFields,
  type LimitRules,
  MAX_LIMIT_COUNT,
  resolveExtensionBounds,
} from './rules.js';
