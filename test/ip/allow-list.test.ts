import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { SipguardError } from '../../src/errors.js';
import { IpAllowList, PROBE_INVALID, PROBE_NOT_LISTED, parseIpEntry } from '../../src/ip/index.js';
import { refMerge, refSource, v4Text } from './reference.js';

// --- generated entries with independently computed bounds ---------------------------------------

interface RefEntry {
  readonly text: string;
  readonly family: 4 | 6;
  readonly lo: bigint;
  readonly hi: bigint;
}

// Small address pools so that entries overlap and random sources hit them.
const v4Addr = fc.oneof(
  fc.integer({ min: 0, max: 63 }).map((n) => 0x0a000000n + BigInt(n)),
  fc.integer({ min: 0, max: 0xffffffff }).map(BigInt),
  fc.constantFrom(0n, 0xffffffffn),
);
const v6Addr = fc.oneof(
  fc.integer({ min: 0, max: 63 }).map((n) => (0x20010db8n << 96n) + BigInt(n)),
  fc.bigInt({ min: 0n, max: (1n << 128n) - 1n }),
);
const v6Text = (v: bigint, style: number) => {
  const a = ipaddr.fromByteArray(
    Array.from({ length: 16 }, (_, i) => Number((v >> BigInt(120 - 8 * i)) & 255n)),
  );
  return style === 0 ? a.toString() : a.toNormalizedString();
};
const block = (v: bigint, prefix: number, bits: number) => {
  const size = 1n << BigInt(bits - prefix);
  const lo = (v / size) * size;
  return { lo, hi: lo + size - 1n };
};
const maskText = (prefix: number) => v4Text(((1n << 32n) - 1n) ^ ((1n << BigInt(32 - prefix)) - 1n));

const refEntry: fc.Arbitrary<RefEntry> = fc.oneof(
  v4Addr.map((v) => ({ text: v4Text(v), family: 4 as const, lo: v, hi: v })),
  v4Addr.map((v) => ({ text: `::ffff:${v4Text(v)}`, family: 4 as const, lo: v, hi: v })),
  fc.tuple(v4Addr, v4Addr).map(([a, b]) => {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    return { text: `${v4Text(lo)} - ${v4Text(hi)}`, family: 4 as const, lo, hi };
  }),
  fc.tuple(v4Addr, fc.integer({ min: 20, max: 32 })).map(([v, p]) => ({
    text: `${v4Text(v)}/${p}`,
    family: 4 as const,
    ...block(v, p, 32),
  })),
  fc.tuple(v4Addr, fc.integer({ min: 0, max: 32 })).map(([v, p]) => ({
    text: `${v4Text(v)}/${maskText(p)}`,
    family: 4 as const,
    ...block(v, p, 32),
  })),
  fc.tuple(v6Addr, fc.nat(1)).map(([v, s]) => ({ text: v6Text(v, s), family: 6 as const, lo: v, hi: v })),
  fc.tuple(v6Addr, v6Addr).map(([a, b]) => {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    return { text: `${v6Text(lo, 0)}-${v6Text(hi, 1)}`, family: 6 as const, lo, hi };
  }),
  fc.tuple(v6Addr, fc.integer({ min: 100, max: 128 })).map(([v, p]) => ({
    text: `${v6Text(v, 0)}/${p}`,
    family: 6 as const,
    ...block(v, p, 128),
  })),
);
const source = fc.oneof(
  v4Addr.map(v4Text),
  v4Addr.map((v) => `::ffff:${v4Text(v)}`),
  v6Addr.map((v) => v6Text(v, 0)),
  fc.constantFrom('', 'x', '1.2.3', '010.0.0.1', '10.0.0.1:5060', 'fe80::1%eth0', '[::1]', ' 10.0.0.1'),
);

// The slow reference: check every entry one by one.
const containsSource = (e: RefEntry, s: ReturnType<typeof refSource>) =>
  s !== undefined && s.family === e.family && e.lo <= s.value && s.value <= e.hi;
const contains = (e: RefEntry, ip: string) => containsSource(e, refSource(ip));

