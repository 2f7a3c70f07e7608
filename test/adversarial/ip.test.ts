// Hostile IP allow-list entries and source addresses. Every row says why it is there and the exact
// outcome: the error code of parseIpEntry / IpAllowList.from, or the registration decision code.
// Expected values come from the documented grammar (docs/ip-allow-lists.md), never from running the code.
import { describe, expect, it } from 'vitest';
import { SipguardError } from '../../src/errors.js';
import { IpAllowList, parseIpEntry } from '../../src/ip/index.js';
import { compilePolicy } from '../../src/policy/index.js';

const MB = 1 << 20;

function entryError(text: unknown): string | undefined {
  try {
    parseIpEntry(text as string);
    return undefined;
  } catch (error) {
    if (!(error instanceof SipguardError)) throw error;
    return error.code;
  }
}

// [entry, expected error code, reason]
const rejectedEntries: [string, string, string][] = [
  // Octal, hex and shorthand: the inet_aton forms behind the `netmask` (CVE-2021-28918) and `ip`
  // (CVE-2023-42282) advisories, which read 0177.0.0.1 as 127.0.0.1.
  ['0177.0.0.1', 'leading-zero', 'octal loopback, the netmask advisory input'],
  ['0127.0.0.1', 'leading-zero', 'octal 87.0.0.1 that looks like loopback'],
  ['127.0.0.01', 'leading-zero', 'leading zero in the last octet'],
  ['010.8.8.8', 'leading-zero', 'octal first octet read as 8 by inet_aton'],
  ['012.0.0.1/8', 'leading-zero', 'octal inside a CIDR'],
  ['0x7f.0.0.1', 'invalid-address', 'hexadecimal octet'],
  ['0x7f.1', 'invalid-address', 'hex shorthand, the ip advisory input'],
  ['0x7f000001', 'invalid-address', 'one hexadecimal number'],
  ['017700000001', 'invalid-address', 'one octal number, the ip advisory input'],
  ['2130706433', 'invalid-address', 'one decimal number for 127.0.0.1'],
  ['127.1', 'invalid-address', 'two-part shorthand'],
  ['127.0.1', 'invalid-address', 'three-part shorthand'],
  ['1.2.3.4.5', 'invalid-address', 'five octets'],
  ['256.0.0.1', 'invalid-address', 'octet above 255'],
  ['1.2.3.-4', 'invalid-address', "a '-' makes it a range with a bad end"],
  ['-1.2.3.4', 'invalid-address', 'a range with no first address'],
  ['1.2.3.4-', 'invalid-address', 'a range with no last address'],
  ['1.2.3.4-1.2.3.5-1.2.3.6', 'invalid-address', 'two dashes'],
  ['1.2.3.9-1.2.3.1', 'range-reversed', 'range written backwards'],
  ['1.2.3.4-2001:db8::1', 'range-mixed-family', 'IPv4 to IPv6'],
  ['1.2.3.4-::1', 'range-mixed-family', 'IPv4 to an IPv6 that is not IPv4-mapped'],
  ['1.2.3.0/33', 'invalid-prefix-length', 'prefix beyond 32'],
  ['1.2.3.0/024', 'invalid-prefix-length', 'prefix with a leading zero'],
  ['1.2.3.0/+24', 'invalid-prefix-length', 'prefix with a sign'],
  ['1.2.3.0/0x18', 'invalid-prefix-length', 'hexadecimal prefix'],
  ['1.2.3.0/', 'invalid-prefix-length', 'empty prefix'],
  ['1.2.3.0/24/8', 'invalid-address', 'two slashes'],
  ['2001:db8::/129', 'invalid-prefix-length', 'IPv6 prefix beyond 128'],
  ['1.2.3.0/0.255.255.255', 'non-contiguous-mask', 'a Cisco wildcard mask, not a subnet mask'],
  ['1.2.3.0/255.0.255.0', 'non-contiguous-mask', 'holes in the mask'],
  ['1.2.3.0/255.255.255.00', 'leading-zero', 'mask octet with a leading zero'],
  ['2001:db8::/ffff::', 'mask-on-ipv6', 'IPv6 with a mask'],
  ['::/255.255.0.0', 'mask-on-ipv6', 'IPv6 network with an IPv4 mask'],
  ['fe80::1%eth0', 'zone-not-allowed', 'zone id'],
  ['fe80::1%25eth0', 'zone-not-allowed', 'URL-encoded zone id'],
  ['[2001:db8::1]', 'invalid-address', 'URL brackets'],
  ['[::1]:5060', 'invalid-address', 'bracketed address with a SIP port'],
  ['192.0.2.1:5060', 'invalid-address', 'address with a SIP port'],
  ['1:2:3:4:5:6:7:8:9', 'invalid-address', 'nine groups'],
  ['1::2::3', 'invalid-address', "two '::'"],
  [':::1', 'invalid-address', "':::'"],
  ['2001:db8::12345', 'invalid-address', 'five hex digits in a group'],
  ['::ffff:1.2.3.04', 'leading-zero', 'leading zero in an embedded IPv4 tail'],
  ['::ffff:1.2.3', 'invalid-address', 'short embedded IPv4 tail'],
  ['1 .2.3.4', 'invalid-address', 'whitespace inside an address'],
  ['\u00a01.2.3.4\ufeff', 'invalid-address', 'NBSP and BOM around it: only ASCII spaces are trimmed'],
  ['1.2.3.4/ 24', 'invalid-address', 'whitespace inside a CIDR'],
  ['localhost', 'domain-not-supported', 'host name'],
  ['pbx.example.com.', 'domain-not-supported', 'fully qualified host name'],
  ['O.O.O.O', 'domain-not-supported', 'capital letter O for zero: its last label starts with a letter'],
  ['l27.0.0.1', 'invalid-address', 'lower-case L for one'],
  ['127.0.0.I', 'domain-not-supported', 'capital I for one in the last label'],
  // Unicode digits, dots and look-alikes: an allow-list is ASCII or it is refused.
  ['١٢٧.٠.٠.١', 'invalid-address', 'Arabic-Indic digits'],
  ['۱۲۷.۰.۰.۱', 'invalid-address', 'Extended Arabic-Indic (Persian) digits'],
  ['１２７.０.０.１', 'invalid-address', 'full-width digits'],
  ['127．0．0．1', 'invalid-address', 'full-width full stops'],
  ['127。0。0。1', 'invalid-address', 'ideographic full stops'],
  ['127\u00b70.0.1', 'invalid-address', 'middle dot'],
  ['１.2.3.4', 'invalid-address', 'one full-width digit'],
  ['2001:db8::１', 'invalid-address', 'full-width digit in IPv6'],
  ['2001:db8\uff1a:1', 'invalid-address', 'full-width colon'],
  ['𝟏𝟐𝟕.0.0.1', 'invalid-address', 'mathematical bold digits (astral plane)'],
  // Control characters and broken UTF-16: never stripped, never read past.
  ['1.2.3.4\u0000', 'invalid-address', 'trailing NUL'],
  ['1.2.3.4\u0000.5', 'invalid-address', 'NUL inside'],
  ['\u00001.2.3.4', 'invalid-address', 'leading NUL'],
  ['1.2.3.4\u200b', 'invalid-address', 'zero-width space (not whitespace, so not trimmed)'],
  ['\u202e4.3.2.1', 'invalid-address', 'right-to-left override'],
  ['1.2.3.4\u001b[0m', 'invalid-address', 'ANSI escape sequence'],
  ['1.2.3.\ud800', 'invalid-address', 'lone high surrogate'],
  ['\udc00', 'invalid-address', 'lone low surrogate'],
  ['', 'empty-entry', 'empty'],
  [' \t\n ', 'empty-entry', 'whitespace only'],
  ['1'.repeat(129), 'too-long', 'one character over the bound'],
  ['1.2.3.4'.padEnd(MB, ' '), 'too-long', '1 MB of trailing spaces: rejected by length before trimming'],
  ['\u0000'.repeat(MB), 'too-long', '1 MB of NUL'],
];

