// The packed trie behind RateTable.lookupIndex: a lead table for the first digits (how many grows
// with the deck, up to 5), child blocks indexed by digit, entries of inner nodes in block headers and
// a walk of fixed length. Every shape is checked against a slow scan of all prefixes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PREFIX_DIGITS, RateTable } from '../../src/rate/index.js';
import { digitString, scanLookup } from './reference.js';

/** Trie nodes of a deck, the root included: the lead table uses 10^k slots once there are 10^k nodes. */
function nodeCount(prefixes: readonly string[]): number {
  const nodes = new Set<string>(['']);
  for (const prefix of prefixes) for (let n = 1; n <= prefix.length; n++) nodes.add(prefix.slice(0, n));
  return nodes.size;
}

const tableOf = (prefixes: readonly string[]) =>
  RateTable.from(prefixes.map((prefix, index) => ({ prefix, rate: `0.${index % 10_000}` })));

const longPrefixArb = fc
  .tuple(fc.constantFrom(...'123456789'), digitString(0, MAX_PREFIX_DIGITS - 1))
  .map(([first, rest]) => first + rest);
// Prefixes and some of their own prefixes, so inner nodes end prefixes too (entries in block headers).
const nestedDeckArb = (minRows: number, maxRows: number) =>
  fc
    .array(fc.tuple(longPrefixArb, fc.array(fc.nat(MAX_PREFIX_DIGITS), { maxLength: 3 })), {
      minLength: minRows,
      maxLength: maxRows,
    })
    .map((rows) => {
      const prefixes = new Set<string>();
      for (const [prefix, cuts] of rows) {
        prefixes.add(prefix);
        for (const cut of cuts) prefixes.add(prefix.slice(0, 1 + (cut % prefix.length)));
      }
      return [...prefixes];
    });
// Characters next to the digits in code order, the plus sign, whitespace and a non-ASCII digit.
const notDigitArb = fc.constantFrom('/', ':', 'x', '+', ' ', '\u0000', '\uffff', '٣');
const probeArb = fc.record({
  pick: fc.nat(),
  fromDeck: fc.boolean(),
  tail: digitString(0, 10),
  plus: fc.boolean(),
  corrupt: fc.option(fc.tuple(fc.nat(), notDigitArb), { nil: undefined }),
});
type Probe = typeof probeArb extends fc.Arbitrary<infer T> ? T : never;

function probeText(prefixes: readonly string[], probe: Probe): string {
  // Half the probes extend a deck prefix (likely hits), half are random digits (likely misses).
  const base = probe.fromDeck ? (prefixes[probe.pick % prefixes.length] ?? '') : '';
  let digits = base + probe.tail;
  if (probe.corrupt !== undefined && digits.length > 0) {
    const [at, char] = probe.corrupt;
    const k = at % digits.length;
    digits = digits.slice(0, k) + char + digits.slice(k + 1);
  }
  return `${probe.plus ? '+' : ''}${digits}`;
}

describe('RateTable trie: properties against a scan of all prefixes', () => {
  it.each([
    [1, 60, 300, 'small decks: no or a short lead table'],
    [300, 400, 40, 'a few thousand nodes: three lead digits'],
    [1500, 1800, 8, 'over 10k nodes: four lead digits'],
  ])('random nested decks of %i to %i rows (%i runs; %s)', (minRows, maxRows, numRuns) => {
    fc.assert(
      fc.property(
        nestedDeckArb(minRows, maxRows),
        fc.array(probeArb, { maxLength: 40 }),
        (prefixes, probes) => {
          const table = tableOf(prefixes);
          prefixes.forEach((prefix, index) => {
            expect(table.lookupIndex(prefix)).toBe(index);
          });
          for (const probe of probes) {
            const e164 = probeText(prefixes, probe);
            expect(table.lookupIndex(e164), e164).toBe(scanLookup(prefixes, e164));
          }
        },
      ),
      // Shrinking a deck of hundreds of rows takes minutes: report larger failures as found.
      { numRuns, endOnFailure: maxRows > 60 },
    );
  });

  it('a deck of over 100k nodes (five lead digits) agrees with the scan', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(probeArb, { minLength: 100, maxLength: 100 }),
        (seed, probes) => {
          const prefixes = randomDeck(seed, 25_000);
          expect(nodeCount(prefixes)).toBeGreaterThanOrEqual(100_000);
          const table = tableOf(prefixes);
          prefixes.forEach((prefix, index) => {
            expect(table.lookupIndex(`+${prefix}`)).toBe(index);
          });
          for (const probe of probes) {
            const e164 = probeText(prefixes, probe);
            expect(table.lookupIndex(e164), e164).toBe(scanLookup(prefixes, e164));
          }
        },
      ),
      // Each run builds a 25k-entry deck: report the first failure (with its seed) without shrinking.
      { numRuns: 2, endOnFailure: true },
    );
  });
});

