import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SipguardError } from '../../src/errors.js';
import { parseCap, parseRate, Rate, safeParseRate, unitsOfCanonical } from '../../src/rate/index.js';

describe('parseRate: accepted text', () => {
  it.each([
    ['$0.0500', '0.05', 'the cap format: dollar sign, four decimals, trailing zeros dropped'],
    ['0.05', '0.05', 'plain decimal without a dollar sign'],
    ['$.05', '0.05', 'leading-dot shorthand with a dollar sign'],
    ['.5', '0.5', 'leading-dot shorthand without a dollar sign'],
    ['2', '2', 'whole dollars'],
    ['$2.00', '2', 'all-zero fraction drops the point'],
    ['0', '0', 'zero is a valid (free) rate'],
    ['$0.0000', '0', 'zero with decimals'],
    ['0.008750', '0.00875', 'carrier quote with six decimals'],
    ['0.12345678', '0.12345678', 'eight decimals is the deck bound'],
    ['0.1234567800', '0.12345678', 'trailing zeros do not count against the bound'],
    ['999999.99999999', '999999.99999999', 'largest accepted amount'],
    ['10.5', '10.5', 'integer part with several digits'],
  ])('%s -> %s (%s)', (input, canonical, _reason) => {
    expect(parseRate(input).toString()).toBe(canonical);
  });

  it.each([
    [0.05, '0.05', 'a JSON number whose text is a plain decimal'],
    [0, '0', 'zero'],
    [12, '12', 'an integer'],
    [0.00875, '0.00875', 'small but plain: String(0.00875) is "0.00875"'],
    [0.000001, '0.000001', 'String(1e-6) is still plain "0.000001"'],
  ])('number %s -> %s (%s)', (input, canonical, _reason) => {
    expect(parseRate(input).toString()).toBe(canonical);
  });
});

