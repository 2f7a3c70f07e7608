// An account's calls in the memory ledger: a singly linked list through the call records, unlinked
// lazily, so that adding or removing a call writes the owner and that call's record only, never a
// neighbour's (at 100k accounts a neighbour's record is a cache miss per call).
//
// Invariants: `listed` counts the records linked from `firstCall`, tracked or not, and `calls` the
// tracked ones; right after an add, listed ≤ 2 × calls + LIST_SLACK.

/** A record in a {@link ListOwner}'s list. */
export interface Listed<Record> {
  next: Record | undefined;
  /** Still one of the owner's calls: an untracked record may stay linked until a walk unlinks it. */
  tracked: boolean;
}

/** What holds a list of calls: its first record and its counts. */
export interface ListOwner<Record> {
  firstCall: Record | undefined;
  /** Tracked records. */
  calls: number;
  /** Linked records, tracked or not. */
  listed: number;
}

/** Untracked records a list may hold beyond its tracked ones before an add walks it to unlink them. */
export const LIST_SLACK = 16;

const visitNothing = (): void => {};

/** Adds a record as the owner's newest call; the record is in no list. */
export function addCall<R extends Listed<R>>(owner: ListOwner<R>, record: R): void {
  // One walk per LIST_SLACK removals at least: linear in the untracked records it unlinks.
  if (owner.listed >= 2 * owner.calls + LIST_SLACK) forEachCall(owner, visitNothing);
  record.tracked = true;
  record.next = owner.firstCall;
  owner.firstCall = record;
  owner.calls++;
  owner.listed++;
}

/**
 * Untracks a tracked record. It is unlinked at once only when first (the latest call, often the
 * first to end): one deeper in needs the record before it, which the next walk finds. `next` is
 * kept, for a walk holding the record. Returns whether the record left the list.
 */
export function removeCall<R extends Listed<R>>(owner: ListOwner<R>, record: R): boolean {
  record.tracked = false;
  owner.calls--;
  if (owner.firstCall !== record) return false;
  owner.firstCall = record.next;
  owner.listed--;
  return true;
}

/** Calls `visit` on each tracked record, newest first, unlinking untracked ones; `visit` may remove its record. */
export function forEachCall<R extends Listed<R>>(owner: ListOwner<R>, visit: (record: R) => void): void {
  let previous: R | undefined;
  for (let record = owner.firstCall; record !== undefined; ) {
    const next = record.next;
    if (record.tracked) {
      visit(record);
      // Removed by visit: removeCall unlinked it if it was first; one deeper in is unlinked here.
      if (record.tracked) previous = record;
      else if (previous !== undefined) unlinkAfter(owner, previous, next);
    } else if (previous === undefined) {
      owner.firstCall = next;
      owner.listed--;
    } else {
      unlinkAfter(owner, previous, next);
    }
    record = next;
  }
}

function unlinkAfter<R extends Listed<R>>(owner: ListOwner<R>, previous: R, next: R | undefined): void {
  previous.next = next;
  owner.listed--;
}
