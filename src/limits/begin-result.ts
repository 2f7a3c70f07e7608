// What a ledger answered to a begin, checked before a decision is built on it: the answer of a
// ledger someone wrote (docs/limits.md) is data like any other input, and a call is let through only
// on an answer that says so in full.
import { isInstant } from './calendar.js';
import { type BeginResult, LIMIT_NAMES } from './ledger.js';

const isAmount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** What is wrong with a ledger's answer to a begin, or undefined when it is a {@link BeginResult}. */
export function beginResultProblem(result: unknown): string | undefined {
  if (typeof result !== 'object' || result === null) return 'is not an object';
  if (typeof (result as { then?: unknown }).then === 'function') {
    return 'is a promise (a ledger that answers with promises needs startCallAsync)';
  }
  const r = result as Partial<Record<string, unknown>>;
  switch (r.status) {
    case 'reserved':
    case 'duplicate':
      if (!isAmount(r.reservedMicros))
        return `${r.status}: reservedMicros is not a whole number of micro-dollars`;
      if (!isInstant(r.releaseAt)) return `${r.status}: releaseAt is not an instant in milliseconds`;
      return undefined;
    case 'limited':
      if (!(LIMIT_NAMES as readonly unknown[]).includes(r.limit)) return 'limited: limit is not a limit name';
      if (r.level !== 'account' && r.level !== 'extension')
        return 'limited: level is not "account" or "extension"';
      if (!isAmount(r.counter) || !isAmount(r.bound))
        return 'limited: counter and bound are not whole numbers';
      if (r.limit === 'spendPerDay' && !isAmount(r.reserve)) return 'limited: reserve is not a whole number';
      if (r.windowStartsAt !== undefined && !isInstant(r.windowStartsAt))
        return 'limited: windowStartsAt is not an instant in milliseconds';
      return undefined;
    case 'invalid':
      return typeof r.message === 'string' ? undefined : 'invalid: message is not text';
    case 'ended':
    case 'conflict':
    case 'full':
      return undefined;
    default:
      return 'has no known status';
  }
}

/** A ledger's answer that {@link beginResultProblem} accepted. */
export const isBeginResult = (result: unknown): result is BeginResult =>
  beginResultProblem(result) === undefined;
