// The in-memory usage ledger. Per account: the totals and one counter set per extension. One call
// table holds every account's calls (begun, or known only from an early answer or end) and the ids
// of calls that ended. Nothing runs in the background: expiry happens when an event or a query for
// the account passes the earliest release time, and idle state goes when the caller prunes (or when
// the ledger is full).
import { argumentError, checkOptionNames } from '../errors.js';
import { describeValue } from '../text.js';
import { HOUR_MS, isInstant, MINUTE_MS } from './calendar.js';
import { addCall, forEachCall, type Listed, type ListOwner, removeCall } from './call-list.js';
import { CallTable, type TableOwner, type TableValue } from './call-table.js';
import {
  type AnswerCall,
  type AnswerResult,
  type BeginCall,
  type BeginResult,
  type CounterLevel,
  type EndCall,
  type EndResult,
  EVENT_RETENTION_MS,
  isLedgerKey,
  type LevelBounds,
  type LevelUsage,
  type LimitName,
  type LimitReached,
  ledgerKeyProblem,
  MAX_BILLED_SECONDS,
  MAX_CALL_SECONDS,
  type ResetTarget,
  type Usage,
  type UsageLedger,
  type UsageQuery,
} from './ledger.js';
import { callCostMicros } from './money.js';

/** Options of {@link MemoryLedger}. */
export interface MemoryLedgerOptions {
  /** Most calls and ended call ids kept at once, over all accounts (default 1,000,000). */
  readonly maxCalls?: number;
  /** Most accounts with counters at once (default 1,000,000). */
  readonly maxAccounts?: number;
}

/** Default of {@link MemoryLedgerOptions.maxCalls}. */
export const DEFAULT_MAX_CALLS = 1_000_000;
/** Default of {@link MemoryLedgerOptions.maxAccounts}. */
export const DEFAULT_MAX_ACCOUNTS = 1_000_000;
// When full, prune at most this often (in ledger time), so that a flood cannot make every begin a full scan.
const FULL_PRUNE_INTERVAL_MS = 1_000;

// One counter level: the account's totals, or one extension. Windows are clock-aligned minutes and
// hours (UTC) and the account's local day; a counter holds its latest window only, and an event
// stamped in an earlier window counts in the latest (never less than the truth).
class Counters {
  active = 0;
  minute = -1;
  inMinute = 0;
  hour = -1;
  inHour = 0;
  day = -1;
  dayEndsAt = 0;
  /** Settled costs and open reservations of calls charged to `day`, in micro-dollars. */
  spent = 0;
  repeatHour = -1;
  /** Calls to each number in the hour `repeatHour`. */
  repeat: Map<string, number> | undefined = undefined;

  roll(minute: number, hour: number): void {
    if (minute > this.minute) {
      this.minute = minute;
      this.inMinute = 0;
    }
    if (hour > this.hour) {
      this.hour = hour;
      this.inHour = 0;
    }
  }

  rollDay(day: number, dayEndsAt: number): void {
    if (day > this.day) {
      this.day = day;
      this.dayEndsAt = dayEndsAt;
      this.spent = 0;
    }
  }

  // Like the other windows, an event stamped in an earlier hour reads and counts in the latest one.
  repeatCount(hour: number, destination: string): number {
    return hour <= this.repeatHour ? (this.repeat?.get(destination) ?? 0) : 0;
  }

  /** Counts a call to `destination`; `calls` is what {@link repeatCount} gave for it just before. */
  countRepeat(hour: number, destination: string, calls: number): void {
    if (this.repeat === undefined || hour > this.repeatHour) {
      this.repeat = new Map();
      this.repeatHour = Math.max(hour, this.repeatHour);
    }
    // A count rather than a box: the box was one more cache line per call, the second lookup is not.
    this.repeat.set(destination, calls + 1);
  }

  /** Whether dropping this counter set changes nothing any query or bound could see at `at`. */
  idleAt(at: number): boolean {
    return (
      this.active === 0 &&
      this.hour < Math.floor(at / HOUR_MS) &&
      this.repeatHour < Math.floor(at / HOUR_MS) &&
      (this.spent === 0 || at >= this.dayEndsAt)
    );
  }

  view(at: number, day: number, destination: string | undefined): LevelUsage {
    const hour = Math.floor(at / HOUR_MS);
    return {
      concurrentCalls: this.active,
      callsThisMinute: this.minute === Math.floor(at / MINUTE_MS) ? this.inMinute : 0,
      callsThisHour: this.hour === hour ? this.inHour : 0,
      callsToNumberThisHour:
        destination === undefined || this.repeatHour !== hour ? 0 : this.repeatCount(hour, destination),
      spentTodayMicros: this.day === day ? this.spent : 0,
    };
  }
}

