import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SipguardError, type SipguardIssue } from '../../src/errors.js';
import { deckUnderCap, parseRate, type RateDeckCsvOptions, RateTable } from '../../src/rate/index.js';
import { digitString, scanLookup } from './reference.js';

function thrown(fn: () => unknown): SipguardError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SipguardError) return e;
    throw e;
  }
  throw new Error('expected a SipguardError');
}

const nanp = RateTable.from([
  { prefix: '1', rate: '0.0100' },
  { prefix: '+1876', rate: '0.1500' },
  { prefix: '18765', rate: '0.2500' },
  { prefix: '44', rate: 0.02 },
]);

describe('RateTable: longest prefix', () => {
  it.each([
    ['+12125551234', '1', '0.01', 'only the country code matches'],
    ['+18761234567', '1876', '0.15', 'Jamaica beats the NANP country code'],
    ['+18765551234', '18765', '0.25', 'the five-digit prefix beats 1876 and 1'],
    ['18765551234', '18765', '0.25', 'the leading + is optional'],
    ['+1876', '1876', '0.15', 'the number may be exactly a prefix'],
    ['+1', '1', '0.01', 'a single digit'],
    ['+187', '1', '0.01', 'a proper prefix of 1876 falls back to 1'],
    ['+442071234567', '44', '0.02', 'a rate given as a JSON number'],
  ])('%s -> %s at %s (%s)', (e164, prefix, rate, _reason) => {
    const found = nanp.lookup(e164);
    expect(found?.prefix).toBe(prefix);
    expect(found?.rate.toString()).toBe(rate);
    const index = nanp.lookupIndex(e164);
    expect(nanp.prefixAt(index)).toBe(prefix);
    expect(nanp.rateAt(index).toString()).toBe(rate);
  });

  it.each([
    ['+33123456789', 'no prefix of France in the deck'],
    ['', 'empty text'],
    ['+', 'a plus sign alone'],
    ['+1876x', 'a letter after a matching prefix'],
    ['+18765551234x', 'a letter after the trie walk stopped'],
    ['+1 876', 'inner whitespace'],
    ['++1', 'two plus signs'],
    ['x1', 'a letter first'],
    ['1+', 'a plus sign at the end'],
    ['٣', 'a non-ASCII digit'],
  ])('%j -> no match (%s)', (e164, _reason) => {
    expect(nanp.lookupIndex(e164)).toBe(-1);
    expect(nanp.lookup(e164)).toBeUndefined();
  });

  it('keeps entries in input order with prefixes as digits', () => {
    expect(nanp.size).toBe(4);
    expect([...nanp.entries()].map((e) => `${e.prefix}=${e.rate}`)).toEqual([
      '1=0.01',
      '1876=0.15',
      '18765=0.25',
      '44=0.02',
    ]);
    expect(Object.isFrozen(nanp)).toBe(true);
  });

  it.each([[-1], [4], [1.5], ['0']])('prefixAt and rateAt reject index %j with invalid-argument', (index) => {
    const invalid = { name: 'SipguardError', code: 'invalid-argument' };
    expect(() => nanp.prefixAt(index as number)).toThrow(expect.objectContaining(invalid));
    expect(() => nanp.rateAt(index as number)).toThrow(expect.objectContaining(invalid));
  });
});

describe('RateTable: a deck larger than the initial trie', () => {
  it('grows and still finds every prefix and its longest match', () => {
    // 3000 five-digit prefixes need far more than the 1024 nodes the builder starts with.
    const entries = Array.from({ length: 3000 }, (_, i) => ({
      prefix: String(10_000 + i * 7),
      rate: `0.${i}`,
    }));
    const table = RateTable.from(entries);
    expect(table.size).toBe(3000);
    entries.forEach((entry, index) => {
      expect(table.lookupIndex(`+${entry.prefix}123`)).toBe(index);
    });
    expect(table.lookupIndex('+10001')).toBe(-1);
  });
});

