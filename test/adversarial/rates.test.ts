// Hostile money amounts and rate decks. Each row gives why it is there and the exact outcome: the
// canonical text of an accepted amount, or the error code. Expected values follow the grammar in
// docs/rates.md (plain decimal US dollars, at most 6 integer and 8 decimal digits), not the code.
import { describe, expect, it } from 'vitest';
import { SipguardError } from '../../src/errors.js';
import { parseRate, RateTable, safeParseRate } from '../../src/rate/index.js';

function rateOutcome(value: unknown): string {
  try {
    return `ok ${parseRate(value as string).toString()}`;
  } catch (error) {
    if (!(error instanceof SipguardError)) throw error;
    return error.code;
  }
}

// [input, expected outcome, reason]
const amounts: [unknown, string, string][] = [
  ['-0', 'negative-rate', 'negative zero as text'],
  [-0, 'negative-rate', 'negative zero as a number'],
  ['-$0.05', 'negative-rate', 'sign before the dollar'],
  ['$-0.05', 'negative-rate', 'sign after the dollar'],
  ['--1', 'invalid-rate', 'two signs'],
  ['+0.05', 'invalid-rate', 'explicit plus sign'],
  ['1e-2', 'invalid-rate', 'exponent notation'],
  ['1E2', 'invalid-rate', 'upper-case exponent'],
  [1e-7, 'invalid-rate', 'a JSON number whose text is 1e-7'],
  [1e21, 'invalid-rate', 'a JSON number whose text is 1e+21'],
  ['0x1', 'invalid-rate', 'hexadecimal'],
  ['0b1', 'invalid-rate', 'binary'],
  ['0o7', 'invalid-rate', 'octal'],
  ['Infinity', 'invalid-rate', 'Infinity as text'],
  [Number.POSITIVE_INFINITY, 'invalid-rate', 'Infinity as a number'],
  [Number.NaN, 'invalid-rate', 'NaN'],
  ['NaN', 'invalid-rate', 'NaN as text'],
  [0.1 + 0.2, 'too-many-decimals', '0.1 + 0.2 is 0.30000000000000004 in binary floating point'],
  ['0.30000000000000004', 'too-many-decimals', 'the same as text'],
  [0.3, 'ok 0.3', 'a JSON number with an exact short decimal text'],
  ['12345678901234567890', 'rate-too-large', '20 integer digits'],
  ['0.12345678901234567890', 'too-many-decimals', '20 decimal digits'],
  ['0.12345678000000000000', 'ok 0.12345678', 'trailing zeros do not count as decimals'],
  ['999999.99999999', 'ok 999999.99999999', 'the largest amount'],
  ['1000000', 'rate-too-large', 'seven integer digits'],
  [1234567, 'rate-too-large', 'seven integer digits as a number'],
  ['00.05', 'invalid-rate', 'leading zero in the integer part'],
  ['$.5', 'ok 0.5', 'no integer part'],
  ['5.', 'invalid-rate', 'trailing decimal point'],
  ['.', 'invalid-rate', 'a lone point'],
  ['$', 'invalid-rate', 'a lone dollar'],
  ['', 'invalid-rate', 'empty'],
  ['0.0.5', 'invalid-rate', 'two decimal points'],
  ['0,05', 'invalid-rate', 'decimal comma'],
  ['1,000', 'invalid-rate', 'thousands separator'],
  [' 0.05', 'invalid-rate', 'leading space'],
  ['0.05\n', 'invalid-rate', 'trailing newline'],
  ['0.05\u0000', 'invalid-rate', 'trailing NUL'],
  ['٠.٠٥', 'invalid-rate', 'Arabic-Indic digits'],
  ['０.０５', 'invalid-rate', 'full-width digits'],
  ['0．05', 'invalid-rate', 'full-width full stop'],
  ['＄0.05', 'invalid-rate', 'full-width dollar sign'],
  ['€0.05', 'invalid-rate', 'another currency'],
  ['USD 0.05', 'invalid-rate', 'currency code'],
  ['0.05\ud800', 'invalid-rate', 'lone surrogate'],
  ['1'.repeat(41), 'invalid-rate', 'one character over the length bound'],
  [`0.1${'0'.repeat(37)}`, 'ok 0.1', 'exactly 40 characters, the length bound'],
  ['1'.repeat(1 << 20), 'invalid-rate', '1 MB of digits'],
  [null, 'invalid-rate', 'null'],
  [undefined, 'invalid-rate', 'undefined'],
  [true, 'invalid-rate', 'a boolean'],
  [5n, 'invalid-rate', 'a bigint'],
  [['0.05'], 'invalid-rate', 'an array holding an amount'],
  [{ toString: () => '0.05' }, 'invalid-rate', 'an object whose toString is an amount'],
];

