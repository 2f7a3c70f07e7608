// Rate decks shaped as carriers publish them (test/rate/fixtures): delimiters, line ends, header
// names, effective dates, billing increments and connection fees; and a dated lookup checked against
// a scan of every row.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RateTable, type SipguardIssue } from '../../src/index.js';
import { roleOfHeader } from '../../src/rate/columns.js';
import { detectDelimiter, forEachLine } from '../../src/rate/csv.js';
import { parseBillingIncrement, parseEffectiveDate } from '../../src/rate/dates.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
const at = (iso: string) => Date.parse(iso);

function issuesOf(run: () => unknown): SipguardIssue[] {
  try {
    run();
  } catch (e) {
    return (e as { issues: SipguardIssue[] }).issues;
  }
  throw new Error('expected the deck to be refused');
}

describe('carrier decks from the fixtures', () => {
  it('reads a semicolon deck with CRLF, effective dates and billing increments', () => {
    const deck = RateTable.fromCsv(fixture('wholesale-semicolon.csv'));
    expect(deck.size).toBe(10);
    expect(deck.hasEffectiveDates).toBe(true);
    const mobile = (when: string) => deck.lookup('+18763001234', at(when));
    // Before and after the July change; the billing increment and destination name come along.
    expect(mobile('2026-03-01')).toEqual({
      prefix: '18763',
      rate: expect.objectContaining({}),
      effectiveFrom: '2026-01-01T00:00:00.000Z',
      billingIncrement: { initialSeconds: 60, incrementSeconds: 60 },
      description: 'Jamaica - Mobile',
    });
    expect(mobile('2026-03-01')?.rate.toString()).toBe('0.15');
    expect(mobile('2026-07-01')?.rate.toString()).toBe('0.175'); // in force from midnight UTC
    expect(mobile('2026-06-30T23:59:59Z')?.rate.toString()).toBe('0.15');
    // Before any row of the deck is in force, nothing matches.
    expect(mobile('2025-12-31T23:59:59Z')).toBeUndefined();
  });

  it('keeps future rows, and falls back to a shorter prefix until a longer one takes effect', () => {
    const deck = RateTable.fromCsv(fixture('wholesale-semicolon.csv'));
    // Sierra Leone mobile (23276) starts in September; the deck has no shorter 232 prefix.
    expect(deck.lookup('+23276123456', at('2026-08-31'))).toBeUndefined();
    expect(deck.lookup('+23276123456', at('2026-09-01'))?.rate.toString()).toBe('0.32');
    // A UK mobile before and after the April cut.
    expect(deck.lookup('+447700900123', at('2026-04-14'))?.rate.toString()).toBe('0.021');
    expect(deck.lookup('+447700900123', at('2026-04-15'))?.rate.toString()).toBe('0.019');
    // A dated deck asked without a time answers nothing: sipguard reads no clock.
    expect(deck.lookupIndex('+447700900123')).toBe(-1);
    expect(deck.lookupIndex('+447700900123', Number.NaN)).toBe(-1);
    expect(deck.lookupIndex('+447700900123', new Date('x'))).toBe(-1);
    expect(deck.lookup('+447700900123', new Date('2026-05-01'))?.rate.toString()).toBe('0.019');
  });

  it('reads a tab-separated deck with CR line ends and "Dial Code" / "Price per Minute" headers', () => {
    const deck = RateTable.fromCsv(fixture('retail-tab.tsv'));
    expect([...deck.entries()].map((e) => [e.prefix, e.rate.toString(), e.description])).toEqual([
      ['1876', '0.12', 'Jamaica'],
      ['44', '0.02', 'United Kingdom'],
      ['49', '0.0185', 'Germany'],
      ['4915', '0.06', 'Germany Mobile'],
    ]);
    expect(deck.hasEffectiveDates).toBe(false);
    expect(deck.lookup('+4915112345678')?.prefix).toBe('4915');
  });

  it('reads a comma deck with a BOM, quoted destinations, an ignored column and connection fees', () => {
    const deck = RateTable.fromCsv(fixture('carrier-comma.csv'));
    const jamaica = deck.lookup('+18763001234', at('2026-05-01'));
    expect(jamaica?.description).toBe('Jamaica, Mobile');
    expect(jamaica?.connectionFee?.toString()).toBe('0.01');
    // An empty fee is no fee; a "0" fee is a fee of zero.
    expect(deck.lookup('+18762001234', at('2026-05-01'))?.connectionFee).toBeUndefined();
    expect(deck.lookup('+82212345678', at('2026-05-01'))?.connectionFee?.toString()).toBe('0');
    expect(deck.lookup('+82212345678', at('2026-02-01'))?.rate.toString()).toBe('0.012');
    expect(deck.lookup('+82212345678', at('2026-03-01'))?.rate.toString()).toBe('0.011');
    expect(Object.keys(deck.lookup('+82212345678', at('2026-03-01')) ?? {})).not.toContain('change');
  });

  it('loads a deck whose columns have names no rule knows with the documented options', () => {
    const text = fixture('named-columns.csv');
    expect(issuesOf(() => RateTable.fromCsv(text))).toEqual([
      {
        path: '/lines/1',
        line: 1,
        code: 'missing-column',
        message:
          'line 1: the header ("Zone", "Numbers", "USD per min", "Start") names no prefix column; name it "Prefix", "Code" or "Dial Code", or pass the prefixColumn option',
      },
    ]);
    const deck = RateTable.fromCsv(text, { prefixColumn: 'Numbers', effectiveDateColumn: 'start' });
    expect(deck.lookup('+2201234567', at('2026-02-01'))?.rate.toString()).toBe('0.48');
    // The same by 0-based index, and with the delimiter given.
    const byIndex = RateTable.fromCsv(text, { delimiter: ';', prefixColumn: 1, effectiveDateColumn: 3 });
    expect(byIndex.lookup('+2201234567', at('2026-02-01'))?.description).toBe('Gambia');
  });
});

