// Wrong argument types get one error shape: a SipguardError whose code says what kind of input was
// wrong, never a TypeError or RangeError from inside sipguard. Lookups never throw at all.
import { describe, expect, it } from 'vitest';
import {
  classifyDialed,
  compilePolicy,
  compilePolicyJson,
  IpAllowList,
  parseIpEntry,
  parseRate,
  RateTable,
  runCases,
  SipguardError,
  safeParseRate,
} from '../../src/index.js';

const table = RateTable.from([{ prefix: '1', rate: '0.01' }]);
const policy = compilePolicy({ homeCountry: 'US' });
const list = IpAllowList.from(['192.0.2.0/24']);
const rate = parseRate('0.05');

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('a wrong argument is a SipguardError with a code and a message naming what was given', () => {
  it.each<[string, () => unknown, string, RegExp]>([
    [
      'RateTable.fromCsv of a number',
      () => RateTable.fromCsv(5 as never),
      'invalid-rate-deck',
      /got the number 5/,
    ],
    ['RateTable.fromCsv of null', () => RateTable.fromCsv(null as never), 'invalid-rate-deck', /got null/],
    [
      'RateTable.fromCsv with an unknown delimiter',
      () => RateTable.fromCsv('1|0.1', { delimiter: '|' as never }),
      'invalid-argument',
      /delimiter must be ",", ";" or "\\t", got the string "\|"/,
    ],
    [
      'RateTable.fromCsv with a column given as blank text',
      () => RateTable.fromCsv('1,0.1', { prefixColumn: ' ', rateColumn: 1 }),
      'invalid-argument',
      /prefixColumn must be a non-negative integer or a header name, got the string " "/,
    ],
    [
      'RateTable.fromCsv with a column as an object, whose toString is never run',
      () =>
        RateTable.fromCsv('1,0.1', {
          prefixColumn: 0,
          rateColumn: { toString: () => '1' } as never,
        }),
      'invalid-argument',
      /rateColumn must be a non-negative integer or a header name, got an object/,
    ],
    [
      'RateTable.from of a string',
      () => RateTable.from('1,0.1' as never),
      'invalid-rate-deck',
      /must be an array/,
    ],
    [
      'prefixAt past the end',
      () => table.prefixAt(1),
      'invalid-argument',
      /no rate table entry the number 1/,
    ],
    ['rateAt of a string index', () => table.rateAt('0' as never), 'invalid-argument', /the string "0"/],
    [
      'compilePolicy with a deck as text',
      () => compilePolicyJson({}, { rates: '1,0.1' as never }),
      'invalid-argument',
      /options.rates must be a RateTable/,
    ],
    [
      'compilePolicy with options as a string',
      () => compilePolicyJson({}, 'x' as never),
      'invalid-argument',
      /options must be an object/,
    ],
    [
      'registrationsToDrop(null)',
      () => policy.registrationsToDrop(null as never),
      'invalid-argument',
      /got null/,
    ],
    [
      'registrationsToDrop of an object',
      () => policy.registrationsToDrop({} as never),
      'invalid-argument',
      /got an object/,
    ],
    [
      'parseRate with maxDecimals 9',
      () => parseRate('1', { maxDecimals: 9 }),
      'invalid-argument',
      /maxDecimals/,
    ],
    [
      'safeParseRate with maxDecimals -1',
      () => safeParseRate('1', { maxDecimals: -1 }),
      'invalid-argument',
      /maxDecimals/,
    ],
    [
      'Rate.compare with text',
      () => rate.compare('0.05' as never),
      'invalid-argument',
      /got the string "0.05"/,
    ],
    ['Rate.equals with null', () => rate.equals(null as never), 'invalid-argument', /got null/],
    ['runCases without a policy', () => runCases(null as never, []), 'invalid-argument', /takes a Policy/],
    [
      'runCases with cases that are not a list',
      () => runCases(policy, {} as never),
      'invalid-argument',
      /as an array/,
    ],
    [
      'addressCount of family 5',
      () => list.addressCount(5 as never),
      'invalid-argument',
      /4 or 6, got the number 5/,
    ],
    [
      'IpAllowList.from of a string',
      () => IpAllowList.from('192.0.2.1' as never),
      'invalid-ip-list',
      /array of strings/,
    ],
    [
      'parseIpEntry of a number',
      () => parseIpEntry(7 as never),
      'invalid-address',
      /must be a string, got number/,
    ],
  ])('%s', (_what, run, code, message) => {
    const error = thrown(run);
    expect(error).toBeInstanceOf(SipguardError);
    expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
  });
});

describe('lookups never throw, whatever they are given', () => {
  it.each<[string, () => unknown, unknown]>([
    ['lookupIndex of a number', () => table.lookupIndex(5 as never), -1],
    ['lookupIndex of undefined', () => table.lookupIndex(undefined as never), -1],
    ['lookup of null', () => table.lookup(null as never), undefined],
    ['has of an object', () => list.has({} as never), false],
    ['probe of undefined', () => list.probe(undefined as never), -2],
    ['match of a number', () => list.match(7 as never), []],
    ['classifyDialed of a number', () => classifyDialed(7, { homeCountry: 'US' }).ok, false],
    ['checkCall of null', () => policy.checkCall(null as never).code, 'invalid-request'],
  ])('%s', (_what, run, expected) => {
    expect(run()).toEqual(expected);
  });
});
