// IP allow-lists: has() against 10 / 1k / 10k / 100k CIDR entries, IPv4 and IPv6, hits and misses,
// in the same run as Node's net.BlockList, an ipaddr.js parse-and-match loop, cidr-matcher, and a
// floor (a bare decimal scanner plus binary search over a Uint32Array, written here), with
// policy.checkRegistration end to end where a policy may hold the list (at most 1k entries); then the
// cost of compiling 100k entries of each family and the heap they retain. The linear peers are
// capped where a run would take minutes.
import { createRequire } from 'node:module';
import { BlockList } from 'node:net';
import ipaddr from 'ipaddr.js';
import { IpAllowList, parseIpEntry } from '../../src/ip/index.js';
import { compilePolicy } from '../../src/policy/index.js';
import { MAX_ALLOW_FROM_ENTRIES } from '../../src/policy/spec.js';
import {
  type BenchGroup,
  type BenchMeasure,
  type BenchSuite,
  type BenchTask,
  prng,
  retainedBytes,
} from '../harness.js';

const SIZES = [10, 1_000, 10_000, 100_000] as const;
const QUERIES = 1024;
/** ipaddr.js and cidr-matcher scan every CIDR per lookup; above these sizes a run takes minutes. */
const IPADDR_MAX_ENTRIES = 10_000;
const CIDR_MATCHER_MAX_V6_ENTRIES = 1_000;

type CidrMatcher = { contains(ip: string): boolean };
const CidrMatcherClass = createRequire(import.meta.url)('cidr-matcher') as new (
  cidrs: string[],
) => CidrMatcher;

