// The ledger's lazily unlinked list of an account's calls, against an array of the tracked calls,
// newest first (the obvious structure it stands in for): adds, removals in any order and walks that
// remove calls as they go. The links are read directly, so that checking never unlinks anything.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addCall,
  forEachCall,
  LIST_SLACK,
  type Listed,
  type ListOwner,
  removeCall,
} from '../../src/limits/call-list.js';

class Call implements Listed<Call> {
  next: Call | undefined = undefined;
  tracked = false;
  constructor(readonly n: number) {}
}

const newOwner = (): ListOwner<Call> => ({ firstCall: undefined, calls: 0, listed: 0 });

// Every linked record, tracked or not, by following the links.
function linked(owner: ListOwner<Call>): Call[] {
  const records: Call[] = [];
  for (let r = owner.firstCall; r !== undefined; r = r.next) records.push(r);
  return records;
}

type Op =
  | { kind: 'add' }
  | { kind: 'remove'; pick: number }
  | { kind: 'walk'; removeEvery: number; offset: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'add' as const }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('remove' as const), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('walk' as const),
      removeEvery: fc.integer({ min: 1, max: 4 }),
      offset: fc.nat({ max: 3 }),
    }),
  },
);

describe('call list', () => {
  it('holds the tracked calls newest first, and never more than twice them plus the slack after an add', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const owner = newOwner();
        // The tracked calls, newest first.
        let reference: Call[] = [];
        let serial = 0;
        for (const o of ops) {
          switch (o.kind) {
            case 'add': {
              const call = new Call(serial++);
              addCall(owner, call);
              reference.unshift(call);
              expect(owner.listed).toBeLessThanOrEqual(2 * owner.calls + LIST_SLACK);
              break;
            }
            case 'remove': {
              const call = reference[o.pick % Math.max(1, reference.length)];
              if (call === undefined) break;
              const wasFirst = owner.firstCall === call;
              expect(removeCall(owner, call)).toBe(wasFirst);
              reference = reference.filter((c) => c !== call);
              break;
            }
            case 'walk': {
              const visited: Call[] = [];
              forEachCall(owner, (call) => {
                visited.push(call);
                if ((call.n + o.offset) % o.removeEvery === 0) removeCall(owner, call);
              });
              expect(visited).toEqual(reference);
              reference = reference.filter((c) => (c.n + o.offset) % o.removeEvery !== 0);
              // A walk leaves only tracked records linked.
              expect(linked(owner)).toEqual(reference);
              break;
            }
          }
          const records = linked(owner);
          expect(owner.listed).toBe(records.length);
          expect(owner.calls).toBe(reference.length);
          expect(records.filter((r) => r.tracked)).toEqual(reference);
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each([
    ['the newest call', 'it leaves the list at once', [2], [1, 0], 2],
    ['an older call', 'it stays linked until a walk', [0], [2, 1, 0], 3],
    ['the newest calls in turn', 'each is first when it goes', [2, 1], [0], 1],
    ['the oldest, then the newest', 'the older one is still linked behind', [0, 2], [1, 0], 2],
  ])('removing %s of three: %s', (_name, _why, removed, linkedAfter, listed) => {
    const owner = newOwner();
    const calls = [new Call(0), new Call(1), new Call(2)];
    for (const call of calls) addCall(owner, call);
    for (const n of removed) {
      const call = calls.find((c) => c.n === n);
      if (call === undefined) throw new Error(`no call ${n}`);
      removeCall(owner, call);
    }
    expect(linked(owner).map((c) => c.n)).toEqual(linkedAfter);
    expect(owner.listed).toBe(listed);
    expect(owner.calls).toBe(3 - removed.length);
  });

  it('an add walks the list once untracked records reach the slack, and unlinks them all', () => {
    const owner = newOwner();
    const held = new Call(-1);
    addCall(owner, held);
    let previous = new Call(0);
    addCall(owner, previous);
    // Each call ends while a later one is first, so none leaves the list on its own. With two calls
    // tracked, the add that finds 2 × 2 + LIST_SLACK records linked (LIST_SLACK + 2 untracked) walks.
    const untrackedAtWalk = LIST_SLACK + 2;
    for (let n = 1; n <= untrackedAtWalk; n++) {
      const call = new Call(n);
      addCall(owner, call);
      removeCall(owner, previous);
      previous = call;
    }
    expect(linked(owner).filter((r) => !r.tracked)).toHaveLength(untrackedAtWalk);
    expect(owner.listed).toBe(untrackedAtWalk + 2);
    const call = new Call(untrackedAtWalk + 1);
    addCall(owner, call);
    expect(linked(owner)).toEqual([call, previous, held]);
    expect(owner.listed).toBe(3);
  });
});