describe('what each error names: the line, the column it used, and why', () => {
  it('dated rows of one prefix with the same date are a duplicate; different dates are not', () => {
    const text = 'Code;Rate;Effective Date\n44;0.01;2026-01-01\n44;0.02;2026-02-01\n+44;0.03;2026-01-01\n';
    expect(issuesOf(() => RateTable.fromCsv(text))).toEqual([
      {
        path: '/lines/4/prefix',
        line: 4,
        column: 1,
        code: 'duplicate-prefix',
        message:
          'line 4, column 1 ("Code"): prefix "+44" has two rates with the same effective date (column 3 ("Effective Date")), here and on line 2',
        input: '+44',
      },
    ]);
  });

  it.each<[string, string, string, string, string]>([
    ['2026-02-30', 'invalid-date', 'effectiveDate', 'no day 30', 'a day the month does not have'],
    ['03/04/2026', 'invalid-date', 'effectiveDate', 'day-first and month-first', 'an ambiguous date'],
    ['', 'invalid-date', 'effectiveDate', 'is empty', 'an empty date'],
    ['2026-01-01T25:00Z', 'invalid-date', 'effectiveDate', 'not a time of day', 'an hour past 23'],
  ])('the date %j is %s', (date, code, field, why) => {
    const issues = issuesOf(() => RateTable.fromCsv(`Prefix,Rate,Effective Date\n1,0.01,${date}\n`));
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: `/lines/2/${field}`, line: 2, column: 3, code });
    expect(issues[0]?.message).toMatch(/^line 2, column 3 \("Effective Date"\): invalid effective date: /);
    expect(issues[0]?.message).toContain(why);
  });

  it.each<[string, string]>([
    ['60-60', 'not a billing increment'],
    ['0/60', 'each part is 1 to 3600 seconds'],
    ['60/7200', 'each part is 1 to 3600 seconds'],
  ])('the billing increment %j is refused: %s', (increment, why) => {
    const issues = issuesOf(() => RateTable.fromCsv(`Prefix,Rate,Billing Increment\n1,0.01,${increment}\n`));
    expect(issues).toMatchObject([
      { path: '/lines/2/billingIncrement', line: 2, column: 3, code: 'invalid-billing-increment' },
    ]);
    expect(issues[0]?.message).toContain(why);
  });

  it('a connection fee is money: a bad one says so at its column', () => {
    const issues = issuesOf(() => RateTable.fromCsv('Prefix;Rate;Setup Fee\n1;0.01;0,05\n'));
    expect(issues).toMatchObject([
      { path: '/lines/2/connectionFee', line: 2, column: 3, code: 'invalid-rate' },
    ]);
    expect(issues[0]?.message).toMatch(/^line 2, column 3 \("Setup Fee"\): invalid connection fee "0,05"/);
  });

  it('two columns of one role are ambiguous until an option chooses one', () => {
    const text = 'Prefix,Rate,Price\n1,0.01,0.02\n';
    expect(issuesOf(() => RateTable.fromCsv(text))).toMatchObject([
      {
        path: '/lines/1',
        line: 1,
        code: 'ambiguous-column',
        message:
          'line 1: the header names 2 rate columns (column 2 ("Rate"), column 3 ("Price")); choose one with the rateColumn option',
      },
    ]);
    expect(RateTable.fromCsv(text, { rateColumn: 'Price' }).lookup('1')?.rate.toString()).toBe('0.02');
  });

  it('a header name given for a deck without a header, or not in the header, is refused', () => {
    expect(
      issuesOf(() => RateTable.fromCsv('1,0.01\n', { rateColumn: 'Rate', header: false })),
    ).toMatchObject([
      { code: 'missing-column', message: expect.stringContaining('the deck has no header row') },
    ]);
    expect(issuesOf(() => RateTable.fromCsv('Prefix,Rate\n1,0.01\n', { rateColumn: 'Cost' }))).toMatchObject([
      {
        code: 'missing-column',
        message: expect.stringContaining('the header has no column "Cost" for the rate'),
      },
    ]);
  });

  it('header: false reads the first row as data, header: true skips it', () => {
    expect(RateTable.fromCsv('1,0.01\n2,0.02\n', { header: true }).size).toBe(1);
    expect(RateTable.fromCsv('1,0.01\n2,0.02\n', { header: false }).size).toBe(2);
  });
});

