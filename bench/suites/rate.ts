// Rate decks: longest-prefix lookup on a synthetic 100k-prefix deck against the obvious approach
// (a Map probed once per prefix length, longest first), and the cost of loading 100k CSV rows.

import { RateTable } from '../../src/rate/index.js';
import { type BenchMeasure, type BenchSuite, type BenchTask, prng, retainedBytes } from '../harness.js';

const DECK_SIZE = 100_000;
const QUERIES = 4096;
// The first 220 synthetic country codes are in the deck; the other 40 are not.
const DECK_COUNTRIES = 220;

interface Deck {
  readonly csv: string;
  readonly prefixes: readonly string[];
  readonly hits: readonly string[];
  readonly misses: readonly string[];
}

// Prefixes look like real decks: a 1–3 digit country code, then operator and range digits, with
// most prefixes 5–8 digits long and a few bare country codes; total length 1–9.
function syntheticDeck(): Deck {
  const random = prng(0x5eed);
  const digit = () => String(Math.floor(random() * 10));
  // Country codes shaped like the real plan: two 1-digit zones, then 2- and 3-digit codes that
  // never extend a shorter one.
  const countries: string[] = ['1', '7'];
  while (countries.length < 260) {
    const length = countries.length < 45 ? 2 : 3;
    let code = String(2 + Math.floor(random() * 8));
    while (code.length < length) code += digit();
    if (!countries.some((c) => code.startsWith(c))) countries.push(code);
  }
  const lengthWeights = [1, 1, 2, 4, 8, 10, 10, 8, 5]; // for total lengths 1..9
  const totalWeight = lengthWeights.reduce((a, b) => a + b, 0);
  const pickLength = () => {
    let r = random() * totalWeight;
    for (let i = 0; i < lengthWeights.length; i++) {
      r -= lengthWeights[i] ?? 0;
      if (r < 0) return i + 1;
    }
    return 9;
  };
  const seen = new Set<string>();
  const prefixes: string[] = [];
  const rows: string[] = ['prefix,rate,description'];
  while (prefixes.length < DECK_SIZE) {
    const c = Math.floor(random() * DECK_COUNTRIES);
    const country = countries[c] ?? '1';
    let prefix = country;
    // Every fifth country is covered only by long (range) prefixes, so lookups there walk deep and miss.
    const length = Math.max(country.length + (c % 5 === 0 ? 3 : 0), pickLength());
    while (prefix.length < length) prefix += digit();
    if (seen.has(prefix)) continue;
    seen.add(prefix);
    prefixes.push(prefix);
    // Real decks repeat a limited set of amounts; 4000 distinct ones is already generous.
    const rate = ((1 + Math.floor(random() * 4000)) * 0.000_25).toFixed(6);
    rows.push(`+${prefix},${rate},Zone ${prefixes.length}`);
  }
  const longest = (e164: string) => {
    for (let n = Math.min(9, e164.length - 1); n >= 1; n--) if (seen.has(e164.slice(1, 1 + n))) return true;
    return false;
  };
  const number = (start: string) => {
    let n = start;
    while (n.length < 11) n += digit();
    return `+${n}`;
  };
  const hits: string[] = [];
  while (hits.length < QUERIES) {
    const e164 = number(prefixes[Math.floor(random() * prefixes.length)] ?? '1');
    hits.push(e164);
  }
  // Misses: half in countries absent from the deck, half in partly covered countries of the deck,
  // where the lookup walks several digits before giving up.
  const misses: string[] = [];
  for (let attempt = 0; misses.length < QUERIES; attempt++) {
    if (attempt > 100 * QUERIES) throw new Error('synthetic deck: cannot find enough misses');
    const c = misses.length % 2 === 0 ? 5 * Math.floor((random() * DECK_COUNTRIES) / 5) : DECK_COUNTRIES;
    const country = countries[c + (c === DECK_COUNTRIES ? Math.floor(random() * 40) : 0)] ?? '1';
    const e164 = number(country);
    if (!longest(e164)) misses.push(e164);
  }
  return { csv: `${rows.join('\n')}\n`, prefixes, hits, misses };
}

