// The outcome of a rule-set check, shared by cases (run-cases.ts) and sequences (sequences.ts).
import type { Decision, DecisionCode } from '../policy/decision.js';
import type { StartDecision } from '../policy/start.js';

/** The outcome of one case, or of one call of a sequence (whose decision is `startCall`'s). */
export interface RuleCaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly expected: { readonly allowed: boolean; readonly code?: DecisionCode };
  readonly actual: Decision | StartDecision;
}
