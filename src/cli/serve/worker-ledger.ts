// What the policy worker and the main thread exchange about the usage ledger, which lives on the main
// thread (docs/decisions/0010-serve-ledger-on-main-thread.md): the worker's begins and their
// replies, each batched per turn of the event loop. A module of its own so that the main thread
// needs nothing of the worker's code.
import type { BeginCall, BeginResult } from '../../index.js';

/**
 * What a call start without a call id answers when the policy's usage limits would count it: the
 * service refuses the request (it cannot count a call it cannot name), rather than deciding.
 */
export const CALL_ID_REQUIRED = 'call-id-required';

/** Ledger requests from a worker to the main thread: begins, each by its own id, posted in batches. */
export interface LedgerAsk {
  readonly begins: readonly (readonly [askId: number, call: BeginCall])[];
}

/** The main thread's replies to a {@link LedgerAsk}: each begin's result, or why it failed. */
export interface LedgerReply {
  readonly begun: readonly (readonly [askId: number, result: BeginResult | undefined, error?: string])[];
}

/** Collects what is posted in one turn of the event loop into one message: a message costs more than a decision. */
export function batcher<T>(post: (items: T[]) => void): (item: T) => void {
  let batch: T[] = [];
  const flush = () => {
    const items = batch;
    batch = [];
    post(items);
  };
  return (item) => {
    if (batch.push(item) === 1) setImmediate(flush);
  };
}
