// The Redis ledger (src/cli/ledger) against a real redis-server started here on a loopback port:
// table tests per operation (run through MemoryLedger too, with the same expectations), a property test
// that runs random event sequences through both and expects the same answers, the key layout, expiry,
// the clock guard, NOSCRIPT, a command timeout, and Redis stopped (fail closed) then back (recovery).
// Locally the file skips when redis-server is missing; with CI=true a missing redis-server fails it.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedisConnection, type RedisConnection } from '../../src/cli/ledger/redis-connection.js';
import { accountKey, RedisLedger, RedisLedgerError } from '../../src/cli/ledger/redis-ledger.js';
import { LEDGER_SCRIPTS } from '../../src/cli/ledger/redis-scripts.js';
import {
  type AnswerCall,
  type AsyncUsageLedger,
  type BeginCall,
  compilePolicyJson,
  type EndCall,
  EVENT_RETENTION_MS,
  type LevelBounds,
  MemoryLedger,
  type ResetTarget,
  type UsageLedger,
  type UsageQuery,
} from '../../src/index.js';
import { callCostMicros } from '../../src/limits/money.js';
import { type RedisServer, redisServerMissing, startRedisServer } from './redis-server.js';

const missing = redisServerMissing();
const inCi = process.env.CI === 'true' || process.env.CI === '1';
if (missing !== undefined && !inCi) {
  console.warn(`SKIPPING the Redis ledger end-to-end test: ${missing}.`);
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
// Saturday 2024-06-01 07:00:00 UTC.
const T0 = Date.UTC(2024, 5, 1, 7, 0, 0);
const UK = '+442079460958';
const JM = '+18765550100';
// $0.0125 a minute in 10^-8 USD; a 600-second reservation is 125,000 micro-dollars.
const RATE = 1_250_000;

// A level with nothing counted, as a usage query shows it.
const ZERO_LEVEL = {
  concurrentCalls: 0,
  callsThisMinute: 0,
  callsThisHour: 0,
  callsToNumberThisHour: 0,
  spentTodayMicros: 0,
};

let rowAccount = 0;

/** A small driver over either ledger: a new account per row (unless named), plain defaults for a begin. */
function driver(ledger: AsyncUsageLedger, account = `row-${++rowAccount}`) {
  const begin = (callId: string, at: number, over: Partial<BeginCall> = {}) =>
    ledger.begin({
      account,
      callId,
      extension: '100',
      destination: UK,
      at,
      day: Math.floor(at / DAY),
      dayEndsAt: (Math.floor(at / DAY) + 1) * DAY,
      rateUnits: RATE,
      maxCallSeconds: 600,
      accountBounds: {},
      extensionBounds: {},
      ...over,
    });
  return {
    account,
    begin,
    answer: (callId: string, at: number) => ledger.answer({ account, callId, at }),
    end: (callId: string, at: number, billedSeconds: number) =>
      ledger.end({ account, callId, at, billedSeconds }),
    usage: (at: number, extension = '100', destination?: string) =>
      ledger.usage({
        account,
        extension,
        at,
        day: Math.floor(at / DAY),
        ...(destination === undefined ? {} : { destination }),
      }),
    reset: (target: Omit<ResetTarget, 'account'>) => ledger.reset({ account, ...target }),
  };
}
type Driver = ReturnType<typeof driver>;

/** MemoryLedger behind the asynchronous interface, to run the same rows through both. */
function promised(ledger: UsageLedger): AsyncUsageLedger {
  return {
    begin: async (call) => ledger.begin(call),
    answer: async (event) => ledger.answer(event),
    end: async (event) => ledger.end(event),
    usage: async (query) => ledger.usage(query),
    reset: async (target) => ledger.reset(target),
  };
}

const level = (
  concurrentCalls: number,
  callsThisMinute: number,
  callsThisHour: number,
  spentTodayMicros: number,
  callsToNumberThisHour = 0,
) => ({ concurrentCalls, callsThisMinute, callsThisHour, callsToNumberThisHour, spentTodayMicros });

// Each row: why, what it does to a fresh account, and what the last step answers.
const ROWS: readonly [string, (d: Driver) => Promise<unknown>, unknown][] = [
  [
    'a first begin reserves rate × maximum duration, released at its start + maximum',
    (d) => d.begin('a', T0),
    { status: 'reserved', reservedMicros: 125_000, releaseAt: T0 + 600_000 },
  ],
  [
    'the same begin again changes nothing',
    async (d) => {
      await d.begin('a', T0);
      return d.begin('a', T0 + 5_000);
    },
    { status: 'duplicate', reservedMicros: 125_000, releaseAt: T0 + 600_000 },
  ],
  [
    'the same call id from another extension is a conflict',
    async (d) => {
      await d.begin('a', T0);
      return d.begin('a', T0, { extension: '101' });
    },
    { status: 'conflict' },
  ],
  [
    'the same call id to another number is a conflict',
    async (d) => {
      await d.begin('a', T0);
      return d.begin('a', T0, { destination: JM });
    },
    { status: 'conflict' },
  ],
  [
    'a begin after its end (out of order) is recorded as ended, charged at the billed cost',
    async (d) => {
      await d.end('a', T0 + 61_000, 60);
      await d.begin('a', T0);
      return d.usage(T0 + 62_000);
    },
    { account: level(0, 0, 1, 12_500), extension: level(0, 0, 1, 12_500) },
  ],
  [
    "the extension's concurrent calls at its bound",
    async (d) => {
      await d.begin('a', T0, { extensionBounds: { concurrentCalls: 1 } });
      return d.begin('b', T0 + 1, { extensionBounds: { concurrentCalls: 1 } });
    },
    { status: 'limited', limit: 'concurrentCalls', level: 'extension', counter: 1, bound: 1 },
  ],
  [
    "the account's concurrent calls at their bound, from another extension",
    async (d) => {
      await d.begin('a', T0, { accountBounds: { concurrentCalls: 1 } });
      return d.begin('b', T0 + 1, { extension: '101', accountBounds: { concurrentCalls: 1 } });
    },
    { status: 'limited', limit: 'concurrentCalls', level: 'account', counter: 1, bound: 1 },
  ],
  [
    'calls per minute count ended calls too',
    async (d) => {
      await d.begin('a', T0, { extensionBounds: { callsPerMinute: 1 } });
      await d.end('a', T0 + 10_000, 10);
      return d.begin('b', T0 + 20_000, { extensionBounds: { callsPerMinute: 1 } });
    },
    // T0 is 07:00:00 UTC: the minute and hour windows start at it.
    {
      status: 'limited',
      limit: 'callsPerMinute',
      level: 'extension',
      counter: 1,
      bound: 1,
      windowStartsAt: T0,
    },
  ],
  [
    'a begin stamped in an earlier minute counts in the later one, and names it',
    async (d) => {
      await d.begin('a', T0 + MINUTE, { extensionBounds: { callsPerMinute: 1 } });
      return d.begin('b', T0 + 30_000, { extensionBounds: { callsPerMinute: 1 } });
    },
    {
      status: 'limited',
      limit: 'callsPerMinute',
      level: 'extension',
      counter: 1,
      bound: 1,
      windowStartsAt: T0 + MINUTE,
    },
  ],
  [
    'the next minute is a new window',
    async (d) => {
      await d.begin('a', T0, { extensionBounds: { callsPerMinute: 1 } });
      return d.begin('b', T0 + MINUTE, { extensionBounds: { callsPerMinute: 1 } });
    },
    { status: 'reserved', reservedMicros: 125_000, releaseAt: T0 + MINUTE + 600_000 },
  ],
  [
    "the account's calls per hour, over two extensions",
    async (d) => {
      const accountBounds = { callsPerHour: 2 };
      await d.begin('a', T0, { accountBounds });
      await d.begin('b', T0 + 10 * MINUTE, { extension: '101', accountBounds });
      return d.begin('c', T0 + 59 * MINUTE, { extension: '102', accountBounds });
    },
    { status: 'limited', limit: 'callsPerHour', level: 'account', counter: 2, bound: 2, windowStartsAt: T0 },
  ],
  [
    'calls to the same number per hour refuse that number only',
    async (d) => {
      const extensionBounds = { callsToSameNumberPerHour: 1 };
      await d.begin('a', T0, { extensionBounds });
      const refused = await d.begin('b', T0 + 1, { extensionBounds });
      const other = await d.begin('c', T0 + 2, { extensionBounds, destination: JM });
      return [refused.status, other.status, await d.usage(T0 + 3, '100', UK)];
    },
    ['limited', 'reserved', { account: level(2, 2, 2, 250_000, 0), extension: level(2, 2, 2, 250_000, 1) }],
  ],
  [
    'a spend reservation that would pass the day limit is refused, with the counter and the reserve',
    async (d) => {
      await d.begin('a', T0, { extensionBounds: { spendPerDay: 200_000 } });
      return d.begin('b', T0 + 1, { extensionBounds: { spendPerDay: 200_000 } });
    },
    {
      status: 'limited',
      limit: 'spendPerDay',
      level: 'extension',
      counter: 125_000,
      bound: 200_000,
      reserve: 125_000,
    },
  ],
  [
    'a call past its maximum duration is released: a late begin for it is ended',
    async (d) => {
      await d.begin('a', T0);
      const usage = await d.usage(T0 + 600_000);
      return [usage.account.concurrentCalls, await d.begin('a', T0 + 600_001)];
    },
    [0, { status: 'ended' }],
  ],
  [
    'a begin with a bad call id is invalid, with the reason',
    (d) => d.begin('', T0),
    { status: 'invalid', message: 'callId must be a string of 1 to 256 characters' },
  ],
  [
    // Redis keeps UTF-8, where every lone surrogate is U+FFFD: taken, the second call would be the first's duplicate.
    'call ids with lone surrogates are refused, not stored as one call',
    async (d) => [await d.begin('\ud800X', T0), await d.begin('\udbffX', T0), await d.usage(T0 + 1)],
    [
      { status: 'invalid', message: 'callId has half of a UTF-16 surrogate pair, which is not text' },
      { status: 'invalid', message: 'callId has half of a UTF-16 surrogate pair, which is not text' },
      {
        account: ZERO_LEVEL,
        extension: ZERO_LEVEL,
      },
    ],
  ],
  [
    // Stored as UTF-8, '\ud800X' would be the key of the call '\uFFFDX': its end would free that call.
    'an answer, end, query or reset with a lone surrogate touches no call',
    async (d) => {
      const begun = await d.begin('\uFFFDX', T0);
      const events = [await d.answer('\ud800X', T0 + 1), await d.end('\ud800X', T0 + 2, 1)];
      await d.reset({ extension: '\ud800', releaseCalls: true });
      const query = await d.usage(T0 + 3, '\ud800');
      return [begun, events, query.account.concurrentCalls, (await d.usage(T0 + 3)).account.concurrentCalls];
    },
    [
      { status: 'reserved', reservedMicros: 125_000, releaseAt: T0 + 600_000 },
      [
        { status: 'invalid', message: 'callId has half of a UTF-16 surrogate pair, which is not text' },
        { status: 'invalid', message: 'callId has half of a UTF-16 surrogate pair, which is not text' },
      ],
      0,
      1,
    ],
  ],
  [
    'call ids with whole surrogate pairs (emoji) are two calls',
    async (d) => [
      await d.begin('\u{1F600}', T0),
      await d.begin('\u{1F601}', T0),
      (await d.usage(T0 + 1)).account.concurrentCalls,
    ],
    [
      { status: 'reserved', reservedMicros: 125_000, releaseAt: T0 + 600_000 },
      { status: 'reserved', reservedMicros: 125_000, releaseAt: T0 + 600_000 },
      2,
    ],
  ],
  [
    'an answer before the begin is kept; the release still counts from the begin',
    async (d) => {
      const answer = await d.answer('a', T0 + 2_000);
      return [answer, await d.begin('a', T0)];
    },
    [{ status: 'pending' }, { status: 'reserved', reservedMicros: 125_000, releaseAt: T0 + 600_000 }],
  ],
  [
    'an answer is taken once and a second ignored; the release stays where the begin put it',
    async (d) => {
      await d.begin('a', T0);
      const first = await d.answer('a', T0 + 30_000);
      const second = await d.answer('a', T0 + 40_000);
      return [first, second, await d.begin('a', T0 + 50_000)];
    },
    [
      { status: 'answered' },
      { status: 'ignored' },
      { status: 'duplicate', reservedMicros: 125_000, releaseAt: T0 + 600_000 },
    ],
  ],
  [
    'an answer after the end, or after the release, is ignored',
    async (d) => {
      await d.begin('a', T0);
      await d.end('a', T0 + 1_000, 0);
      await d.begin('b', T0);
      return [await d.answer('a', T0 + 2_000), await d.answer('b', T0 + 600_000)];
    },
    [{ status: 'ignored' }, { status: 'ignored' }],
  ],
  [
    'an end settles the reservation to the cost of the billed seconds (rounded up)',
    async (d) => {
      await d.begin('a', T0);
      const end = await d.end('a', T0 + 62_000, 61);
      return [end, await d.usage(T0 + 62_000)];
    },
    [
      { status: 'settled', costMicros: 12_709 },
      { account: level(0, 0, 1, 12_709), extension: level(0, 0, 1, 12_709) },
    ],
  ],
  [
    'a repeated end is ignored; an end before the begin is pending, and a second one ignored',
    async (d) => {
      await d.begin('a', T0);
      await d.end('a', T0 + 1_000, 1);
      return [await d.end('a', T0 + 2_000, 1), await d.end('b', T0, 5), await d.end('b', T0, 5)];
    },
    [{ status: 'ignored' }, { status: 'pending' }, { status: 'ignored' }],
  ],
  [
    'an end after the release settles the spend without counting the call out twice',
    async (d) => {
      await d.begin('a', T0);
      await d.begin('b', T0 + 1_000);
      const end = await d.end('a', T0 + 700_000, 650);
      return [end, await d.usage(T0 + 700_000)];
    },
    [
      { status: 'settled', costMicros: 135_417 },
      { account: level(0, 0, 2, 260_417), extension: level(0, 0, 2, 260_417) },
    ],
  ],
  [
    'an end with billed seconds out of range is invalid',
    (d) => d.end('a', T0, -1),
    { status: 'invalid', message: 'billedSeconds is not a whole number of seconds from 0 to 604800' },
  ],
  [
    "an end after the spend day moved on leaves the new day's figures alone",
    async (d) => {
      const late = T0 + 16 * HOUR + 59 * MINUTE; // 23:59 UTC
      await d.begin('a', late);
      await d.begin('b', late + 2 * MINUTE);
      await d.end('a', late + 3 * MINUTE, 180);
      return d.usage(late + 3 * MINUTE);
    },
    { account: level(1, 0, 1, 125_000), extension: level(1, 0, 1, 125_000) },
  ],
  [
    "resetting an extension clears its windows and spend, keeps its calls' reservations and the totals",
    async (d) => {
      await d.begin('a', T0);
      await d.begin('b', T0 + 1_000);
      await d.end('b', T0 + 2_000, 60);
      await d.reset({ extension: '100' });
      return d.usage(T0 + 3_000);
    },
    { account: level(1, 2, 2, 137_500), extension: level(1, 0, 0, 125_000) },
  ],
  [
    'resetting an extension with its calls forgets them; the totals keep their charge',
    async (d) => {
      await d.begin('a', T0);
      await d.reset({ extension: '100', releaseCalls: true });
      return [await d.usage(T0 + 1_000), await d.end('a', T0 + 2_000, 10)];
    },
    [{ account: level(0, 1, 1, 125_000), extension: level(0, 0, 0, 0) }, { status: 'pending' }],
  ],
  [
    'resetting the account with its calls forgets everything, ended ids too',
    async (d) => {
      await d.begin('a', T0);
      await d.begin('b', T0);
      await d.end('b', T0 + 1_000, 10);
      await d.reset({ releaseCalls: true });
      return [await d.usage(T0 + 2_000), await d.end('b', T0 + 3_000, 10)];
    },
    [{ account: level(0, 0, 0, 0), extension: level(0, 0, 0, 0) }, { status: 'pending' }],
  ],
];

describe.skipIf(missing !== undefined && !inCi)('the Redis ledger against a real redis-server', () => {
  let server: RedisServer | undefined;
  let connection: RedisConnection | undefined;
  let replay: RedisLedger;
  const command = (...args: string[]) => {
    if (connection === undefined) throw new Error('no connection');
    return connection.send(args);
  };

  beforeAll(async () => {
    if (missing !== undefined) throw new Error(`CI=true and redis-server is missing: ${missing}`);
    server = await startRedisServer();
    connection = await openRedisConnection({ url: server.url, commandTimeoutMs: 2_000 });
    await connection.whenReady(10_000);
    // Recorded times from 2024: no clock check; an hour of grace so that no key expires mid-sequence.
    replay = new RedisLedger(connection, { maxClockAheadMs: false, expiryGraceMs: HOUR });
  });

  afterAll(async () => {
    await connection?.close();
    await server?.stop();
  });

  describe.each([
    ['MemoryLedger', () => promised(new MemoryLedger())],
    ['RedisLedger', () => replay],
  ])('%s: one row per case', (_name, ledgerOf) => {
    it.each(ROWS)('%s', async (_why, run, expected) => {
      expect(await run(driver(ledgerOf()))).toEqual(expected);
    });
  });

  it('gives the same answers as MemoryLedger for random sequences of events (out of order, repeated)', async () => {
    const EXTENSIONS = ['100', '101', '102'] as const;
    const boundsArb: fc.Arbitrary<LevelBounds> = fc.record(
      {
        concurrentCalls: fc.integer({ min: 0, max: 3 }),
        callsPerMinute: fc.integer({ min: 0, max: 4 }),
        callsPerHour: fc.integer({ min: 0, max: 6 }),
        callsToSameNumberPerHour: fc.integer({ min: 0, max: 2 }),
        spendPerDay: fc.integer({ min: 0, max: 800_000 }),
      },
      { requiredKeys: [] },
    );
    const callArb = fc.record({
      extension: fc.constantFrom(...EXTENSIONS),
      destination: fc.constantFrom(UK, JM),
      rateUnits: fc.constantFrom(0, RATE, 50_000_000, 1_234_567),
      maxCallSeconds: fc.constantFrom(30, 300, 900),
    });
    // Steps mostly forward, sometimes back (out of order), sometimes past a release or a retention.
    const dtArb = fc.oneof(
      fc.integer({ min: -20_000, max: 20_000 }),
      fc.integer({ min: 0, max: 400_000 }),
      fc.constant(EVENT_RETENTION_MS),
    );
    const opArb = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({ kind: fc.constant('begin' as const), call: fc.nat(3), dt: dtArb }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ kind: fc.constant('answer' as const), call: fc.nat(3), dt: dtArb }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          kind: fc.constant('end' as const),
          call: fc.nat(3),
          dt: dtArb,
          billed: fc.nat(1_000),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ kind: fc.constant('usage' as const), call: fc.nat(3), dt: dtArb }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          kind: fc.constant('reset' as const),
          call: fc.nat(3),
          whole: fc.boolean(),
          releaseCalls: fc.boolean(),
        }),
      },
    );
    const scenarioArb = fc.record({
      accountBounds: boundsArb,
      extensionBounds: fc.tuple(boundsArb, boundsArb, boundsArb),
      calls: fc.array(callArb, { minLength: 4, maxLength: 4 }),
      ops: fc.array(opArb, { minLength: 10, maxLength: 50, size: 'max' }),
    });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (s) => {
        const account = `prop-${++run}`;
        const memory = new MemoryLedger();
        // Twenty minutes before a UTC midnight: sequences cross hours and a spend day.
        let at = Date.UTC(2024, 2, 9, 23, 40, 0);
        for (const op of s.ops) {
          const c = s.calls[op.call];
          if (c === undefined) throw new Error('no such call');
          const callId = `call-${op.call}`;
          if (op.kind === 'reset') {
            const target: ResetTarget = {
              account,
              ...(op.whole ? {} : { extension: c.extension }),
              releaseCalls: op.releaseCalls,
            };
            memory.reset(target);
            await replay.reset(target);
            continue;
          }
          at = Math.max(at + op.dt, Date.UTC(2024, 0, 1));
          if (op.kind === 'begin') {
            const day = Math.floor(at / DAY);
            const call: BeginCall = {
              account,
              callId,
              ...c,
              at,
              day,
              dayEndsAt: (day + 1) * DAY,
              accountBounds: s.accountBounds,
              extensionBounds: s.extensionBounds[EXTENSIONS.indexOf(c.extension)] ?? {},
            };
            expect(await replay.begin(call), JSON.stringify(call)).toEqual(memory.begin(call));
          } else if (op.kind === 'answer') {
            const event: AnswerCall = { account, callId, at };
            expect(await replay.answer(event), JSON.stringify(event)).toEqual(memory.answer(event));
          } else if (op.kind === 'end') {
            const event: EndCall = { account, callId, at, billedSeconds: op.billed };
            expect(await replay.end(event), JSON.stringify(event)).toEqual(memory.end(event));
          } else {
            const query: UsageQuery = {
              account,
              extension: c.extension,
              destination: c.destination,
              at,
              day: Math.floor(at / DAY),
            };
            expect(await replay.usage(query), JSON.stringify(query)).toEqual(memory.usage(query));
          }
        }
        // And the same counters at the end, a little later (past some releases), for every extension.
        for (const extension of EXTENSIONS) {
          for (const later of [at, at + 60_000, at + 600_000]) {
            const query: UsageQuery = {
              account,
              extension,
              destination: UK,
              at: later,
              day: Math.floor(later / DAY),
            };
            expect(await replay.usage(query), JSON.stringify(query)).toEqual(memory.usage(query));
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("computes a call's cost in Lua exactly as callCostMicros does, large rates included", async () => {
    const d = driver(replay);
    const rates = [0, 1, 5_999, 6_000, 6_001, RATE, 1_234_567, 99_999_999_999, 9_007_199_254_740_991];
    const seconds = [0, 1, 59, 61, 3_599, 86_400, 604_800];
    let n = 0;
    for (const rateUnits of rates) {
      for (const billed of seconds) {
        const callId = `cost-${n++}`;
        await d.begin(callId, T0, { rateUnits, maxCallSeconds: 1 });
        expect(await d.end(callId, T0 + 1, billed), `${rateUnits} × ${billed} s`).toEqual({
          status: 'settled',
          costMicros: callCostMicros(rateUnits, billed),
        });
      }
    }
  });

  it('keeps every key of an account under its hash tag, escaped so that accounts cannot collide', async () => {
    const account = 'tag}{%test';
    const ledger = new RedisLedger(connection as RedisConnection, {
      keyPrefix: 'layout:',
      maxClockAheadMs: false,
    });
    const d = driver(ledger, account);
    const sameNumber = { callsToSameNumberPerHour: 3 };
    await d.begin('x', T0, { extension: '1}00', accountBounds: sameNumber, extensionBounds: sameNumber });
    await d.begin('y', T0, { extension: '1}00' });
    await d.end('y', T0 + 1, 1);
    const keys = ((await command('KEYS', 'layout:*')) as string[]).sort();
    const base = 'layout:{tag%7D{%25test}';
    expect(accountKey('layout:', account)).toBe(base);
    expect(keys).toEqual(
      [':c:x', ':e', ':fgt', ':g', ':rel', ':t', ':tr', ':x:1}00', ':xr:1}00', ':xs']
        .map((s) => base + s)
        .sort(),
    );
    // What Redis Cluster hashes: from the first '{' to the first '}' after it, the same for every key.
    const tags = new Set(keys.map((k) => k.slice(k.indexOf('{') + 1, k.indexOf('}', k.indexOf('{')))));
    expect([...tags]).toEqual(['tag%7D{%25test']);
  });

  it('expires every counter when its last window has passed, and remembers the call for the retention', async () => {
    const ledger = new RedisLedger(connection as RedisConnection, {
      keyPrefix: 'expiry:',
      maxClockAheadMs: false,
      expiryGraceMs: 0,
    });
    // One second before an hour ends, on a day that ends 0.5 s later, a call of at most 1 s.
    const at = Date.UTC(2024, 5, 1, 23, 59, 59);
    const d = driver(ledger, 'a');
    const begun = await d.begin('c', at, {
      dayEndsAt: at + 500,
      maxCallSeconds: 1,
      accountBounds: { callsToSameNumberPerHour: 1 },
    });
    expect(begun.status).toBe('reserved');
    const base = accountKey('expiry:', 'a');
    const pttl = async (suffix: string) => Number(await command('PTTL', base + suffix));
    // The counters live until the call's release (1 s), the repeat count until the hour's end (1 s).
    for (const suffix of [':t', ':x:100', ':tr', ':xs']) {
      const ttl = await pttl(suffix);
      expect(ttl, suffix).toBeGreaterThan(0);
      expect(ttl, suffix).toBeLessThanOrEqual(1_000);
    }
    // The call record and the release queue are kept for the retention after the release, to recognise
    // late events; the ended-id generation for two retention periods at most.
    for (const suffix of [':c:c', ':rel', ':fgt']) {
      const ttl = await pttl(suffix);
      expect(ttl, suffix).toBeGreaterThan(EVENT_RETENTION_MS - 60_000);
      expect(ttl, suffix).toBeLessThanOrEqual(EVENT_RETENTION_MS + 1_000);
    }
    expect(await pttl(':g')).toBeLessThanOrEqual(2 * EVENT_RETENTION_MS);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(((await command('KEYS', `${base}*`)) as string[]).sort()).toEqual(
      [':c:c', ':fgt', ':g', ':rel'].map((suffix) => base + suffix),
    );
    // After the window the account reads as empty: the expired counters were at zero anyway.
    expect(await d.usage(at + 1_000)).toEqual({ account: level(0, 0, 0, 0), extension: level(0, 0, 0, 0) });
    // Counters holding spend live until the spend day ends, when that is later (a zone east of UTC).
    await driver(ledger, 'b').begin('c', at, { dayEndsAt: at + 30_000, maxCallSeconds: 1 });
    const spendTtl = Number(await command('PTTL', `${accountKey('expiry:', 'b')}:t`));
    expect(spendTtl).toBeGreaterThan(20_000);
    expect(spendTtl).toBeLessThanOrEqual(30_000);
  });

  it('refuses an event stamped ahead of the Redis clock, and a policy then fails closed', async () => {
    const ledger = new RedisLedger(connection as RedisConnection, {
      keyPrefix: 'clock:',
      maxClockAheadMs: 2_000,
    });
    const now = Date.now();
    const d = driver(ledger, 'a');
    expect((await d.begin('now', now)).status).toBe('reserved');
    expect((await d.begin('late', now - HOUR)).status).toBe('reserved');
    await expect(d.begin('ahead', now + HOUR)).rejects.toThrow(RedisLedgerError);
    await expect(
      ledger.end({ account: 'a', callId: 'now', at: now + HOUR, billedSeconds: 1 }),
    ).rejects.toThrow(/ms ahead of the Redis clock \(at most 2000 ms allowed\)/);
    const policy = compilePolicyJson({ homeCountry: 'GB', accountLimits: { concurrentCalls: 5 } });
    const start = {
      account: 'a',
      callId: 'p',
      extension: '100',
      dialed: '+44 20 7946 0958',
      ratePerMinute: '0.01',
    };
    expect(await policy.startCallAsync(ledger, { ...start, at: now + HOUR })).toMatchObject({
      allowed: false,
      code: 'ledger-unavailable',
    });
    expect((await policy.startCallAsync(ledger, { ...start, at: now })).allowed).toBe(true);
  });

  it('runs the script source again after Redis forgot it (NOSCRIPT)', async () => {
    await command('SCRIPT', 'FLUSH');
    expect(await command('SCRIPT', 'EXISTS', LEDGER_SCRIPTS.begin.sha)).toEqual([0]);
    expect((await driver(replay).begin('a', T0)).status).toBe('reserved');
    expect(await command('SCRIPT', 'EXISTS', LEDGER_SCRIPTS.begin.sha)).toEqual([1]);
  });

  it('rejects a command that gets no reply within its timeout, replaces the connection, and goes on', async () => {
    if (server === undefined) throw new Error('no server');
    const quick = await openRedisConnection({ url: server.url, commandTimeoutMs: 200 });
    try {
      await quick.whenReady(10_000);
      const ledger = new RedisLedger(quick, { maxClockAheadMs: false });
      // DEBUG SLEEP blocks the whole server for 2 s: its own reply comes too late.
      await expect(quick.send(['DEBUG', 'SLEEP', '2'])).rejects.toThrow('Redis did not answer within 200 ms');
      // The stuck client was replaced: until the new one is ready, commands reject at once (fail closed).
      expect(quick.state).toBe('connecting');
      await expect(driver(ledger).begin('a', T0)).rejects.toThrow(/out of reach/);
      await quick.whenReady(15_000);
      expect(quick.readyCount).toBe(2);
      expect((await driver(ledger).begin('a', T0)).status).toBe('reserved');
    } finally {
      await quick.close();
    }
  });

  it('fails closed while Redis is stopped, and recovers by itself when it is back', async () => {
    if (server === undefined) throw new Error('no server');
    const port = server.port;
    const conn = await openRedisConnection({
      url: server.url,
      commandTimeoutMs: 500,
      maxReconnectDelayMs: 200,
    });
    try {
      await conn.whenReady(10_000);
      const ledger = new RedisLedger(conn, { maxClockAheadMs: false });
      const policy = compilePolicyJson({ homeCountry: 'US', accountLimits: { concurrentCalls: 5 } });
      const start = (callId: string, dialed = '+1 202 456 1111') => ({
        account: 'down',
        callId,
        extension: '100',
        dialed,
        ratePerMinute: '0.01',
        at: T0,
      });
      expect(await policy.startCallAsync(ledger, start('before'))).toMatchObject({
        allowed: true,
        reservation: {},
      });

      await server.stop();
      const refused = await policy.startCallAsync(ledger, start('during'));
      expect(refused).toMatchObject({ allowed: false, code: 'ledger-unavailable' });
      // Emergency calls never reach the ledger.
      expect(await policy.startCallAsync(ledger, start('911', '911'))).toMatchObject({
        allowed: true,
        code: 'emergency',
      });
      await expect(
        ledger.end({ account: 'down', callId: 'before', at: T0 + 1, billedSeconds: 1 }),
      ).rejects.toThrow();
      expect(conn.state).not.toBe('ready');

      server = await startRedisServer(port);
      await conn.whenReady(15_000);
      expect(conn.readyCount).toBe(2);
      // The new Redis starts empty (nothing persisted here) and has no scripts: EVAL loads them again.
      expect(await policy.startCallAsync(ledger, start('after'))).toMatchObject({
        allowed: true,
        reservation: {},
      });
    } finally {
      await conn.close();
    }
  });
});
