// The usage ledger over Redis, shared by every `sipguard serve` replica: each operation is one atomic
// Lua script (redis-scripts.ts), sent as EVALSHA, and as EVAL when Redis answers NOSCRIPT (after a
// restart or SCRIPT FLUSH). Inputs are checked here exactly as MemoryLedger checks them, before any
// round trip. The connection (redis-connection.ts) is passed in, so this module loads no client.
import {
  type AnswerCall,
  type AnswerResult,
  type AsyncUsageLedger,
  answerCallProblem,
  type BeginCall,
  type BeginResult,
  beginCallProblem,
  type EndCall,
  type EndResult,
  endCallProblem,
  type LevelBounds,
  type LevelUsage,
  LIMIT_NAMES,
  type LimitName,
  type ResetTarget,
  resetTargetProblem,
  type Usage,
  type UsageQuery,
  usageQueryProblem,
} from '../../index.js';
import { LEDGER_SCRIPTS, type LedgerScript } from './redis-scripts.js';

/** What the ledger needs of a Redis connection: send one command, get its reply or a rejection. */
export interface RedisCommandSender {
  send(args: readonly string[]): Promise<unknown>;
}

/** Options of {@link RedisLedger}. */
export interface RedisLedgerOptions {
  /** Prefix of every key (default `sipguard:`); no braces, so that the account is the hash tag. */
  readonly keyPrefix?: string;
  /**
   * How far ahead of Redis TIME an event's `at` may be, in ms (default 2000), or false not to check
   * (replaying recorded events). A replica whose clock runs ahead would roll the shared windows early.
   */
  readonly maxClockAheadMs?: number | false;
  /** How long past the end of its window a key lives, in ms (default 5000): room for a late replica. */
  readonly expiryGraceMs?: number;
}

/** Default of {@link RedisLedgerOptions.keyPrefix}. */
export const DEFAULT_KEY_PREFIX = 'sipguard:';
/** Default of {@link RedisLedgerOptions.maxClockAheadMs}. */
export const DEFAULT_MAX_CLOCK_AHEAD_MS = 2_000;
/** Default of {@link RedisLedgerOptions.expiryGraceMs}. */
export const DEFAULT_EXPIRY_GRACE_MS = 5_000;

/** A reply the ledger cannot use, or a clock it will not trust: the operation did not happen. */
export class RedisLedgerError extends Error {
  override readonly name = 'RedisLedgerError';
}

/**
 * The key prefix of one account: `<prefix>{<account>}`, with `%` and `}` in the account escaped, so
 * that the braces hold exactly the account (Redis Cluster hashes only what is inside them: every key of
 * an account lands in one slot) and no two accounts' keys can be equal.
 */
export function accountKey(prefix: string, account: string): string {
  return `${prefix}{${account.replaceAll('%', '%25').replaceAll('}', '%7D')}}`;
}

function boundArgs(bounds: LevelBounds): string[] {
  return LIMIT_NAMES.map((name) => {
    const bound = bounds[name];
    return bound === undefined ? '' : String(bound);
  });
}

function fail(script: LedgerScript, reply: unknown): never {
  throw new RedisLedgerError(`the ledger's ${script.name} script answered ${JSON.stringify(reply)}`);
}

function integerAt(script: LedgerScript, reply: readonly unknown[], index: number): number {
  const value = reply[index];
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(script, reply);
  return value;
}

const LIMITS: ReadonlySet<string> = new Set(LIMIT_NAMES);

function decodeBegin(reply: readonly unknown[]): BeginResult {
  const script = LEDGER_SCRIPTS.begin;
  switch (reply[0]) {
    case 'reserved':
    case 'duplicate':
      return {
        status: reply[0],
        reservedMicros: integerAt(script, reply, 1),
        releaseAt: integerAt(script, reply, 2),
      };
    case 'ended':
      return { status: 'ended' };
    case 'conflict':
      return { status: 'conflict' };
    case 'limited': {
      const limit = reply[1];
      const level = reply[2];
      if (typeof limit !== 'string' || !LIMITS.has(limit) || (level !== 'account' && level !== 'extension')) {
        fail(script, reply);
      }
      const counter = integerAt(script, reply, 3);
      const bound = integerAt(script, reply, 4);
      if (limit === 'spendPerDay') {
        return { status: 'limited', limit, level, counter, bound, reserve: integerAt(script, reply, 5) };
      }
      const counted = limit as Exclude<LimitName, 'spendPerDay'>;
      if (counted === 'concurrentCalls') return { status: 'limited', limit: counted, level, counter, bound };
      return {
        status: 'limited',
        limit: counted,
        level,
        counter,
        bound,
        windowStartsAt: integerAt(script, reply, 5),
      };
    }
    default:
      return fail(script, reply);
  }
}

function decodeAnswer(reply: readonly unknown[]): AnswerResult {
  switch (reply[0]) {
    case 'answered':
    case 'ignored':
    case 'pending':
      return { status: reply[0] };
    default:
      return fail(LEDGER_SCRIPTS.answer, reply);
  }
}

function decodeEnd(reply: readonly unknown[]): EndResult {
  switch (reply[0]) {
    case 'settled':
      return { status: 'settled', costMicros: integerAt(LEDGER_SCRIPTS.end, reply, 1) };
    case 'ignored':
    case 'pending':
      return { status: reply[0] };
    default:
      return fail(LEDGER_SCRIPTS.end, reply);
  }
}

function decodeLevel(reply: readonly unknown[], from: number): LevelUsage {
  const script = LEDGER_SCRIPTS.usage;
  return {
    concurrentCalls: integerAt(script, reply, from),
    callsThisMinute: integerAt(script, reply, from + 1),
    callsThisHour: integerAt(script, reply, from + 2),
    callsToNumberThisHour: integerAt(script, reply, from + 3),
    spentTodayMicros: integerAt(script, reply, from + 4),
  };
}

