// The compiled policy and its per-request checks. Nothing here parses configuration: every rule was
// resolved by compilePolicy, and registration decisions were built in advance.

import { argumentError } from '../errors.js';
import { describeValue, quote } from '../text.js';
import type {
  CallDecision,
  DecisionDestination,
  DecisionScope,
  RateWithinCapDecision,
  RegistrationDecision,
} from './decision.js';
import {
  type AsyncUsageLedger,
  type CallingOutcome,
  classifyDialed,
  evaluateCalling,
  isInstant,
  PROBE_INVALID,
  PROBE_NOT_LISTED,
  type RateTable,
  type RateTime,
  safeParseRate,
  timeOf,
  type UsageLedger,
  type UsageQuery,
} from './deps.js';
import type { PolicyFinding } from './findings.js';
import { ledgerUnavailableDecision } from './limit-decision.js';
import type { ResolvedRules } from './rules.js';
import {
  type CallStart,
  finishStart,
  isPending,
  type PendingStart,
  planStart,
  type StartDecision,
} from './start.js';

/** A registration to check: which extension, from which source address. */
export interface RegistrationRequest {
  readonly extension: string;
  /** The address the REGISTER came from, e.g. `"203.0.113.7"` or `"2001:db8::1"`. */
  readonly sourceIp: string;
}

/** An outbound call to check. */
export interface CallRequest {
  readonly extension: string;
  /** What the user dialed, as the PBX received it: `"011 44 20 7946 0958"`, `"tel:+442079460958"`, … */
  readonly dialed: string;
  /** The known per-minute USD rate of this call (`"0.0125"`); it takes precedence over the rate deck. */
  readonly ratePerMinute?: string;
  /**
   * When the call is placed: a `Date`, milliseconds since 1970 UTC or ISO 8601 text. Needed with a
   * rate deck that has effective dates, to pick the row in force (sipguard reads no clock); ignored
   * otherwise.
   */
  readonly at?: RateTime;
}

/** A held registration the policy no longer allows, with the decision that says why. */
export interface RegistrationToDrop<R extends RegistrationRequest> {
  readonly registration: R;
  readonly decision: RegistrationDecision;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const INVALID_REGISTRATION_REQUEST: RegistrationDecision = /* @__PURE__ */ Object.freeze({
  allowed: false,
  code: 'invalid-request',
  scope: 'account',
  message: 'the request has no extension string; registration denied',
});

const INVALID_CALL_REQUEST: CallDecision = /* @__PURE__ */ Object.freeze({
  allowed: false,
  code: 'invalid-request',
  scope: 'account',
  message: 'the request has no extension string; call denied',
});

function requestExtension(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null) return undefined;
  const extension = (request as { extension?: unknown }).extension;
  return typeof extension === 'string' ? extension : undefined;
}

/**
 * A compiled, immutable policy: account rules and per-extension overrides with precedence resolved.
 * Built by `compilePolicy` or `compilePolicyJson` (a type only: there is no constructor to call);
 * its checks never throw.
 */
export interface Policy {
  /** Lint results: valid but suspicious parts of the document, with their JSON paths. */
  readonly findings: readonly PolicyFinding[];
  /**
   * Decides whether `extension` may register from `sourceIp`. Never throws: a malformed address is
   * denied with `invalid-ip` (even where registration is unrestricted), a missing extension with
   * `invalid-request`. Returns a shared, frozen decision.
   */
  checkRegistration(request: RegistrationRequest): RegistrationDecision;
  /**
   * Returns the held registrations this policy does not allow, each with its decision, in input
   * order. Call it after a policy change so that the change takes effect on existing registrations.
   */
  registrationsToDrop<R extends RegistrationRequest>(registrations: Iterable<R>): RegistrationToDrop<R>[];
  /**
   * Decides whether `extension` may call `dialed`. Checks run in the order invalid number →
   * emergency → calling area → rate cap. Never throws.
   */
  checkCall(request: CallRequest): CallDecision;
  /**
   * The stateful step (docs/limits.md): `checkCall`, then the calling hours and the usage limits in
   * force, counted and reserved in `ledger` when the call is allowed. Emergency calls are never
   * limited. The time comes from `start.at`; nothing reads a clock. Never throws.
   */
  startCall(ledger: UsageLedger, start: CallStart): StartDecision;
  /**
   * {@link Policy.startCall} with a ledger that answers with promises (a shared store). A ledger that
   * rejects (out of reach) gives `ledger-unavailable`: fail closed. Never rejects.
   */
  startCallAsync(ledger: UsageLedger | AsyncUsageLedger, start: CallStart): Promise<StartDecision>;
  /**
   * The ledger query for an account's (and an extension's) counters at `at`, with the spend day
   * read in the account's time zone: `ledger.usage(policy.usageQuery({ account, extension, at }))`.
   */
  usageQuery(query: Omit<UsageQuery, 'day'>): UsageQuery;
}