describe('parseRate: rejected text', () => {
  it.each([
    ['', 'invalid-rate', 'is empty', 'empty text'],
    ['-0.05', 'negative-rate', 'negative', 'a negative amount'],
    ['-0', 'negative-rate', 'negative', 'negative zero is still written as negative'],
    ['$-0.05', 'negative-rate', 'negative', 'minus after the dollar sign'],
    ['-$0.05', 'negative-rate', 'negative', 'minus before the dollar sign'],
    ['+0.05', 'invalid-rate', 'sign', 'a plus sign'],
    ['1e-2', 'invalid-rate', 'exponent', 'exponent notation'],
    ['1E2', 'invalid-rate', 'exponent', 'upper-case exponent'],
    ['NaN', 'invalid-rate', 'finite', 'NaN as text'],
    ['Infinity', 'invalid-rate', 'finite', 'Infinity as text'],
    ['0x1', 'invalid-rate', 'hexadecimal', 'hexadecimal'],
    ['0b1', 'invalid-rate', 'binary', 'binary'],
    ['1,000.00', 'invalid-rate', 'thousands', 'thousands separator'],
    ['0,05', 'invalid-rate', 'comma', 'decimal comma'],
    ['€0.05', 'invalid-rate', 'US dollar', 'another currency symbol'],
    ['USD0.05', 'invalid-rate', 'US dollar', 'a currency code'],
    ['0.05 USD', 'invalid-rate', 'US dollar', 'a trailing currency code'],
    ['$ 0.05', 'invalid-rate', 'whitespace', 'inner whitespace'],
    [' 0.05', 'invalid-rate', 'whitespace', 'leading whitespace is not trimmed'],
    ['0.05\n', 'invalid-rate', 'U+000A LINE FEED', 'trailing newline is not trimmed, and is named'],
    ['0.123456789', 'too-many-decimals', '9 decimal places', 'nine decimals exceed the deck bound'],
    ['1234567', 'rate-too-large', '6 integer digits', 'seven integer digits'],
    ['00.5', 'invalid-rate', 'leading zero', 'leading zero in the integer part'],
    ['5.', 'invalid-rate', 'decimal point', 'a trailing decimal point'],
    ['.', 'invalid-rate', 'not an amount', 'a point alone'],
    ['$', 'invalid-rate', 'not an amount', 'a dollar sign alone'],
    ['$$1', 'invalid-rate', 'not an amount', 'two dollar signs'],
    ['--1', 'invalid-rate', 'not an amount', 'two minus signs'],
    ['1.2.3', 'invalid-rate', 'more than one decimal point', 'two decimal points'],
    ['0.05$', 'invalid-rate', 'not an amount', 'a trailing dollar sign'],
    ['0'.repeat(41), 'invalid-rate', 'longer than 40', 'absurdly long text'],
  ])('%j -> %s (%s)', (input, code, fragment, _reason) => {
    const result = safeParseRate(input);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issue.code).toBe(code);
    expect(result.issue.message).toContain(fragment);
    expect(result.issue.message).toContain('invalid rate "');
    expect(result.issue.input).toBe(input);
    expect(result.issue.path).toBe('');
  });

  it.each([
    [-0.05, 'negative-rate', 'a negative number'],
    [-0, 'negative-rate', 'negative zero as a number'],
    [Number.NaN, 'invalid-rate', 'NaN'],
    [Number.POSITIVE_INFINITY, 'invalid-rate', 'Infinity'],
    [1e-7, 'invalid-rate', 'String(1e-7) is exponent form'],
    [1e21, 'invalid-rate', 'String(1e21) is exponent form'],
    [0.1 + 0.2, 'too-many-decimals', '0.30000000000000004 has 17 decimals'],
    [1234567, 'rate-too-large', 'too many integer digits'],
  ])('number %s -> %s (%s)', (input, code, _reason) => {
    const result = safeParseRate(input);
    expect(result.success ? undefined : result.issue.code).toBe(code);
  });

  it('names negative zero as -0 in the message', () => {
    const result = safeParseRate(-0);
    expect(result.success ? '' : result.issue.message).toBe(
      'invalid rate "-0": is negative; amounts are 0 or more',
    );
  });

  it.each([
    [true, 'a boolean'],
    [null, 'null'],
    [undefined, 'nothing'],
    [{}, 'a object'],
    [5n, 'a bigint'],
  ])('rejects a %s value that is neither text nor number', (input, shown) => {
    const result = safeParseRate(input);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issue.code).toBe('invalid-rate');
    expect(result.issue.message).toContain(`got ${shown}`);
    expect(result.issue.input).toBeUndefined();
  });

  it('throws a SipguardError that quotes the input', () => {
    const error = (() => {
      try {
        parseRate('0.123456789');
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(SipguardError);
    const e = error as SipguardError;
    expect(e.code).toBe('too-many-decimals');
    expect(e.input).toBe('0.123456789');
    expect(e.message).toBe('invalid rate "0.123456789": has 9 decimal places; an amount has at most 8');
    expect(e.issues).toEqual([
      { path: '', code: 'too-many-decimals', message: e.message, input: '0.123456789' },
    ]);
  });

  it('quotes at most 64 characters of a long input, as every message does', () => {
    const result = safeParseRate('9'.repeat(100));
    expect(result.success ? '' : result.issue.message).toContain(`"${'9'.repeat(64)}…"`);
  });
});

describe('parseRate: maxDecimals', () => {
  it('accepts up to the given number of decimals, not counting trailing zeros', () => {
    expect(parseRate('0.0001', { maxDecimals: 4 }).toString()).toBe('0.0001');
    expect(parseRate('0.000100', { maxDecimals: 4 }).toString()).toBe('0.0001');
    expect(parseRate('3', { maxDecimals: 0 }).toString()).toBe('3');
    expect(() => parseRate('0.00001', { maxDecimals: 4 })).toThrow(
      /5 decimal places; an amount has at most 4/,
    );
    expect(() => parseRate('3.5', { maxDecimals: 0 })).toThrow(SipguardError);
  });

  it.each([[9], [-1], [1.5], [Number.NaN], ['2']])('rejects maxDecimals %j as invalid-argument', (max) => {
    const invalid = expect.objectContaining({ name: 'SipguardError', code: 'invalid-argument' });
    expect(() => parseRate('1', { maxDecimals: max as number })).toThrow(invalid);
    expect(() => safeParseRate('1', { maxDecimals: max as number })).toThrow(invalid);
  });
});

describe('parseCap', () => {
  it.each([
    ['$0.0500', '0.05', 'the documented format'],
    ['0.05', '0.05', 'without a dollar sign'],
    [0.05, '0.05', 'an exact JSON number'],
    ['$0.0001', '0.0001', 'four decimals'],
    ['$1', '1', 'whole dollars'],
  ])('%s -> %s (%s)', (input, canonical, _reason) => {
    const { cap, issues } = parseCap(input, '/maxRatePerMinute');
    expect(issues).toEqual([]);
    expect(cap?.toString()).toBe(canonical);
  });

  it('passes null (no cap) and undefined (not set) through without issues', () => {
    expect(parseCap(null, '/x')).toEqual({ cap: null, issues: [] });
    expect(parseCap(undefined, '/x')).toEqual({ cap: undefined, issues: [] });
  });

  it.each([
    ['$0.05001', 'too-many-decimals', 'invalid cap "$0.05001": has 5 decimal places; a cap has at most 4'],
    [1e-7, 'invalid-rate', 'no exact plain decimal form'],
    [0.00001, 'too-many-decimals', 'has 5 decimal places'],
    [0.12345, 'too-many-decimals', 'a cap has at most 4'],
    ['-$0.05', 'negative-rate', 'invalid cap "-$0.05": is negative'],
    [true, 'invalid-rate', 'invalid cap: expected a string such as "$0.0500" or a number, got a boolean'],
    [['$0.05'], 'invalid-rate', 'got a object'],
  ])('%j -> %s at the given path', (input, code, fragment) => {
    const { cap, issues } = parseCap(input, '/extensions/103/maxRatePerMinute');
    expect(cap).toBeUndefined();
    expect(issues).toHaveLength(1);
    expect(issues[0]?.code).toBe(code);
    expect(issues[0]?.path).toBe('/extensions/103/maxRatePerMinute');
    expect(issues[0]?.message).toContain(fragment);
  });
});

describe('Rate: exact comparison', () => {
  const cap = parseRate('$0.0300');
  it.each([
    ['0.03000001', 1, 'one hundred-millionth above the cap is above'],
    ['0.030', 0, 'the same amount written differently is equal'],
    ['$0.03', 0, 'dollar sign makes no difference'],
    ['0.02999999', -1, 'just below'],
    ['0.3', 1, 'ten times the cap'],
    ['0', -1, 'free'],
  ])('%s compared with $0.0300 is %i (%s)', (text, expected, _reason) => {
    const rate = parseRate(text);
    expect(rate.compare(cap)).toBe(expected);
    expect(cap.compare(rate)).toBe(-expected || 0);
    expect(rate.equals(cap)).toBe(expected === 0);
  });

  it('is immutable and prints as its canonical text', () => {
    const rate = parseRate('$0.0500');
    expect(Object.isFrozen(rate)).toBe(true);
    expect(`${rate}`).toBe('0.05');
    expect(String(rate)).toBe('0.05');
    expect(JSON.stringify({ rate })).toBe('{"rate":"0.05"}');
    expect(inspect(rate)).toBe('Rate(0.05)');
    expect(rate).toBeInstanceOf(Rate);
  });

  it('refuses relational operators, which would compare text', () => {
    const a = parseRate('10');
    const b = parseRate('9');
    expect(() => (a as unknown as number) < (b as unknown as number)).toThrow(TypeError);
    expect(() => +a).toThrow(/rate.compare/);
    // The default hint (`+` with a string) yields the text, as for a string value.
    expect(`x${a}`).toBe('x10');
    // biome-ignore lint/style/useTemplate: the point is the default hint that `+` passes
    expect((a as unknown as string) + '').toBe('10');
  });
});

// A reference value: the amount in units of 1e-8 dollars, computed with BigInt from the parts.
const SCALE = 8;
const amountParts = fc.record({
  integer: fc.integer({ min: 0, max: 999_999 }),
  fraction: fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 0, maxLength: SCALE }),
});
type Parts = { integer: number; fraction: string };
const referenceUnits = (p: Parts) =>
  BigInt(p.integer) * 10n ** BigInt(SCALE) + BigInt(p.fraction.padEnd(SCALE, '0'));