const ZERO: LevelUsage = Object.freeze({
  concurrentCalls: 0,
  callsThisMinute: 0,
  callsThisHour: 0,
  callsToNumberThisHour: 0,
  spentTodayMicros: 0,
});

/**
 * The {@link AsyncUsageLedger} of a fleet: counters in Redis, with MemoryLedger's semantics. Time comes
 * from each event's `at` (the windows and the spend day are the request's, as the pure step read them);
 * Redis TIME only guards against a replica whose clock runs ahead. Every key expires when its last window
 * has passed (plus {@link RedisLedgerOptions.expiryGraceMs}), so idle accounts cost nothing. A command
 * that fails or times out rejects: `policy.startCallAsync` then denies with `ledger-unavailable`.
 */
export class RedisLedger implements AsyncUsageLedger {
  readonly #redis: RedisCommandSender;
  readonly #prefix: string;
  readonly #maxAhead: string;
  readonly #grace: string;

  constructor(redis: RedisCommandSender, options?: RedisLedgerOptions) {
    this.#redis = redis;
    this.#prefix = options?.keyPrefix ?? DEFAULT_KEY_PREFIX;
    if (/[{}]/.test(this.#prefix)) {
      throw new RangeError(`keyPrefix ${JSON.stringify(this.#prefix)} must not contain braces`);
    }
    const ahead = options?.maxClockAheadMs ?? DEFAULT_MAX_CLOCK_AHEAD_MS;
    const grace = options?.expiryGraceMs ?? DEFAULT_EXPIRY_GRACE_MS;
    for (const [name, value] of [
      ['maxClockAheadMs', ahead === false ? 0 : ahead],
      ['expiryGraceMs', grace],
    ] as const) {
      if (!Number.isSafeInteger(value) || value < 0) {
        throw new RangeError(`${name} must be a non-negative integer of milliseconds, got ${String(value)}`);
      }
    }
    this.#maxAhead = ahead === false ? '-1' : String(ahead);
    this.#grace = String(grace);
  }

  async begin(call: BeginCall): Promise<BeginResult> {
    const problem = beginCallProblem(call);
    if (problem !== undefined) return { status: 'invalid', message: problem };
    const reply = await this.#run(LEDGER_SCRIPTS.begin, call.account, call.at, [
      call.callId,
      call.extension,
      call.destination,
      String(call.day),
      String(call.dayEndsAt),
      String(call.rateUnits),
      String(call.maxCallSeconds),
      ...boundArgs(call.accountBounds),
      ...boundArgs(call.extensionBounds),
    ]);
    return decodeBegin(reply);
  }

  async answer(event: AnswerCall): Promise<AnswerResult> {
    const problem = answerCallProblem(event);
    if (problem !== undefined) return { status: 'invalid', message: problem };
    return decodeAnswer(await this.#run(LEDGER_SCRIPTS.answer, event.account, event.at, [event.callId]));
  }

  async end(event: EndCall): Promise<EndResult> {
    const problem = endCallProblem(event);
    if (problem !== undefined) return { status: 'invalid', message: problem };
    const args = [event.callId, String(event.billedSeconds)];
    return decodeEnd(await this.#run(LEDGER_SCRIPTS.end, event.account, event.at, args));
  }

  async usage(query: UsageQuery): Promise<Usage> {
    const withExtension = typeof query === 'object' && query !== null && query.extension !== undefined;
    if (usageQueryProblem(query) !== undefined) {
      return withExtension ? { account: ZERO, extension: ZERO } : { account: ZERO };
    }
    const day = Number.isSafeInteger(query.day) ? String(query.day) : 'none';
    const reply = await this.#run(LEDGER_SCRIPTS.usage, query.account, query.at, [
      withExtension ? '1' : '0',
      query.extension ?? '',
      query.destination === undefined ? '0' : '1',
      query.destination ?? '',
      day,
    ]);
    const account = decodeLevel(reply, 0);
    return withExtension ? { account, extension: decodeLevel(reply, 5) } : { account };
  }

  async reset(target: ResetTarget): Promise<void> {
    if (resetTargetProblem(target) !== undefined) return;
    const withExtension = target.extension !== undefined;
    const args = [
      withExtension ? '1' : '0',
      target.extension ?? '',
      target.releaseCalls === true ? '1' : '0',
    ];
    // A reset reads no clock: its "time" is not used, and no clock check applies.
    const reply = await this.#send(LEDGER_SCRIPTS.reset, target.account, ['0', this.#grace, '-1', ...args]);
    if (reply !== 'reset') fail(LEDGER_SCRIPTS.reset, reply);
  }

  async #run(script: LedgerScript, account: string, at: number, args: readonly string[]): Promise<unknown[]> {
    const reply = await this.#send(script, account, [String(at), this.#grace, this.#maxAhead, ...args]);
    if (!Array.isArray(reply)) fail(script, reply);
    if (reply[0] === 'ahead') {
      throw new RedisLedgerError(
        `the event's time is ${String(reply[1])} ms ahead of the Redis clock (at most ${this.#maxAhead} ms allowed): this replica's clock runs ahead`,
      );
    }
    return reply;
  }

  async #send(script: LedgerScript, account: string, argv: readonly string[]): Promise<unknown> {
    const key = accountKey(this.#prefix, account);
    try {
      return await this.#redis.send(['EVALSHA', script.sha, '1', key, ...argv]);
    } catch (error) {
      // Redis forgets scripts on restart and on SCRIPT FLUSH; EVAL runs the source and caches it again.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.#redis.send(['EVAL', script.source, '1', key, ...argv]);
    }
  }
}
