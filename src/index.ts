// The public API of `sipguard`. Everything exported here is documented in docs/;
// anything not listed is internal and may change without notice.

// --- Rule-set tests (src/cases, docs/testing-rule-sets.md): expectations checked against a policy.
export type { RuleCase, RuleCaseResult, RuleCasesDocument } from './cases/run-cases.js';
export { parseRuleCases, runCases } from './cases/run-cases.js';
export type { RuleSequence, SequenceStep } from './cases/sequences.js';
export { runSequences } from './cases/sequences.js';

export type {
  AggregateErrorCode,
  IpErrorCode,
  JsonErrorCode,
  PolicyErrorCode,
  RateErrorCode,
  SipguardErrorCode,
  SipguardIssue,
  SipguardIssueCode,
  SipguardIssueCodeOf,
} from './errors.js';
export { formatIssues, SipguardError } from './errors.js';
// --- IP allow-lists (src/ip, docs/ip-allow-lists.md): strict entry parsing and fast matching.
// Not exported: the IPv4 scanner and IPv6 parser internals.
export type {
  IpEntry,
  IpEntryKind,
  IpEntryOptions,
  IpFamily,
  IpFinding,
  IpFindingCode,
  IpFindingSeverity,
  IpRange,
} from './ip/index.js';
export { IpAllowList, MAX_ENTRY_LENGTH, PROBE_INVALID, PROBE_NOT_LISTED, parseIpEntry } from './ip/index.js';
// --- JSON text (src/json, docs/errors.md): strict reading of the policy or cases file a caller has
// read, since JSON.parse silently keeps the last of two duplicate keys.
export type { SafeParseJsonTextResult } from './json/index.js';
export { MAX_JSON_DEPTH, parseJsonText, safeParseJsonText } from './json/index.js';
// --- Usage limits (src/limits, docs/limits.md): the usage ledger that policy.startCall counts in.
// Not exported: the calendar, calling-hours and rule internals the policy compiles with.
export type {
  AnswerCall,
  AnswerResult,
  AsyncUsageLedger,
  BeginCall,
  BeginResult,
  CounterLevel,
  EndCall,
  EndResult,
  LevelBounds,
  LevelUsage,
  LimitName,
  LimitReached,
  MemoryLedgerOptions,
  ResetTarget,
  Usage,
  UsageLedger,
  UsageQuery,
} from './limits/index.js';
// The ledger's bounds, its limits in checking order, MemoryLedger, and the input checks every ledger
// makes (a ledger of your own, such as sipguard serve's Redis ledger, reuses them).
export {
  answerCallProblem,
  beginCallProblem,
  EVENT_RETENTION_MS,
  endCallProblem,
  isLedgerKey,
  LIMIT_NAMES,
  ledgerKeyProblem,
  MAX_BILLED_SECONDS,
  MAX_CALL_SECONDS,
  MAX_LEDGER_KEY_LENGTH,
  MemoryLedger,
  resetTargetProblem,
  usageQueryProblem,
} from './limits/index.js';
// --- Calling areas (src/phone, docs/calling-areas.md): classifying what a user dialed.
// Not exported: the selector compiler and evaluator (the policy uses them), the cache and metadata helpers.
export type {
  CallingSelector,
  ClassifyDialedOptions,
  DialedClassification,
  DialedEmergency,
  DialedFailure,
  DialedFailureCode,
  DialedNumber,
  NumberType,
  RegionCode,
} from './phone/index.js';
export { classifyDialed, emergencyNumbersOf } from './phone/index.js';
// --- Policies (src/policy, docs/policy.md, docs/decisions.md): compile a policy document once, then
// check registrations and calls. `Policy` is an interface (build one with compilePolicy); not exported:
// the document spec, whose JSON Schema ships as the file `sipguard/policy.schema.json`.
export type {
  CallDecision,
  CallDecisionCode,
  CallRequest,
  CallStart,
  CompilePolicyOptions,
  ConcurrencyLimitDecision,
  Decision,
  DecisionCode,
  DecisionDestination,
  DecisionScope,
  InvalidStartDecision,
  LedgerUnavailableDecision,
  LimitDecision,
  LimitDecisionCode,
  LimitField,
  OutsideCallingHoursDecision,
  Policy,
  PolicyDocument,
  PolicyFinding,
  PolicyFindingCode,
  PolicyFindingSeverity,
  PolicyRules,
  RegistrationDecision,
  RegistrationDecisionCode,
  RegistrationRequest,
  RegistrationToDrop,
  RepeatDialLimitDecision,
  Reservation,
  ReservedCallDecision,
  SafeCompilePolicyResult,
  SpendLimitDecision,
  SpendRateUnknownDecision,
  StartDecision,
  VelocityLimitDecision,
} from './policy/index.js';
export { compilePolicy, compilePolicyJson, safeCompilePolicy } from './policy/index.js';

// --- Rates (src/rate, docs/rates.md): exact per-minute USD amounts and rate decks. src/rate/public.ts
// names them, once for here and for `sipguard/rate`.
export * from './rate/public.js';