const v4Text = (v: number) => `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
const hex = (v: number) => v.toString(16);

// --- the floor: the least work a correct IPv4 lookup can do, with no validation beyond strictness ---

function floorScan(s: string): number {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && !(digits === 1 && octet === 0)) {
      octet = octet * 10 + c - 48;
      if (octet > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : -1;
}

function makeFloor(intervals: readonly [number, number][]): (ip: string) => boolean {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  const lo: number[] = [];
  const hi: number[] = [];
  for (const [a, b] of sorted) {
    const last = hi.length - 1;
    if (last >= 0 && a <= (hi[last] ?? 0) + 1) hi[last] = Math.max(hi[last] ?? 0, b);
    else {
      lo.push(a);
      hi.push(b);
    }
  }
  const los = Uint32Array.from(lo);
  const his = Uint32Array.from(hi);
  return (ip) => {
    const x = floorScan(ip);
    if (x < 0) return false;
    let l = 0;
    let h = los.length - 1;
    while (l <= h) {
      const m = (l + h) >>> 1;
      if ((los[m] as number) <= x) l = m + 1;
      else h = m - 1;
    }
    return h >= 0 && (his[h] as number) >= x;
  };
}

// --- data ----------------------------------------------------------------------------------------

interface Workload {
  readonly cidrs: string[];
  readonly hits: string[];
  readonly misses: string[];
  readonly floorIntervals?: [number, number][];
}

function v4Workload(size: number): Workload {
  const random = prng(0x1b + size);
  const cidrs: string[] = [];
  const intervals: [number, number][] = [];
  for (let i = 0; i < size; i++) {
    const prefix = 20 + Math.floor(random() * 13);
    const blockSize = 2 ** (32 - prefix);
    const base = Math.floor((random() * 2 ** 32) / blockSize) * blockSize;
    cidrs.push(`${v4Text(base)}/${prefix}`);
    intervals.push([base, base + blockSize - 1]);
  }
  const floor = makeFloor(intervals);
  const hits: string[] = [];
  while (hits.length < QUERIES) {
    const [a, b] = intervals[Math.floor(random() * size)] ?? [0, 0];
    hits.push(v4Text(a + Math.floor(random() * (b - a + 1))));
  }
  const misses: string[] = [];
  while (misses.length < QUERIES) {
    const ip = v4Text(Math.floor(random() * 2 ** 32));
    if (!floor(ip)) misses.push(ip);
  }
  return { cidrs, hits, misses, floorIntervals: intervals };
}

function v6Workload(size: number): Workload {
  const random = prng(0x6b + size);
  const word = () => Math.floor(random() * 0x10000);
  const cidrs: string[] = [];
  const networks: number[][] = [];
  for (let i = 0; i < size; i++) {
    // 2000::/3 global unicast, /48 customer networks.
    const g = [0x2000 | (word() & 0x1fff), word(), word()];
    networks.push(g);
    cidrs.push(`${g.map(hex).join(':')}::/48`);
  }
  const hits: string[] = [];
  while (hits.length < QUERIES) {
    const g = networks[Math.floor(random() * size)] ?? [0x2001, 0xdb8, 0];
    hits.push([...g, word(), word(), word(), word(), word()].map(hex).join(':'));
  }
  const list = IpAllowList.from(cidrs);
  const misses: string[] = [];
  while (misses.length < QUERIES) {
    const ip = [0x2000 | (word() & 0x1fff), ...Array.from({ length: 7 }, word)].map(hex).join(':');
    if (!list.has(ip)) misses.push(ip);
  }
  return { cidrs, hits, misses };
}

// --- tasks ---------------------------------------------------------------------------------------

function lookupTask(name: string, sources: readonly string[], contains: (ip: string) => boolean): BenchTask {
  return {
    name,
    batch: sources.length,
    run: () => {
      let n = 0;
      for (let i = 0; i < sources.length; i++) if (contains(sources[i] as string)) n++;
      return n;
    },
  };
}

function lookupGroups(family: 4 | 6, size: number): BenchGroup[] {
  const w = family === 4 ? v4Workload(size) : v6Workload(size);
  const list = IpAllowList.from(w.cidrs);
  const blockList = new BlockList();
  for (const c of w.cidrs) {
    const [net, prefix] = c.split('/') as [string, string];
    blockList.addSubnet(net, Number(prefix), family === 4 ? 'ipv4' : 'ipv6');
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const parsed = size <= IPADDR_MAX_ENTRIES ? w.cidrs.map((c) => ipaddr.parseCIDR(c)) : undefined;
  const matcherAllowed = family === 4 || size <= CIDR_MATCHER_MAX_V6_ENTRIES;
  const matcher = matcherAllowed ? new CidrMatcherClass(w.cidrs) : undefined;
  const floor = w.floorIntervals ? makeFloor(w.floorIntervals) : undefined;
  // A policy holds at most MAX_ALLOW_FROM_ENTRIES entries per list, so larger sizes have no policy task.
  const policy =
    size <= MAX_ALLOW_FROM_ENTRIES
      ? compilePolicy({ registration: { restrict: true, allowFrom: w.cidrs }, extensions: { 100: {} } })
      : undefined;
  const registration = { extension: '100', sourceIp: '' };
  const label = size >= 1000 ? `${size / 1000}k` : String(size);
  return (['hits', 'misses'] as const).map((kind) => {
    const sources = kind === 'hits' ? w.hits : w.misses;
    // Linear peers look up fewer sources per call at large sizes, so one call stays short.
    const slow = size >= 10_000 ? sources.slice(0, 64) : sources;
    const tasks: BenchTask[] = [
      lookupTask('sipguard has', sources, (ip) => list.has(ip)),
      lookupTask('sipguard probe', sources, (ip) => list.probe(ip) >= 0),
    ];
    if (policy) {
      tasks.push(
        lookupTask('sipguard policy.checkRegistration', sources, (ip) => {
          registration.sourceIp = ip;
          return policy.checkRegistration(registration).allowed;
        }),
      );
    }
    if (floor) tasks.push(lookupTask('floor (scan + Uint32Array search)', sources, floor));
    tasks.push(lookupTask('net.BlockList.check', slow, (ip) => blockList.check(ip, type)));
    if (matcher) tasks.push(lookupTask('cidr-matcher', slow, (ip) => matcher.contains(ip)));
    if (parsed) {
      tasks.push(
        lookupTask('ipaddr.js parse + match', slow, (ip) => {
          const addr = ipaddr.parse(ip);
          for (const cidr of parsed) if (addr.kind() === cidr[0].kind() && addr.match(cidr)) return true;
          return false;
        }),
      );
    }
    return { name: `IPv${family} has, ${label} entries, ${kind}`, subject: 'sipguard has', tasks };
  });
}

// Parsing every entry strictly, without merging or indexing: the parser's share of the compile.
function parseOnlyTask(cidrs: readonly string[]): BenchTask {
  return {
    name: 'of which parsing: parseIpEntry x100k',
    batch: 1,
    run: () => {
      let n = 0;
      for (const c of cidrs) n += parseIpEntry(c).first.length;
      return n;
    },
  };
}

function compileGroup(): BenchGroup {
  const w = v4Workload(100_000);
  const floorIntervals = w.floorIntervals ?? [];
  return {
    name: 'compile 100k IPv4 CIDR entries',
    subject: 'sipguard IpAllowList.from',
    slow: true,
    tasks: [
      { name: 'sipguard IpAllowList.from', batch: 1, run: () => IpAllowList.from(w.cidrs).size },
      parseOnlyTask(w.cidrs),
      {
        name: 'net.BlockList addSubnet x100k',
        batch: 1,
        run: () => {
          const b = new BlockList();
          for (const c of w.cidrs) {
            const [net, prefix] = c.split('/') as [string, string];
            b.addSubnet(net, Number(prefix), 'ipv4');
          }
          return b;
        },
      },
      { name: 'floor: sort + merge numbers (no parsing)', batch: 1, run: () => makeFloor(floorIntervals) },
    ],
  };
}

function compileV6Group(): BenchGroup {
  const w = v6Workload(100_000);
  return {
    name: 'compile 100k IPv6 /48 entries',
    subject: 'sipguard IpAllowList.from',
    slow: true,
    tasks: [
      { name: 'sipguard IpAllowList.from', batch: 1, run: () => IpAllowList.from(w.cidrs).size },
      parseOnlyTask(w.cidrs),
      {
        name: 'net.BlockList addSubnet x100k',
        batch: 1,
        run: () => {
          const b = new BlockList();
          for (const c of w.cidrs) b.addSubnet(c.slice(0, -3), 48, 'ipv6');
          return b;
        },
      },
    ],
  };
}

// Retained heap of a compiled list, built from a fresh copy of the entry strings so that the strings
// it keeps (IpEntry.source, first, last) are counted; the input strings alone are measured beside it.
// net.BlockList keeps its ranges outside the JS heap, so it has no comparable figure here.
function memoryMeasures(smoke: boolean): BenchMeasure[] {
  const measures: BenchMeasure[] = [];
  const size = smoke ? 10_000 : 100_000; // the smoke run only proves the code works
  const label = `${size / 1000}k`;
  for (const family of [4, 6] as const) {
    const w = family === 4 ? v4Workload(size) : v6Workload(size);
    const json = JSON.stringify(w.cidrs);
    const fresh = () => JSON.parse(json) as string[];
    const heap = (name: string, build: () => unknown) =>
      measures.push({
        suite: 'ip',
        name: `heap: ${name}, ${label} IPv${family} entries`,
        unit: 'bytes',
        value: retainedBytes(build),
      });
    heap('IpAllowList', () => IpAllowList.from(fresh()));
    heap('the input array of entry strings', fresh);
  }
  return measures;
}

export const ipSuite: BenchSuite = {
  name: 'ip',
  groups: () => [
    ...SIZES.flatMap((size) => lookupGroups(4, size)),
    ...SIZES.flatMap((size) => lookupGroups(6, size)),
    compileGroup(),
    compileV6Group(),
  ],
  measures: memoryMeasures,
};