// The same rows as a wholesale carrier publishes them: semicolons, CRLF, a quoted destination first,
// then prefix, rate, effective date and billing increment, so the header finds the columns and every
// row has a date to read (one row per prefix: the 100k rows stay 100k prefixes).
function carrierLayout(csv: string): string {
  const lines = ['Destination;Prefix;Rate;Effective Date;Billing Increment'];
  for (const line of csv.split('\n').slice(1)) {
    if (line === '') continue;
    const [prefix = '', rate = '', description = ''] = line.split(',');
    lines.push(`"${description}, Mobile";${prefix.slice(1)};${rate};2026-01-01;60/60`);
  }
  return `${lines.join('\r\n')}\r\n`;
}

// The obvious approach: one Map probe per candidate length, longest first.
function mapLookup(map: ReadonlyMap<string, number>, maxLength: number, e164: string): number {
  const digits = e164.charCodeAt(0) === 43 ? e164.slice(1) : e164;
  for (let n = Math.min(maxLength, digits.length); n >= 1; n--) {
    const index = map.get(digits.slice(0, n));
    if (index !== undefined) return index;
  }
  return -1;
}

// Built once per process: the deck generator is deterministic and costs about a second.
let deckCache: Deck | undefined;
function deck(): Deck {
  deckCache ??= syntheticDeck();
  return deckCache;
}

function memoryMeasures(): BenchMeasure[] {
  const d = deck();
  return [
    {
      suite: 'rate',
      name: 'heap: RateTable, 100k prefixes',
      unit: 'bytes',
      // From a fresh copy of the CSV text, so the prefix strings the table keeps are counted; with the
      // trie's typed arrays.
      value: retainedBytes(() => RateTable.fromCsv(` ${d.csv}`.slice(1))),
    },
    {
      suite: 'rate',
      name: 'heap: Map baseline (prefix string to index), 100k prefixes',
      unit: 'bytes',
      value: retainedBytes(() => {
        const map = new Map<string, number>();
        const prefixes = JSON.parse(JSON.stringify(d.prefixes)) as string[];
        prefixes.forEach((prefix, index) => {
          map.set(prefix, index);
        });
        return map;
      }),
    },
  ];
}

export const rateSuite: BenchSuite = {
  name: 'rate',
  groups: () => {
    const { csv, prefixes, hits, misses } = deck();
    const table = RateTable.fromCsv(csv);
    const map = new Map<string, number>();
    prefixes.forEach((prefix, index) => {
      map.set(prefix, index);
    });
    const maxLength = Math.max(...prefixes.map((p) => p.length));

    const lookupGroup = (name: string, queries: readonly string[], cached?: readonly string[]) => {
      const tasks: BenchTask[] = [
        {
          name: 'RateTable.lookupIndex',
          batch: queries.length,
          run: () => {
            let sum = 0;
            for (const q of queries) sum += table.lookupIndex(q);
            return sum;
          },
        },
        {
          name: 'Map, longest length first',
          batch: queries.length,
          run: () => {
            let sum = 0;
            for (const q of queries) sum += mapLookup(map, maxLength, q);
            return sum;
          },
        },
      ];
      if (cached) {
        // The same walk with the trie's rows for these few numbers in the CPU caches: the difference
        // to the subject is the cost of cache misses on a 100k-prefix table.
        tasks.push({
          name: 'RateTable.lookupIndex, 32 numbers repeated (caches warm)',
          batch: cached.length,
          run: () => {
            let sum = 0;
            for (const q of cached) sum += table.lookupIndex(q);
            return sum;
          },
        });
      }
      return { name, subject: 'RateTable.lookupIndex', tasks };
    };

    const rows = [...table.entries()].map((e) => ({ prefix: e.prefix, rate: e.rate.toString() }));
    const carrier = carrierLayout(csv);
    return [
      lookupGroup(
        'lookup, 100k prefixes, hits',
        hits,
        hits.map((_, i) => hits[i % 32] ?? ''),
      ),
      lookupGroup('lookup, 100k prefixes, misses', misses),
      {
        name: 'load 100k rows',
        subject: 'RateTable.fromCsv',
        slow: true,
        tasks: [
          { name: 'RateTable.fromCsv', batch: 1, run: () => RateTable.fromCsv(csv).size },
          { name: 'RateTable.from (entries)', batch: 1, run: () => RateTable.from(rows).size },
          {
            name: 'RateTable.fromCsv, carrier layout (; and CRLF, quoted names, dates, increments)',
            batch: 1,
            run: () => RateTable.fromCsv(carrier).size,
          },
        ],
      },
    ];
  },
  measures: memoryMeasures,
};