// `count` random prefixes of 6-15 digits and, for every fourth, one of its own prefixes; seeded so a
// failure repeats (fast-check's own strings stay short, far below 100k distinct nodes).
function randomDeck(seed: number, count: number): string[] {
  let state = seed >>> 0;
  const next = (below: number) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return Math.floor((state / 2 ** 32) * below);
  };
  const prefixes = new Set<string>();
  while (prefixes.size < count) {
    let prefix = String(1 + next(9));
    const length = 6 + next(MAX_PREFIX_DIGITS - 5);
    while (prefix.length < length) prefix += String(next(10));
    prefixes.add(prefix);
    if (prefixes.size % 4 === 0) prefixes.add(prefix.slice(0, 1 + next(prefix.length)));
  }
  return [...prefixes];
}

describe('RateTable trie: shapes at the edges of the layout', () => {
  // Over 10k nodes, so numbers of four digits or more start in the lead table.
  const filler = Array.from({ length: 3000 }, (_, i) => `9${String(i * 7919).padStart(7, '0')}`);
  const edges = [
    '1', // a one-digit prefix inside the lead digits
    '20', // an inner node whose lowest child is digit 0 (its header sits just before its block)
    '209',
    '2000',
    '31', // an inner node whose only child is digit 9
    '319',
    '123456789012345', // the longest prefix: the walk's height is 15 from the root
    '4444', // ends exactly at the lead digits
    '44449',
  ];
  const prefixes = [...edges, ...filler];
  const table = tableOf(prefixes);

  it('has enough nodes for four lead digits', () => {
    expect(nodeCount(prefixes)).toBeGreaterThanOrEqual(10_000);
  });

  it.each([
    ['+1', '1', 'a number shorter than the lead digits'],
    ['+2', undefined, 'a one-digit number that only starts prefixes'],
    ['+209', '209', 'a short number that is a prefix'],
    ['+2000123', '2000', 'digit 0 below a header'],
    ['+2091234', '209', 'a sibling of digit 0 in the same block'],
    ['+2051234', '20', 'a digit in the block span without a child falls back to the inner node'],
    ['+3181234', '31', 'a digit below the lowest child falls back to the inner node'],
    ['+3191234', '319', 'the only child, digit 9'],
    ['+4444', '4444', 'exactly the lead digits'],
    ['+44441', '4444', 'one digit past a lead-table entry'],
    ['+444491', '44449', 'a prefix one past the lead digits'],
    ['+123456789012345', '123456789012345', 'a fifteen-digit number equal to the longest prefix'],
    ['+12345678901234567890', '123456789012345', 'digits beyond the longest prefix'],
    ['+12345678901234', '1', 'one digit short of the longest prefix'],
    ['+5555555', undefined, 'no prefix starts with 5'],
  ])('%s -> %s (%s)', (e164, expected, _reason) => {
    const index = table.lookupIndex(e164);
    expect(index === -1 ? undefined : table.prefixAt(index)).toBe(expected);
    expect(index).toBe(scanLookup(prefixes, e164));
  });

  it('rejects a non-digit at every position, in the lead digits, the walk and the tail', () => {
    const number = '+12345678901234567';
    for (let k = 1; k < number.length; k++) {
      for (const char of ['/', ':', 'x', '٣', '+']) {
        const e164 = number.slice(0, k) + char + number.slice(k + 1);
        expect(table.lookupIndex(e164), e164).toBe(-1);
      }
    }
    expect(table.lookupIndex(number)).toBe(prefixes.indexOf('123456789012345'));
  });
});
