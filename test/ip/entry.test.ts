import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SipguardError } from '../../src/errors.js';
import type { IpErrorCode } from '../../src/index.js';
import { parseEntryOutcome, parseIpEntry } from '../../src/ip/entry.js';
import { v4Text } from './reference.js';

describe('parseIpEntry: valid entries', () => {
  it.each([
    ['195.168.1.1', 'address', 4, '195.168.1.1', '195.168.1.1', 'single IPv4 address'],
    ['195.168.1.1-195.168.1.100', 'range', 4, '195.168.1.1', '195.168.1.100', 'IPv4 range'],
    [
      '195.168.1.1 - 195.168.1.100',
      'range',
      4,
      '195.168.1.1',
      '195.168.1.100',
      'spaces around - are allowed',
    ],
    ['195.168.1.7-195.168.1.7', 'range', 4, '195.168.1.7', '195.168.1.7', 'a one-address range'],
    ['195.168.1.0/24', 'cidr', 4, '195.168.1.0', '195.168.1.255', 'IPv4 CIDR'],
    ['0.0.0.0/0', 'cidr', 4, '0.0.0.0', '255.255.255.255', 'prefix 0 covers everything'],
    ['10.1.2.3/32', 'cidr', 4, '10.1.2.3', '10.1.2.3', 'prefix 32 is one address'],
    ['195.168.1.0/255.255.255.0', 'mask', 4, '195.168.1.0', '195.168.1.255', 'subnet notation'],
    ['10.0.0.0/0.0.0.0', 'mask', 4, '0.0.0.0', '255.255.255.255', 'all-zero mask'],
    ['10.0.0.0/255.255.255.255', 'mask', 4, '10.0.0.0', '10.0.0.0', 'all-ones mask'],
    ['195.168.1.5/24', 'cidr', 4, '195.168.1.0', '195.168.1.255', 'host bits set: read as the network'],
    ['195.168.1.5/255.255.255.0', 'mask', 4, '195.168.1.0', '195.168.1.255', 'host bits set under a mask'],
    ['  195.168.1.1\t', 'address', 4, '195.168.1.1', '195.168.1.1', 'surrounding whitespace is trimmed'],
    ['\r\n195.168.1.1\r\n', 'address', 4, '195.168.1.1', '195.168.1.1', 'line ends too (a pasted line)'],
    ['2001:db8::1', 'address', 6, '2001:db8::1', '2001:db8::1', 'single IPv6 address'],
    ['2001:DB8:0::0:1', 'address', 6, '2001:db8::1', '2001:db8::1', 'canonical text is RFC 5952'],
    ['2001:db8::1-2001:db8::ff', 'range', 6, '2001:db8::1', '2001:db8::ff', 'IPv6 range'],
    ['2001:db8::/32', 'cidr', 6, '2001:db8::', '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', 'IPv6 CIDR'],
    ['::/0', 'cidr', 6, '::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'all of IPv6'],
    ['2001:db8::1/128', 'cidr', 6, '2001:db8::1', '2001:db8::1', 'prefix 128'],
    ['::ffff:195.168.1.1', 'address', 4, '195.168.1.1', '195.168.1.1', 'IPv4-mapped: stored as IPv4'],
    ['::ffff:c3a8:101', 'address', 4, '195.168.1.1', '195.168.1.1', 'IPv4-mapped in hex groups'],
    ['::ffff:10.0.0.0/104', 'cidr', 4, '10.0.0.0', '10.255.255.255', 'mapped CIDR: prefix 104 is IPv4 /8'],
    ['::ffff:0:0/96', 'cidr', 4, '0.0.0.0', '255.255.255.255', 'the whole mapped block is all of IPv4'],
    ['::ffff:1.2.3.4-::ffff:1.2.3.9', 'range', 4, '1.2.3.4', '1.2.3.9', 'mapped range'],
    [
      '1.2.3.4-::ffff:1.2.3.9',
      'range',
      4,
      '1.2.3.4',
      '1.2.3.9',
      'an IPv4 end and a mapped end are one family',
    ],
    ['::fffe:0:0/95', 'cidr', 6, '::fffe:0:0', '::ffff:ffff:ffff', 'wider than the mapped block: stays IPv6'],
    ['::1.2.3.4', 'address', 6, '::102:304', '::102:304', 'IPv4-compatible form is plain IPv6'],
  ] as const)('%j -> %s (%s)', (text, kind, family, first, last, _reason) => {
    expect(parseIpEntry(text)).toEqual({ source: text, kind, family, first, last });
  });

  it('returns a frozen entry', () => {
    expect(Object.isFrozen(parseIpEntry('1.2.3.4'))).toBe(true);
  });
});

describe('parseIpEntry: errors', () => {
  it.each([
    ['', 'empty-entry', 'nothing written'],
    ['   ', 'empty-entry', 'only whitespace'],
    [`1.2.3.4${' '.repeat(130)}`, 'too-long', 'over the bound, checked before trimming or parsing'],
    ['x'.repeat(10_000), 'too-long', 'a huge entry is rejected without parsing'],
    ['pbx.example.com', 'domain-not-supported', 'host name'],
    ['sip-gw.example.com', 'domain-not-supported', 'host name with a hyphen, not a range'],
    ['localhost', 'domain-not-supported', 'single-label host name'],
    ['1.2.3.4-pbx.example.com', 'domain-not-supported', 'host name as a range end'],
    ['example.com/24', 'domain-not-supported', 'host name with a prefix'],
    ['010.1.1.1', 'leading-zero', 'octal-looking octet'],
    ['0127.0.0.1', 'leading-zero', 'CVE-2021-28918 (netmask): leading zero'],
    ['012.0.0.1', 'leading-zero', 'CVE-2024-29415 (ip): octal'],
    ['1.2.3.04/32', 'leading-zero', 'leading zero in a CIDR address'],
    ['10.0.0.0/255.255.255.000', 'leading-zero', 'leading zero in a mask'],
    ['::ffff:01.2.3.4', 'leading-zero', 'leading zero in an embedded IPv4 tail'],
    ['0x7f.0.0.1', 'invalid-address', 'CVE-2023-42282 (ip): hex octet'],
    ['0x7f.1', 'invalid-address', 'CVE-2023-42282 (ip): hex shorthand'],
    ['127.1', 'invalid-address', 'CVE-2024-29415 (ip): two-part shorthand'],
    ['017700000001', 'invalid-address', 'single octal number'],
    ['01200034567', 'invalid-address', 'CVE-2024-29415 (ip): single number'],
    ['2130706433', 'invalid-address', 'single decimal number'],
    ['256.1.1.1', 'invalid-address', 'octet above 255'],
    ['1.2.3', 'invalid-address', 'three octets'],
    ['1.2.3.4.5', 'invalid-address', 'five octets'],
    ['1.2.3.4:5060', 'invalid-address', 'address with a port'],
    ['[::1]:5060', 'invalid-address', 'bracketed address with a port'],
    ['[::1]', 'invalid-address', 'brackets'],
    ['1.2. 3.4', 'invalid-address', 'whitespace inside an address'],
    ['1.2.3.0 /24', 'invalid-address', 'whitespace before a prefix'],
    ['1.2.3.4 - 1.2. 3.9', 'invalid-address', 'whitespace inside a range end'],
    ['1.2.3.4-1.2.3.5-1.2.3.6', 'invalid-address', 'two dashes'],
    ['-1.2.3.4', 'invalid-address', 'range without a first address'],
    ['1.2.3.4-', 'invalid-address', 'range without a last address'],
    ['1.2.3.0/24-1.2.4.0/24', 'invalid-address', 'a range of prefixes'],
    ['1.2.3.0/24/8', 'invalid-address', 'two slashes'],
    ['2001:db8::g', 'invalid-address', 'not hex'],
    ['1::2::3', 'invalid-address', 'two ::'],
    ['1.2.3.4/33', 'invalid-prefix-length', 'prefix above 32'],
    ['2001:db8::/129', 'invalid-prefix-length', 'prefix above 128'],
    ['1.2.3.0/024', 'invalid-prefix-length', 'prefix with a leading zero'],
    ['1.2.3.0/', 'invalid-prefix-length', 'empty prefix'],
    ['1.2.3.0/+8', 'invalid-prefix-length', 'signed prefix'],
    ['1.2.3.0/0x18', 'invalid-prefix-length', 'hex prefix'],
    ['1.2.3.0/1000', 'invalid-prefix-length', 'four digits'],
    ['1.2.3.0/255.0.255.0', 'non-contiguous-mask', 'holes in the mask'],
    ['1.2.3.0/0.0.0.255', 'non-contiguous-mask', 'inverted (wildcard) mask'],
    ['1.2.3.0/255.255.255.256', 'invalid-address', 'mask octet above 255'],
    ['2001:db8::/255.255.0.0', 'mask-on-ipv6', 'mask after an IPv6 network'],
    ['1.2.3.0/ffff:ffff::', 'mask-on-ipv6', 'IPv6-style mask'],
    ['::ffff:1.2.3.0/255.255.255.0', 'mask-on-ipv6', 'mask after a mapped address'],
    ['195.168.1.100-195.168.1.1', 'range-reversed', 'start above end'],
    ['2001:db8::2-2001:db8::1', 'range-reversed', 'IPv6 start above end'],
    ['1.2.3.4-2001:db8::1', 'range-mixed-family', 'IPv4 to IPv6'],
    ['2001:db8::1-1.2.3.4', 'range-mixed-family', 'IPv6 to IPv4'],
    ['fe80::1%eth0', 'zone-not-allowed', 'zone id'],
    ['fe80::1%eth0/64', 'zone-not-allowed', 'zone id in a CIDR'],
    ['1.2.3.4%1', 'zone-not-allowed', 'zone on IPv4'],
  ] as const)('%j -> %s (%s)', (text, code, _reason) => {
    let thrown: unknown;
    try {
      parseIpEntry(text);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SipguardError);
    const error = thrown as SipguardError;
    expect(error.code).toBe(code);
    expect(error.issues).toHaveLength(1);
    expect(error.issues[0]?.code).toBe(code);
    // The message quotes the entry (the first 64 characters of it).
    expect(error.message).toContain(JSON.stringify(text.length > 64 ? `${text.slice(0, 64)}…` : text));
  });

  it.each([
    ['195.168.1.5/24', 'CIDR'],
    ['195.168.1.5/255.255.255.0', 'mask'],
    ['2001:db8::1/64', 'IPv6 CIDR'],
  ])('strict: %s with host bits set is host-bits-set (%s)', (text) => {
    expect(() => parseIpEntry(text, { strict: true })).toThrow(
      expect.objectContaining({ code: 'host-bits-set' as IpErrorCode }),
    );
    expect(() => parseIpEntry(text)).not.toThrow();
  });

  it('strict mode accepts a CIDR written as its network', () => {
    expect(parseIpEntry('195.168.1.0/24', { strict: true }).first).toBe('195.168.1.0');
  });

  it('messages say what is wrong', () => {
    expect(() => parseIpEntry('010.1.1.1')).toThrow('octet "010" has a leading zero');
    expect(() => parseIpEntry('pbx.example.com')).toThrow(
      'domain names are not supported, only IP addresses; enter the actual IP address',
    );
    expect(() => parseIpEntry('195.168.1.5/24', { strict: true })).toThrow('network 195.168.1.0/24');
    expect(() => parseIpEntry('1.2.3.4:5060')).toThrow('without ":5060"');
  });

  // Only spaces, tabs and line ends are trimmed; other spacing characters are named, never dropped.
  it.each([
    ['\u00a0195.168.1.1', 'U+00A0 NO-BREAK SPACE', 'a no-break space before the address'],
    ['\ufeff195.168.1.1', 'U+FEFF BYTE ORDER MARK', 'a byte order mark from the top of a file'],
    ['195.168.1.1\u2028', 'U+2028', 'a line separator after it'],
    ['195.168.1.1 -\u3000195.168.1.9', 'U+3000', 'an ideographic space around the range dash'],
  ])('%j is invalid-address naming %s (%s)', (text, named) => {
    expect(() => parseIpEntry(text)).toThrow(expect.objectContaining({ code: 'invalid-address' }));
    expect(() => parseIpEntry(text)).toThrow(named);
  });

  it('rejects non-string input without throwing a TypeError', () => {
    for (const raw of [42, null, undefined, ['1.2.3.4'], { a: 1 }]) {
      const outcome = parseEntryOutcome(raw, false);
      expect('code' in outcome && outcome.code).toBe('invalid-address');
    }
    expect(() => parseIpEntry(7 as unknown as string)).toThrow(SipguardError);
  });
});

describe('parseIpEntry: properties', () => {
  const v4 = fc.integer({ min: 0, max: 0xffffffff }).map((n) => BigInt(n));
  const entryText = fc.oneof(
    v4.map(v4Text),
    fc.tuple(v4, v4).map(([a, b]) => {
      const [lo, hi] = a < b ? [a, b] : [b, a];
      return `${v4Text(lo)}-${v4Text(hi)}`;
    }),
    fc.tuple(v4, fc.integer({ min: 0, max: 32 })).map(([a, p]) => `${v4Text(a)}/${p}`),
    fc
      .tuple(
        fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 8, maxLength: 8 }),
        fc.integer({ min: 0, max: 128 }),
      )
      .map(([g, p]) => `${g.map((x) => x.toString(16)).join(':')}/${p}`),
  );

  it('first-last round-trips: parsing the normalized range gives the same bounds', () => {
    fc.assert(
      fc.property(entryText, (text) => {
        const e = parseIpEntry(text);
        const again = parseIpEntry(`${e.first}-${e.last}`);
        expect([again.family, again.first, again.last]).toEqual([e.family, e.first, e.last]);
        expect(parseIpEntry(e.first).first).toBe(e.first);
      }),
    );
  });

  it('a CIDR covers exactly 2^(bits - prefix) addresses starting at an aligned network', () => {
    fc.assert(
      fc.property(v4, fc.integer({ min: 0, max: 32 }), (a, p) => {
        const e = parseIpEntry(`${v4Text(a)}/${p}`);
        const size = 1n << BigInt(32 - p);
        const lo = (a / size) * size;
        expect([e.first, e.last]).toEqual([v4Text(lo), v4Text(lo + size - 1n)]);
      }),
    );
  });
});