// [entry, family, first, last, reason]
const acceptedEntries: [string, 4 | 6, string, string, string][] = [
  ['::ffff:127.0.0.1', 4, '127.0.0.1', '127.0.0.1', 'IPv4-mapped IPv6 is the IPv4 address'],
  ['::FFFF:7f00:1', 4, '127.0.0.1', '127.0.0.1', 'IPv4-mapped in hex groups, upper case'],
  ['::ffff:1.2.3.0/120', 4, '1.2.3.0', '1.2.3.255', 'mapped CIDR is an IPv4 /24'],
  ['::ffff:1.2.3.4-1.2.3.10', 4, '1.2.3.4', '1.2.3.10', 'mapped start with an IPv4 end'],
  ['::127.0.0.1', 6, '::7f00:1', '::7f00:1', 'deprecated IPv4-compatible form stays IPv6'],
  ['64:ff9b::127.0.0.1', 6, '64:ff9b::7f00:1', '64:ff9b::7f00:1', 'NAT64 prefix stays IPv6'],
  ['2001:0DB8:0000:0000:0000:0000:0000:0001', 6, '2001:db8::1', '2001:db8::1', 'fully written, upper case'],
  [' 1.2.3.4\t', 4, '1.2.3.4', '1.2.3.4', 'surrounding ASCII whitespace is trimmed'],
  ['1.2.3.4 - 1.2.3.5', 4, '1.2.3.4', '1.2.3.5', "spaces around a range's dash"],
  ['1.2.3.5/24', 4, '1.2.3.0', '1.2.3.255', 'host bits set: read as the network (not strict)'],
];