describe('deckUnderCap', () => {
  it('marks exactly the entries strictly above the cap', () => {
    expect([...deckUnderCap(nanp, parseRate('$0.1500')).above]).toEqual([0, 0, 1, 0]);
    expect([...deckUnderCap(nanp, parseRate('$0.0100')).above]).toEqual([0, 1, 1, 1]);
    expect([...deckUnderCap(nanp, parseRate('0.00999999')).above]).toEqual([1, 1, 1, 1]);
    expect([...deckUnderCap(nanp, parseRate('1')).above]).toEqual([0, 0, 0, 0]);
  });

  it('keeps the deck with its verdicts', () => {
    expect(deckUnderCap(nanp, parseRate('1')).table).toBe(nanp);
  });

  it('gives entries sharing an amount the same verdict', () => {
    const table = RateTable.from([
      { prefix: '1', rate: '0.05' },
      { prefix: '2', rate: '$0.0500' },
      { prefix: '3', rate: 0.05 },
      { prefix: '4', rate: '0.0501' },
    ]);
    expect([...deckUnderCap(table, parseRate('0.05')).above]).toEqual([0, 0, 0, 1]);
    expect(table.rateAt(0)).toBe(table.rateAt(2)); // one Rate per distinct amount
  });
});

describe('RateTable.from: errors', () => {
  it('reports every bad entry with its path and loads nothing', () => {
    const e = thrown(() =>
      RateTable.from([
        { prefix: '1', rate: '0.01' },
        { prefix: '+1', rate: '0.02' },
        { prefix: 'abc', rate: '-0.01' },
        'not an entry',
        { rate: '0.01' },
        { prefix: '44', rate: 1e-7 },
        { prefix: '0044', rate: '0.1' },
      ] as never),
    );
    expect(e.code).toBe('invalid-rate-deck');
    expect(e.issues.map((i) => [i.path, i.code])).toEqual([
      ['/1/prefix', 'duplicate-prefix'],
      ['/2/prefix', 'invalid-prefix'],
      ['/2/rate', 'negative-rate'],
      ['/3', 'invalid-row'],
      ['/4/prefix', 'invalid-prefix'],
      ['/5/rate', 'invalid-rate'],
      ['/6/prefix', 'invalid-prefix'],
    ]);
    expect(e.issues[0]?.message).toBe('prefix "+1" duplicates entry 0');
    expect(e.issues[4]?.message).toBe('invalid prefix: expected a string of digits, got nothing');
    expect(e.message).toMatch(
      /^invalid rate deck: 7 problems: \/1\/prefix: prefix "\+1" duplicates entry 0;/,
    );
  });

  it.each([
    ['', 'is empty', 'empty'],
    ['+', 'is empty', 'a plus sign alone'],
    ['1-876', 'must be digits', 'a dash'],
    [' 1', 'must be digits', 'whitespace is not trimmed in entries'],
    ['1234567890123456', 'longer than 15 digits', 'sixteen digits'],
    ['011', 'starts with 0', 'an international access code'],
  ])('prefix %j: %s (%s)', (prefix, fragment, _reason) => {
    const e = thrown(() => RateTable.from([{ prefix, rate: '0.01' }]));
    expect(e.issues).toHaveLength(1);
    expect(e.issues[0]?.code).toBe('invalid-prefix');
    expect(e.issues[0]?.path).toBe('/0/prefix');
    expect(e.issues[0]?.message).toContain(fragment);
  });

  it('accepts a 15-digit prefix', () => {
    expect(RateTable.from([{ prefix: '123456789012345', rate: '1' }]).lookup('123456789012345')?.prefix).toBe(
      '123456789012345',
    );
  });

  it('rejects something other than an array, and an empty deck', () => {
    expect(thrown(() => RateTable.from({} as never)).issues).toEqual([
      { path: '', code: 'wrong-type', message: 'rate entries must be an array of { prefix, rate }' },
    ]);
    expect(thrown(() => RateTable.from([])).issues).toEqual([
      { path: '', code: 'empty-rate-deck', message: 'the rate deck has no entries' },
    ]);
  });

  it('ignores other fields such as a description', () => {
    const entries = [{ prefix: '1', rate: '0.01', description: 'NANP' }];
    expect(RateTable.from(entries).size).toBe(1);
  });
});

