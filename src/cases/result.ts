// The outcome of a rule-set check, shared by cases (run-cases.ts) and sequences (sequences.ts).
import type { PolicyErrorCode, SipguardIssue } from '../errors.js';
import type { Decision, DecisionCode } from '../policy/decision.js';
import type { StartDecision } from '../policy/start.js';

/**
 * The outcome of one case, or of one call of a sequence (whose decision is `startCall`'s):
 * `passed` or `failed` against the policy, or `malformed` and never run.
 */
export type RuleCaseResult =
  | {
      readonly outcome: 'passed' | 'failed';
      readonly name: string;
      readonly passed: boolean;
      readonly expected: { readonly allowed: boolean; readonly code?: DecisionCode };
      readonly actual: Decision | StartDecision;
      readonly issues?: never;
    }
  | {
      readonly outcome: 'malformed';
      /** The case's name, or `case <index>` when it has none. */
      readonly name: string;
      readonly passed: false;
      /** Every problem of the case, with its JSON path from the cases array (`/3/expect`). */
      readonly issues: readonly SipguardIssue<PolicyErrorCode>[];
      readonly expected?: never;
      readonly actual?: never;
    };
