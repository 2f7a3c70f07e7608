// The usage ledger: what a limit needs to remember between calls. Every operation takes plain data
// (strings and integers, no Rate objects, no time zones) computed by the pure step beforehand, so
// that a shared store can run each one as a single atomic script: begin checks every bound and
// reserves in one step, which is what keeps concurrent calls from overshooting a limit.

/** Whose counter a bound applies to: the account's totals, or the calling extension's own. */
export type CounterLevel = 'account' | 'extension';

/** The limits that count, in the order a begin checks them (per limit, the extension's counter first). */
export type LimitName =
  | 'concurrentCalls'
  | 'callsPerMinute'
  | 'callsPerHour'
  | 'callsToSameNumberPerHour'
  | 'spendPerDay';

/** Every limit, in checking order. */
export const LIMIT_NAMES: readonly LimitName[] = Object.freeze([
  'concurrentCalls',
  'callsPerMinute',
  'callsPerHour',
  'callsToSameNumberPerHour',
  'spendPerDay',
]);

/** The bounds of one counter level for one call; an absent bound does not limit. Spend in micro-dollars. */
export interface LevelBounds {
  readonly concurrentCalls?: number;
  readonly callsPerMinute?: number;
  readonly callsPerHour?: number;
  readonly callsToSameNumberPerHour?: number;
  readonly spendPerDay?: number;
}

/** Longest account key, call id or extension id a ledger accepts, in UTF-16 code units. */
export const MAX_LEDGER_KEY_LENGTH = 256;

const hasKeyLength = (value: unknown): value is string =>
  typeof value === 'string' && value.length > 0 && value.length <= MAX_LEDGER_KEY_LENGTH;

/**
 * Whether a value is a ledger key (an account, call id, extension or number): a string of 1 to
 * {@link MAX_LEDGER_KEY_LENGTH} UTF-16 code units that is well-formed text, with no lone surrogate.
 */
export function isLedgerKey(value: unknown): value is string {
  // A lone surrogate is no text: a store that keeps UTF-8 (Redis) makes each one U+FFFD, so that
  // two call ids would be one call and a second call would pass as the first's repeat.
  return hasKeyLength(value) && value.isWellFormed();
}

/** What is wrong with a ledger key named `name` (see {@link isLedgerKey}), or undefined. */
export function ledgerKeyProblem(value: unknown, name: string): string | undefined {
  if (!hasKeyLength(value)) return `${name} must be a string of 1 to ${MAX_LEDGER_KEY_LENGTH} characters`;
  return value.isWellFormed() ? undefined : `${name} has half of a UTF-16 surrogate pair, which is not text`;
}

/** Longest billed duration an end may report: 7 days, in seconds. */
export const MAX_BILLED_SECONDS = 604_800;
/** Longest maximum call duration, in seconds (24 hours). */
export const MAX_CALL_SECONDS = 86_400;
/**
 * How long a ledger remembers a call after it ended (or after its release, or after an event for a
 * call it never saw begin): 15 minutes, so that a late or repeated event is still recognised.
 * A memory ledger keeps ended call ids for one to two such periods.
 */
export const EVENT_RETENTION_MS = 900_000;

/** A call that starts: reserve it against every bound, or say which bound refuses it. */
export interface BeginCall {
  /** The account whose policy applies; a ledger keeps each account's counters apart. */
  readonly account: string;
  /** Unique per call within the account, and not chosen by the caller's device (see docs/limits.md). */
  readonly callId: string;
  readonly extension: string;
  /** The E.164 destination, counted for `callsToSameNumberPerHour`. */
  readonly destination: string;
  /** When the call starts, in milliseconds since 1970-01-01T00:00:00Z. */
  readonly at: number;
  /** The local date of `at` in the account's time zone, as days since 1970-01-01: the spend day. */
  readonly day: number;
  /** When that local day ends: the spend counter's expiry. */
  readonly dayEndsAt: number;
  /** The per-minute rate in 10^-8 USD (0 when free, or unknown and allowed). */
  readonly rateUnits: number;
  /** The longest the call may last, in seconds: the reservation covers it, and the call is released after it. */
  readonly maxCallSeconds: number;
  /** Bounds on the account's totals. */
  readonly accountBounds: LevelBounds;
  /** Bounds on the extension's own counters. */
  readonly extensionBounds: LevelBounds;
}

/** A bound that refused a call: which one, whose counter, its value and the bound. */
export type LimitReached =
  | {
      readonly status: 'limited';
      readonly limit: Exclude<LimitName, 'spendPerDay'>;
      readonly level: CounterLevel;
      /** The counter before this call: calls in progress, or calls in the window. */
      readonly counter: number;
      readonly bound: number;
      /**
       * For callsPerMinute, callsPerHour and callsToSameNumberPerHour: the start (ms, UTC) of the window
       * the counter holds. For an event stamped in an earlier window it is the counter's later one, in
       * which the event counts. sipguard's ledgers set it; without it a decision names the event's window.
       */
      readonly windowStartsAt?: number;
    }
  | {
      readonly status: 'limited';
      readonly limit: 'spendPerDay';
      readonly level: CounterLevel;
      /** Micro-dollars spent or reserved so far on the call's local day. */
      readonly counter: number;
      /** The limit, in micro-dollars. */
      readonly bound: number;
      /** What this call would reserve, in micro-dollars. */
      readonly reserve: number;
    };