// What usageQuery gives for a query that is not an object: one every ledger answers with zeros.
const NO_QUERY: UsageQuery = Object.freeze({ account: '', at: 0, day: 0 });

// Why a ledger's begin failed, for the decision's message (a ledger may throw anything).
const failure = (error: unknown): string => (error instanceof Error ? error.message : 'the ledger failed');

/** The one implementation of {@link Policy}, built by compilePolicy. */
export class CompiledPolicy implements Policy {
  readonly findings: readonly PolicyFinding[];
  readonly #account: ResolvedRules;
  readonly #extensions: ReadonlyMap<string, ResolvedRules>;

  constructor(
    account: ResolvedRules,
    extensions: ReadonlyMap<string, ResolvedRules>,
    findings: readonly PolicyFinding[],
  ) {
    this.#account = account;
    this.#extensions = extensions;
    this.findings = findings;
    Object.freeze(this);
  }

  #rulesFor(extension: string): ResolvedRules {
    return this.#extensions.get(extension) ?? this.#account;
  }

  checkRegistration(request: RegistrationRequest): RegistrationDecision {
    const extension = requestExtension(request);
    if (extension === undefined) return INVALID_REGISTRATION_REQUEST;
    const rule = this.#rulesFor(extension).registration;
    const sourceIp: unknown = request.sourceIp;
    const index = typeof sourceIp === 'string' ? rule.list.probe(sourceIp) : PROBE_INVALID;
    if (index >= 0) return rule.allowedByEntry[index] ?? rule.miss;
    return index === PROBE_NOT_LISTED ? rule.miss : rule.invalidIp;
  }

  registrationsToDrop<R extends RegistrationRequest>(registrations: Iterable<R>): RegistrationToDrop<R>[] {
    const iterable: unknown = registrations;
    if (
      typeof iterable !== 'object' ||
      iterable === null ||
      typeof (iterable as Partial<Iterable<R>>)[Symbol.iterator] !== 'function'
    ) {
      throw argumentError(
        `registrationsToDrop takes an iterable of { extension, sourceIp }, such as an array, got ${describeValue(iterable)}`,
      );
    }
    const drop: RegistrationToDrop<R>[] = [];
    for (const registration of registrations) {
      const decision = this.checkRegistration(registration);
      if (!decision.allowed) drop.push({ registration, decision });
    }
    return drop;
  }

  startCall(ledger: UsageLedger, start: CallStart): StartDecision {
    const plan = this.#planStart(start);
    if (!isPending(plan)) return plan;
    let answer: unknown;
    try {
      answer = ledger.begin(plan.begin);
    } catch (error) {
      return ledgerUnavailableDecision(plan.context.destination, failure(error));
    }
    return finishStart(plan, answer);
  }

  async startCallAsync(ledger: UsageLedger | AsyncUsageLedger, start: CallStart): Promise<StartDecision> {
    const plan = this.#planStart(start);
    if (!isPending(plan)) return plan;
    let answer: unknown;
    try {
      answer = await ledger.begin(plan.begin);
    } catch (error) {
      return ledgerUnavailableDecision(plan.context.destination, failure(error));
    }
    return finishStart(plan, answer);
  }

  usageQuery(query: Omit<UsageQuery, 'day'>): UsageQuery {
    if (typeof query !== 'object' || query === null) return NO_QUERY;
    const rules = query.extension === undefined ? this.#account : this.#rulesFor(query.extension);
    const day = isInstant(query.at) ? rules.limits.dayClock.day(query.at) : 0;
    // Object.assign, not a spread then `day`: on Node 20 that literal costs about 1.5 µs (docs/performance.md).
    return Object.assign({}, query, { day });
  }

  #planStart(start: CallStart): StartDecision | PendingStart {
    const decision = this.checkCall(start);
    if (!decision.allowed) return decision;
    const rules = this.#rulesFor(start.extension);
    const limits = rules.limits;
    let rate: string | undefined;
    let unknownAllowed = rules.unknownRate.allow;
    if (decision.code === 'rate-within-cap') rate = decision.rate;
    else if (limits.spendLimited && decision.code !== 'emergency' && decision.destination !== undefined) {
      // No cap priced the call: price it here for the reservation, as checkCall would.
      const explicit: unknown = start.ratePerMinute;
      if (explicit !== undefined) {
        const parsed = safeParseRate(explicit);
        if (parsed.success) rate = parsed.rate.toString();
        else unknownAllowed = false; // a malformed rate is never waved through
      } else if (rules.rates !== undefined) {
        // At the call's time: a dated deck has no row in force without one.
        const index = rules.rates.lookupIndex(decision.destination.e164, start.at);
        if (index >= 0) rate = rules.rates.rateAt(index).toString();
      }
    }
    return planStart(limits, unknownAllowed, decision, start, rate);
  }

  checkCall(request: CallRequest): CallDecision {
    const extension = requestExtension(request);
    if (extension === undefined) return INVALID_CALL_REQUEST;
    const rules = this.#rulesFor(extension);
    const calling = rules.calling;
    const dialed: unknown = request.dialed;
    if (typeof dialed !== 'string') {
      return {
        allowed: false,
        code: 'invalid-number',
        scope: calling.scope,
        message: 'the dialed number is missing or not a string; call denied',
      };
    }

    const classifyOptions = rules.home.classifyOptions;
    if (classifyOptions === undefined) {
      return {
        allowed: false,
        code: 'invalid-number',
        scope: rules.home.scope,
        message: `${quote(dialed)} cannot be read: the policy sets no homeCountry for this extension; call denied`,
      };
    }
    const classified = classifyDialed(dialed, classifyOptions);
    if (!classified.ok) {
      return {
        allowed: false,
        code: 'invalid-number',
        scope: calling.scope,
        message: `${quote(dialed)} cannot be classified (${classified.code}): ${classified.message}; call denied`,
      };
    }

    if (classified.emergency) {
      if (calling.emergency === 'allow') {
        return {
          allowed: true,
          code: 'emergency',
          scope: calling.scope,
          message: `${quote(dialed)} is an emergency number of ${classified.country}; emergency calls are always allowed`,
        };
      }
      // "apply-rules": the number has no E.164 form, so it is checked as a home-country destination of
      // unknown type, never against the cap, and the decision carries no destination.
      const area = evaluateCalling(calling.rules, {
        e164: classified.number,
        country: classified.country,
        type: 'unknown',
      });
      return emergencyAreaDecision(area, calling.scope, dialed);
    }

    const destination: DecisionDestination = {
      e164: classified.e164,
      country: classified.country,
      type: classified.type,
    };
    // The calling rule's verdict when it allowed the call (a shared, frozen outcome).
    let allowedBy: CallingOutcome | undefined;
    if (calling.rules !== undefined) {
      allowedBy = evaluateCalling(calling.rules, destination);
      if (allowedBy.code !== 'area-allowed') return areaDecision(allowedBy, calling.scope, destination);
    }
    const areaMatched = allowedBy?.code === 'area-allowed' ? allowedBy.matched : undefined;

    const capRule = rules.cap;
    const cap = capRule.cap;
    if (cap === null) {
      return allowedBy === undefined
        ? {
            allowed: true,
            code: 'unrestricted',
            scope: calling.scope,
            destination,
            message: `no calling-area rule and no rate cap apply; call to ${destination.e164} allowed`,
          }
        : areaDecision(allowedBy, calling.scope, destination);
    }

    const capText = capRule.capText;
    const explicitRate: unknown = request.ratePerMinute;
    if (explicitRate !== undefined) {
      const parsed = safeParseRate(explicitRate);
      if (!parsed.success) {
        const why = `the request's ratePerMinute is not a valid rate (${parsed.issue.message})`;
        return unreadableRate(capRule.scope, destination, capText, why);
      }
      const above = parsed.rate.compare(cap) > 0;
      return rateDecision(above, capRule.scope, destination, parsed.rate.toString(), capText, areaMatched);
    }

    const deck = capRule.deck;
    if (deck !== undefined) {
      const { table } = deck;
      const at: unknown = request.at;
      // Read once: lookupIndex takes the milliseconds. A dated deck cannot be read without the time
      // of the call: refused, whatever onUnknownRate says.
      const time = timeOf(at);
      if (table.hasEffectiveDates && Number.isNaN(time)) {
        const why = `the rate deck has effective dates and the request's time (at) is ${at === undefined ? 'missing' : `not a time (${describeValue(at)}; give a Date, milliseconds or ISO 8601 text)`}`;
        return unreadableRate(capRule.scope, destination, capText, why);
      }
      const index = table.lookupIndex(destination.e164, time);
      if (index >= 0) {
        const above = deck.above[index] === 1;
        return rateDecision(
          above,
          capRule.scope,
          destination,
          table.rateAt(index).toString(),
          capText,
          areaMatched,
          table,
          index,
        );
      }
    }

    const unknown = rules.unknownRate;
    const allowed = unknown.allow;
    return {
      allowed,
      code: 'rate-unknown',
      scope: unknown.explicit ? unknown.scope : capRule.scope,
      destination,
      cap: capText,
      message: allowed
        ? `the rate to ${destination.e164} is unknown; allowed because onUnknownRate is "allow"`
        : `the rate to ${destination.e164} is unknown and a cap of $${capText} is in force; call denied (set onUnknownRate to "allow" to change this)`,
    };
  }
}