describe('the parts', () => {
  it.each<[string, string]>([
    ['a,b;c;d', ';'],
    ['a\tb\tc', '\t'],
    ['"x;y;z",1,2', ','],
    ['prefix', ','],
    ['a,b;c', ','], // a tie goes to the comma
  ])('detects the delimiter of %j as %j', (line, delimiter) => {
    expect(detectDelimiter(line)).toBe(delimiter);
  });

  it('ends lines at CR, LF and CRLF, counting CRLF once', () => {
    const lines: [string, number][] = [];
    forEachLine('\ufeffa\rb\nc\r\nd\n\re', (line, n) => lines.push([line, n]));
    expect(lines).toEqual([
      ['a', 1],
      ['b', 2],
      ['c', 3],
      ['d', 4],
      ['', 5],
      ['e', 6],
    ]);
  });

  it.each<[string, string | undefined]>([
    ['Prefix', 'prefix'],
    ['Dial Code', 'prefix'],
    ['dial_code', 'prefix'],
    ['Code', 'prefix'],
    ['Rate', 'rate'],
    ['Price per Minute', 'rate'],
    ['Rate (USD/min)', 'rate'],
    ['USD/min', 'rate'],
    ['Cost', 'rate'],
    ['Effective Date', 'effectiveDate'],
    ['Billing Increment', 'billingIncrement'],
    ['Connection Fee', 'connectionFee'],
    ['Destination', 'description'],
    ['Rate Change', undefined],
    ['USD', undefined],
    ['Change', undefined],
    ['Country Code', undefined],
  ])('reads the header %j as %s', (header, role) => {
    expect(roleOfHeader(header)).toBe(role);
  });

  it.each<[string, number | undefined]>([
    ['2026-03-01', Date.UTC(2026, 2, 1)],
    ['2026-03-01 12:30', Date.UTC(2026, 2, 1, 12, 30)],
    ['2026-03-01T12:30:15Z', Date.UTC(2026, 2, 1, 12, 30, 15)],
    ['2026-03-01T12:30:00+02:00', Date.UTC(2026, 2, 1, 10, 30)],
    ['2024-02-29', Date.UTC(2024, 1, 29)],
    ['2025-02-29', undefined],
    ['2026-13-01', undefined],
    ['20260301', undefined],
    ['1.3.2026', undefined],
  ])('reads the date %j', (text, expected) => {
    const read = parseEffectiveDate(text);
    if (expected === undefined) expect(typeof read).toBe('string');
    else expect(read).toBe(expected);
  });

  it.each<[string, [number, number] | undefined]>([
    ['60/60', [60, 60]],
    ['30/6', [30, 6]],
    ['1/1', [1, 1]],
    ['60+60', [60, 60]],
    ['60', [60, 60]],
    ['60 / 6', [60, 6]],
    ['6x6', undefined],
    ['-6/6', undefined],
  ])('reads the billing increment %j', (text, expected) => {
    const read = parseBillingIncrement(text);
    if (expected === undefined) expect(typeof read).toBe('string');
    else expect(read).toEqual({ initialSeconds: expected[0], incrementSeconds: expected[1] });
  });
});

