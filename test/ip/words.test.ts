// IPv6 entries are parsed, masked, compared, formatted and sorted as four 32-bit words, never as
// BigInt. Each property here checks one of those word paths against BigInt arithmetic done in the
// test (slow, obviously right) or against ipaddr.js.
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { parseEntryOutcome } from '../../src/ip/entry.js';
import { IpAllowList } from '../../src/ip/index.js';
import { compareIPv6Words, formatIPv6Words, type IPv6Words } from '../../src/ip/ipv6.js';
import { refMerge, v6Groups } from './reference.js';

const ALL = (1n << 128n) - 1n;

const toWords = (v: bigint): IPv6Words => [
  Number((v >> 96n) & 0xffffffffn),
  Number((v >> 64n) & 0xffffffffn),
  Number((v >> 32n) & 0xffffffffn),
  Number(v & 0xffffffffn),
];
const fromWords = (w: readonly number[]): bigint => w.reduce((acc, word) => (acc << 32n) | BigInt(word), 0n);
// Full, uncompressed text: valid input whatever the value, and independent of the formatter under test.
const fullText = (v: bigint): string =>
  v6Groups(v)
    .map((group) => group.toString(16))
    .join(':');
const rfc5952 = (v: bigint): string => new ipaddr.IPv6(v6Groups(v)).toRFC5952String();

// Values with runs of zero and all-one words and values that differ from a base in one byte only,
// so that word comparisons, zero-run compression and every radix byte are exercised.
const word = fc.oneof(fc.constantFrom(0, 0xffffffff, 0xffff, 0xffff0000), fc.nat({ max: 0xffffffff }));
const v6 = fc.oneof(
  fc.tuple(word, word, word, word).map((w) => fromWords(w)),
  fc.bigInt({ min: 0n, max: ALL }),
  fc
    .tuple(fc.integer({ min: 0, max: 15 }), fc.nat(255))
    .map(([i, b]) => (0x20010db8n << 96n) | (BigInt(b) << BigInt(8 * i))),
);
// Not a mapped IPv4 address: those compile as IPv4 entries, which other tests cover.
const unmapped = v6.filter((v) => v >> 32n !== 0xffffn);

describe('IPv6 words against BigInt', () => {
  it('compareIPv6Words orders as BigInt comparison does', () => {
    fc.assert(
      fc.property(v6, v6, (a, b) => {
        expect(Math.sign(compareIPv6Words(toWords(a), toWords(b)))).toBe(a < b ? -1 : a > b ? 1 : 0);
        expect(compareIPv6Words(toWords(a), toWords(a))).toBe(0);
      }),
      { numRuns: 2000 },
    );
  });

  it('formatIPv6Words gives the RFC 5952 text of ipaddr.js', () => {
    fc.assert(
      fc.property(v6, (v) => {
        const [w0, w1, w2, w3] = toWords(v);
        expect(formatIPv6Words(w0, w1, w2, w3)).toBe(rfc5952(v));
      }),
      { numRuns: 2000 },
    );
  });

  it('an IPv6 CIDR at every prefix length has the BigInt network, last address and host-bits flag', () => {
    fc.assert(
      fc.property(unmapped, fc.integer({ min: 0, max: 128 }), (v, prefix) => {
        const hostMask = ALL >> BigInt(prefix);
        const lo = v & ~hostMask & ALL;
        const hi = lo | hostMask;
        const text = `${fullText(v)}/${prefix}`;
        const outcome = parseEntryOutcome(text, false);
        if (lo >> 32n === 0xffffn && hi >> 32n === 0xffffn) return; // a mapped network is an IPv4 entry
        if (!('entry' in outcome) || outcome.family !== 6) throw new Error(`${text} did not parse as IPv6`);
        expect(fromWords(outcome.lo)).toBe(lo);
        expect(fromWords(outcome.hi)).toBe(hi);
        expect(outcome.hostBitsSet).toBe(lo !== v);
        expect(outcome.entry.first).toBe(rfc5952(lo));
        expect(outcome.entry.last).toBe(rfc5952(hi));
        const strict = parseEntryOutcome(text, true);
        expect('code' in strict ? strict.code : 'ok').toBe(lo !== v ? 'host-bits-set' : 'ok');
      }),
      { numRuns: 2000 },
    );
  });

  it('an IPv6 range is reversed exactly when its first address is greater by BigInt', () => {
    fc.assert(
      fc.property(unmapped, unmapped, (a, b) => {
        const outcome = parseEntryOutcome(`${fullText(a)} - ${fullText(b)}`, false);
        if (a > b) {
          expect('code' in outcome && outcome.code).toBe('range-reversed');
        } else {
          if (!('entry' in outcome) || outcome.family !== 6) throw new Error('range did not parse as IPv6');
          expect([fromWords(outcome.lo), fromWords(outcome.hi)]).toEqual([a, b]);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('lists whose bounds differ in a few bytes merge and probe as a BigInt reference does', () => {
    // Bounds from one base with a few random bytes replaced: the radix sort skips the bytes every
    // bound shares and must still order by the others, including the carry of an end at 2^128.
    const base = fc.oneof(fc.constant(0n), fc.constant(ALL), fc.bigInt({ min: 0n, max: ALL }));
    const bytes = fc.uniqueArray(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 3 });
    const spec = fc.tuple(base, bytes).chain(([b, positions]) => {
      const value = fc
        .array(fc.nat(255), { minLength: positions.length, maxLength: positions.length })
        .map((picks) =>
          positions.reduce(
            (v, pos, i) => (v & ~(0xffn << BigInt(8 * pos))) | (BigInt(picks[i] ?? 0) << BigInt(8 * pos)),
            b,
          ),
        );
      const range = fc.tuple(value, value).map(([x, y]) => (x <= y ? [x, y] : [y, x]) as [bigint, bigint]);
      return fc.array(range, { minLength: 1, maxLength: 40 });
    });
    fc.assert(
      fc.property(spec, (ranges) => {
        const unmappedRanges = ranges.filter(([lo, hi]) => !(lo >> 32n === 0xffffn && hi >> 32n === 0xffffn));
        const list = IpAllowList.from(unmappedRanges.map(([lo, hi]) => `${fullText(lo)}-${fullText(hi)}`));
        const merged = refMerge(unmappedRanges.map(([lo, hi]) => ({ lo, hi })));
        expect(list.ranges()).toEqual(
          merged.map(({ lo, hi }) => ({ family: 6, first: rfc5952(lo), last: rfc5952(hi) })),
        );
        for (const [lo, hi] of unmappedRanges) {
          for (const x of [lo, hi, lo - 1n, hi + 1n]) {
            if (x < 0n || x > ALL || x >> 32n === 0xffffn) continue;
            const first = unmappedRanges.findIndex(([a, b]) => a <= x && x <= b);
            expect(list.probe(fullText(x))).toBe(first);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});
