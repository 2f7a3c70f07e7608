// The memory ledger's call table against a Map keyed by owner and id, the obvious structure it
// stands in for: every operation in any order, through growth, tombstones, rebuilds and dropped
// ids (values without an id), and keys whose 32-bit hashes are equal.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CallTable, checkCallId, hashCallId } from '../../src/limits/call-table.js';

class Owner {
  constructor(
    readonly name: string,
    readonly hashSeed: number,
  ) {}
}

class Value {
  constructor(
    readonly owner: Owner,
    /** The key's id, or undefined once the table knows the key by its id's check only. */
    readonly id: string | undefined,
    readonly n: number,
    /** Kept by a rebuild only while alive. */
    public alive = true,
  ) {}
}

// A value that carries the key's id, as insert requires.
const withId = (owner: Owner, id: string, n: number): Value & { readonly id: string } =>
  new Value(owner, id, n) as Value & { readonly id: string };

const keep = (value: Value) => value.alive;
const keyOf = (owner: Owner, id: string) => `${owner.name}\u0000${id}`;

type Op =
  | { kind: 'put'; owner: number; id: number; n: number }
  | { kind: 'remove'; owner: number; id: number }
  | { kind: 'kill'; owner: number; id: number }
  | { kind: 'drop'; owner: number; id: number }
  | { kind: 'rebuild' };

const OWNER_COUNT = 3;
const opArb = (ids: number): fc.Arbitrary<Op> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('put' as const),
        owner: fc.nat(OWNER_COUNT - 1),
        id: fc.nat(ids - 1),
        n: fc.nat(),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('remove' as const),
        owner: fc.nat(OWNER_COUNT - 1),
        id: fc.nat(ids - 1),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('kill' as const),
        owner: fc.nat(OWNER_COUNT - 1),
        id: fc.nat(ids - 1),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('drop' as const),
        owner: fc.nat(OWNER_COUNT - 1),
        id: fc.nat(ids - 1),
      }),
    },
    { weight: 1, arbitrary: fc.constant({ kind: 'rebuild' as const }) },
  );

// Runs the ops on a table and on the model. After each op its key must agree, and after each
// rebuild and at the end every key touched; a mismatch is reported with the op that preceded it.
function agree(ops: readonly Op[], ownerSeeds: readonly number[]): void {
  const owners = ownerSeeds.map((seed, i) => new Owner(`o${i}`, seed));
  const table = new CallTable<Owner, Value>(12345, 678, keep);
  const model = new Map<string, Value>();
  const touched = new Map<string, [Owner, string]>();
  const mismatches: string[] = [];
  const check = (owner: Owner, id: string, step: number) => {
    const slot = table.find(owner, id);
    const got = slot >= 0 ? table.valueAt(slot) : undefined;
    if (got !== model.get(keyOf(owner, id))) mismatches.push(`${owner.name}/${id} after op ${step}`);
  };
  const checkAll = (step: number) => {
    for (const [owner, id] of touched.values()) check(owner, id, step);
  };
  for (const [step, op] of ops.entries()) {
    if (op.kind === 'rebuild') {
      table.rebuild();
      for (const [key, value] of model) if (!value.alive) model.delete(key);
      checkAll(step);
      continue;
    }
    const owner = owners[op.owner] as Owner;
    const id = `id-${op.id}`;
    touched.set(keyOf(owner, id), [owner, id]);
    const slot = table.find(owner, id);
    if (op.kind === 'put') {
      const value = withId(owner, id, op.n);
      if (slot >= 0) table.setValueAt(slot, value);
      else table.insert(value);
      model.set(keyOf(owner, id), value);
    } else if (op.kind === 'remove') {
      if (slot >= 0) table.removeAt(slot);
      model.delete(keyOf(owner, id));
    } else if (op.kind === 'drop') {
      // A value without the id: only the id's check is kept, and the key is found as before.
      const old = slot >= 0 ? table.valueAt(slot) : undefined;
      if (old !== undefined) {
        const value = new Value(owner, undefined, old.n, old.alive);
        table.setValueAt(slot, value);
        model.set(keyOf(owner, id), value);
      }
    } else {
      // A value its owner no longer needs: still found until a rebuild drops it.
      const value = slot >= 0 ? table.valueAt(slot) : undefined;
      if (value !== undefined) value.alive = false;
    }
    check(owner, id, step);
    const { slots, used } = table.load;
    if (used > 0.7 * slots) mismatches.push(`${used} of ${slots} slots used after op ${step}`);
  }
  checkAll(ops.length);
  expect(mismatches).toEqual([]);
}

describe('CallTable against a Map', () => {
  it('agrees on every key after every operation, with few slots in use', () => {
    fc.assert(
      fc.property(
        fc.array(opArb(40), { maxLength: 200 }),
        fc.array(fc.integer(), { minLength: OWNER_COUNT, maxLength: OWNER_COUNT }),
        (ops, seeds) => agree(ops, seeds),
      ),
      { numRuns: 200 },
    );
  });

  it('agrees through growth past the first size, tombstones and rebuilds', () => {
    fc.assert(
      fc.property(fc.array(opArb(3_000), { minLength: 3_000, maxLength: 4_000 }), (ops) =>
        // One owner seed for all: the same id of two owners then shares a probe chain.
        agree(ops, [0, 0, 0]),
      ),
      { numRuns: 4 },
    );
  });
});

