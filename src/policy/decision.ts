import type { BillingIncrement, LimitName, NumberType } from './deps.js';

/** The level whose rule decided: the account's top-level rule or the extension's own override. */
export type DecisionScope = 'account' | 'extension';

/** Where a classified call goes, as carried on a call decision. */
export interface DecisionDestination {
  /** The number in E.164 form, `+` and digits. */
  readonly e164: string;
  /** ISO 3166-1 alpha-2 region, or `001` for non-geographic calling codes. */
  readonly country: string;
  readonly type: NumberType;
}

/**
 * The fields of every decision: whether it allows, a stable code, the level that decided and a
 * sentence for a person (its wording may change between versions, the code does not).
 * A variant adds the fields its code always carries, so a `switch` on `code` narrows them.
 */
interface DecisionOf<C extends string, A extends boolean> {
  readonly allowed: A;
  readonly code: C;
  /** The level whose rule decided. */
  readonly scope: DecisionScope;
  readonly message: string;
}

// --- registrations ------------------------------------------------------------------------------

/** `ip-allowed`: the source address is in the allow-list in force; `matched` is the entry that contains it. */
export interface IpAllowedDecision extends DecisionOf<'ip-allowed', true> {
  /** The source text of the first allow-list entry, in list order, that contains the address. */
  readonly matched: string;
}

/**
 * A decision on a registration (see docs/decisions.md). Registration decisions are shared, frozen
 * objects; do not mutate them. `invalid-request` is for a request whose `extension` is not a string.
 */
export type RegistrationDecision =
  | DecisionOf<'unrestricted', true>
  | IpAllowedDecision
  | DecisionOf<'ip-not-allowed' | 'allow-list-empty' | 'invalid-ip' | 'invalid-request', false>;

// --- calls --------------------------------------------------------------------------------------

/** A call decision about a classified number, which has an E.164 destination. */
interface DestinationDecisionOf<C extends string, A extends boolean> extends DecisionOf<C, A> {
  readonly destination: DecisionDestination;
}

/** `area-allowed`: the calling rule allows the destination and no cap is in force. */
export interface AreaAllowedDecision extends DestinationDecisionOf<'area-allowed', true> {
  /** The allow selector that matched; absent when the rule has no `allow` list. */
  readonly matched?: string;
}

/** `area-denied`: a deny selector matches the destination. */
export interface AreaDeniedDecision extends DestinationDecisionOf<'area-denied', false> {
  /** The deny selector that matched. */
  readonly matched: string;
}

/**
 * An emergency number of the home country checked against the calling areas because the rule in
 * force says `emergency: "apply-rules"`. The number has no E.164 form, so it has no `destination`;
 * the cap never applies to it.
 */
export type EmergencyAreaDecision =
  | (DecisionOf<'area-allowed', true> & { readonly matched?: string; readonly destination?: never })
  | (DecisionOf<'area-not-allowed', false> & { readonly destination?: never })
  | (DecisionOf<'area-denied', false> & { readonly matched: string; readonly destination?: never });

/** `rate-within-cap` and `rate-above-cap`: the call's rate compared with the cap in force. */
export interface RateCapDecision<C extends 'rate-within-cap' | 'rate-above-cap', A extends boolean>
  extends DestinationDecisionOf<C, A> {
  /** The per-minute rate that was compared, canonical text. */
  readonly rate: string;
  /** The cap in force, canonical text. */
  readonly cap: string;
  /** The rate-deck prefix whose rate was used; absent when the request carried the rate. */
  readonly ratePrefix?: string;
  /** When the deck row used took effect (ISO 8601, UTC), in a deck with effective dates. */
  readonly rateEffectiveFrom?: string;
  /** How the deck row used bills calls, when the deck says; shown, never compared with the cap. */
  readonly billingIncrement?: BillingIncrement;
  /** The per-call charge of the deck row used (USD, canonical text); shown, never compared with the cap. */
  readonly connectionFee?: string;
}

/** `rate-within-cap`: the rate is at most the cap. */
export interface RateWithinCapDecision extends RateCapDecision<'rate-within-cap', true> {
  /** The allow selector that matched, when the calling rule has an `allow` list. */
  readonly matched?: string;
}

/**
 * `rate-unknown`: a cap is in force and the call's rate is not known. Allowed only under
 * `onUnknownRate: "allow"` (never when the request's own rate is not a valid amount).
 */
export interface RateUnknownDecision<A extends boolean = boolean>
  extends DestinationDecisionOf<'rate-unknown', A> {
  /** The cap in force, canonical text. */
  readonly cap: string;
}

/**
 * A decision on an outbound call (see docs/decisions.md), one variant per code: `switch (d.code)`
 * narrows the fields each code carries, and `if (d.allowed)` narrows the code.
 * Checks run in the order invalid → emergency → area → rate; the first that decides names the code.
 */