// Selectors are validated ASCII without quotes, so they are quoted here without escaping.
function areaMessage(outcome: CallingOutcome, what: string): string {
  switch (outcome.code) {
    case 'area-allowed':
      return outcome.matched === undefined
        ? `${what} is allowed: no deny selector matches and no allow list is set`
        : `${what} is in an allowed calling area (selector "${outcome.matched}")`;
    case 'area-denied':
      return `${what} matches deny selector "${outcome.matched}"; call denied`;
    case 'area-not-allowed':
      return `${what} matches no allow selector; call denied`;
  }
}

function areaDecision(
  outcome: CallingOutcome,
  scope: DecisionScope,
  destination: DecisionDestination,
): CallDecision {
  const message = areaMessage(outcome, `${destination.e164} (${destination.country}, ${destination.type})`);
  switch (outcome.code) {
    case 'area-allowed':
      return outcome.matched === undefined
        ? { allowed: true, code: 'area-allowed', scope, message, destination }
        : { allowed: true, code: 'area-allowed', scope, message, destination, matched: outcome.matched };
    case 'area-not-allowed':
      return { allowed: false, code: 'area-not-allowed', scope, message, destination };
    case 'area-denied':
      return { allowed: false, code: 'area-denied', scope, message, destination, matched: outcome.matched };
  }
}