describe('adversarial amounts', () => {
  it.each(amounts.map(([value, outcome, reason]) => [reason, outcome, value] as const))(
    '%s → %s',
    (_, outcome, value) => {
      expect(rateOutcome(value)).toBe(outcome);
      const safe = safeParseRate(value);
      expect(safe.success ? `ok ${safe.rate.toString()}` : safe.issue.code).toBe(outcome);
    },
  );

  it('never calls toString, valueOf or Symbol.toPrimitive on a non-string amount', () => {
    let calls = 0;
    const count = () => {
      calls++;
      return '0.05';
    };
    const value = { toString: count, valueOf: count, [Symbol.toPrimitive]: count };
    expect(safeParseRate(value).success).toBe(false);
    expect(rateOutcome(value)).toBe('invalid-rate');
    expect(calls).toBe(0);
  });

  it('quotes at most 64 characters of a huge amount in the message', () => {
    const error = safeParseRate('9'.repeat(1 << 20));
    expect(error.success).toBe(false);
    if (!error.success) expect(error.issue.message.length).toBeLessThan(120);
  });
});

function deckIssues(csv: string): [number | undefined, string, string][] {
  try {
    RateTable.fromCsv(csv);
    return [];
  } catch (error) {
    if (!(error instanceof SipguardError)) throw error;
    return error.issues.map((i) => [i.line, i.path, i.code]);
  }
}