describe('adversarial IP entries', () => {
  it.each(rejectedEntries.map(([text, code, reason]) => [reason, code, text] as const))(
    '%s: %s',
    (_, code, text) => {
      expect(entryError(text)).toBe(code);
    },
  );

  it.each(acceptedEntries)('reads %j as IPv%i %s-%s (%s)', (text, family, first, last) => {
    expect(parseIpEntry(text)).toMatchObject({ family, first, last });
  });

  it('rejects entries that are not strings, without calling toString or valueOf', () => {
    let calls = 0;
    const sneaky = {
      toString: () => {
        calls++;
        return '1.2.3.4';
      },
      valueOf: () => {
        calls++;
        return 16909060;
      },
    };
    for (const value of [16909060, null, undefined, ['1.2.3.4'], sneaky, true, 1n]) {
      expect(entryError(value)).toBe('invalid-address');
    }
    expect(calls).toBe(0);
    // Values that cannot even be converted to text still get the SipguardError, with no input.
    const throwing = {
      toString: () => {
        throw new Error('toString ran');
      },
    };
    for (const value of [Object.create(null), throwing, Symbol('x')]) {
      expect(entryError(value)).toBe('invalid-address');
    }
  });

  it('IpAllowList.from reports every bad entry, each at its index, and compiles nothing', () => {
    const list = ['1.2.3.4', '0177.0.0.1', 42, '１.2.3.4', 'fe80::1%eth0', '1'.repeat(MB)];
    let error: unknown;
    try {
      IpAllowList.from(list as string[]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SipguardError);
    const issues = (error as SipguardError).issues.map((i) => [i.path, i.code]);
    expect(issues).toEqual([
      ['/1', 'leading-zero'],
      ['/2', 'invalid-address'],
      ['/3', 'invalid-address'],
      ['/4', 'zone-not-allowed'],
      ['/5', 'too-long'],
    ]);
    // The 1 MB entry is neither copied into the issue nor quoted whole in the message.
    expect((error as SipguardError).message.length).toBeLessThan(1000);
    expect(JSON.stringify((error as SipguardError).issues).length).toBeLessThan(2000);
  });

  it('IpAllowList.from refuses a non-array without iterating it', () => {
    const arrayLike = { length: 1, 0: '1.2.3.4' };
    expect(() => IpAllowList.from(arrayLike as unknown as string[])).toThrow(
      expect.objectContaining({ code: 'invalid-ip-list' }),
    );
    expect(() => IpAllowList.from('1.2.3.4' as unknown as string[])).toThrow(
      expect.objectContaining({ code: 'invalid-ip-list' }),
    );
  });
});

// The source addresses a REGISTER can come from, against one restricted list.
const policy = compilePolicy({
  registration: { restrict: true, allowFrom: ['127.0.0.0/8', '192.0.2.0/24', '2001:db8::/32'] },
});

// [source, expected decision code, reason]
const sources: [unknown, string, string][] = [
  ['127.0.0.1', 'ip-allowed', 'plain loopback, listed'],
  ['0177.0.0.1', 'invalid-ip', 'octal loopback'],
  ['0x7f.0.0.1', 'invalid-ip', 'hex loopback'],
  ['127.1', 'invalid-ip', 'shorthand loopback'],
  ['2130706433', 'invalid-ip', 'decimal loopback'],
  ['192.0.2.01', 'invalid-ip', 'leading zero'],
  ['::ffff:127.0.0.1', 'ip-allowed', 'IPv4-mapped IPv6 is looked up as IPv4'],
  ['::ffff:7f00:1', 'ip-allowed', 'IPv4-mapped IPv6 in hex groups'],
  ['::ffff:10.0.0.1', 'ip-not-allowed', 'mapped address outside the list'],
  ['::127.0.0.1', 'ip-not-allowed', 'IPv4-compatible form is IPv6 ::7f00:1, not listed'],
  ['64:ff9b::7f00:1', 'ip-not-allowed', 'NAT64 form is not IPv4'],
  ['2002:7f00:1::', 'ip-not-allowed', '6to4 form is not IPv4'],
  ['2001:DB8::1', 'ip-allowed', 'upper-case IPv6'],
  ['2001:0db8:0:0:0:0:0:1', 'ip-allowed', 'uncompressed IPv6'],
  ['2001:00db8::1', 'invalid-ip', 'five hex digits'],
  ['[2001:db8::1]', 'invalid-ip', 'brackets'],
  ['2001:db8::1%eth0', 'invalid-ip', 'zone id'],
  ['192.0.2.1:5060', 'invalid-ip', 'port'],
  ['192.0.2.1/32', 'invalid-ip', 'a CIDR is not a source address'],
  [' 192.0.2.1', 'invalid-ip', 'requests are not trimmed: a leading space'],
  ['192.0.2.1\n', 'invalid-ip', 'a trailing newline'],
  ['192.0.2.1\u0000', 'invalid-ip', 'a trailing NUL'],
  ['192.0.2.1\u0000.5', 'invalid-ip', 'NUL inside'],
  ['١٩٢.٠.٢.١', 'invalid-ip', 'Arabic-Indic digits'],
  ['１９２.０.２.１', 'invalid-ip', 'full-width digits'],
  ['192．0．2．1', 'invalid-ip', 'full-width full stops'],
  ['192.0.2.\ud800', 'invalid-ip', 'lone surrogate'],
  ['', 'invalid-ip', 'empty'],
  ['1'.repeat(MB), 'invalid-ip', '1 MB of digits'],
  ['192.0.2.1'.repeat(MB / 8), 'invalid-ip', '1 MB of repeated addresses'],
  [':'.repeat(MB), 'invalid-ip', '1 MB of colons'],
  [2130706433, 'invalid-ip', 'a number'],
  [null, 'invalid-ip', 'null'],
  [['127.0.0.1'], 'invalid-ip', 'an array holding a listed address'],
  [{ toString: () => '127.0.0.1' }, 'invalid-ip', 'an object whose toString is a listed address'],
];

describe('adversarial source addresses', () => {
  it.each(sources.map(([sourceIp, code, reason]) => [reason, code, sourceIp] as const))(
    '%s → %s',
    (_, code, sourceIp) => {
      const decision = policy.checkRegistration({ extension: '1', sourceIp } as {
        extension: string;
        sourceIp: string;
      });
      expect(decision.code).toBe(code);
      expect(decision.allowed).toBe(code === 'ip-allowed');
    },
  );

  it('never calls toString, valueOf or Symbol.toPrimitive on a source address', () => {
    let calls = 0;
    const count = () => {
      calls++;
      return '127.0.0.1';
    };
    const sourceIp = { toString: count, valueOf: count, [Symbol.toPrimitive]: count };
    const list = IpAllowList.from(['127.0.0.0/8']);
    expect(list.has(sourceIp as unknown as string)).toBe(false);
    expect(list.probe(sourceIp as unknown as string)).toBe(-2);
    expect(list.match(sourceIp as unknown as string)).toEqual([]);
    expect(
      policy.checkRegistration({ extension: '1', sourceIp } as unknown as {
        extension: string;
        sourceIp: string;
      }).code,
    ).toBe('invalid-ip');
    expect(calls).toBe(0);
  });

  it('reads a getter on the request once, so a changing getter cannot split the decision', () => {
    let reads = 0;
    const request = {
      extension: '1',
      get sourceIp() {
        reads++;
        return reads === 1 ? '10.0.0.1' : '127.0.0.1';
      },
    };
    expect(policy.checkRegistration(request).code).toBe('ip-not-allowed');
    expect(reads).toBe(1);
  });

  it('denies requests that are not objects or have no string extension', () => {
    for (const request of [
      null,
      undefined,
      42,
      'x',
      { sourceIp: '127.0.0.1' },
      { extension: 1, sourceIp: '127.0.0.1' },
    ]) {
      expect(policy.checkRegistration(request as never).code).toBe('invalid-request');
    }
  });
});