// An emergency number checked under "apply-rules" has no E.164 form: the decision quotes what was dialed.
function emergencyAreaDecision(outcome: CallingOutcome, scope: DecisionScope, dialed: string): CallDecision {
  const message = areaMessage(
    outcome,
    `emergency number ${quote(dialed)}, checked like any call because emergency is "apply-rules",`,
  );
  switch (outcome.code) {
    case 'area-allowed':
      return outcome.matched === undefined
        ? { allowed: true, code: 'area-allowed', scope, message }
        : { allowed: true, code: 'area-allowed', scope, message, matched: outcome.matched };
    case 'area-not-allowed':
      return { allowed: false, code: 'area-not-allowed', scope, message };
    case 'area-denied':
      return { allowed: false, code: 'area-denied', scope, message, matched: outcome.matched };
  }
}

// A rate the request makes unreadable under a cap: denied, whatever onUnknownRate says.
function unreadableRate(
  scope: DecisionScope,
  destination: DecisionDestination,
  cap: string,
  why: string,
): CallDecision {
  return {
    allowed: false,
    code: 'rate-unknown',
    scope,
    destination,
    cap,
    message: `${why}; with a cap in force the call is denied`,
  };
}

type DeckRowFacts = Mutable<
  Pick<RateWithinCapDecision, 'ratePrefix' | 'rateEffectiveFrom' | 'billingIncrement' | 'connectionFee'>
>;

// `table` and `index` name the deck row used; without them the rate came with the request.
function rateDecision(
  above: boolean,
  scope: DecisionScope,
  destination: DecisionDestination,
  rate: string,
  cap: string,
  areaMatched: string | undefined,
  table?: RateTable,
  index?: number,
): CallDecision {
  const facts: DeckRowFacts = {};
  let source = 'the request';
  let charges = '';
  if (table !== undefined && index !== undefined) {
    facts.ratePrefix = table.prefixAt(index);
    source = `rate-deck prefix ${facts.ratePrefix}`;
    const from = table.effectiveFromAt(index);
    if (from !== undefined) {
      facts.rateEffectiveFrom = from;
      source += ` in force since ${from}`;
    }
    const billing = table.billingIncrementAt(index);
    const fee = table.connectionFeeAt(index)?.toString();
    if (billing !== undefined) facts.billingIncrement = billing;
    if (fee !== undefined) facts.connectionFee = fee;
    // The FAQ's cap is on the per-minute rate: the other charges are told, never compared.
    const parts = [
      ...(billing === undefined ? [] : [`billed ${billing.initialSeconds}/${billing.incrementSeconds}`]),
      ...(fee === undefined ? [] : [`connection fee $${fee}`]),
    ];
    if (parts.length > 0) charges = ` (${parts.join(', ')}; not compared with the cap)`;
  }
  if (above) {
    const message = `the rate to ${destination.e164} is $${rate}/min (from ${source}), above the cap of $${cap}${charges}; call denied`;
    return { allowed: false, code: 'rate-above-cap', scope, destination, rate, cap, message, ...facts };
  }
  const message = `the rate to ${destination.e164} is $${rate}/min (from ${source}), within the cap of $${cap}${charges}`;
  const decision: Mutable<RateWithinCapDecision> = {
    allowed: true,
    code: 'rate-within-cap',
    scope,
    destination,
    rate,
    cap,
    message,
    ...facts,
  };
  if (areaMatched !== undefined) decision.matched = areaMatched;
  return decision;
}
