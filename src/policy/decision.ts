import type { NumberType } from './deps.js';

/** The level whose rule decided: the account's top-level rule or the extension's own override. */
export type DecisionScope = 'account' | 'extension';

/**
 * Why a registration was allowed or denied (see docs/decisions.md).
 * `invalid-request` is for a request whose `extension` is not a string.
 */
export type RegistrationDecisionCode =
  | 'unrestricted'
  | 'ip-allowed'
  | 'ip-not-allowed'
  | 'allow-list-empty'
  | 'invalid-ip'
  | 'invalid-request';

/**
 * Why an outbound call was allowed or denied (see docs/decisions.md).
 * Checks run in the order invalid → emergency → area → rate; the first that decides names the code.
 */
export type CallDecisionCode =
  | 'emergency'
  | 'unrestricted'
  | 'area-allowed'
  | 'area-not-allowed'
  | 'area-denied'
  | 'invalid-number'
  | 'rate-within-cap'
  | 'rate-above-cap'
  | 'rate-unknown'
  | 'invalid-request';

/** Every code a {@link Decision} can carry. */
export type DecisionCode = RegistrationDecisionCode | CallDecisionCode;

/** Where a classified call goes, as carried on a call decision. */
export interface DecisionDestination {
  /** The number in E.164 form, `+` and digits. */
  readonly e164: string;
  /** ISO 3166-1 alpha-2 region, or `001` for non-geographic calling codes. */
  readonly country: string;
  readonly type: NumberType;
}

/**
 * The outcome of one check: plain, JSON-serializable data.
 * Registration decisions are shared, frozen objects; do not mutate any decision.
 */
export interface Decision<C extends DecisionCode = DecisionCode> {
  readonly allowed: boolean;
  readonly code: C;
  /** The level whose rule decided. */
  readonly scope: DecisionScope;
  /** The source text of the rule entry that decided: an allow-list entry or a calling-area selector. */
  readonly matched?: string;
  /** A sentence for a person; its wording may change between versions, the code does not. */
  readonly message: string;
  readonly destination?: DecisionDestination;
  /** The per-minute rate that was compared, canonical text. */
  readonly rate?: string;
  /** The cap in force, canonical text. */
  readonly cap?: string;
  /** The rate-deck prefix whose rate was used, when the rate came from the deck. */
  readonly ratePrefix?: string;
}

/** A decision on a registration. */
export type RegistrationDecision = Decision<RegistrationDecisionCode>;

/** A decision on an outbound call. */
export type CallDecision = Decision<CallDecisionCode>;