const NONE = -1;
// Records of ended calls kept for reuse, at most: a new record is a young object that the call
// table (old) points to, so it costs a write barrier and a scavenge's copy; a reused one neither.
const SPARE_RECORDS = 1_024;

// A call the ledger tracks: begun (counted), or known only from an answer or end that came first.
// A record whose call ended and that left its account's list is reused for a later call (see
// SPARE_RECORDS): `owner` and `id` change only then, when no table slot holds the record.
/** A tracked call's record; exported for test/limits/ledger.test.ts only (not in the package's API). */
export class CallRecord implements TableValue<AccountState>, Listed<CallRecord> {
  next: CallRecord | undefined = undefined;
  tracked = false;
  constructor(
    public owner: AccountState,
    /** The call id. */
    public id: string,
  ) {}
  begun = false;
  extension = '';
  destination = '';
  counters: Counters | undefined = undefined;
  releaseAt = NONE;
  /** Counted out of `active` by expiry (no end came in time). */
  released = false;
  rateUnits = 0;
  /** Micro-dollars charged to the spend counters: the reservation, then the cost. */
  charged = 0;
  totalDay = NONE;
  extensionDay = NONE;
  answeredAt = NONE;
  billedSeconds = NONE;
  /** The latest event for the call, for forgetting a call that never began. */
  lastAt = 0;

  /** This record, as `new CallRecord(owner, id)` would make it (test/limits/ledger.test.ts checks every field). */
  reuse(owner: AccountState, id: string): CallRecord {
    this.owner = owner;
    this.id = id;
    this.next = undefined;
    this.tracked = false;
    this.begun = false;
    this.extension = '';
    this.destination = '';
    this.counters = undefined;
    this.releaseAt = NONE;
    this.released = false;
    this.rateUnits = 0;
    this.charged = 0;
    this.totalDay = NONE;
    this.extensionDay = NONE;
    this.answeredAt = NONE;
    this.billedSeconds = NONE;
    this.lastAt = 0;
    return this;
  }
}

// The value of every id of an account that ended in one retention generation: one object per
// generation, shared, so that an ended id costs a table slot only (the table keeps its check).
class EndedIds implements TableValue<AccountState> {
  readonly id = undefined;
  constructor(
    readonly owner: AccountState,
    readonly generation: number,
  ) {}
}

// An account's totals are its own fields (one object less to reach per event). Its calls and ended
// ids live in the ledger's call table; a list through the records links its calls (call-list.ts),
// so that a sweep or reset reads the account's calls only.
/** An account's state; exported for test/limits/ledger.test.ts only (not in the package's API). */
export class AccountState extends Counters implements TableOwner, ListOwner<CallRecord> {
  readonly extensions = new Map<string, Counters>();
  firstCall: CallRecord | undefined = undefined;
  calls = 0;
  listed = 0;
  /**
   * Ended ids remembered from generation `generation`, and from the one before. An ended id in the
   * table from an older generation is forgotten, whether or not its slot is reused yet.
   */
  endedNow = 0;
  endedBefore = 0;
  generation = -1;
  /** The value of ids that end in `generation`. */
  endedIds: EndedIds | undefined = undefined;
  /** Removed from the ledger (reset or pruned): its keys in the table are dead. */
  removed = false;
  constructor(readonly hashSeed: number) {
    super();
  }
  /** No tracked call needs attention (release, forgetting) before this instant. */
  nextSweep = Number.POSITIVE_INFINITY;
  // The extension of the latest call, which is in `extensions`: most events of an account come from one.
  lastExtensionId = '';
  lastExtension: Counters | undefined = undefined;

  /** The account's totals. */
  get total(): Counters {
    return this;
  }

  /** The extension's counters, created when absent. */
  extension(id: string): Counters {
    if (id === this.lastExtensionId && this.lastExtension !== undefined) return this.lastExtension;
    let counters = this.extensions.get(id);
    if (counters === undefined) {
      counters = new Counters();
      this.extensions.set(id, counters);
    }
    this.lastExtensionId = id;
    this.lastExtension = counters;
    return counters;
  }

  dropExtension(id: string): void {
    this.extensions.delete(id);
    if (id === this.lastExtensionId) this.lastExtension = undefined;
  }