export type CallDecision =
  | DecisionOf<'invalid-request' | 'invalid-number', false>
  | DecisionOf<'emergency', true>
  | DestinationDecisionOf<'unrestricted', true>
  | AreaAllowedDecision
  | DestinationDecisionOf<'area-not-allowed', false>
  | AreaDeniedDecision
  | EmergencyAreaDecision
  | RateWithinCapDecision
  | RateCapDecision<'rate-above-cap', false>
  | RateUnknownDecision<true>
  | RateUnknownDecision<false>;

/** Why a registration was allowed or denied. */
export type RegistrationDecisionCode = RegistrationDecision['code'];

/** Why an outbound call was allowed or denied. */
export type CallDecisionCode = CallDecision['code'];

/** Every code a {@link Decision} or a `startCall` decision can carry. */
export type DecisionCode = RegistrationDecisionCode | CallDecisionCode | LimitDecisionCode;

/**
 * The outcome of one check: plain, JSON-serializable data. `Decision` is every decision;
 * `Decision<'rate-above-cap'>` is the variant (or variants) with that code.
 */
export type Decision<C extends DecisionCode = DecisionCode> = Extract<
  RegistrationDecision | CallDecision | LimitDecision,
  { readonly code: C }
>;

// --- the stateful step (policy.startCall, docs/limits.md) --------------------------------------

/** The policy field whose counter refused a call: `accountLimits.*` (the account's total) or `extensionLimits.*`. */
export type LimitField<L extends LimitName = LimitName> = `${'accountLimits' | 'extensionLimits'}.${L}`;

interface LimitDecisionOf<C extends string> {
  readonly allowed: false;
  readonly code: C;
  /** The level whose rule set the bound (an inherited extension default is the account's). */
  readonly scope: DecisionScope;
  readonly message: string;
  readonly destination: DecisionDestination;
}

/** `concurrency-limit`: as many calls in progress as the bound allows. */
export interface ConcurrencyLimitDecision extends LimitDecisionOf<'concurrency-limit'> {
  readonly limit: LimitField<'concurrentCalls'>;
  /** Calls in progress before this one. */
  readonly counter: number;
  readonly bound: number;
}

/** `velocity-limit`: as many calls started in the clock minute or hour as the bound allows. */
export interface VelocityLimitDecision extends LimitDecisionOf<'velocity-limit'> {
  readonly limit: LimitField<'callsPerMinute' | 'callsPerHour'>;
  /** Calls started in the window before this one. */
  readonly counter: number;
  readonly bound: number;
  /** When the window began, ISO 8601 UTC. */
  readonly window: string;
}

/** `repeat-dial-limit`: as many calls to this number in the clock hour as the bound allows. */
export interface RepeatDialLimitDecision extends LimitDecisionOf<'repeat-dial-limit'> {
  readonly limit: LimitField<'callsToSameNumberPerHour'>;
  readonly counter: number;
  readonly bound: number;
  readonly window: string;
}

/** `spend-limit`: the day's spend and this call's reservation would exceed the bound. */
export interface SpendLimitDecision extends LimitDecisionOf<'spend-limit'> {
  readonly limit: LimitField<'spendPerDay'>;
  /** USD spent or reserved on the local day before this call, canonical text. */
  readonly counter: string;
  /** The limit, USD. */
  readonly bound: string;
  /** What this call would reserve: its rate × maxCallSeconds, USD. */
  readonly reserve: string;
  /** The local day, `YYYY-MM-DD`, in `timeZone`. */
  readonly day: string;
  readonly timeZone: string;
}

/** `outside-calling-hours`: the call starts outside the calling hours in force. */
export interface OutsideCallingHoursDecision extends LimitDecisionOf<'outside-calling-hours'> {
  /** The local day and time of the start, such as `sat 03:07`. */
  readonly localTime: string;
  readonly timeZone: string;
  /** The calling-hours entries in force. */
  readonly hours: readonly string[];
}

/** `ledger-unavailable`: the ledger cannot record the call (full, or out of reach): fail closed. */
export interface LedgerUnavailableDecision extends LimitDecisionOf<'ledger-unavailable'> {}

/** A decision of the stateful step that refuses a call because of a limit. */
export type LimitDecision =
  | ConcurrencyLimitDecision
  | VelocityLimitDecision
  | RepeatDialLimitDecision
  | SpendLimitDecision
  | OutsideCallingHoursDecision
  | LedgerUnavailableDecision;

/** Codes of {@link LimitDecision}. */
export type LimitDecisionCode = LimitDecision['code'];

/** What an allowed call holds in the ledger. */
export interface Reservation {
  /** USD reserved against `spendPerDay`: the rate × `maxCallSeconds`, rounded up to the micro-dollar. */
  readonly reserved: string;
  /** End the call by then (Kamailio: `dlg_set_timeout`): the ledger releases it after this long. */
  readonly maxCallSeconds: number;
  /** When the ledger releases the call if no end arrives, ms since 1970 (later if it is answered later). */
  readonly releaseAt: number;
  /** The call had begun already (a repeated start): nothing was counted again. */
  readonly duplicate: boolean;
}
