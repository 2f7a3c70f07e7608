// The layout behind RateTable.lookupIndex: a lead table over the first digits (how many grows with
// the deck, up to 5), then interval nodes over each following chunk of 4 digits, digits counted in
// base 11 so that a number that ends sorts below the digits that could follow it. Every shape is
// checked against a slow scan of all prefixes.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { loadEntries } from '../../src/rate/deck.js';
import { MAX_PREFIX_DIGITS, RateTable } from '../../src/rate/index.js';
import { PrefixIndex } from '../../src/rate/prefix-index.js';
import { digitString, scanLookup, seededDeck } from './reference.js';

/** Trie nodes of a deck, the root included: the lead table covers k digits once there are 11^k. */
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
// Prefixes and some of their own prefixes, so prefixes end inside chunks, at chunk ends and above
// longer ones.
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
  // Cut the deck prefix short (a number that ends inside it) or extend it.
  cut: fc.nat(MAX_PREFIX_DIGITS),
  shorten: fc.boolean(),
  tail: digitString(0, 10),
  plus: fc.boolean(),
  corrupt: fc.option(fc.tuple(fc.nat(), notDigitArb), { nil: undefined }),
});
type Probe = typeof probeArb extends fc.Arbitrary<infer T> ? T : never;

function probeText(prefixes: readonly string[], probe: Probe): string {
  // Half the probes start from a deck prefix (likely hits), half are random digits (likely misses).
  const base = probe.fromDeck ? (prefixes[probe.pick % prefixes.length] ?? '') : '';
  let digits = probe.shorten ? base.slice(0, probe.cut) : base + probe.tail;
  if (probe.corrupt !== undefined && digits.length > 0) {
    const [at, char] = probe.corrupt;
    const k = at % digits.length;
    digits = digits.slice(0, k) + char + digits.slice(k + 1);
  }
  return `${probe.plus ? '+' : ''}${digits}`;
}

/** Every prefix finds itself (with and without `+`), and every probe finds what the scan finds. */
function agreesWithScan(prefixes: readonly string[], probes: readonly Probe[]): void {
  const table = tableOf(prefixes);
  prefixes.forEach((prefix, index) => {
    expect(table.lookupIndex(prefix)).toBe(index);
    expect(table.lookupIndex(`+${prefix}`)).toBe(index);
  });
  for (const probe of probes) {
    const e164 = probeText(prefixes, probe);
    expect(table.lookupIndex(e164), e164).toBe(scanLookup(prefixes, e164));
  }
}

describe('RateTable lookup layout: properties against a scan of all prefixes', () => {
  it('random nested decks of up to 60 rows (no lead table, or one of 1 or 2 digits)', () => {
    fc.assert(fc.property(nestedDeckArb(1, 60), fc.array(probeArb, { maxLength: 40 }), agreesWithScan), {
      numRuns: 300,
    });
  });

  // fast-check's own strings stay short, far below these node counts: seeded decks reach them.
  it.each([
    [400, 11 ** 3, 30, 'three lead digits'],
    [3_000, 11 ** 4, 6, 'four lead digits'],
    [32_000, 11 ** 5, 2, 'five lead digits, the unrolled path of large decks'],
  ])('seeded decks of %i prefixes, over %i trie nodes (%i runs; %s)', (count, minNodes, numRuns) => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.array(probeArb, { minLength: 200, maxLength: 200 }),
        (seed, probes) => {
          const prefixes = randomDeck(seed, count);
          expect(nodeCount(prefixes)).toBeGreaterThanOrEqual(minNodes);
          agreesWithScan(prefixes, probes);
        },
      ),
      // Each run builds a deck of thousands of entries: report the first failure (with its seed)
      // without shrinking.
      { numRuns, endOnFailure: true },
    );
  });
});

// Prefixes of 6-15 digits, some nested.
const randomDeck = (seed: number, count: number) =>
  seededDeck(seed, count, { minLength: 6, maxLength: MAX_PREFIX_DIGITS, nested: true });

