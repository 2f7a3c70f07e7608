import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { diagnoseIPv6, formatIPv6, isMappedIPv4, parseIPv6, wordsToBigInt } from '../../src/ip/ipv6.js';
import { isCompatibleForm, refIPv6, v6Groups } from './reference.js';

const out = new Uint32Array(4);
const parse = (s: string): bigint | undefined =>
  parseIPv6(s, 0, s.length, out) ? wordsToBigInt(out) : undefined;
const big = (groups: readonly number[]) => groups.reduce((v, g) => (v << 16n) | BigInt(g), 0n);

describe('parseIPv6', () => {
  it.each([
    ['::', [0, 0, 0, 0, 0, 0, 0, 0], 'unspecified'],
    ['::1', [0, 0, 0, 0, 0, 0, 0, 1], 'loopback'],
    ['1::', [1, 0, 0, 0, 0, 0, 0, 0], 'trailing ::'],
    ['2001:db8::1', [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 'documentation address'],
    ['2001:DB8:0:0:0:0:0:1', [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 'full form, upper case'],
    ['2001:0db8:0000::0001', [0x2001, 0xdb8, 0, 0, 0, 0, 0, 1], 'leading zeros in groups are fine in IPv6'],
    ['000:0:0000::01', [0, 0, 0, 0, 0, 0, 0, 1], 'the CVE-2024-29415 loopback spelling is ::1'],
    ['1:2:3:4:5:6:7::', [1, 2, 3, 4, 5, 6, 7, 0], ':: standing for one group'],
    ['::2:3:4:5:6:7:8', [0, 2, 3, 4, 5, 6, 7, 8], 'leading :: standing for one group'],
    ['::ffff:1.2.3.4', [0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304], 'IPv4-mapped with dotted tail'],
    ['::fFFf:127.0.0.1', [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1], 'mixed case mapped loopback (CVE-2024-29415)'],
    ['::1.2.3.4', [0, 0, 0, 0, 0, 0, 0x0102, 0x0304], 'IPv4-compatible form per RFC 4291 (not mapped)'],
    ['1:2:3:4:5:6:1.2.3.4', [1, 2, 3, 4, 5, 6, 0x0102, 0x0304], 'six groups and a dotted tail'],
  ])('accepts %s (%s)', (text, groups, _reason) => {
    expect(parse(text)).toBe(big(groups));
  });

  it.each([
    ['', 'empty'],
    [':', 'a lone colon'],
    [':::', 'three colons'],
    ['1:2:3:4:5:6:7', 'seven groups without ::'],
    ['1:2:3:4:5:6:7:8:9', 'nine groups'],
    ['1:2:3:4:5:6:7:8::', ':: standing for no group'],
    ['1::2::3', 'two ::'],
    [':1:2:3:4:5:6:7:8', 'leading single colon'],
    ['1:2:3:4:5:6:7:', 'trailing single colon'],
    ['12345::', 'five hex digits'],
    ['fe80::1%eth0', 'zone'],
    ['[::1]', 'brackets'],
    ['::g', 'not hex'],
    ['::ffff:01.2.3.4', 'leading zero in the dotted tail'],
    ['::ffff:1.2.3', 'short dotted tail'],
    ['1.2.3.4::', 'dotted quad not at the end'],
    ['1:2:3:4:5:6:7:1.2.3.4', 'dotted tail after seven groups'],
    ['1:2:3:4:5:6::1.2.3.4', ':: standing for no group before a dotted tail'],
    ['0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0:0', 'longer than any valid address'],
  ])('rejects %j (%s)', (text) => {
    expect(parse(text)).toBeUndefined();
  });

  it('agrees with ipaddr.js (minus zones and lenient dotted tails) on random and mutated strings', () => {
    const group = fc.integer({ min: 0, max: 0xffff });
    const address = fc.tuple(fc.array(group, { minLength: 8, maxLength: 8 }), fc.nat(3)).map(([g, style]) => {
      const a = new ipaddr.IPv6(g);
      if (style === 0) return a.toRFC5952String();
      if (style === 1) return a.toNormalizedString();
      if (style === 2) return g.map((x) => x.toString(16).padStart(4, '0')).join(':');
      return `::ffff:${(g[6] ?? 0) >> 8}.${(g[6] ?? 0) & 255}.${(g[7] ?? 0) >> 8}.${(g[7] ?? 0) & 255}`;
    });
    const sparse = fc
      .array(fc.constantFrom(0, 0, 0, 1, 0xffff), { minLength: 8, maxLength: 8 })
      .map((g) => new ipaddr.IPv6(g).toRFC5952String());
    const mutated = fc
      .tuple(
        fc.oneof(address, sparse),
        fc.nat(),
        fc.constantFrom('', ':', '::', '.', '0', 'f', 'g', '%', '1.2'),
        fc.boolean(),
      )
      .map(([s, at, ch, replace]) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + ch + s.slice(replace ? i + 1 : i);
      });
    const noise = fc.string({ unit: fc.constantFrom(...'0f:.1'.split('')), maxLength: 24 });
    fc.assert(
      fc.property(fc.oneof(address, sparse, mutated, noise), (text) => {
        if (isCompatibleForm(text)) return;
        expect(parse(text)).toBe(refIPv6(text));
      }),
      { numRuns: 20000 },
    );
  });
});

describe('isMappedIPv4', () => {
  it('is true exactly for ::ffff:0:0/96', () => {
    parseIPv6('::ffff:0.0.0.0', 0, 14, out);
    expect(isMappedIPv4(out)).toBe(true);
    parseIPv6('::fffe:0:0', 0, 10, out);
    expect(isMappedIPv4(out)).toBe(false);
    parseIPv6('1::ffff:0:0', 0, 11, out);
    expect(isMappedIPv4(out)).toBe(false);
  });
});

describe('formatIPv6', () => {
  it.each([
    ['::', 'all zero'],
    ['::1', 'loopback'],
    ['2001:db8::1', 'longest run compressed'],
    ['2001:db8:0:1:1:1:1:1', 'a single zero group is not compressed (RFC 5952 4.2.2)'],
    ['2001:0:0:1::1', 'the longer run wins'],
    ['2001:db8::1:0:0:1', 'the first of two equal runs wins'],
    ['1:2:3:4:5:6:7:8', 'no zeros'],
  ])('%s (%s)', (text) => {
    expect(formatIPv6(parse(text) ?? -1n)).toBe(text);
  });

  it('matches ipaddr.js toRFC5952String for random values', () => {
    const group = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
    fc.assert(
      fc.property(fc.array(group, { minLength: 8, maxLength: 8 }), (g) => {
        const expected = new ipaddr.IPv6(g).toRFC5952String();
        expect(formatIPv6(big(g))).toBe(expected);
        expect(v6Groups(big(g))).toEqual(g);
      }),
    );
  });
});

describe('diagnoseIPv6', () => {
  it.each([
    ['::g', /unexpected character "g"/, 'names the bad character'],
    ['1::2::3', /'::' may appear only once/, 'two ::'],
    [':::1', /':::'/, 'three colons'],
    ['12345::1', /more than four hex digits/, 'long group'],
    ['1:2:3', /expected eight groups/, 'too few groups'],
  ])('%s (%s)', (text, pattern) => {
    expect(diagnoseIPv6(text)).toMatch(pattern);
  });
});
