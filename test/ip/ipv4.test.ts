import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { diagnoseIPv4, formatIPv4, NOT_IPV4, scanIPv4 } from '../../src/ip/ipv4.js';
import { refIPv4 } from './reference.js';

const scan = (s: string) => scanIPv4(s, 0, s.length);

describe('scanIPv4', () => {
  it.each([
    ['0.0.0.0', 0, 'all zero octets: a lone 0 is not a leading zero'],
    ['255.255.255.255', 0xffffffff, 'the top address, above int32 range'],
    ['195.168.1.1', 0xc3a80101, 'ordinary address'],
    ['10.0.0.1', 0x0a000001, 'zero octets in the middle'],
    ['128.0.0.0', 0x80000000, 'the sign bit of int32'],
  ])('accepts %s (%s)', (text, expected, _reason) => {
    expect(scan(text)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['1.2.3', 'three octets (shorthand)'],
    ['127.1', 'two octets (shorthand, CVE-2024-29415)'],
    ['017700000001', 'a single octal number (CVE-2023-42282)'],
    ['2130706433', 'a single decimal number'],
    ['1.2.3.4.5', 'five octets'],
    ['010.1.1.1', 'leading zero: octal-looking (CVE-2021-28918)'],
    ['0127.0.0.1', 'leading zero: netmask read this as 127 and as 87'],
    ['1.2.3.00', 'two zeros'],
    ['0x7f.0.0.1', 'hex octet (CVE-2023-42282)'],
    ['256.1.1.1', 'octet above 255'],
    ['1.2.3.4 ', 'trailing space'],
    [' 1.2.3.4', 'leading space'],
    ['1..3.4', 'empty octet'],
    ['.1.2.3', 'leading dot'],
    ['1.2.3.', 'trailing dot'],
    ['1.2.3.4:5060', 'with a port'],
    ['１.２.３.４', 'full-width digits'],
    ['1.2.3.-4', 'sign'],
  ])('rejects %j (%s)', (text, _reason) => {
    expect(scan(text)).toBe(NOT_IPV4);
  });

  it('scans only the given slice of the text', () => {
    expect(scanIPv4('x1.2.3.4y', 1, 8)).toBe(0x01020304);
  });

  it('agrees with ipaddr.js strict four-part decimal on random and mutated strings', () => {
    const octet = fc.oneof(
      fc.integer({ min: 0, max: 255 }).map(String),
      fc.integer({ min: 0, max: 999 }).map(String),
      fc.stringMatching(/^[0-9]{1,4}$/),
    );
    const dotted = fc.array(octet, { minLength: 1, maxLength: 6 }).map((o) => o.join('.'));
    const mutated = fc
      .tuple(dotted, fc.nat(), fc.constantFrom('', '.', '0', '9', 'x', ' ', ':', 'a'), fc.boolean())
      .map(([s, at, ch, replace]) => {
        const i = at % (s.length + 1);
        return s.slice(0, i) + ch + s.slice(replace ? i + 1 : i);
      });
    const noise = fc.string({ unit: fc.constantFrom(...'0123456789.x:'.split('')), maxLength: 20 });
    fc.assert(
      fc.property(fc.oneof(dotted, mutated, noise), (text) => {
        const ref = refIPv4(text);
        const got = scan(text);
        expect(got === NOT_IPV4 ? undefined : BigInt(got)).toBe(ref);
      }),
      { numRuns: 20000 },
    );
  });
});

describe('formatIPv4', () => {
  it('round-trips through the scanner for every value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
        expect(scan(formatIPv4(v))).toBe(v);
      }),
    );
  });
});

describe('diagnoseIPv4', () => {
  it.each([
    ['1.2.3.4', undefined, 'valid: nothing to explain'],
    ['010.1.1.1', 'leading-zero', 'leading zero'],
    ['1.2.3', 'invalid-address', 'three parts'],
    ['0x7f.0.0.1', 'invalid-address', 'hex'],
    ['1.2.3.a', 'invalid-address', 'letter'],
    ['1..2.3', 'invalid-address', 'empty octet'],
    ['1.2.3.300', 'invalid-address', 'octet too large'],
  ])('%s -> %s (%s)', (text, code, _reason) => {
    expect(diagnoseIPv4(text)?.code).toBe(code);
  });
});