describe('RateTable lookup layout: shapes at the edges', () => {
  // Enough trie nodes for five lead digits (the unrolled path of large decks), all under 7 and 8 so
  // they stay clear of the shapes below.
  const filler = randomDeck(7, 34_000).map((p) => (p.charCodeAt(1) % 2 === 0 ? '7' : '8') + p.slice(1));
  const shapes = [
    '1', // a one-digit prefix inside the lead digits
    '20', // ends inside the lead digits, with a child for digit 0
    '209',
    '2000',
    '31', // only child digit 9
    '319',
    '44444', // ends exactly at the lead digits
    '444449', // one past them
    '4444412349', // one past the first node chunk (digits 6 to 9)
    '123456789012345', // the longest prefix: three nodes below the lead
    // 12 intervals in node "55555": children 1, 3, 5 and 7, and 91 and 92, with gaps.
    ...['555551', '555553', '555555', '555557', '5555591', '5555592'],
    // Exactly 16 intervals (the most searched in two rounds) and 17 (the first searched by halving).
    ...['333331', '333333', '333335', '333337', '3333390', '3333392', '3333394', '3333395'],
    ...['343431', '343433', '343435', '343437', '3434390', '3434392', '3434394', '3434396'],
    '999999', // the last node placed, followed only by the padding
  ];
  const large = [
    // 41 intervals: 20 two-digit children spread out, each with its own start and end.
    ...Array.from({ length: 20 }, (_, k) => `56565${(k * 5).toString().padStart(2, '0')}`),
    // A large node: 300 three-digit children.
    ...Array.from({ length: 300 }, (_, k) => `62626${(k * 3).toString().padStart(3, '0')}`),
  ];
  const prefixes = [...new Set([...shapes, ...large, ...filler])];
  const table = tableOf(prefixes);

  it('has enough trie nodes for five lead digits', () => {
    expect(nodeCount(prefixes)).toBeGreaterThanOrEqual(11 ** 5);
  });

  it.each([
    ['+1', '1', 'a number shorter than the lead digits'],
    ['+2', undefined, 'a one-digit number that only starts prefixes'],
    ['+209', '209', 'a short number that is a prefix'],
    ['+2000123', '2000', 'digit 0 below an inner prefix'],
    ['+2051234', '20', 'a digit without a child falls back to the inner prefix'],
    ['+3181234', '31', 'a digit below the only child falls back to the inner prefix'],
    ['+3191234', '319', 'the only child, digit 9'],
    ['+4444', undefined, 'four digits of a five-digit prefix'],
    ['+44444', '44444', 'exactly the lead digits: the node below is read as "ended"'],
    ['+444441', '44444', 'one digit past a lead-table prefix'],
    ['+444449', '444449', 'a prefix one past the lead digits'],
    ['+444441235', '44444', 'a full first chunk beside a longer prefix'],
    ['+4444412349', '4444412349', 'a prefix ending one digit into the second chunk'],
    ['+444441234', '44444', 'that prefix minus its last digit'],
    ['+44444123491', '4444412349', 'one digit past it'],
    ['+123456789012345', '123456789012345', 'fifteen digits, three chunks below the lead'],
    ['+12345678901234567890', '123456789012345', 'digits beyond the longest prefix'],
    ['+12345678901234', '1', 'one digit short of the longest prefix'],
    ['+12', '1', 'two digits, padded as "ended" in the lead'],
    ['+55555', undefined, 'the lead of the 12-interval node, no prefix above it'],
    ['+555550', undefined, 'below its first child'],
    ['+555551', '555551', 'its first child'],
    ['+5555520', undefined, 'a gap between children'],
    ['+5555591', '5555591', 'a second-level child'],
    ['+5555593', undefined, 'beside the second-level children'],
    ['+5555599', undefined, 'the last values of the node'],
    ['+5656500', '5656500', 'the first child of the 41-interval node'],
    ['+5656545', '5656545', 'a middle child there'],
    ['+5656546', undefined, 'just after it'],
    ['+5656595', '5656595', 'its last child'],
    ['+5656599', undefined, 'after the last child'],
    ['+62626000', '62626000', 'the first child of the large node'],
    ['+626264501', '62626450', 'a middle child of the large node, extended'],
    ['+62626451', undefined, 'between children of the large node'],
    ['+62626897', '62626897', 'its last child'],
    ['+62626898', undefined, 'past its last child'],
    ['+9999991', '999999', 'the last node placed'],
    ['+9999981', scanName('+9999981'), 'beside it'],
  ])('%s -> %s (%s)', (e164, expected, _reason) => {
    const index = table.lookupIndex(e164);
    expect(index === -1 ? undefined : table.prefixAt(index)).toBe(expected);
    expect(index).toBe(scanLookup(prefixes, e164));
  });

  function scanName(e164: string): string | undefined {
    const index = scanLookup(prefixes, e164);
    return index === -1 ? undefined : prefixes[index];
  }

  // The digits of chunk value `value` (base 11, d + 1 per digit, 0 once the number has ended).
  function chunkDigits(value: number): string {
    let digits = '';
    for (let k = 3; k >= 0; k--) {
      const d = Math.floor(value / 11 ** k) % 11;
      if (d === 0) break;
      digits += String(d - 1);
    }
    return digits;
  }

  // The scan's answer for numbers starting with `lead`, over only the prefixes that can match them.
  function scanBelow(lead: string): (digits: string) => string | undefined {
    const relevant = prefixes.filter((p) => p.startsWith(lead) || lead.startsWith(p));
    return (digits) => {
      const index = scanLookup(relevant, digits);
      return index === -1 ? undefined : relevant[index];
    };
  }

  // The index laid out for the same deck, to read its nodes.
  const index = new PrefixIndex(loadEntries(prefixes.map((prefix) => ({ prefix, rate: '0.01' }))).trie);

  it.each([
    ['55555', 12],
    ['33333', 16],
    ['34343', 17],
    ['56565', 41],
    ['62626', 601], // each of the 300 spread children starts a run and ends one
  ])(
    'node %s has %i intervals: one per run of one answer over all 11^4 chunk values, by the scan',
    (lead, count) => {
      const scan = scanBelow(lead);
      let runs = 0;
      let last: string | undefined | null = null;
      for (let value = 0; value < 11 ** 4; value++) {
        const found = scan(lead + chunkDigits(value));
        if (found !== last) runs++;
        last = found;
      }
      // The deck has the shape the row names (so the 16/17 boundary is really crossed) ...
      expect(runs).toBe(count);
      // ... and the node the index laid out for it has exactly those intervals, merged where neighbours agree.
      expect(index.intervalsAfter(lead)).toBe(count);
    },
  );

  it('reads no node where the lead table answers, or for fewer digits than the lead', () => {
    expect(index.intervalsAfter('44444')).toBeGreaterThan(0);
    expect(index.intervalsAfter('4444')).toBe(0); // shorter than the lead digits
    expect(index.intervalsAfter('99998')).toBe(0); // the lead table answers it: no node
  });

  it.each(['55555', '33333', '34343', '56565'])(
    'node %s answers every number of up to 4 digits past the lead as the scan does',
    (lead) => {
      const scan = scanBelow(lead);
      for (let value = 0; value < 11 ** 4; value++) {
        const digits = lead + chunkDigits(value);
        const index = table.lookupIndex(`+${digits}`);
        expect(index === -1 ? undefined : table.prefixAt(index), digits).toBe(scan(digits));
      }
    },
  );

  it('rejects a non-digit at every position: the lead digits, each chunk and the tail', () => {
    const number = '+12345678901234567';
    for (let k = 1; k < number.length; k++) {
      for (const char of ['/', ':', 'x', '٣', '+']) {
        const e164 = number.slice(0, k) + char + number.slice(k + 1);
        expect(table.lookupIndex(e164), e164).toBe(-1);
      }
    }
    expect(table.lookupIndex(number)).toBe(prefixes.indexOf('123456789012345'));
  });

  it('answers every prefix of every shape, and every one-digit extension, as the scan does', () => {
    for (const prefix of [...shapes, ...large.filter((_, k) => k % 10 === 0)]) {
      for (let n = 1; n <= prefix.length; n++) {
        const head = prefix.slice(0, n);
        expect(table.lookupIndex(`+${head}`), head).toBe(scanLookup(prefixes, head));
        for (let d = 0; d < 10; d++) {
          expect(table.lookupIndex(head + d), head + d).toBe(scanLookup(prefixes, head + d));
        }
      }
    }
  });
});
