// The compile's radix sort against Array#sort, which is stable: sorting the same starting permutation
// by the same keys must give the same order, ties included, at every digit width the sort picks.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { radixSortByWord } from '../../src/ip/intervals.js';

/** `order` stably sorted by keys[stride * e + offset], the slow, obvious way. */
function referenceSort(order: Uint32Array, keys: Uint32Array, stride: number, offset: number): number[] {
  return Array.from(order).sort(
    (a, b) => (keys[stride * a + offset] as number) - (keys[stride * b + offset] as number),
  );
}

function sorted(order: Uint32Array, keys: Uint32Array, stride: number, offset: number): number[] {
  const [result] = radixSortByWord(order.slice(), new Uint32Array(order.length), keys, stride, offset);
  return Array.from(result);
}

// The first position where two orders differ, or -1: a failure on 70k elements stays readable.
function firstDifference(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  return a.findIndex((value, i) => value !== b[i]);
}

// Keys that share most of their bits (a base with a few bit fields varied), so that some digits
// are skipped, some varied fields straddle a digit boundary, and ties are frequent; wide fields
// vary every bit of a digit.
const keyArrays = (minLength: number, maxLength: number, maxFieldWidth = 12, fixedStride?: number) =>
  fc
    .tuple(
      fc.nat({ max: 0xffffffff }),
      fc.array(fc.tuple(fc.integer({ min: 0, max: 31 }), fc.integer({ min: 1, max: maxFieldWidth })), {
        minLength: 1,
        maxLength: 3,
      }),
      fc.integer({ min: minLength, max: maxLength }),
      fixedStride === undefined ? fc.integer({ min: 1, max: 3 }) : fc.constant(fixedStride),
      fc.nat(),
    )
    .map(([base, fields, n, stride, seed]) => {
      let state = seed >>> 0;
      const next = () => {
        state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
        return state;
      };
      const keys = new Uint32Array(n * stride);
      for (let i = 0; i < keys.length; i++) {
        let key = base;
        for (const [shift, width] of fields) {
          const field = (2 ** Math.min(width, 32 - shift) - 1) * 2 ** shift;
          key = ((key & ~field) | (next() & field)) >>> 0;
        }
        keys[i] = key;
      }
      // A shuffled starting permutation: the sort must keep its order among equal keys.
      const order = Uint32Array.from({ length: n }, (_, i) => i);
      for (let i = n - 1; i > 0; i--) {
        const j = next() % (i + 1);
        [order[i], order[j]] = [order[j] as number, order[i] as number];
      }
      return { keys, order, stride, offset: next() % stride };
    });

describe('radixSortByWord', () => {
  it('equals a stable comparator sort (8 to 10 bit digits)', () => {
    fc.assert(
      fc.property(keyArrays(0, 1500), ({ keys, order, stride, offset }) => {
        const got = sorted(order, keys, stride, offset);
        expect(firstDifference(got, referenceSort(order, keys, stride, offset))).toBe(-1);
      }),
      { numRuns: 300 },
    );
  });

  it('equals a stable comparator sort on long lists (16-bit digits)', () => {
    fc.assert(
      fc.property(keyArrays(70_000, 70_000, 32), ({ keys, order, stride, offset }) => {
        const got = sorted(order, keys, stride, offset);
        expect(firstDifference(got, referenceSort(order, keys, stride, offset))).toBe(-1);
      }),
      // Shrinking 70k-element cases would take minutes; the first failure is reported as found.
      { numRuns: 6, endOnFailure: true },
    );
  });

  it('sorts by several words when applied from the least significant word up', () => {
    fc.assert(
      fc.property(keyArrays(0, 600, 12, 3), ({ keys, order }) => {
        let sortedOrder: Uint32Array = order.slice();
        let spare: Uint32Array = new Uint32Array(order.length);
        for (let w = 2; w >= 0; w--) [sortedOrder, spare] = radixSortByWord(sortedOrder, spare, keys, 3, w);
        const words = (e: number) => [keys[3 * e], keys[3 * e + 1], keys[3 * e + 2]] as number[];
        const expected = Array.from(order).sort((a, b) => {
          const [x, y] = [words(a), words(b)];
          for (let w = 0; w < 3; w++) if (x[w] !== y[w]) return (x[w] as number) - (y[w] as number);
          return 0;
        });
        expect(firstDifference(Array.from(sortedOrder), expected)).toBe(-1);
      }),
      { numRuns: 200 },
    );
  });
});
