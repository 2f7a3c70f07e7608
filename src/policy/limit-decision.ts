// Builds the decisions of the stateful step (policy.startCall) that refuse a call: the limit, with
// the counter and the bound. Built only when a call is refused, so the messages may allocate.

import type {
  DecisionDestination,
  DecisionScope,
  LedgerUnavailableDecision,
  LimitDecision,
  LimitField,
  OutsideCallingHoursDecision,
} from './decision.js';
import {
  type CounterLevel,
  formatDay,
  formatMicros,
  formatMinute,
  type LimitName,
  type LimitReached,
  WEEKDAYS,
} from './deps.js';

/** The context a refusal is explained in. */
export interface RefusalContext {
  readonly extension: string;
  readonly destination: DecisionDestination;
  readonly at: number;
  readonly day: number;
  readonly timeZone: string;
  /** The level that set each extension bound. */
  readonly extensionScopes: Readonly<Partial<Record<LimitName, CounterLevel>>>;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;

function whose(level: CounterLevel, extension: string): string {
  return level === 'account' ? 'the account' : `extension ${JSON.stringify(extension)}`;
}

function setBy(reached: LimitReached, context: RefusalContext): DecisionScope {
  return reached.level === 'account' ? 'account' : (context.extensionScopes[reached.limit] ?? 'account');
}

function fieldOf<L extends LimitName>(level: CounterLevel, limit: L): LimitField<L> {
  return `${level === 'account' ? 'accountLimits' : 'extensionLimits'}.${limit}`;
}

// The start of the clock-aligned (UTC) window of `size` ms holding `at`: the ledger's window start,
// or (from a ledger that gives none) the event's time.
function windowOf(at: number, size: number): string {
  return new Date(Math.floor(at / size) * size).toISOString();
}

function limitText(field: string, scope: DecisionScope, level: CounterLevel): string {
  return level === 'extension'
    ? `${field}, set by ${scope === 'account' ? "the account's default" : 'the extension'}`
    : field;
}

/** The decision for a bound the ledger reports reached. */
export function limitDecision(reached: LimitReached, context: RefusalContext): LimitDecision {
  const scope = setBy(reached, context);
  const who = whose(reached.level, context.extension);
  const destination = context.destination;
  switch (reached.limit) {
    case 'concurrentCalls': {
      const limit = fieldOf(reached.level, reached.limit);
      return {
        allowed: false,
        code: 'concurrency-limit',
        scope,
        limit,
        counter: reached.counter,
        bound: reached.bound,
        destination,
        message: `${who} has ${reached.counter} ${reached.counter === 1 ? 'call' : 'calls'} in progress, the limit of ${reached.bound} (${limitText(limit, scope, reached.level)}); call denied`,
      };
    }
    case 'callsPerMinute':
    case 'callsPerHour': {
      const limit = fieldOf(reached.level, reached.limit);
      const window = windowOf(
        reached.windowStartsAt ?? context.at,
        reached.limit === 'callsPerMinute' ? MINUTE : HOUR,
      );
      const span = reached.limit === 'callsPerMinute' ? 'minute' : 'hour';
      return {
        allowed: false,
        code: 'velocity-limit',
        scope,
        limit,
        counter: reached.counter,
        bound: reached.bound,
        window,
        destination,
        message: `${who} started ${reached.counter} ${reached.counter === 1 ? 'call' : 'calls'} in the ${span} from ${window.slice(11, 16)} UTC, the limit of ${reached.bound} (${limitText(limit, scope, reached.level)}); call denied`,
      };
    }
    case 'callsToSameNumberPerHour': {
      const limit = fieldOf(reached.level, reached.limit);
      const window = windowOf(reached.windowStartsAt ?? context.at, HOUR);
      return {
        allowed: false,
        code: 'repeat-dial-limit',
        scope,
        limit,
        counter: reached.counter,
        bound: reached.bound,
        window,
        destination,
        message: `${who} called ${destination.e164} ${reached.counter} ${reached.counter === 1 ? 'time' : 'times'} in the hour from ${window.slice(11, 16)} UTC, the limit of ${reached.bound} (${limitText(limit, scope, reached.level)}); call denied`,
      };
    }
    case 'spendPerDay': {
      const limit = fieldOf(reached.level, reached.limit);
      const day = formatDay(context.day);
      const counter = formatMicros(reached.counter);
      const bound = formatMicros(reached.bound);
      const reserve = formatMicros(reached.reserve);
      return {
        allowed: false,
        code: 'spend-limit',
        scope,
        limit,
        counter,
        bound,
        reserve,
        day,
        timeZone: context.timeZone,
        destination,
        message: `${who} has spent or reserved $${counter} on ${day} (${context.timeZone}); this call would reserve $${reserve}, over the limit of $${bound} (${limitText(limit, scope, reached.level)}); call denied`,
      };
    }
  }
}

/** The decision for a call that starts outside its calling hours. */
export function outsideHoursDecision(
  scope: DecisionScope,
  minuteOfWeek: number,
  timeZone: string,
  hours: readonly string[],
  destination: DecisionDestination,
): OutsideCallingHoursDecision {
  const localTime = `${WEEKDAYS[Math.floor(minuteOfWeek / 1440)] ?? ''} ${formatMinute(minuteOfWeek % 1440)}`;
  return {
    allowed: false,
    code: 'outside-calling-hours',
    scope,
    localTime,
    timeZone,
    hours,
    destination,
    message:
      hours.length === 0
        ? `the calling hours in force allow no time at all (an empty list); call at ${localTime} (${timeZone}) denied`
        : `the call starts at ${localTime} (${timeZone}), outside the calling hours (${hours.join(', ')}); call denied`,
  };
}

/** The decision for a ledger that cannot record the call. */
export function ledgerUnavailableDecision(
  destination: DecisionDestination,
  why: string,
): LedgerUnavailableDecision {
  return {
    allowed: false,
    code: 'ledger-unavailable',
    scope: 'account',
    destination,
    message: `the usage ledger cannot record the call (${why}); calls under usage limits are denied until it can (emergency calls are not affected)`,
  };
}
