// IPv6 lists are compiled from 32-bit words with explicit carries and borrows (end + 1 of a range
// reaching ffff:...:ffff is 2^128; a merged end is a bound minus 1). These cases sit on those edges
// and compare against BigInt arithmetic done here, which is slow but obviously right.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IpAllowList } from '../../src/ip/index.js';

const ALL = (1n << 128n) - 1n;

function text(value: bigint): string {
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((value >> shift) & 0xffffn).toString(16));
  return groups.join(':'); // uncompressed: valid input, not canonical output
}

/** Merged inclusive intervals of [lo, hi] ranges, by BigInt sorting and merging. */
function merge(ranges: readonly (readonly [bigint, bigint])[]): [bigint, bigint][] {
  const sorted = [...ranges].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const out: [bigint, bigint][] = [];
  for (const [lo, hi] of sorted) {
    const last = out[out.length - 1];
    if (last !== undefined && lo <= last[1] + 1n) {
      if (hi > last[1]) last[1] = hi;
    } else {
      out.push([lo, hi]);
    }
  }
  return out;
}

// Values near 0, near 2^128 and at each 32-bit word boundary, where carries and borrows happen.
const edge = fc.oneof(
  fc.bigInt({ min: 0n, max: 5n }),
  fc.bigInt({ min: ALL - 5n, max: ALL }),
  fc
    .constantFrom(32n, 64n, 96n)
    .chain((bits) => fc.bigInt({ min: -3n, max: 3n }).map((d) => (1n << bits) + d)),
  fc.bigInt({ min: 0n, max: ALL }),
);
const range = fc.tuple(edge, edge).map(([a, b]) => (a <= b ? ([a, b] as const) : ([b, a] as const)));

describe('IPv6 compile at word and family edges', () => {
  it('ranges() equals a BigInt merge of the entries, and lookups agree at every bound', () => {
    fc.assert(
      fc.property(fc.array(range, { minLength: 1, maxLength: 12 }), (ranges) => {
        // Skip ranges inside ::ffff:0:0/96: those are IPv4 entries written in the mapped form.
        const v6 = ranges.filter(([lo, hi]) => !(lo >> 32n === 0xffffn && hi >> 32n === 0xffffn));
        fc.pre(v6.length > 0);
        const list = IpAllowList.from(v6.map(([lo, hi]) => `${text(lo)}-${text(hi)}`));
        const expected = merge(v6);
        const got = list.ranges().filter((r) => r.family === 6);
        expect(got.map((r) => [r.first, r.last])).toEqual(
          expected.map(([lo, hi]) => [
            IpAllowList.from([text(lo)]).entries[0]?.first,
            IpAllowList.from([text(hi)]).entries[0]?.first,
          ]),
        );
        for (const [lo, hi] of expected) {
          for (const probe of [lo, hi, lo - 1n, hi + 1n]) {
            if (probe < 0n || probe > ALL || probe >> 32n === 0xffffn) continue;
            const inside = expected.some(([a, b]) => a <= probe && probe <= b);
            expect(list.has(text(probe))).toBe(inside);
            expect(list.probe(text(probe)) >= 0).toBe(inside);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it.each([
    [
      ['ffff::/16'],
      'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      true,
      'a range ending at the top: end + 1 carries out of 128 bits',
    ],
    [['::/0'], 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', true, 'all of IPv6'],
    [
      ['::1:0:0:0-::1:ffff:ffff:ffff', '::2:0:0:0/64'],
      '::1:ffff:ffff:ffff:ffff',
      false,
      'no entry reaches this',
    ],
    [['2001:db8::ffff:ffff', '2001:db8::1:0:0'], '2001:db8::1:0:0', true, 'adjacent across a word boundary'],
  ] as const)('%j contains %s: %s (%s)', (entries, address, expected, _reason) => {
    const list = IpAllowList.from([...entries]);
    expect(list.has(address)).toBe(expected);
    expect(list.probe(address) >= 0).toBe(expected);
  });

  it('merges entries adjacent across a word boundary into one range', () => {
    const list = IpAllowList.from(['2001:db8::ffff:ffff', '2001:db8::1:0:0']);
    expect(list.ranges()).toEqual([{ family: 6, first: '2001:db8::ffff:ffff', last: '2001:db8::1:0:0' }]);
    expect(IpAllowList.from(['ffff::/16', '::/0']).ranges()).toEqual([
      { family: 6, first: '::', last: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff' },
    ]);
  });
});
