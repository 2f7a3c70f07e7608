// The policy area's surface for the rest of sipguard (src/index.ts, src/cli, src/cases). The public
// names are re-exported one by one from src/index.ts; the spec, shape walker and schema builder stay internal.
export {
  type CompilePolicyOptions,
  compilePolicy,
  compilePolicyJson,
  type SafeCompilePolicyResult,
  safeCompilePolicy,
} from './compile.js';
export type {
  CallDecision,
  CallDecisionCode,
  ConcurrencyLimitDecision,
  Decision,
  DecisionCode,
  DecisionDestination,
  DecisionScope,
  LedgerUnavailableDecision,
  LimitDecision,
  LimitDecisionCode,
  LimitField,
  OutsideCallingHoursDecision,
  RegistrationDecision,
  RegistrationDecisionCode,
  RepeatDialLimitDecision,
  Reservation,
  SpendLimitDecision,
  VelocityLimitDecision,
} from './decision.js';
export type { PolicyFinding, PolicyFindingCode, PolicyFindingSeverity } from './findings.js';
export type { CallRequest, Policy, RegistrationRequest, RegistrationToDrop } from './policy.js';
export type { PolicyDocument, PolicyRules } from './spec.js';
export type {
  CallStart,
  InvalidStartDecision,
  ReservedCallDecision,
  SpendRateUnknownDecision,
  StartDecision,
} from './start.js';