// The slow, obviously correct reading of a dated deck: of the deck's prefixes that start the number,
// the longest with a row in force at t; of its rows in force, the latest.
function scan(rows: readonly { prefix: string; rate: string; from: number }[], e164: string, t: number) {
  const digits = e164.replace(/^\+/, '');
  let best: { prefix: string; rate: string; from: number } | undefined;
  for (const row of rows) {
    if (!digits.startsWith(row.prefix) || row.from > t) continue;
    if (
      best === undefined ||
      row.prefix.length > best.prefix.length ||
      (row.prefix.length === best.prefix.length && row.from > best.from)
    )
      best = row;
  }
  return best;
}

describe('a dated lookup against a scan of every row', () => {
  it('finds the same row for any deck, number and time', () => {
    const day = 86_400_000;
    const rowArb = fc.record({
      prefix: fc.stringMatching(/^[1-9][0-9]{0,3}$/),
      rate: fc.integer({ min: 0, max: 999 }).map((n) => `0.${String(n).padStart(3, '0')}`),
      from: fc.integer({ min: 0, max: 20 }).map((d) => Date.UTC(2026, 0, 1) + d * day),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(rowArb, { selector: (r) => `${r.prefix}@${r.from}`, minLength: 1, maxLength: 40 }),
        fc.array(fc.tuple(fc.stringMatching(/^[1-9][0-9]{0,5}$/), fc.integer({ min: -1, max: 21 })), {
          minLength: 1,
          maxLength: 20,
        }),
        (rows, queries) => {
          const csv = [
            'Prefix,Rate,Effective Date',
            ...rows.map((r) => `${r.prefix},${r.rate},${new Date(r.from).toISOString()}`),
          ];
          const deck = RateTable.fromCsv(csv.join('\n'));
          for (const [number, d] of queries) {
            const t = Date.UTC(2026, 0, 1) + d * day + (d % 2) * 3_600_000;
            const expected = scan(rows, number, t);
            const found = deck.lookup(`+${number}`, t);
            expect(
              found === undefined
                ? undefined
                : [found.prefix, found.rate.toString(), Date.parse(found.effectiveFrom ?? '')],
            ).toEqual(
              expected === undefined
                ? undefined
                : [expected.prefix, String(Number(expected.rate)), expected.from],
            );
          }
        },
      ),
    );
  });
});