describe('RateTable.fromCsv', () => {
  it('reads a deck with a header, CRLF, a BOM, comments, blank lines and quoted descriptions', () => {
    const csv = [
      '\uFEFFPrefix,Rate,Description',
      '# carrier A, effective 2026-01-01',
      '',
      '   ',
      '1,0.0100,United States',
      '+1876, 0.1500 ,"Jamaica, mobile"',
      '18765,$0.25,"The ""special"" range"',
      '  # an indented comment',
      '44,0.02',
      '',
    ].join('\r\n');
    const table = RateTable.fromCsv(csv);
    expect([...table.entries()].map((e) => `${e.prefix}=${e.rate}`)).toEqual([
      '1=0.01',
      '1876=0.15',
      '18765=0.25',
      '44=0.02',
    ]);
  });

  it('reads a deck without a header, LF and no final line break', () => {
    const table = RateTable.fromCsv('1,0.01\n44,0.02,UK');
    expect(table.size).toBe(2);
    expect(table.lookup('+4420')?.rate.toString()).toBe('0.02');
  });

  it('treats only the first row as a possible header', () => {
    const e = thrown(() => RateTable.fromCsv('1,0.01\nprefix,rate\n'));
    expect(e.issues.map((i) => [i.path, i.line, i.code])).toEqual([
      ['/lines/2/prefix', 2, 'invalid-prefix'],
      ['/lines/2/rate', 2, 'invalid-rate'],
    ]);
  });

  it('reports a first row with one bad field as an error, not a header', () => {
    const e = thrown(() => RateTable.fromCsv('1x,0.01\n2,0.02\n'));
    expect(e.issues.map((i) => [i.path, i.line, i.code])).toEqual([['/lines/1/prefix', 1, 'invalid-prefix']]);
  });

  it('reports every bad row with its line number', () => {
    const csv = [
      'prefix,rate,description', // 1: header
      '1,0.01,US', // 2
      '# comment', // 3
      'abc,0.2', // 4: bad prefix
      '+1,0.3', // 5: duplicate of line 2
      '0044,1e-2', // 6: bad prefix and bad rate
      '5,"unterminated', // 7: bad CSV
      '2,0.2,two,extra', // 8: an extra column, ignored
      '7', // 9: too few fields
      '', // 10
      '33,0.123456789', // 11: too many decimals
      '34,"0.05" x', // 12: text after a quote
      '35,0.0"5', // 13: a quote inside a field
    ].join('\n');
    const e = thrown(() => RateTable.fromCsv(csv));
    expect(e.code).toBe('invalid-rate-deck');
    const rows = e.issues.map((i: SipguardIssue) => [i.line, i.path, i.code]);
    expect(rows).toEqual([
      [4, '/lines/4/prefix', 'invalid-prefix'],
      [5, '/lines/5/prefix', 'duplicate-prefix'],
      [6, '/lines/6/prefix', 'invalid-prefix'],
      [6, '/lines/6/rate', 'invalid-rate'],
      [7, '/lines/7', 'invalid-row'],
      [9, '/lines/9', 'invalid-row'],
      [11, '/lines/11/rate', 'too-many-decimals'],
      [12, '/lines/12', 'invalid-row'],
      [13, '/lines/13', 'invalid-row'],
    ]);
    const byLine = (n: number) => e.issues.find((i) => i.line === n)?.message;
    expect(byLine(5)).toBe('line 5, column 1 ("prefix"): prefix "+1" duplicates line 2');
    expect(byLine(7)).toBe('line 7 has a quoted field (column 2) with no closing quote');
    expect(byLine(9)).toBe('line 9 has 1 field; the rate is read from column 2 ("rate")');
    expect(byLine(12)).toBe('line 12 has text after the closing quote of column 2');
    expect(byLine(13)).toBe('line 13 has a quote inside unquoted column 2');
    expect(e.issues.find((i) => i.line === 9)?.input).toBe('7');
    expect(e.issues.find((i) => i.line === 11)?.column).toBe(2);
    expect(e.message).toContain(
      'invalid rate deck: 9 problems: /lines/4/prefix: line 4, column 1 ("prefix"): invalid prefix "abc"',
    );
  });

  it.each([
    ['', 'an empty text'],
    ['\n\n', 'blank lines only'],
    ['prefix,rate\n', 'a header only'],
    ['# nothing yet\n', 'a comment only'],
  ])('rejects a deck with no rows: %s', (csv) => {
    expect(thrown(() => RateTable.fromCsv(csv)).issues).toEqual([
      { path: '', code: 'empty-rate-deck', message: 'the rate deck has no rows' },
    ]);
  });

  it('reads other column layouts when told where the prefix and rate are', () => {
    const csv =
      'Destination,Prefix,Rate,Effective\n"Jamaica, mobile",1876,0.15,2026-01-01\nUK,44,0.02,2026-01-01\n';
    const table = RateTable.fromCsv(csv, { prefixColumn: 1, rateColumn: 2, effectiveDateColumn: 3 });
    expect(table.lookup('+18765551234', Date.UTC(2026, 0, 1))?.rate.toString()).toBe('0.15');
    const e = thrown(() => RateTable.fromCsv(`${csv}France,33\n`, { prefixColumn: 1, rateColumn: 2 }));
    expect(e.issues).toEqual([
      {
        path: '/lines/4',
        line: 4,
        code: 'invalid-row',
        message: 'line 4 has 2 fields; the rate is read from column 3 ("Rate")',
        input: 'France,33',
      },
    ]);
    expect(RateTable.fromCsv('0.5,1', { rateColumn: 0, prefixColumn: 1 }).lookup('1')?.rate.toString()).toBe(
      '0.5',
    );
  });

  it.each<[RateDeckCsvOptions, string]>([
    [{ prefixColumn: -1, rateColumn: 1 }, 'a negative column'],
    [{ prefixColumn: 0, rateColumn: 1.5 }, 'a fractional column'],
    [{ prefixColumn: 1, rateColumn: 1 }, 'the same column twice'],
    [{ prefixColumn: 1, effectiveDateColumn: 1 }, 'two roles in one column'],
    [{ rateColumn: '' }, 'an empty header name'],
    [{ delimiter: '|' as never }, 'a delimiter other than comma, semicolon or tab'],
    [{ header: 'yes' as never }, 'a header flag that is not a boolean'],
    ['prefix' as never, 'options that are not an object'],
  ])('rejects column options %j as invalid-argument (%s)', (options) => {
    expect(() => RateTable.fromCsv('1,0.1', options)).toThrow(
      expect.objectContaining({ name: 'SipguardError', code: 'invalid-argument' }),
    );
  });

  it('rejects a deck that is not text, as RateTable.from rejects entries that are not a list', () => {
    expect(() => RateTable.fromCsv(new Uint8Array([49]) as never)).toThrow(
      expect.objectContaining({
        code: 'invalid-rate-deck',
        issues: [
          { path: '', code: 'wrong-type', message: 'a CSV rate deck must be a string, got a Uint8Array' },
        ],
      }),
    );
  });
});