describe('IpAllowList: properties against a slow reference', () => {
  const lists = fc.array(refEntry, { maxLength: 12 });

  it('has, probe and match agree with checking each entry one by one', () => {
    fc.assert(
      fc.property(lists, fc.array(source, { minLength: 1, maxLength: 8 }), (entries, ips) => {
        const list = IpAllowList.from(entries.map((e) => e.text));
        for (const ip of ips) {
          const expectedIndexes = entries.flatMap((e, i) => (contains(e, ip) ? [i] : []));
          expect(list.has(ip)).toBe(expectedIndexes.length > 0);
          const expectedProbe =
            refSource(ip) === undefined ? PROBE_INVALID : (expectedIndexes[0] ?? PROBE_NOT_LISTED);
          expect(list.probe(ip)).toBe(expectedProbe);
          expect(list.match(ip).map((m) => m.source)).toEqual(expectedIndexes.map((i) => entries[i]?.text));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('large lists (bucket index over many intervals): has and probe agree with the reference', () => {
    fc.assert(
      fc.property(
        fc.array(refEntry, { minLength: 100, maxLength: 400 }),
        fc.array(source, { minLength: 20, maxLength: 40 }),
        (entries, ips) => {
          const list = IpAllowList.from(entries.map((e) => e.text));
          for (const ip of [...ips, ...entries.map((e) => e.text.split(/[-/ ]/)[0] ?? '')]) {
            // Parsed once per source, not once per entry: the reference stays slow but not 400× slower.
            const parsed = refSource(ip);
            const first = entries.findIndex((e) => containsSource(e, parsed));
            const expected = parsed === undefined ? PROBE_INVALID : first;
            expect(list.probe(ip)).toBe(expected);
            expect(list.has(ip)).toBe(first >= 0);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('ranges, size and addressCount equal a straightforward merge of the entries', () => {
    fc.assert(
      fc.property(lists, (entries) => {
        const list = IpAllowList.from(entries.map((e) => e.text));
        const merged4 = refMerge(entries.filter((e) => e.family === 4));
        const merged6 = refMerge(entries.filter((e) => e.family === 6));
        const fmt6 = (v: bigint) => v6Text(v, 0);
        expect(list.ranges()).toEqual([
          ...merged4.map((m) => ({ family: 4, first: v4Text(m.lo), last: v4Text(m.hi) })),
          ...merged6.map((m) => ({ family: 6, first: fmt6(m.lo), last: fmt6(m.hi) })),
        ]);
        expect(list.size).toBe(merged4.length + merged6.length);
        const count = (ms: { lo: bigint; hi: bigint }[]) => ms.reduce((n, m) => n + m.hi - m.lo + 1n, 0n);
        expect(list.addressCount(4)).toBe(count(merged4));
        expect(list.addressCount(6)).toBe(count(merged6));
      }),
      { numRuns: 500 },
    );
  });

  it('toCidrs compiles back to the same ranges, as aligned networks, and no CIDR is redundant', () => {
    fc.assert(
      fc.property(lists, (entries) => {
        const list = IpAllowList.from(entries.map((e) => e.text));
        const cidrs = list.toCidrs();
        const again = IpAllowList.from(cidrs, { strict: true });
        expect(again.ranges()).toEqual(list.ranges());
        // Minimal: no two CIDRs overlap, and no two are the halves of one parent block.
        expect(again.findings.filter((f) => f.code !== 'allow-everything')).toEqual([]);
        expect(IpAllowList.from(cidrs).toCidrs()).toEqual(cidrs);
        const parents = new Set<string>();
        for (const c of cidrs) {
          const [addr, prefix] = c.split('/') as [string, string];
          if (prefix === '0') continue;
          const parent = parseIpEntry(`${addr}/${Number(prefix) - 1}`).first;
          expect(parents.has(`${parent}/${prefix}`)).toBe(false);
          parents.add(`${parent}/${prefix}`);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('findings: duplicates, containment and overlaps match a pairwise reference', () => {
    fc.assert(
      fc.property(lists, (entries) => {
        const list = IpAllowList.from(entries.map((e) => e.text));
        const same = (a: RefEntry, b: RefEntry) => a.family === b.family && a.lo === b.lo && a.hi === b.hi;
        const inside = (a: RefEntry, b: RefEntry) =>
          a.family === b.family && b.lo <= a.lo && a.hi <= b.hi && !same(a, b);
        const expected = entries.flatMap((e, i) => {
          if (entries.some((o, j) => j < i && same(o, e))) return [{ index: i, code: 'duplicate-entry' }];
          if (entries.some((o) => inside(e, o))) return [{ index: i, code: 'contained-entry' }];
          if (entries.some((o) => o.family === e.family && o.lo < e.lo && e.lo <= o.hi)) {
            return [{ index: i, code: 'overlapping-entries' }];
          }
          return [];
        });
        const pairwise = list.findings
          .filter((f) => f.code !== 'host-bits-set' && f.code !== 'allow-everything')
          .map((f) => ({ index: f.index, code: f.code }));
        expect(pairwise).toEqual(expected);
        for (const f of list.findings) {
          const e = entries[f.index] as RefEntry;
          const o = entries[f.relatedIndex ?? -1];
          if (f.code === 'duplicate-entry') expect(o && same(e, o)).toBe(true);
          if (f.code === 'contained-entry') expect(o && inside(e, o)).toBe(true);
          if (f.code === 'overlapping-entries') {
            expect(o && o.family === e.family && o.lo <= e.hi && e.lo <= o.hi).toBe(true);
          }
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('IpAllowList: examples', () => {
  const list = IpAllowList.from([
    '195.168.1.1',
    '195.168.1.1-195.168.1.100',
    '195.168.1.0/24',
    '195.168.1.0/255.255.255.0',
    '2001:db8::/48',
    '203.0.113.7',
  ]);

  it.each([
    ['195.168.1.1', true, 0, 'the single address, first in input order'],
    ['195.168.1.50', true, 1, 'inside the range (entry 0 does not contain it)'],
    ['195.168.1.200', true, 2, 'inside the /24 only'],
    ['195.168.2.1', false, PROBE_NOT_LISTED, 'outside every entry'],
    ['203.0.113.7', true, 5, 'a separate interval'],
    ['203.0.113.8', false, PROBE_NOT_LISTED, 'just past it'],
    ['::ffff:195.168.1.200', true, 2, 'IPv4-mapped source matches the IPv4 entry'],
    ['::ffff:c3a8:1c8', true, 2, 'the same mapped source in hex groups'],
    ['2001:db8:0:ffff::1', true, 4, 'inside the IPv6 /48'],
    ['2001:db8:1::', false, PROBE_NOT_LISTED, 'just past the /48'],
    ['195.168.1.1:5060', false, PROBE_INVALID, 'address with port is not a source address'],
    ['[2001:db8::1]:5060', false, PROBE_INVALID, 'bracketed address with port'],
    ['fe80::1%eth0', false, PROBE_INVALID, 'a zone is not part of a source address'],
    ['195.168.001.1', false, PROBE_INVALID, 'leading zeros are not read as octal (nor as decimal)'],
    ['0xc3.168.1.1', false, PROBE_INVALID, 'hex octet'],
    ['3282567425', false, PROBE_INVALID, 'a single number, though it is 195.168.1.1'],
    [' 195.168.1.1', false, PROBE_INVALID, 'sources are not trimmed'],
    ['', false, PROBE_INVALID, 'empty'],
  ])('%j: has=%s probe=%s (%s)', (ip, has, probe, _reason) => {
    expect(list.has(ip)).toBe(has);
    expect(list.probe(ip)).toBe(probe);
    expect(list.match(ip).length > 0).toBe(has);
  });

  it('never throws on non-string sources', () => {
    for (const bad of [undefined, null, 42, {}, ['1.2.3.4']]) {
      const ip = bad as unknown as string;
      expect(list.has(ip)).toBe(false);
      expect(list.probe(ip)).toBe(PROBE_INVALID);
      expect(list.match(ip)).toEqual([]);
    }
  });

  it('match explains with every containing entry, in input order', () => {
    expect(list.match('195.168.1.1').map((e) => e.source)).toEqual([
      '195.168.1.1',
      '195.168.1.1-195.168.1.100',
      '195.168.1.0/24',
      '195.168.1.0/255.255.255.0',
    ]);
  });

  it('merges into disjoint ranges and minimal CIDRs', () => {
    expect(list.size).toBe(3);
    expect(list.toCidrs()).toEqual(['195.168.1.0/24', '203.0.113.7/32', '2001:db8::/48']);
    expect(IpAllowList.from(['10.0.0.0/25', '10.0.0.128/25']).toCidrs()).toEqual(['10.0.0.0/24']);
    expect(IpAllowList.from(['10.0.0.1-10.0.0.6']).toCidrs()).toEqual([
      '10.0.0.1/32',
      '10.0.0.2/31',
      '10.0.0.4/31',
      '10.0.0.6/32',
    ]);
    expect(IpAllowList.from(['0.0.0.0-255.255.255.255', '::/0']).toCidrs()).toEqual(['0.0.0.0/0', '::/0']);
  });

  it('an empty list contains nothing but still validates sources', () => {
    const empty = IpAllowList.from([]);
    expect(empty.size).toBe(0);
    expect(empty.entries).toEqual([]);
    expect(empty.has('1.2.3.4')).toBe(false);
    expect(empty.probe('1.2.3.4')).toBe(PROBE_NOT_LISTED);
    expect(empty.probe('::1')).toBe(PROBE_NOT_LISTED);
    expect(empty.probe('nope')).toBe(PROBE_INVALID);
    expect(empty.toCidrs()).toEqual([]);
    expect(empty.addressCount(6)).toBe(0n);
  });

  it('is immutable', () => {
    expect(Object.isFrozen(list)).toBe(true);
    expect(Object.isFrozen(list.entries)).toBe(true);
    expect(Object.isFrozen(list.findings)).toBe(true);
  });

  it('::/0 does not match IPv4-mapped sources: they are IPv4 addresses', () => {
    const v6only = IpAllowList.from(['::/0']);
    expect(v6only.has('2001:db8::1')).toBe(true);
    expect(v6only.has('::ffff:1.2.3.4')).toBe(false);
    expect(v6only.has('1.2.3.4')).toBe(false);
  });
});

describe('IpAllowList.from: errors', () => {
  it('reports every invalid entry with its index, and compiles nothing', () => {
    let thrown: unknown;
    try {
      IpAllowList.from([
        '1.2.3.4',
        '010.1.1.1',
        'pbx.example.com',
        '2001:db8::/24',
        '1.2.3.4/33',
        'x'.repeat(500),
      ]);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SipguardError);
    const error = thrown as SipguardError;
    expect(error.code).toBe('invalid-ip-list');
    expect(error.issues.map((i) => [i.path, i.code])).toEqual([
      ['/1', 'leading-zero'],
      ['/2', 'domain-not-supported'],
      ['/4', 'invalid-prefix-length'],
      ['/5', 'too-long'],
    ]);
    expect(error.issues[0]?.input).toBe('010.1.1.1');
    expect(error.issues[3]?.input).toBeUndefined();
    expect(error.message).toMatch(/^invalid IP allow-list: 4 problems: \/1: IP entry "010.1.1.1"/);
  });

  it('strict makes host bits an error', () => {
    expect(() => IpAllowList.from(['10.0.0.5/8'], { strict: true })).toThrow(
      expect.objectContaining({
        code: 'invalid-ip-list',
        issues: [expect.objectContaining({ path: '/0', code: 'host-bits-set' })],
      }),
    );
  });

  it('rejects a non-array and non-string elements', () => {
    expect(() => IpAllowList.from('1.2.3.4' as unknown as string[])).toThrow(
      expect.objectContaining({ code: 'invalid-ip-list' }),
    );
    expect(() => IpAllowList.from([1234 as unknown as string])).toThrow(
      expect.objectContaining({ issues: [expect.objectContaining({ path: '/0', code: 'invalid-address' })] }),
    );
  });
});

describe('IpAllowList: findings', () => {
  it.each([
    [['10.0.0.5/8'], [{ code: 'host-bits-set', severity: 'warning', index: 0 }], 'host bits set'],
    [['0.0.0.0/0'], [{ code: 'allow-everything', severity: 'warning', index: 0 }], 'all of IPv4'],
    [['::/0'], [{ code: 'allow-everything', severity: 'warning', index: 0 }], 'all of IPv6'],
    [
      ['0.0.0.0-255.255.255.255'],
      [{ code: 'allow-everything', severity: 'warning', index: 0 }],
      'as a range',
    ],
    [
      ['1.2.3.4', '1.2.3.4/32'],
      [{ code: 'duplicate-entry', severity: 'info', index: 1, relatedIndex: 0 }],
      'same address twice',
    ],
    [
      ['::ffff:1.2.3.4', '1.2.3.4'],
      [{ code: 'duplicate-entry', severity: 'info', index: 1, relatedIndex: 0 }],
      'mapped and plain',
    ],
    [
      ['1.2.3.4', '1.2.3.0/24'],
      [{ code: 'contained-entry', severity: 'info', index: 0, relatedIndex: 1 }],
      'inside a later CIDR',
    ],
    [
      ['1.2.3.0-1.2.3.9', '1.2.3.5-1.2.3.20'],
      [{ code: 'overlapping-entries', severity: 'info', index: 1, relatedIndex: 0 }],
      'overlap',
    ],
    [['1.2.3.0/25', '1.2.3.128/25'], [], 'adjacent is not overlapping'],
    [['1.2.3.4', '2001:db8::1'], [], 'different families never overlap'],
  ])('%j (%s)', (entries, expected, _reason) => {
    const findings = IpAllowList.from(entries).findings.map(({ message: _m, ...rest }) => rest);
    expect(findings).toEqual(expected);
  });

  it('messages name both entries', () => {
    const [f] = IpAllowList.from(['1.2.3.0/24', '1.2.3.4']).findings;
    expect(f?.message).toBe('entry 1 "1.2.3.4" lies inside entry 0 "1.2.3.0/24"; it adds nothing');
  });
});

describe('IpAllowList: scale', () => {
  it('compiles 100k entries and answers like the reference on a sample', () => {
    const entries: string[] = [];
    for (let i = 0; i < 100_000; i++) entries.push(v4Text(BigInt(i) * 4096n + 0x0b000000n));
    const list = IpAllowList.from(entries);
    expect(list.size).toBe(100_000);
    expect(list.probe(v4Text(0x0b000000n + 4096n * 77_777n))).toBe(77_777);
    expect(list.probe(v4Text(0x0b000000n + 4096n * 77_777n + 1n))).toBe(PROBE_NOT_LISTED);
  });
});
