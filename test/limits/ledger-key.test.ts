// Ledger keys (accounts, call ids, extensions, numbers): 1 to 256 UTF-16 code units of well-formed
// text. A lone surrogate is refused: a UTF-8 store turns each into U+FFFD, merging distinct keys.
import { describe, expect, it } from 'vitest';
import {
  isLedgerKey,
  ledgerKeyProblem,
  MAX_LEDGER_KEY_LENGTH,
  resetTargetProblem,
  usageQueryProblem,
} from '../../src/index.js';
import { MemoryLedger } from '../../src/limits/memory-ledger.js';

const TOO_LONG = `must be a string of 1 to ${MAX_LEDGER_KEY_LENGTH} characters`;
const HALF_PAIR = 'has half of a UTF-16 surrogate pair, which is not text';

describe('isLedgerKey and ledgerKeyProblem', () => {
  it.each<[unknown, string | undefined, string]>([
    ['acme', undefined, 'ASCII text'],
    ['x', undefined, 'one code unit, the shortest'],
    ['x'.repeat(256), undefined, '256 code units, the longest'],
    ['\u{1F600}'.repeat(128), undefined, '128 emoji: 256 code units in whole surrogate pairs'],
    ['é-Ωmega', undefined, 'two-byte text without surrogates'],
    ['x'.repeat(257), TOO_LONG, '257 code units'],
    [`${'\u{1F600}'.repeat(128)}x`, TOO_LONG, '128 emoji and one more code unit'],
    ['', TOO_LONG, 'empty'],
    [7, TOO_LONG, 'a number'],
    [undefined, TOO_LONG, 'absent'],
    ['\ud800', HALF_PAIR, 'a lone high surrogate'],
    ['\udc00x', HALF_PAIR, 'a lone low surrogate first'],
    ['x\udbff', HALF_PAIR, 'a high surrogate at the end, with nothing after it'],
    ['\udc00\ud800', HALF_PAIR, 'a pair in the wrong order: two halves'],
    [`${'x'.repeat(255)}\ud800`, HALF_PAIR, 'a half pair at the length bound'],
  ])('%j → %s (%s)', (value, problem, _why) => {
    expect(isLedgerKey(value)).toBe(problem === undefined);
    expect(ledgerKeyProblem(value, 'callId')).toBe(problem === undefined ? undefined : `callId ${problem}`);
  });
});

describe('MemoryLedger: keys with a lone surrogate', () => {
  const T0 = Date.UTC(2024, 5, 3, 9, 0, 0);
  const DAY = 86_400_000;
  const begin = (over: Record<string, string>) => ({
    account: 'acme',
    callId: 'c1',
    extension: '100',
    destination: '+442079460958',
    at: T0,
    day: Math.floor(T0 / DAY),
    dayEndsAt: (Math.floor(T0 / DAY) + 1) * DAY,
    rateUnits: 0,
    maxCallSeconds: 60,
    accountBounds: {},
    extensionBounds: {},
    ...over,
  });

  it.each(['account', 'callId', 'extension', 'destination'])('refuses a begin with one in %s', (field) => {
    const ledger = new MemoryLedger();
    expect(ledger.begin(begin({ [field]: '\ud800X' }))).toEqual({
      status: 'invalid',
      message: `${field} ${HALF_PAIR}`,
    });
    expect(ledger.size).toEqual({ accounts: 0, entries: 0 });
  });

  it('refuses an answer and an end with one, answers a query with one with zeros, and ignores such a reset', () => {
    const ledger = new MemoryLedger();
    expect(ledger.begin(begin({}))).toMatchObject({ status: 'reserved' });
    expect(ledger.answer({ account: 'acme', callId: '\udbffX', at: T0 })).toEqual({
      status: 'invalid',
      message: `callId ${HALF_PAIR}`,
    });
    expect(ledger.end({ account: '\udfffacme', callId: 'c1', at: T0, billedSeconds: 1 })).toEqual({
      status: 'invalid',
      message: `account ${HALF_PAIR}`,
    });
    const day = Math.floor(T0 / DAY);
    expect(ledger.usage({ account: 'acme', extension: '100', at: T0, day }).account.concurrentCalls).toBe(1);
    expect(ledger.usage({ account: 'acme', extension: '\ud800', at: T0, day }).account.concurrentCalls).toBe(
      0,
    );
    ledger.reset({ account: 'acme', extension: '\ud800', releaseCalls: true });
    ledger.reset({ account: 'acme\udc00', releaseCalls: true });
    expect(ledger.usage({ account: 'acme', at: T0, day }).account.concurrentCalls).toBe(1);
  });

  // The checks every ledger shares, one field at a time (a ledger's answer alone cannot show which).
  it.each<[string, string, string | undefined]>([
    ['usage', 'extension', usageQueryProblem({ account: 'acme', at: T0, day: 0, extension: '\ud800' })],
    ['usage', 'destination', usageQueryProblem({ account: 'acme', at: T0, day: 0, destination: '+1\udfff' })],
    ['usage', 'account', usageQueryProblem({ account: '\ud800', at: T0, day: 0 })],
    ['reset', 'extension', resetTargetProblem({ account: 'acme', extension: 'x\udbff' })],
    ['reset', 'account', resetTargetProblem({ account: '\udc00acme' })],
  ])('a %s with a lone surrogate in its %s is refused', (_kind, field, problem) => {
    expect(problem).toBe(`${field} ${HALF_PAIR}`);
  });
});