const referenceCanonical = (p: Parts) => {
  const units = referenceUnits(p)
    .toString()
    .padStart(SCALE + 1, '0');
  const integer = units.slice(0, -SCALE);
  const fraction = units.slice(-SCALE).replace(/0+$/, '');
  return fraction === '' ? integer : `${integer}.${fraction}`;
};
const spell = (p: Parts, dollar: boolean, zeros: number) => {
  const integer = p.integer === 0 && p.fraction !== '' && zeros === 0 ? '' : String(p.integer);
  const fraction = p.fraction + '0'.repeat(p.fraction === '' ? 0 : zeros);
  return `${dollar ? '$' : ''}${integer}${fraction === '' ? '' : `.${fraction}`}`;
};
const spelled = fc.tuple(amountParts, fc.boolean(), fc.integer({ min: 0, max: 3 }));

describe('Rate: properties', () => {
  it('compare agrees with a BigInt-scaled reference', () => {
    fc.assert(
      fc.property(spelled, spelled, ([a, da, za], [b, db, zb]) => {
        const ra = referenceUnits(a);
        const rb = referenceUnits(b);
        const expected = ra < rb ? -1 : ra > rb ? 1 : 0;
        const x = parseRate(spell(a, da, za));
        const y = parseRate(spell(b, db, zb));
        expect(x.compare(y)).toBe(expected);
        expect(x.equals(y)).toBe(expected === 0);
      }),
      { numRuns: 500 },
    );
  });

  it('canonical text matches the reference and round-trips', () => {
    fc.assert(
      fc.property(spelled, ([p, dollar, zeros]) => {
        const rate = parseRate(spell(p, dollar, zeros));
        expect(rate.toString()).toBe(referenceCanonical(p));
        const again = parseRate(rate.toString());
        expect(again.toString()).toBe(rate.toString());
        expect(again.equals(rate)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('a JSON number is accepted exactly when its text is a plain decimal within bounds', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2_000_000, noNaN: true }), (n) => {
        const text = String(n);
        const plain = /^\d+(\.\d+)?$/.test(text);
        const [integer = '', fraction = ''] = text.split('.');
        const withinBounds = plain && integer.length <= 6 && fraction.length <= SCALE && !Object.is(n, -0);
        const result = safeParseRate(n);
        expect(result.success).toBe(withinBounds);
        if (result.success) expect(result.rate.toString()).toBe(text);
      }),
      { numRuns: 500 },
    );
  });
});

describe('unitsOfCanonical', () => {
  it('counts 10^-8 USD exactly, against BigInt arithmetic on the text', () => {
    const canonical = fc
      .tuple(fc.nat(999_999), fc.option(fc.stringMatching(/^[0-9]{0,7}[1-9]$/), { nil: undefined }))
      .map(([whole, fraction]) => (fraction === undefined ? String(whole) : `${whole}.${fraction}`));
    fc.assert(
      fc.property(canonical, (text) => {
        const [whole = '0', fraction = ''] = text.split('.');
        const expected = BigInt(whole) * 100_000_000n + BigInt(fraction.padEnd(8, '0'));
        expect(BigInt(unitsOfCanonical(text))).toBe(expected);
        // The text is what Rate#toString gives back for it.
        expect(parseRate(text).toString()).toBe(text);
      }),
    );
  });
});
