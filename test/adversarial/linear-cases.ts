// The inputs of the linear-time tests: one row per public entry point and input shape, each able to
// build its input at any size, so the test (and a size sweep when a row is changed) measures the
// same shape small and large.

import { IpAllowList, parseIpEntry } from '../../src/ip/index.js';
import { checkJsonText } from '../../src/json/check-json.js';
import { classifyDialed, emergencyNumbersOf } from '../../src/phone/index.js';
import { compilePolicy, compilePolicyJson } from '../../src/policy/index.js';
import { parseRate, RateTable } from '../../src/rate/index.js';
import { type Probe, thrown } from './timing.js';

/** The two input sizes a row is measured at, in characters. */
export interface Sizes {
  readonly small: number;
  readonly large: number;
}

/**
 * 64 KiB and 1 MiB: 16x apart, so a quadratic path takes 256x as long where a linear one takes 16x,
 * and the small side is large enough to sit in the same cache and collector regime as the large one
 * (at 16 KiB the small side of some rows ran 3x faster per character than at 64 KiB).
 */
export const DEFAULT_SIZES: Sizes = { small: 64 << 10, large: 1 << 20 };

/**
 * For rows whose code copies the whole input into one new string: V8 allocates objects over 128 KiB
 * in a space of their own, at up to 20x the cost per byte of a smaller copy (measured on this
 * project's 2-core VM), so both sides must be over that limit. Still 16x apart.
 */
export const COPYING_SIZES: Sizes = { small: 256 << 10, large: 4 << 20 };

/** A row: an entry point and an input shape. */
export interface LinearCase {
  readonly name: string;
  readonly sizes: Sizes;
  /** Builds the input at about `chars` characters. */
  readonly probe: (chars: number) => Probe;
}

function row<T>(
  name: string,
  make: (chars: number) => T,
  size: (input: T) => number,
  run: (input: T) => unknown,
  sizes: Sizes = DEFAULT_SIZES,
): LinearCase {
  return {
    name,
    sizes,
    probe: (chars) => {
      const input = make(chars);
      return { size: size(input), call: () => run(input) };
    },
  };
}

// A flat string of exactly `length` characters built by repeating `unit` (flattened, so the first
// measured call does not pay for flattening a rope).
function repeatTo(unit: string, length: number): string {
  const text = unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
  return JSON.parse(JSON.stringify(text)) as string;
}

const length = (text: string) => text.length;
const listChars = (list: readonly string[]) => list.reduce((n, s) => n + s.length, 0);

// Deterministic distinct IPv4 /32 and IPv6 /64 entries, about 16 characters each.
function ipEntries(totalChars: number): string[] {
  const out: string[] = [];
  let chars = 0;
  for (let i = 0; chars < totalChars; i++) {
    const entry =
      i % 4 === 3
        ? `2001:db8:${(i >>> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`
        : `10.${(i >>> 16) & 255}.${(i >>> 8) & 255}.${i & 255}`;
    out.push(entry);
    chars += entry.length;
  }
  return out;
}

function deck(chars: number, bad: boolean): string {
  const lines = ['prefix,rate,description'];
  let total = 0;
  for (let i = 0; total < chars; i++) {
    const line = bad
      ? `${i}x,-0.${i},"row ${i}`
      : `${100000 + i},0.${String(i % 9999).padStart(4, '0')},"Row, ${i}"`;
    lines.push(line);
    total += line.length + 1;
  }
  return lines.join('\n');
}

// A policy of about `chars` characters. Both kinds stay under MAX_EXTENSIONS at 1 MiB (about 6,600
// extensions), so the large side compiles, or reports every bad entry, rather than being refused
// whole for its number of extensions.
export function policyOfSize(chars: number, bad: boolean): string {
  const extensions: Record<string, unknown> = {};
  let total = 0;
  for (let i = 0; total < chars; i++) {
    const rules = bad
      ? {
          registration: {
            restrict: 'yes',
            allowFrom: [
              `010.0.${i & 255}.1`,
              `10.0.0.${i & 255}/8`,
              '10.0.0.256',
              `1.2.3.${i & 255}-1.2.3.0`,
            ],
          },
          calling: { allow: ['UK', '+0', `*/${i & 255}`] },
        }
      : {
          registration: { restrict: true, allowFrom: [`10.${(i >>> 8) & 255}.${i & 255}.0/24`] },
          calling: { allow: ['US', 'CA'], deny: ['*/premium-rate'] },
          maxRatePerMinute: `$0.0${i % 10}00`,
        };
    extensions[String(1000 + i)] = rules;
    total += JSON.stringify(rules).length + 8;
  }
  return JSON.stringify({ homeCountry: 'US', extensions });
}