  /** Tracked calls plus remembered ended ids. */
  get entries(): number {
    return this.calls + this.endedNow + this.endedBefore;
  }

  /** Whether ids that ended in this generation are still remembered. */
  remembers(ended: EndedIds): boolean {
    return ended.generation >= this.generation - 1;
  }

  /** The value of an id that ends now (in `generation`). */
  endedNowIds(): EndedIds {
    let ended = this.endedIds;
    if (ended === undefined || ended.generation !== this.generation) {
      ended = new EndedIds(this, this.generation);
      this.endedIds = ended;
    }
    return ended;
  }
}

// Mixes an account's serial number into a seed for its keys' hashes (splitmix32's finaliser).
function accountSeed(serial: number): number {
  let h = Math.imul(serial ^ (serial >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

// A table entry still matters while its account is in the ledger and, for an ended id, remembered.
const keepEntry = (value: CallRecord | EndedIds): boolean =>
  !value.owner.removed && (value instanceof CallRecord || value.owner.remembers(value));

// What #find found besides a record's slot.
const ABSENT = -1;
const ENDED_ID = -2;

const FULL = Object.freeze({ status: 'full' as const });
const ENDED = Object.freeze({ status: 'ended' as const });
const CONFLICT = Object.freeze({ status: 'conflict' as const });
const IGNORED = Object.freeze({ status: 'ignored' as const });
const PENDING = Object.freeze({ status: 'pending' as const });
const ANSWERED = Object.freeze({ status: 'answered' as const });

const isCount = (value: unknown, max: number): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= max;

// Bounds that passed and cannot change since: frozen, without a prototype (so that no inherited
// property can appear) and with data properties only, as a compiled policy makes them. A begin with
// them skips ten checks, 5–12 % of a begin + end (docs/performance.md).
const checkedBounds = new WeakSet<object>();

function cannotChange(bounds: object): boolean {
  if (!Object.isFrozen(bounds) || Object.getPrototypeOf(bounds) !== null) return false;
  return Object.values(Object.getOwnPropertyDescriptors(bounds)).every((d) => 'value' in d);
}

function boundsProblem(bounds: unknown, name: string): string | undefined {
  if (typeof bounds !== 'object' || bounds === null) return `${name} is not an object`;
  if (checkedBounds.has(bounds)) return undefined;
  const problem = uncheckedBoundsProblem(bounds as LevelBounds, name);
  if (problem === undefined && cannotChange(bounds)) checkedBounds.add(bounds);
  return problem;
}

function uncheckedBoundsProblem(b: LevelBounds, name: string): string | undefined {
  // Named reads rather than a loop over LIMIT_NAMES: this runs on every begin.
  const bad: LimitName | undefined = !isBound(b.concurrentCalls)
    ? 'concurrentCalls'
    : !isBound(b.callsPerMinute)
      ? 'callsPerMinute'
      : !isBound(b.callsPerHour)
        ? 'callsPerHour'
        : !isBound(b.callsToSameNumberPerHour)
          ? 'callsToSameNumberPerHour'
          : !isBound(b.spendPerDay)
            ? 'spendPerDay'
            : undefined;
  return bad === undefined ? undefined : `${name}.${bad} is not a non-negative integer`;
}

const isBound = (value: unknown): boolean => value === undefined || isCount(value, Number.MAX_SAFE_INTEGER);

/** What is wrong with a begin, or undefined: the checks every ledger makes before it counts anything. */
export function beginCallProblem(call: BeginCall): string | undefined {
  if (typeof call !== 'object' || call === null) return 'the begin is not an object';
  if (!isLedgerKey(call.account)) return ledgerKeyProblem(call.account, 'account');
  if (!isLedgerKey(call.callId)) return ledgerKeyProblem(call.callId, 'callId');
  if (!isLedgerKey(call.extension)) return ledgerKeyProblem(call.extension, 'extension');
  if (!isLedgerKey(call.destination)) return ledgerKeyProblem(call.destination, 'destination');
  if (!isInstant(call.at)) return 'at is not an instant in milliseconds between 2000 and 2200';
  if (!isCount(call.day, 100_000)) return 'day is not a day number';
  if (!isInstant(call.dayEndsAt) || call.dayEndsAt <= call.at) return 'dayEndsAt is not an instant after at';
  if (!isCount(call.rateUnits, Number.MAX_SAFE_INTEGER)) return 'rateUnits is not a non-negative integer';
  if (!isCount(call.maxCallSeconds, MAX_CALL_SECONDS) || call.maxCallSeconds === 0) {
    return `maxCallSeconds is not an integer from 1 to ${MAX_CALL_SECONDS}`;
  }
  return (
    boundsProblem(call.accountBounds, 'accountBounds') ??
    boundsProblem(call.extensionBounds, 'extensionBounds')
  );
}

/** What is wrong with an answer (or the common fields of an end), or undefined. */
export function answerCallProblem(event: AnswerCall | EndCall): string | undefined {
  if (typeof event !== 'object' || event === null) return 'the event is not an object';
  if (!isLedgerKey(event.account)) return ledgerKeyProblem(event.account, 'account');
  if (!isLedgerKey(event.callId)) return ledgerKeyProblem(event.callId, 'callId');
  if (!isInstant(event.at)) return 'at is not an instant in milliseconds between 2000 and 2200';
  return undefined;
}

/** What is wrong with a usage query, or undefined (a ledger answers such a query with zeros). */
export function usageQueryProblem(query: UsageQuery): string | undefined {
  if (typeof query !== 'object' || query === null) return 'the query is not an object';
  if (!isLedgerKey(query.account)) return ledgerKeyProblem(query.account, 'account');
  if (!isInstant(query.at)) return 'at is not an instant in milliseconds between 2000 and 2200';
  if (query.extension !== undefined && !isLedgerKey(query.extension)) {
    return ledgerKeyProblem(query.extension, 'extension');
  }
  if (query.destination !== undefined && !isLedgerKey(query.destination)) {
    return ledgerKeyProblem(query.destination, 'destination');
  }
  return undefined;
}

/** What is wrong with a reset, or undefined (a ledger does nothing on such a reset, rather than part of it). */
export function resetTargetProblem(target: ResetTarget): string | undefined {
  if (typeof target !== 'object' || target === null) return 'the reset is not an object';
  if (!isLedgerKey(target.account)) return ledgerKeyProblem(target.account, 'account');
  if (target.extension !== undefined && !isLedgerKey(target.extension)) {
    return ledgerKeyProblem(target.extension, 'extension');
  }
  if (target.releaseCalls !== undefined && typeof target.releaseCalls !== 'boolean') {
    return 'releaseCalls is not true or false';
  }
  return undefined;
}

/** What is wrong with an end, or undefined. */
export function endCallProblem(event: EndCall): string | undefined {
  const problem = answerCallProblem(event);
  if (problem !== undefined) return problem;
  return isCount(event.billedSeconds, MAX_BILLED_SECONDS)
    ? undefined
    : `billedSeconds is not a whole number of seconds from 0 to ${MAX_BILLED_SECONDS}`;
}

type CountedLimit = Exclude<LimitName, 'spendPerDay'>;

// A refusal at a windowed bound, with the start of the window its counter holds: the counters are
// rolled to the event's windows already, so for an event stamped earlier it is the later window.
// Only on a refusal, off the path of a call that goes through; Object.assign, not a spread, which
// costs about 1.5 µs more on Node 20 and matters under a burst of refusals (docs/performance.md).
function withWindow(reached: LimitReached, counters: Counters, hour: number): LimitReached {
  switch (reached.limit) {
    case 'callsPerMinute':
      return Object.assign({}, reached, { windowStartsAt: counters.minute * MINUTE_MS });
    case 'callsPerHour':
      return Object.assign({}, reached, { windowStartsAt: counters.hour * HOUR_MS });
    case 'callsToSameNumberPerHour':
      return Object.assign({}, reached, { windowStartsAt: Math.max(hour, counters.repeatHour) * HOUR_MS });
    case 'concurrentCalls':
    case 'spendPerDay':
      return reached;
  }
}

function countRefusal(
  limit: CountedLimit,
  level: CounterLevel,
  counter: number,
  bound: number | undefined,
): LimitReached | undefined {
  return bound !== undefined && counter >= bound
    ? { status: 'limited', limit, level, counter, bound }
    : undefined;
}

// Spend refuses a call whose reservation would take the day over the bound.
function spendRefusal(
  level: CounterLevel,
  counter: number,
  bound: number | undefined,
  reserve: number,
): LimitReached | undefined {
  return bound !== undefined && counter + reserve > bound
    ? { status: 'limited', limit: 'spendPerDay', level, counter, bound, reserve }
    : undefined;
}

// Checks the bounds in LIMIT_NAMES order, for each limit the extension's counter before the
// account's; undefined when every bound holds. Written out: a loop over the names reads each bound
// with a keyed load, and that was a tenth of a begin.
function refusal(
  extension: Counters,
  extensionBounds: LevelBounds,
  total: Counters,
  accountBounds: LevelBounds,
  extensionRepeats: number,
  accountRepeats: number,
  reserve: number,
): LimitReached | undefined {
  return (
    countRefusal('concurrentCalls', 'extension', extension.active, extensionBounds.concurrentCalls) ??
    countRefusal('concurrentCalls', 'account', total.active, accountBounds.concurrentCalls) ??
    countRefusal('callsPerMinute', 'extension', extension.inMinute, extensionBounds.callsPerMinute) ??
    countRefusal('callsPerMinute', 'account', total.inMinute, accountBounds.callsPerMinute) ??
    countRefusal('callsPerHour', 'extension', extension.inHour, extensionBounds.callsPerHour) ??
    countRefusal('callsPerHour', 'account', total.inHour, accountBounds.callsPerHour) ??
    countRefusal(
      'callsToSameNumberPerHour',
      'extension',
      extensionRepeats,
      extensionBounds.callsToSameNumberPerHour,
    ) ??
    countRefusal(
      'callsToSameNumberPerHour',
      'account',
      accountRepeats,
      accountBounds.callsToSameNumberPerHour,
    ) ??
    spendRefusal('extension', extension.spent, extensionBounds.spendPerDay, reserve) ??
    spendRefusal('account', total.spent, accountBounds.spendPerDay, reserve)
  );
}

// A wrong option is the caller's mistake, reported like every other wrong argument (docs/errors.md).
function positiveOption(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
  throw argumentError(`MemoryLedger option ${name} must be a positive integer, got ${describeValue(value)}`);
}

/**
 * The in-memory {@link UsageLedger}: one process's counters, for a single `sipguard serve` or a
 * library user. Memory is bounded by `maxCalls` and `maxAccounts`; call {@link MemoryLedger.prune}
 * now and then (say once a minute) to drop what no bound can see any more.
 */
export class MemoryLedger implements UsageLedger {
  readonly #accounts = new Map<string, AccountState>();
  // Random seeds, so that nobody can choose call ids that all land on one probe chain, or that an
  // ended id's check mistakes for another.
  readonly #calls = new CallTable<AccountState, CallRecord | EndedIds>(
    Math.floor(Math.random() * 0x1_0000_0000),
    Math.floor(Math.random() * 0x1_0000_0000),
    keepEntry,
  );
  #accountSerial = 0;
  // Records no table slot or list holds, for #track.
  readonly #spare: CallRecord[] = [];
  readonly #maxCalls: number;
  readonly #maxAccounts: number;
  // Tracked calls plus remembered ended ids, over all accounts.
  #entries = 0;
  #lastFullPrune = Number.NEGATIVE_INFINITY;

  constructor(options?: MemoryLedgerOptions) {
    checkOptionNames('MemoryLedger', options, ['maxCalls', 'maxAccounts']);
    this.#maxCalls = positiveOption('maxCalls', options?.maxCalls, DEFAULT_MAX_CALLS);
    this.#maxAccounts = positiveOption('maxAccounts', options?.maxAccounts, DEFAULT_MAX_ACCOUNTS);
  }

  /** How much the ledger holds: accounts with counters, and tracked calls plus remembered ended ids. */
  get size(): { readonly accounts: number; readonly entries: number } {
    return { accounts: this.#accounts.size, entries: this.#entries };
  }

  begin(call: BeginCall): BeginResult {
    const problem = beginCallProblem(call);
    if (problem !== undefined) return { status: 'invalid', message: problem };
    const at = call.at;
    const account = this.#account(call.account, at);
    if (account === undefined) return FULL;
    const callId = call.callId;
    const hash = this.#calls.hashOf(account, callId);
    const slot = this.#find(account, callId, at, hash);
    if (slot === ENDED_ID) return ENDED;
    let record = this.#recordAt(slot);
    if (record?.begun) {
      // Past its maximum duration the call cannot still be starting.
      if (record.released) return ENDED;
      if (record.extension !== call.extension || record.destination !== call.destination) return CONFLICT;
      return { status: 'duplicate', reservedMicros: record.charged, releaseAt: record.releaseAt };
    }
    const extension = account.extension(call.extension);
    const total = account.total;
    const minute = Math.floor(at / MINUTE_MS);
    const hour = Math.floor(at / HOUR_MS);
    total.roll(minute, hour);
    extension.roll(minute, hour);
    total.rollDay(call.day, call.dayEndsAt);
    extension.rollDay(call.day, call.dayEndsAt);
    const endedEarlier = record !== undefined && record.billedSeconds !== NONE;
    const charge = endedEarlier
      ? callCostMicros(call.rateUnits, record?.billedSeconds ?? 0)
      : callCostMicros(call.rateUnits, call.maxCallSeconds);
    // Repeats count only where that bound applies: a level without it keeps no numbers.
    const countsExtensionRepeats = call.extensionBounds.callsToSameNumberPerHour !== undefined;
    const countsAccountRepeats = call.accountBounds.callsToSameNumberPerHour !== undefined;
    const extensionRepeats = countsExtensionRepeats ? extension.repeatCount(hour, call.destination) : 0;
    const accountRepeats = countsAccountRepeats ? total.repeatCount(hour, call.destination) : 0;
    if (!endedEarlier) {
      // The bounds decide only a call that can still happen; an end that came first is a fact.
      const refused = refusal(
        extension,
        call.extensionBounds,
        total,
        call.accountBounds,
        extensionRepeats,
        accountRepeats,
        charge,
      );
      if (refused !== undefined)
        return withWindow(refused, refused.level === 'account' ? total : extension, hour);
      if (record === undefined) {
        if (!this.#roomForEntry(at)) return FULL;
        record = this.#track(account, callId, hash);
      }
    }
    if (record === undefined) return FULL; // unreachable: an earlier end implies a record

    record.begun = true;
    record.extension = call.extension;
    record.destination = call.destination;
    record.counters = extension;
    // From the begin, answered or not: an answer that arrives after the release, stamped before it,
    // could otherwise give another state than the same events in time order.
    record.releaseAt = at + call.maxCallSeconds * 1000;
    record.rateUnits = call.rateUnits;
    record.charged = charge;
    record.totalDay = total.day;
    record.extensionDay = extension.day;
    record.lastAt = Math.max(record.lastAt, at);
    total.inMinute++;
    extension.inMinute++;
    total.inHour++;
    extension.inHour++;
    total.spent += charge;
    extension.spent += charge;
    if (countsExtensionRepeats) extension.countRepeat(hour, call.destination, extensionRepeats);
    if (countsAccountRepeats) total.countRepeat(hour, call.destination, accountRepeats);
    if (endedEarlier) {
      this.#forget(account, record, slot, at);
      return ENDED;
    }
    total.active++;
    extension.active++;
    if (record.releaseAt < account.nextSweep) account.nextSweep = record.releaseAt;
    return { status: 'reserved', reservedMicros: charge, releaseAt: record.releaseAt };
  }

  answer(event: AnswerCall): AnswerResult {
    const problem = answerCallProblem(event);
    if (problem !== undefined) return { status: 'invalid', message: problem };
    const at = event.at;
    const account = this.#account(event.account, at);
    if (account === undefined) return FULL;
    const slot = this.#find(account, event.callId, at);
    if (slot === ENDED_ID) return IGNORED;
    const record = this.#recordAt(slot);
    if (record === undefined) {
      const pending = this.#pending(event.account, account, event.callId, at);
      if (pending === undefined) return FULL;
      pending.answeredAt = at;
      return PENDING;
    }
    if (record.answeredAt !== NONE || record.released || record.billedSeconds !== NONE) return IGNORED;
    record.answeredAt = at;
    record.lastAt = Math.max(record.lastAt, at);
    if (!record.begun) return PENDING;
    return ANSWERED;
  }

  end(event: EndCall): EndResult {
    const problem = endCallProblem(event);
    if (problem !== undefined) return { status: 'invalid', message: problem };
    const at = event.at;
    const account = this.#account(event.account, at);
    if (account === undefined) return FULL;
    const callId = event.callId;
    const slot = this.#find(account, callId, at);
    if (slot === ENDED_ID) return IGNORED;
    const record = this.#recordAt(slot);
    if (record === undefined || !record.begun) {
      const pending = record ?? this.#pending(event.account, account, callId, at);
      if (pending === undefined) return FULL;
      if (pending.billedSeconds !== NONE) return IGNORED;
      pending.billedSeconds = event.billedSeconds;
      pending.lastAt = Math.max(pending.lastAt, at);
      return PENDING;
    }
    const cost = callCostMicros(record.rateUnits, event.billedSeconds);
    const total = account.total;
    const extension = record.counters;
    // A counter that moved on to a later day keeps that day's figures: the call's day is over.
    if (total.day === record.totalDay) total.spent += cost - record.charged;
    if (extension !== undefined && extension.day === record.extensionDay)
      extension.spent += cost - record.charged;
    if (!record.released) {
      total.active--;
      if (extension !== undefined) extension.active--;
    }
    this.#forget(account, record, slot, at);
    return { status: 'settled', costMicros: cost };
  }

  usage(query: UsageQuery): Usage {
    const zero: LevelUsage = {
      concurrentCalls: 0,
      callsThisMinute: 0,
      callsThisHour: 0,
      callsToNumberThisHour: 0,
      spentTodayMicros: 0,
    };
    const withExtension = typeof query === 'object' && query !== null && query.extension !== undefined;
    const account = usageQueryProblem(query) === undefined ? this.#accounts.get(query.account) : undefined;
    if (account === undefined) return withExtension ? { account: zero, extension: zero } : { account: zero };
    if (query.at >= account.nextSweep) this.#sweep(account, query.at);
    const totals = account.total.view(query.at, query.day, query.destination);
    if (query.extension === undefined) return { account: totals };
    const extension = account.extensions.get(query.extension);
    return {
      account: totals,
      extension: extension === undefined ? zero : extension.view(query.at, query.day, query.destination),
    };
  }

  reset(target: ResetTarget): void {
    if (resetTargetProblem(target) !== undefined) return;
    const account = this.#accounts.get(target.account);
    if (account === undefined) return;
    if (target.extension === undefined && target.releaseCalls === true) {
      this.#entries -= account.entries;
      this.#remove(target.account, account);
      return;
    }
    const levels =
      target.extension === undefined
        ? [account.total, ...account.extensions.values()]
        : [account.extensions.get(target.extension)].filter((c): c is Counters => c !== undefined);
    for (const counters of levels) {
      counters.inMinute = 0;
      counters.inHour = 0;
      counters.repeat = undefined;
      counters.spent = 0;
    }
    forEachCall(account, (record) => {
      if (!record.begun) return;
      const mine = target.extension === undefined || record.extension === target.extension;
      if (!mine) return;
      const extension = record.counters;
      if (target.releaseCalls === true) {
        // Forget the call: the extension's counters start clean; the account's totals keep its charge.
        if (!record.released) {
          account.total.active--;
          if (extension !== undefined) extension.active--;
        }
        this.#untrack(account, record);
        return;
      }
      // Calls still tracked keep their charges, so that a later end settles against them.
      if (target.extension === undefined && account.total.day === record.totalDay) {
        account.total.spent += record.charged;
      }
      if (extension !== undefined && extension.day === record.extensionDay) extension.spent += record.charged;
    });
  }

  /**
   * Drops what no bound or query can see at `at` any more: calls forgotten after
   * {@link EVENT_RETENTION_MS}, idle extensions and idle accounts. Returns how many accounts went.
   * Its cost is linear in what the ledger holds.
   */
  prune(at: number): number {
    if (!isInstant(at)) return 0;
    let dropped = 0;
    for (const [key, account] of this.#accounts) {
      this.#rotate(account, at);
      this.#sweep(account, at);
      for (const [id, counters] of account.extensions) {
        // Safe with calls of the extension still tracked: none is active, and their charges are 0 or of a past day.
        if (counters.idleAt(at)) account.dropExtension(id);
      }
      if (account.entries === 0 && account.extensions.size === 0 && account.total.idleAt(at)) {
        this.#remove(key, account);
        dropped++;
      }
    }
    // Most of the table forgotten (ended ids of past generations, tombstones): give the memory back.
    if (this.#calls.load.used > 2 * this.#entries) this.#calls.rebuild();
    return dropped;
  }

  #account(key: string, at: number): AccountState | undefined {
    let account = this.#accounts.get(key);
    if (account === undefined) {
      if (this.#accounts.size >= this.#maxAccounts && !this.#pruneWhenFull(at, true)) return undefined;
      account = new AccountState(accountSeed(++this.#accountSerial));
      this.#accounts.set(key, account);
    }
    this.#rotate(account, at);
    return account;
  }

  #remove(key: string, account: AccountState): void {
    account.removed = true;
    this.#accounts.delete(key);
  }

  // The slot of the call's record, ENDED_ID when its id is remembered as ended, else ABSENT; releases
  // what is due first. The ended check comes before the sweep, so that an event never releases
  // calls on its way out.
  #find(account: AccountState, callId: string, at: number, hash?: number): number {
    let slot = this.#calls.find(account, callId, hash);
    if (slot >= 0) {
      const value = this.#calls.valueAt(slot);
      if (value instanceof EndedIds) {
        if (account.remembers(value)) return ENDED_ID;
        // Forgotten at a rotation already (and counted out of #entries then): free the slot now.
        this.#calls.removeAt(slot);
        slot = ABSENT;
      }
    }
    if (at < account.nextSweep) return slot;
    this.#sweep(account, at);
    // A sweep forgets records (emptying their slots) but never adds or moves one.
    return slot >= 0 && this.#calls.valueAt(slot) === undefined ? ABSENT : slot;
  }

  #recordAt(slot: number): CallRecord | undefined {
    if (slot < 0) return undefined;
    const value = this.#calls.valueAt(slot);
    return value instanceof CallRecord ? value : undefined;
  }

  // A new record for a call id the account's table has no entry for.
  #track(account: AccountState, callId: string, hash?: number): CallRecord {
    const record = this.#spare.pop()?.reuse(account, callId) ?? new CallRecord(account, callId);
    this.#calls.insert(record, hash);
    addCall(account, record);
    this.#entries++;
    return record;
  }

  // Forgets a record, with its id (the call's events are over, or it was reset).
  #untrack(account: AccountState, record: CallRecord): void {
    const slot = this.#calls.find(account, record.id);
    if (slot >= 0) this.#calls.removeAt(slot);
    removeCall(account, record);
    this.#entries--;
  }

  #roomForEntry(at: number): boolean {
    return this.#entries < this.#maxCalls || this.#pruneWhenFull(at, false);
  }

  #pruneWhenFull(at: number, forAccount: boolean): boolean {
    if (at < this.#lastFullPrune + FULL_PRUNE_INTERVAL_MS) return false;
    this.#lastFullPrune = at;
    this.prune(at);
    return forAccount ? this.#accounts.size < this.#maxAccounts : this.#entries < this.#maxCalls;
  }

  #pending(key: string, account: AccountState, callId: string, at: number): CallRecord | undefined {
    if (!this.#roomForEntry(at)) return undefined;
    // Making room may have pruned this very account, idle until this event (new, or with nothing left): keep it.
    if (account.removed) {
      account.removed = false;
      this.#accounts.set(key, account);
    }
    const record = this.#track(account, callId);
    record.lastAt = at;
    const forgetAt = at + EVENT_RETENTION_MS;
    if (forgetAt < account.nextSweep) account.nextSweep = forgetAt;
    return record;
  }

  // The call is over: remember only its id, for duplicates (the same entry, so #entries is unchanged),
  // and that by its hash and check: the id's text would be most of an ended call's memory.
  #forget(account: AccountState, record: CallRecord, slot: number, at: number): void {
    this.#rotate(account, at);
    this.#calls.setValueAt(slot, account.endedNowIds());
    if (removeCall(account, record) && this.#spare.length < SPARE_RECORDS) {
      // No walk is running here: a spare keeps no chain of ended records alive through `next`.
      record.next = undefined;
      this.#spare.push(record);
    }
    account.endedNow++;
  }

  // Ended ids are remembered for the generation they ended in and the next one. Counts only: the
  // table's stale entries go when a lookup meets them or at its next rebuild (see keepEntry).
  #rotate(account: AccountState, at: number): void {
    const generation = Math.floor(at / EVENT_RETENTION_MS);
    if (generation <= account.generation) return;
    const keepsLast = generation === account.generation + 1;
    this.#entries -= account.endedBefore + (keepsLast ? 0 : account.endedNow);
    account.endedBefore = keepsLast ? account.endedNow : 0;
    account.endedNow = 0;
    account.generation = generation;
  }

  // Releases calls past their maximum duration and forgets records past retention.
  #sweep(account: AccountState, at: number): void {
    let next = Number.POSITIVE_INFINITY;
    forEachCall(account, (record) => {
      if (record.begun && !record.released) {
        if (at >= record.releaseAt) {
          record.released = true;
          account.total.active--;
          if (record.counters !== undefined) record.counters.active--;
        } else {
          next = Math.min(next, record.releaseAt);
          return;
        }
      }
      const forgetAt = (record.begun ? record.releaseAt : record.lastAt) + EVENT_RETENTION_MS;
      if (at >= forgetAt) {
        this.#untrack(account, record);
      } else {
        next = Math.min(next, forgetAt);
      }
    });
    account.nextSweep = next;
  }
}