const prefixArb = fc.tuple(fc.constantFrom(...'123456789'), digitString(0, 5)).map(([a, b]) => a + b);
const deckArb = fc.uniqueArray(
  fc.record({
    prefix: prefixArb,
    rate: fc.integer({ min: 0, max: 99_999 }).map((n) => (n / 1e4).toFixed(4)),
  }),
  { selector: (e) => e.prefix, minLength: 1, maxLength: 60 },
);

describe('RateTable: properties', () => {
  it('lookup equals a scan of all prefixes', () => {
    fc.assert(
      fc.property(
        deckArb,
        fc.array(fc.tuple(fc.nat(), digitString(0, 8), fc.boolean()), { maxLength: 20 }),
        (deck, probes) => {
          const table = RateTable.from(
            deck.map((e, i) => ({ prefix: i % 2 === 0 ? `+${e.prefix}` : e.prefix, rate: e.rate })),
          );
          for (const [pick, tail, plus] of probes) {
            // Half the probes extend a deck prefix (likely hits), half are random digits (likely misses).
            const base = pick % 2 === 0 ? (deck[pick % deck.length]?.prefix ?? '') : '';
            const e164 = `${plus ? '+' : ''}${base}${tail}`;
            const expected =
              deck[
                scanLookup(
                  deck.map((entry) => entry.prefix),
                  e164,
                )
              ];
            const found = table.lookup(e164);
            expect(found?.prefix).toBe(expected?.prefix);
            expect(found === undefined ? undefined : found.rate.equals(parseRate(expected?.rate ?? ''))).toBe(
              expected === undefined ? undefined : true,
            );
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a deck written as CSV reads back to the same table', () => {
    fc.assert(
      fc.property(deckArb, fc.boolean(), fc.boolean(), (deck, header, crlf) => {
        const eol = crlf ? '\r\n' : '\n';
        const lines = deck.map((e, i) => `${e.prefix},$${e.rate},"Zone ${i}, ""x"""`);
        const csv = (header ? ['prefix,rate,description', ...lines] : lines).join(eol);
        const fromCsv = RateTable.fromCsv(csv);
        const fromEntries = RateTable.from(deck);
        expect([...fromCsv.entries()].map((e) => [e.prefix, e.rate.toString()])).toEqual(
          [...fromEntries.entries()].map((e) => [e.prefix, e.rate.toString()]),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('every prefix of a duplicate-free deck is found at its own index', () => {
    fc.assert(
      fc.property(deckArb, (deck) => {
        const table = RateTable.from(deck);
        deck.forEach((entry, index) => {
          expect(table.lookupIndex(entry.prefix)).toBe(index);
        });
      }),
      { numRuns: 200 },
    );
  });
});