const jsonShapes: [string, (chars: number) => string, Sizes?][] = [
  [
    'duplicate keys, each reported with its line and column',
    (chars) => `{${repeatTo('"a":1,\n', chars - 8)}"a":1}`,
  ],
  ['a long array of numbers and strings', (chars) => `[${repeatTo('12.5e-3,"x\\u0041\\n",', chars - 8)}0]`],
  [
    'objects nested to the depth limit, repeated',
    (chars) => `[${repeatTo(`${'{"k":'.repeat(60)}1${'}'.repeat(60)},`, chars - 8)}0]`,
  ],
  [
    'one long string, and a syntax error at its end',
    (chars) => `"${repeatTo('abc', chars - 8)}`,
    COPYING_SIZES,
  ],
  ['nesting past the limit', (chars) => repeatTo('[', chars)],
];

const requestPolicy = compilePolicy({
  homeCountry: 'US',
  registration: { restrict: true, allowFrom: ['192.0.2.0/24'] },
  maxRatePerMinute: '$0.05',
});
const lookupList = IpAllowList.from(ipEntries(64 << 10));

/** Every row, in the order the test runs them. */
export const linearCases: readonly LinearCase[] = [
  ...['1', '1.', ':', '1.1.1.1-', ' '].map((unit) =>
    row(
      `parseIpEntry on ${JSON.stringify(unit)} repeated: rejected without a scan`,
      (n) => repeatTo(unit, n),
      length,
      (text) => thrown(() => parseIpEntry(text)),
    ),
  ),
  row('IpAllowList.from on distinct entries: compiled in n log n', ipEntries, listChars, (list) =>
    IpAllowList.from(list),
  ),
  row(
    'IpAllowList.from on invalid entries: every one reported',
    (n) => ipEntries(n).map((e) => `0${e}`),
    listChars,
    (list) => thrown(() => IpAllowList.from(list)),
  ),
  ...['1', '1.1.1.1', 'f:', '::ffff:'].flatMap((unit) => [
    row(
      `IpAllowList.has on ${JSON.stringify(unit)} repeated`,
      (n) => repeatTo(unit, n),
      length,
      (ip) => lookupList.has(ip),
    ),
    row(
      `IpAllowList.probe on ${JSON.stringify(unit)} repeated`,
      (n) => repeatTo(unit, n),
      length,
      (ip) => lookupList.probe(ip),
    ),
  ]),
  ...['1', 'sip:', 'tel:+1;', '%'].map((unit) =>
    row(
      `classifyDialed on ${JSON.stringify(unit)} repeated`,
      (n) => repeatTo(unit, n),
      length,
      (dialed) => classifyDialed(dialed, { homeCountry: 'US' }),
    ),
  ),
  row('emergencyNumbersOf on a long region code', (n) => repeatTo('U', n), length, emergencyNumbersOf),
  ...['1', '0.', '$', '-'].map((unit) =>
    row(
      `parseRate on ${JSON.stringify(unit)} repeated`,
      (n) => repeatTo(unit, n),
      length,
      (text) => thrown(() => parseRate(text)),
    ),
  ),
  ...[false, true].map((bad) =>
    row(
      `RateTable.fromCsv on a ${bad ? 'deck full of errors' : 'valid deck'}`,
      (n) => deck(n, bad),
      length,
      (text) => thrown(() => RateTable.fromCsv(text)),
    ),
  ),
  ...[false, true].map((bad) =>
    row(
      `compilePolicy on a ${bad ? 'policy full of errors' : 'valid policy'}`,
      (n) => policyOfSize(n, bad),
      length,
      (text) => thrown(() => compilePolicyJson(JSON.parse(text))),
    ),
  ),
  row(
    'compilePolicy on one long unknown key',
    (n) => ({ [repeatTo('homeCountr', n)]: 1 }),
    (doc) => Object.keys(doc)[0]?.length ?? 0,
    (doc) => thrown(() => compilePolicyJson(doc)),
    COPYING_SIZES,
  ),
  row(
    'compilePolicy on a long homeCountry',
    (n) => repeatTo('U', n),
    length,
    (text) => thrown(() => compilePolicyJson({ homeCountry: text })),
  ),
  ...['1', '192.0.2.1', 'a:'].map((unit) =>
    row(
      `checkRegistration on a sourceIp of ${JSON.stringify(unit)} repeated`,
      (n) => repeatTo(unit, n),
      length,
      (sourceIp) => requestPolicy.checkRegistration({ extension: '1', sourceIp }),
    ),
  ),
  ...['1', 'sip:+1@', '*67'].map((unit) =>
    row(
      `checkCall on a dialed string of ${JSON.stringify(unit)} repeated`,
      (n) => repeatTo(unit, n),
      length,
      (dialed) => requestPolicy.checkCall({ extension: '1', dialed }),
    ),
  ),
  row(
    'checkCall on a long ratePerMinute',
    (n) => repeatTo('0', n),
    length,
    (ratePerMinute) => requestPolicy.checkCall({ extension: '1', dialed: '+12015550123', ratePerMinute }),
  ),
  row(
    'checkCall on a long extension id',
    (n) => repeatTo('1', n),
    length,
    (extension) => requestPolicy.checkCall({ extension, dialed: '+12015550123' }),
  ),
  ...jsonShapes.map(([shape, make, sizes]) =>
    row(`checkJsonText on ${shape}`, make, length, checkJsonText, sizes),
  ),
];