describe('CallTable', () => {
  it('keeps apart two ids whose hashes are equal', () => {
    // Find two ids with the same 32-bit hash under seed 0 (birthday bound: expected within ~80k ids).
    const seen = new Map<number, string>();
    let pair: [string, string] | undefined;
    for (let i = 0; pair === undefined && i < 2_000_000; i++) {
      const id = `c${i}`;
      const hash = hashCallId(id, 0);
      const other = seen.get(hash);
      if (other === undefined) seen.set(hash, id);
      else pair = [other, id];
    }
    if (pair === undefined) throw new Error('no two ids with equal hashes in 2,000,000');
    const [a, b] = pair;
    expect(hashCallId(a, 0)).toBe(hashCallId(b, 0));
    const owner = new Owner('o', 0);
    for (const dropped of [false, true]) {
      const table = new CallTable<Owner, Value>(0, 0, keep);
      const inserted = withId(owner, a, 1);
      let va: Value = inserted;
      const vb = withId(owner, b, 2);
      table.insert(inserted);
      // Known by its hash and check only: the check alone keeps b apart from it.
      if (dropped) {
        va = new Value(owner, undefined, 1);
        table.setValueAt(table.find(owner, a), va);
      }
      expect(table.find(owner, b), `dropped: ${dropped}`).toBe(-1);
      table.insert(vb);
      expect(table.valueAt(table.find(owner, a))).toBe(va);
      expect(table.valueAt(table.find(owner, b))).toBe(vb);
      table.removeAt(table.find(owner, a));
      expect(table.find(owner, a)).toBe(-1);
      expect(table.valueAt(table.find(owner, b))).toBe(vb);
    }
  });

  it('has a check independent of the hash: ids with equal hashes have unequal checks', () => {
    // Pairs of ids with equal 32-bit hashes under seed 0; a check that followed the hash would match too.
    const seen = new Map<number, string>();
    const pairs: [string, string][] = [];
    for (let i = 0; pairs.length < 20 && i < 5_000_000; i++) {
      const id = `c${i}`;
      const hash = hashCallId(id, 0);
      const other = seen.get(hash);
      if (other === undefined) seen.set(hash, id);
      else pairs.push([other, id]);
    }
    expect(pairs.length).toBe(20);
    const equalChecks = pairs.filter(([x, y]) => checkCallId(x, 0) === checkCallId(y, 0));
    expect(equalChecks).toEqual([]);
  });

  it('finds a dropped id after a rebuild, and not under another owner', () => {
    const one = new Owner('one', 7);
    const two = new Owner('two', 7);
    const table = new CallTable<Owner, Value>(3, 4, keep);
    const value = new Value(one, undefined, 1);
    table.setValueAt(table.insert(withId(one, 'c1', 1)), value);
    expect(table.find(two, 'c1')).toBe(-1);
    table.rebuild();
    expect(table.valueAt(table.find(one, 'c1'))).toBe(value);
    expect(table.find(one, 'c2')).toBe(-1);
  });

  it('keeps the same id of two owners apart', () => {
    const one = new Owner('one', 7);
    const two = new Owner('two', 7);
    const table = new CallTable<Owner, Value>(0, 0, keep);
    table.insert(withId(one, 'c1', 1));
    expect(table.find(two, 'c1')).toBe(-1);
    table.insert(withId(two, 'c1', 2));
    expect(table.valueAt(table.find(one, 'c1'))?.n).toBe(1);
    expect(table.valueAt(table.find(two, 'c1'))?.n).toBe(2);
  });

  it('reuses tombstones and shrinks at a rebuild, so that churn does not grow it', () => {
    const owner = new Owner('o', 0);
    const table = new CallTable<Owner, Value>(99, 98, keep);
    // 100,000 calls, never more than 10 at once: the table stays at its first size.
    for (let i = 0; i < 100_000; i++) {
      table.insert(withId(owner, `c${i}`, i));
      if (i >= 10) table.removeAt(table.find(owner, `c${i - 10}`));
    }
    expect(table.load.slots).toBe(1_024);
    // Grown for 20,010 live keys (at most 70 % used, at most 35 % after a rebuild), then shrunk once they go.
    for (let i = 0; i < 20_000; i++) table.insert(withId(owner, `k${i}`, i));
    const grown = table.load.slots;
    expect(grown).toBeGreaterThanOrEqual(20_010 / 0.7);
    expect(grown).toBeLessThanOrEqual((2 * 20_010) / 0.35);
    for (let i = 0; i < 20_000; i++) {
      const value = table.valueAt(table.find(owner, `k${i}`));
      if (value !== undefined) value.alive = false;
    }
    table.rebuild();
    expect(table.load).toEqual({ slots: 1_024, used: 10 });
  });
});