/** The outcome of {@link UsageLedger.begin}. Only `reserved` and `duplicate` let the call through. */
export type BeginResult =
  /** Counted and reserved. */
  | { readonly status: 'reserved'; readonly reservedMicros: number; readonly releaseAt: number }
  /** The same call began before and is still counted: nothing changes. */
  | { readonly status: 'duplicate'; readonly reservedMicros: number; readonly releaseAt: number }
  /** The call id already ended (its end may have arrived first): recorded, but not a call to place. */
  | { readonly status: 'ended' }
  /** The call id is in use by a call from another extension or to another number. */
  | { readonly status: 'conflict' }
  | LimitReached
  /** The ledger cannot record more calls or accounts (a memory ledger at its bounds). */
  | { readonly status: 'full' }
  | { readonly status: 'invalid'; readonly message: string };

/**
 * The call was answered. It is recorded once; the release of a call whose end never comes still
 * counts from its begin, so that events in any order leave the same state.
 */
export interface AnswerCall {
  readonly account: string;
  readonly callId: string;
  readonly at: number;
}

/** The call ended, with the seconds the carrier bills. */
export interface EndCall {
  readonly account: string;
  readonly callId: string;
  readonly at: number;
  /** Whole seconds billed, from 0 (unanswered) to {@link MAX_BILLED_SECONDS}. */
  readonly billedSeconds: number;
}

/** The outcome of {@link UsageLedger.answer}. */
export type AnswerResult =
  | { readonly status: 'answered' }
  /** Answered before, ended, or released: nothing changes. */
  | { readonly status: 'ignored' }
  /** The call has not begun (yet): the answer is kept for when it does. */
  | { readonly status: 'pending' }
  | { readonly status: 'full' }
  | { readonly status: 'invalid'; readonly message: string };

/** The outcome of {@link UsageLedger.end}. */
export type EndResult =
  /** The reservation was replaced by the cost of the billed seconds. */
  | { readonly status: 'settled'; readonly costMicros: number }
  /** The call ended before: nothing changes. */
  | { readonly status: 'ignored' }
  /** The call has not begun (yet): the end is kept, and a later begin records the call as ended. */
  | { readonly status: 'pending' }
  | { readonly status: 'full' }
  | { readonly status: 'invalid'; readonly message: string };

/** What to read from {@link UsageLedger.usage}. */
export interface UsageQuery {
  readonly account: string;
  readonly extension?: string;
  /** Also count calls to this number in the current hour (where that limit counts). */
  readonly destination?: string;
  readonly at: number;
  /** The local day of `at` in the account's time zone. */
  readonly day: number;
}

/** One counter level as of a query's `at`. */
export interface LevelUsage {
  readonly concurrentCalls: number;
  readonly callsThisMinute: number;
  readonly callsThisHour: number;
  /** Counted only while a `callsToSameNumberPerHour` bound applies at this level. */
  readonly callsToNumberThisHour: number;
  /** Settled costs plus reservations of calls not yet ended, on the query's day, in micro-dollars. */
  readonly spentTodayMicros: number;
}

/** The counters of an account and, when asked, one of its extensions. */
export interface Usage {
  readonly account: LevelUsage;
  readonly extension?: LevelUsage;
}

/** What {@link UsageLedger.reset} forgets. */
export interface ResetTarget {
  readonly account: string;
  /** Only this extension's own counters; the account's totals are kept (but see `releaseCalls`). */
  readonly extension?: string;
  /**
   * Also forget the calls in progress (after a PBX restart dropped them), at both levels: with an
   * `extension`, its calls leave the account's concurrency count too. Without it, calls in progress
   * stay counted and keep their reservations; only finished calls are forgotten.
   */
  readonly releaseCalls?: boolean;
}

/**
 * The usage ledger, synchronous (the in-memory {@link MemoryLedger}). Time is always passed in; a
 * ledger reads no clock and starts no timer. Every operation is idempotent, safe in any order, and
 * never throws on bad input: a begin, answer or end answers `invalid`, a query zeros, and a reset
 * does nothing.
 */
export interface UsageLedger {
  begin(call: BeginCall): BeginResult;
  answer(event: AnswerCall): AnswerResult;
  end(event: EndCall): EndResult;
  usage(query: UsageQuery): Usage;
  reset(target: ResetTarget): void;
}

/**
 * The same ledger over a store reached through the network (a Redis ledger): each operation is one
 * round trip and one atomic script. The stateful step accepts either kind.
 */
export interface AsyncUsageLedger {
  begin(call: BeginCall): Promise<BeginResult>;
  answer(event: AnswerCall): Promise<AnswerResult>;
  end(event: EndCall): Promise<EndResult>;
  usage(query: UsageQuery): Promise<Usage>;
  reset(target: ResetTarget): Promise<void>;
}