describe('adversarial rate decks', () => {
  it('reads quoted prefix and rate fields, with blanks around the quotes and doubled quotes', () => {
    const table = RateTable.fromCsv(
      ['"1876","$0.15"', ' \t"44" \t, "0.02"\t,"UK, ""London"""', '"33"  ,0.03', '49,"0.040"'].join('\n'),
    );
    expect([...table.entries()].map((e) => `${e.prefix}=${e.rate}`)).toEqual([
      '1876=0.15',
      '44=0.02',
      '33=0.03',
      '49=0.04',
    ]);
  });

  it.each([
    ['"18""76",0.1', [[1, '/lines/1/prefix', 'invalid-prefix']], 'a doubled quote stays in the value'],
    ['"1876" x,0.1', [[1, '/lines/1', 'invalid-row']], 'text after the closing quote'],
    ['"1876,0.1', [[1, '/lines/1', 'invalid-row']], 'no closing quote'],
    ['18"76,0.1', [[1, '/lines/1', 'invalid-row']], 'a quote inside an unquoted field'],
    ['1876,"0.1"""', [[1, '/lines/1/rate', 'invalid-rate']], 'an escaped quote after the amount'],
    [
      '1876,0.1\r\r\n44,0.2x',
      [[3, '/lines/3/rate', 'invalid-rate']],
      'a lone CR is a line end, and CRLF one more',
    ],
    ['1876,0.1\u0000', [[1, '/lines/1/rate', 'invalid-rate']], 'NUL after the rate'],
    [
      '１８７６,0.1',
      [[1, '/lines/1/prefix', 'invalid-prefix']],
      'full-width prefix; a valid rate means not a header',
    ],
    ['1,0.01\n１８７６,0.1', [[2, '/lines/2/prefix', 'invalid-prefix']], 'full-width digits in a prefix'],
    ['1,0.01\n1876,٠.١', [[2, '/lines/2/rate', 'invalid-rate']], 'Arabic-Indic digits in a rate'],
    ['1,0.01\n+0044,0.1', [[2, '/lines/2/prefix', 'invalid-prefix']], 'an access code in a prefix'],
    ['1,0.01\n1234567890123456,0.1', [[2, '/lines/2/prefix', 'invalid-prefix']], '16 digits'],
    ['1,0.01\n+,0.1', [[2, '/lines/2/prefix', 'invalid-prefix']], 'a lone plus'],
    ['1,0.01\n1,-0', [[2, '/lines/2/rate', 'negative-rate']], 'a bad row is not also checked for duplicates'],
    ['1,0.01\n+1,0.02', [[2, '/lines/2/prefix', 'duplicate-prefix']], '+1 duplicates 1'],
    ['prefix,rate', [[undefined, '', 'empty-rate-deck']], 'a header and nothing else'],
    ['', [[undefined, '', 'empty-rate-deck']], 'empty text'],
    ['\ufeff', [[undefined, '', 'empty-rate-deck']], 'a byte-order mark alone'],
  ] as [string, [number | undefined, string, string][], string][])('%j → %j (%s)', (csv, issues) => {
    expect(deckIssues(csv)).toEqual(issues);
  });

  it('treats only the first row as a possible header, even when that row is not valid CSV', () => {
    expect(deckIssues('"unterminated\nprefix,rate\n1,0.01')).toEqual([
      [1, '/lines/1', 'invalid-row'],
      [2, '/lines/2/prefix', 'invalid-prefix'],
      [2, '/lines/2/rate', 'invalid-rate'],
    ]);
  });

  it('with explicit columns, accepts any number of other columns but reports rows too short', () => {
    const options = { prefixColumn: 1, rateColumn: 2 };
    const table = RateTable.fromCsv('Jamaica,1876,0.12,a,b,c,d\nUK,44,0.02', options);
    expect([...table.entries()].map((e) => `${e.prefix}=${e.rate}`)).toEqual(['1876=0.12', '44=0.02']);
    let error: unknown;
    try {
      RateTable.fromCsv('Jamaica,1876,0.12\nUK,44', options);
    } catch (e) {
      error = e;
    }
    expect((error as SipguardError).issues.map((i) => [i.line, i.path, i.code])).toEqual([
      [2, '/lines/2', 'invalid-row'],
    ]);
  });

  it('looks up only ASCII digits, with one optional leading +', () => {
    const table = RateTable.from([{ prefix: '1', rate: '0.01' }]);
    for (const [e164, index] of [
      ['+1', 0],
      ['1', 0],
      ['+', -1],
      ['', -1],
      ['++1', -1],
      ['+１', -1],
      ['+1\u0000', -1],
      ['+1 876', -1],
      [`+1${'0'.repeat(1 << 20)}`, 0],
      [`+1${'0'.repeat(1 << 20)}x`, -1],
    ] as [string, number][]) {
      expect([e164.slice(0, 12), table.lookupIndex(e164)]).toEqual([e164.slice(0, 12), index]);
    }
  });

  it('RateTable.from reports entries of the wrong shape and never reads inherited fields or getters', () => {
    const inherited = Object.create({ prefix: '44', rate: '0.02' }) as object;
    let getterRuns = 0;
    const withGetters = {
      get prefix() {
        getterRuns++;
        return '44';
      },
      rate: '0.02',
    };
    let error: unknown;
    try {
      RateTable.from([
        null,
        [],
        '1,0.1',
        inherited,
        { prefix: 1, rate: '0.1' },
        { prefix: '1', rate: {} },
        withGetters,
      ] as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SipguardError);
    expect((error as SipguardError).issues.map((i) => [i.path, i.code])).toEqual([
      ['/0', 'invalid-row'],
      ['/1', 'invalid-row'],
      ['/2', 'invalid-row'],
      ['/3/prefix', 'invalid-prefix'],
      ['/3/rate', 'invalid-rate'],
      ['/4/prefix', 'invalid-prefix'],
      ['/5/rate', 'invalid-rate'],
      ['/6/prefix', 'invalid-prefix'],
    ]);
    expect(getterRuns).toBe(0);
  });
});
