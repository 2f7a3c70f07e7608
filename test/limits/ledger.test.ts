// The memory ledger, case by case: idempotency, out-of-order events, release at the maximum
// duration, resets, pruning and its bounds, and input it refuses. Costs by hand.
import { describe, expect, it } from 'vitest';
import { SipguardError } from '../../src/errors.js';
import { type BeginCall, EVENT_RETENTION_MS } from '../../src/limits/ledger.js';
import {
  AccountState,
  CallRecord,
  MemoryLedger,
  type MemoryLedgerOptions,
} from '../../src/limits/memory-ledger.js';
import { callCostMicros, formatMicros, MAX_CALL_COST_MICROS } from '../../src/limits/money.js';
import { boundsOf } from '../../src/limits/rules.js';

const T0 = Date.UTC(2024, 5, 3, 9, 0, 0);
const DAY = 86_400_000;
const day = (at: number) => Math.floor(at / DAY);

function begin(over: Partial<BeginCall> = {}): BeginCall {
  const at = over.at ?? T0;
  return {
    account: 'acme',
    callId: 'c1',
    extension: '100',
    destination: '+442079460958',
    at,
    day: day(at),
    dayEndsAt: (day(at) + 1) * DAY,
    rateUnits: 1_250_000, // $0.0125/min
    maxCallSeconds: 3600, // reserves $0.75
    accountBounds: {},
    extensionBounds: {},
    ...over,
  };
}
const usage = (ledger: MemoryLedger, at = T0, extension = '100') =>
  ledger.usage({ account: 'acme', extension, at, day: day(at), destination: '+442079460958' });

describe('callCostMicros', () => {
  it.each([
    [1_250_000, 3600, 750_000, '$0.0125/min for an hour is $0.75'],
    [1_250_000, 1, 209, '1 s at $0.0125/min is $0.000208333…, rounded up'],
    [1_250_000, 0, 0, 'an unanswered call costs nothing'],
    [0, 3600, 0, 'a free destination'],
    [6_000, 1, 1, 'exactly one micro-dollar'],
    [6_001, 1, 2, 'a hair over rounds up'],
    [99_999_999_999_999, 86_400, MAX_CALL_COST_MICROS, 'the largest rate for a day saturates'],
  ])('%d units × %d s = %d µ$ (%s)', (units, seconds, micros) => {
    expect(callCostMicros(units, seconds)).toBe(micros);
  });

  it.each([
    [0, '0'],
    [40, '0.00004'],
    [1_500_000, '1.5'],
    [123_456_789, '123.456789'],
  ])('formats %d µ$ as %s', (micros, text) => {
    expect(formatMicros(micros)).toBe(text);
  });
});

describe('MemoryLedger: begin, answer, end', () => {
  it('reserves at begin and settles from the billed seconds', () => {
    const ledger = new MemoryLedger();
    expect(ledger.begin(begin())).toEqual({
      status: 'reserved',
      reservedMicros: 750_000,
      releaseAt: T0 + 3_600_000,
    });
    expect(usage(ledger).extension).toMatchObject({
      concurrentCalls: 1,
      callsThisMinute: 1,
      spentTodayMicros: 750_000,
    });
    expect(ledger.end({ account: 'acme', callId: 'c1', at: T0 + 61_000, billedSeconds: 60 })).toEqual({
      status: 'settled',
      costMicros: 12_500,
    });
    expect(usage(ledger, T0 + 61_000).extension).toMatchObject({
      concurrentCalls: 0,
      spentTodayMicros: 12_500,
    });
  });

  it('counts a repeated begin once and refuses a call id reused for another call', () => {
    const ledger = new MemoryLedger();
    ledger.begin(begin());
    expect(ledger.begin(begin({ at: T0 + 10 }))).toMatchObject({
      status: 'duplicate',
      reservedMicros: 750_000,
    });
    expect(ledger.begin(begin({ destination: '+18765550100' }))).toEqual({ status: 'conflict' });
    expect(ledger.begin(begin({ extension: '101' }))).toEqual({ status: 'conflict' });
    expect(usage(ledger).account).toMatchObject({ concurrentCalls: 1, callsThisMinute: 1 });
  });

  it('ignores a repeated end and refuses to begin a call that ended', () => {
    const ledger = new MemoryLedger();
    ledger.begin(begin());
    ledger.end({ account: 'acme', callId: 'c1', at: T0 + 5000, billedSeconds: 4 });
    expect(ledger.end({ account: 'acme', callId: 'c1', at: T0 + 6000, billedSeconds: 400 })).toEqual({
      status: 'ignored',
    });
    expect(ledger.answer({ account: 'acme', callId: 'c1', at: T0 + 6000 })).toEqual({ status: 'ignored' });
    expect(ledger.begin(begin({ at: T0 + 7000 }))).toEqual({ status: 'ended' });
    expect(usage(ledger).account).toMatchObject({
      concurrentCalls: 0,
      callsThisMinute: 1,
      spentTodayMicros: 834,
    });
  });

  it('records a call whose end arrived before its begin, as ended', () => {
    const ledger = new MemoryLedger();
    expect(ledger.end({ account: 'acme', callId: 'c1', at: T0 + 5000, billedSeconds: 60 })).toEqual({
      status: 'pending',
    });
    expect(ledger.end({ account: 'acme', callId: 'c1', at: T0 + 5000, billedSeconds: 60 })).toEqual({
      status: 'ignored',
    });
    expect(usage(ledger).account.concurrentCalls).toBe(0);
    expect(ledger.begin(begin())).toEqual({ status: 'ended' });
    expect(usage(ledger).account).toMatchObject({
      concurrentCalls: 0,
      callsThisMinute: 1,
      spentTodayMicros: 12_500,
    });
  });

  it('releases a call that never ends its maximum duration after its begin, answered or not', () => {
    const ledger = new MemoryLedger();
    ledger.begin(begin({ maxCallSeconds: 60 }));
    expect(ledger.answer({ account: 'acme', callId: 'c1', at: T0 + 20_000 })).toEqual({ status: 'answered' });
    expect(ledger.answer({ account: 'acme', callId: 'c1', at: T0 + 21_000 })).toEqual({ status: 'ignored' });
    expect(usage(ledger, T0 + 59_999).account.concurrentCalls).toBe(1);
    expect(usage(ledger, T0 + 60_000).account.concurrentCalls).toBe(0);
    // The released call keeps its whole reservation until a late end settles it.
    expect(usage(ledger, T0 + 60_000).account.spentTodayMicros).toBe(12_500);
    expect(ledger.begin(begin({ at: T0 + 90_000, maxCallSeconds: 60 }))).toEqual({ status: 'ended' });
    expect(ledger.end({ account: 'acme', callId: 'c1', at: T0 + 95_000, billedSeconds: 30 }).status).toBe(
      'settled',
    );
    expect(usage(ledger, T0 + 95_000).account).toMatchObject({ concurrentCalls: 0, spentTodayMicros: 6_250 });
  });

  // The case the order property test found: a later event releases the unanswered call first, then
  // an answer stamped before that release arrives. Both orders must end in the same count.
  it('counts the same whether a late answer comes before or after the event that releases the call', () => {
    const inOrder = new MemoryLedger();
    const shuffled = new MemoryLedger();
    const held = begin({ callId: 'held', at: T0 + 10_000, maxCallSeconds: 300, rateUnits: 0 });
    const other = begin({ callId: 'other', at: T0 + 294_000, maxCallSeconds: 300, rateUnits: 0 });
    const answer = { account: 'acme', callId: 'held', at: T0 + 30_000 };
    const end = { account: 'acme', callId: 'other', at: T0 + 310_000, billedSeconds: 0 };
    for (const ledger of [inOrder, shuffled]) {
      ledger.begin(held);
      ledger.begin(other);
    }
    inOrder.answer(answer);
    inOrder.end(end);
    shuffled.end(end);
    shuffled.answer(answer);
    // Released 300 s after its begin (T0 + 310 s) in both, answered or not.
    for (const at of [T0 + 309_999, T0 + 310_000, T0 + 330_000]) {
      expect(usage(shuffled, at).account).toEqual(usage(inOrder, at).account);
    }
    expect(usage(inOrder, T0 + 330_000).account.concurrentCalls).toBe(0);
  });

  // The ledger reuses an ended call's record for a later call: nothing of the first may carry over.
  // Each row is the first call's life (a 60 s call billed 30 s), in events.
  const c1 = { account: 'acme', callId: 'c1' };
  it.each<[string, (ledger: MemoryLedger) => void]>([
    [
      'released at its maximum duration, then ended late',
      (ledger) => {
        expect(ledger.begin(begin({ maxCallSeconds: 60 })).status).toBe('reserved');
        expect(usage(ledger, T0 + 61_000).account.concurrentCalls).toBe(0);
        expect(ledger.end({ ...c1, at: T0 + 70_000, billedSeconds: 30 }).status).toBe('settled');
      },
    ],
    [
      'answered and ended within its maximum duration',
      (ledger) => {
        expect(ledger.begin(begin({ maxCallSeconds: 60 })).status).toBe('reserved');
        expect(ledger.answer({ ...c1, at: T0 + 1_000 })).toEqual({ status: 'answered' });
        expect(ledger.end({ ...c1, at: T0 + 40_000, billedSeconds: 30 }).status).toBe('settled');
      },
    ],
    [
      'answered before its begin, then ended',
      (ledger) => {
        expect(ledger.answer({ ...c1, at: T0 + 1_000 })).toEqual({ status: 'pending' });
        expect(ledger.begin(begin({ maxCallSeconds: 60 })).status).toBe('reserved');
        expect(ledger.end({ ...c1, at: T0 + 40_000, billedSeconds: 30 }).status).toBe('settled');
      },
    ],
    [
      'ended with its bill before its begin',
      (ledger) => {
        expect(ledger.end({ ...c1, at: T0, billedSeconds: 30 })).toEqual({ status: 'pending' });
        expect(ledger.begin(begin({ maxCallSeconds: 60 }))).toEqual({ status: 'ended' });
      },
    ],
  ])('starts the next call clean after one %s', (_name, firstCall) => {
    const ledger = new MemoryLedger();
    firstCall(ledger);
    const at = T0 + 80_000;
    expect(ledger.begin(begin({ callId: 'c2', at, maxCallSeconds: 60 }))).toEqual({
      status: 'reserved',
      reservedMicros: 12_500,
      releaseAt: at + 60_000,
    });
    expect(usage(ledger, at).account.concurrentCalls).toBe(1);
    expect(ledger.answer({ account: 'acme', callId: 'c2', at })).toEqual({ status: 'answered' });
    expect(ledger.end({ account: 'acme', callId: 'c2', at: at + 10_000, billedSeconds: 10 })).toEqual({
      status: 'settled',
      costMicros: 2_084,
    });
    // c1 cost 30 s (6,250 µ$), c2 10 s (2,083.3… rounded up).
    expect(usage(ledger, at + 10_000).account).toMatchObject({
      concurrentCalls: 0,
      spentTodayMicros: 6_250 + 2_084,
    });
  });

  // Every field, the ones a new field would add included: each holds a value no fresh record has.
  it('reuse leaves a record exactly as a new one', () => {
    const owner = new AccountState(1);
    const fresh = new CallRecord(owner, 'c1');
    const used = new CallRecord(new AccountState(2), 'c0');
    const fields = used as unknown as Record<string, unknown>;
    for (const key of Object.keys(used)) fields[key] = Symbol(key);
    expect(used.reuse(owner, 'c1')).toEqual(fresh);
  });

  it('takes an answer that came before the begin', () => {
    const ledger = new MemoryLedger();
    expect(ledger.answer({ account: 'acme', callId: 'c1', at: T0 + 30_000 })).toEqual({ status: 'pending' });
    expect(ledger.begin(begin({ maxCallSeconds: 60 })).status).toBe('reserved');
    expect(usage(ledger, T0 + 59_999).account.concurrentCalls).toBe(1);
    expect(usage(ledger, T0 + 60_000).account.concurrentCalls).toBe(0);
  });

  it('keeps the spend of each local day apart', () => {
    const ledger = new MemoryLedger();
    const late = T0 + 14 * 3_600_000 + 59 * 60_000; // 23:59 UTC
    ledger.begin(begin({ at: late }));
    const next = late + 120_000;
    ledger.begin(begin({ callId: 'c2', at: next }));
    expect(usage(ledger, next).account.spentTodayMicros).toBe(750_000);
    // Ending yesterday's call does not touch today's figure.
    ledger.end({ account: 'acme', callId: 'c1', at: next + 1000, billedSeconds: 120 });
    expect(usage(ledger, next + 1000).account.spentTodayMicros).toBe(750_000);
  });
});

describe('MemoryLedger: bounds', () => {
  it.each([
    ['concurrentCalls', { concurrentCalls: 1 }, { counter: 1, bound: 1 }],
    // T0 is 09:00:00 UTC: the minute and the hour of both calls start at it.
    ['callsPerMinute', { callsPerMinute: 1 }, { counter: 1, bound: 1, windowStartsAt: T0 }],
    ['callsPerHour', { callsPerHour: 1 }, { counter: 1, bound: 1, windowStartsAt: T0 }],
    [
      'callsToSameNumberPerHour',
      { callsToSameNumberPerHour: 1 },
      { counter: 1, bound: 1, windowStartsAt: T0 },
    ],
    ['spendPerDay', { spendPerDay: 1_000_000 }, { counter: 750_000, bound: 1_000_000, reserve: 750_000 }],
  ] as const)('refuses the second call at %s', (limit, bounds, details) => {
    for (const level of ['account', 'extension'] as const) {
      const ledger = new MemoryLedger();
      const which = level === 'account' ? { accountBounds: bounds } : { extensionBounds: bounds };
      expect(ledger.begin(begin(which)).status).toBe('reserved');
      expect(ledger.begin(begin({ ...which, callId: 'c2', at: T0 + 1000 }))).toEqual({
        status: 'limited',
        limit,
        level,
        ...details,
      });
      // Nothing was counted for the refused call.
      expect(usage(ledger).account).toMatchObject({ concurrentCalls: 1, callsThisMinute: 1 });
    }
  });

  it.each([
    ['callsPerMinute', { callsPerMinute: 1 }, 60_000, Date.UTC(2024, 5, 3, 9, 1, 0)],
    ['callsPerHour', { callsPerHour: 1 }, 3_600_000, Date.UTC(2024, 5, 3, 10, 0, 0)],
    ['callsToSameNumberPerHour', { callsToSameNumberPerHour: 1 }, 3_600_000, Date.UTC(2024, 5, 3, 10, 0, 0)],
  ] as const)(
    'names the window %s counts in for a begin stamped in an earlier one (the later window)',
    (limit, bounds, ahead, window) => {
      const ledger = new MemoryLedger();
      // The first call is in the next window (09:01, or 10:00); the second is stamped before it.
      expect(ledger.begin(begin({ extensionBounds: bounds, at: T0 + ahead })).status).toBe('reserved');
      expect(ledger.begin(begin({ extensionBounds: bounds, callId: 'c2', at: T0 + 30_000 }))).toEqual({
        status: 'limited',
        limit,
        level: 'extension',
        counter: 1,
        bound: 1,
        windowStartsAt: window,
      });
    },
  );

  it('counts an account total over all extensions', () => {
    const ledger = new MemoryLedger();
    const accountBounds = { concurrentCalls: 2 };
    ledger.begin(begin({ accountBounds }));
    ledger.begin(begin({ accountBounds, callId: 'c2', extension: '101' }));
    expect(ledger.begin(begin({ accountBounds, callId: 'c3', extension: '102' }))).toMatchObject({
      status: 'limited',
      level: 'account',
      counter: 2,
    });
  });

  it('opens the next minute, hour and number count as the clock moves on', () => {
    const ledger = new MemoryLedger();
    const extensionBounds = { callsPerMinute: 1, callsToSameNumberPerHour: 1 };
    ledger.begin(begin({ extensionBounds, maxCallSeconds: 10 }));
    expect(
      ledger.begin(begin({ extensionBounds, callId: 'c2', at: T0 + 60_000, maxCallSeconds: 10 })),
    ).toMatchObject({
      limit: 'callsToSameNumberPerHour',
    });
    expect(
      ledger.begin(begin({ extensionBounds, callId: 'c3', at: T0 + 3_600_000, maxCallSeconds: 10 })).status,
    ).toBe('reserved');
  });
});

describe('MemoryLedger: reset, prune and bounds on memory', () => {
  it('reset forgets finished calls and keeps calls in progress with their reservations', () => {
    const ledger = new MemoryLedger();
    ledger.begin(begin());
    ledger.begin(begin({ callId: 'c2' }));
    ledger.end({ account: 'acme', callId: 'c2', at: T0 + 1000, billedSeconds: 60 });
    ledger.reset({ account: 'acme' });
    expect(usage(ledger, T0 + 1000).account).toEqual({
      concurrentCalls: 1,
      callsThisMinute: 0,
      callsThisHour: 0,
      callsToNumberThisHour: 0,
      spentTodayMicros: 750_000,
    });
    // The call in progress still settles against its own reservation.
    ledger.end({ account: 'acme', callId: 'c1', at: T0 + 2000, billedSeconds: 0 });
    expect(usage(ledger, T0 + 2000).account.spentTodayMicros).toBe(0);
  });

  it("an extension reset leaves the account's counters alone; the calls it releases leave the account's count", () => {
    const ledger = new MemoryLedger();
    ledger.begin(begin());
    ledger.begin(begin({ callId: 'c2', extension: '101' }));
    ledger.reset({ account: 'acme', extension: '100', releaseCalls: true });
    const after = usage(ledger);
    expect(after.extension).toMatchObject({ concurrentCalls: 0, callsThisMinute: 0, spentTodayMicros: 0 });
    expect(after.account).toMatchObject({
      concurrentCalls: 1,
      callsThisMinute: 2,
      spentTodayMicros: 1_500_000,
    });
    // The forgotten call's end is harmless.
    expect(ledger.end({ account: 'acme', callId: 'c1', at: T0 + 1000, billedSeconds: 5 }).status).toBe(
      'pending',
    );
  });

  it('an account reset with releaseCalls forgets everything', () => {
    const ledger = new MemoryLedger();
    ledger.begin(begin());
    ledger.reset({ account: 'acme', releaseCalls: true });
    expect(usage(ledger).account).toMatchObject({ concurrentCalls: 0, spentTodayMicros: 0 });
    expect(ledger.size).toEqual({ accounts: 0, entries: 0 });
    ledger.reset({ account: 'nobody' });
  });

  it('prunes idle accounts only once nothing they hold can matter', () => {
    const ledger = new MemoryLedger();
    ledger.begin(begin());
    ledger.end({ account: 'acme', callId: 'c1', at: T0 + 5000, billedSeconds: 10 });
    // Today's spend is still counted: the account stays until its day ends.
    expect(ledger.prune(T0 + 2 * EVENT_RETENTION_MS + 3_600_000)).toBe(0);
    expect(ledger.size.accounts).toBe(1);
    expect(ledger.prune((day(T0) + 1) * DAY)).toBe(1);
    expect(ledger.size).toEqual({ accounts: 0, entries: 0 });
  });

  // Ended ids are remembered for the retention period they ended in and the next one. T0 is 09:00,
  // on a period boundary (periods are 15 minutes), so T0 + k periods starts period k after T0's.
  it.each([
    [0, 'ended', 'the same period'],
    [1, 'ended', 'the next period'],
    [1.99, 'ended', 'the end of the next period'],
    [2, 'reserved', 'two periods later the id is forgotten: a new call'],
    [5, 'reserved', 'long after, several periods skipped at once'],
  ])('a begin %d periods after the end is %s (%s)', (periods, status) => {
    const ledger = new MemoryLedger();
    ledger.begin(begin({ maxCallSeconds: 60 }));
    ledger.end({ account: 'acme', callId: 'c1', at: T0 + 1000, billedSeconds: 1 });
    // Another call keeps the account busy, so that each event rotates its periods on the way.
    ledger.begin(begin({ callId: 'other', at: T0 + 2000, maxCallSeconds: 60 }));
    ledger.end({ account: 'acme', callId: 'other', at: T0 + 3000, billedSeconds: 1 });
    const at = T0 + Math.round(periods * EVENT_RETENTION_MS);
    expect(ledger.begin(begin({ at, maxCallSeconds: 60 })).status).toBe(status);
    // Both ids while they are remembered, then only the new call.
    expect(ledger.size.entries).toBe(status === 'ended' ? 2 : 1);
  });

  it('drops ended ids period by period as events arrive', () => {
    const ledger = new MemoryLedger();
    for (const [k, callId] of ['a', 'b', 'c'].entries()) {
      const at = T0 + k * EVENT_RETENTION_MS;
      ledger.begin(begin({ callId, at, maxCallSeconds: 60 }));
      ledger.end({ account: 'acme', callId, at: at + 1000, billedSeconds: 1 });
    }
    // a ended in period 0 and is gone in period 2; b (period 1) and c (period 2) are remembered.
    expect(ledger.size.entries).toBe(2);
    const at = T0 + 2 * EVENT_RETENTION_MS + 5000;
    expect(ledger.end({ account: 'acme', callId: 'b', at, billedSeconds: 1 }).status).toBe('ignored');
    expect(ledger.end({ account: 'acme', callId: 'a', at, billedSeconds: 1 }).status).toBe('pending');
    expect(ledger.answer({ account: 'acme', callId: 'c', at }).status).toBe('ignored');
  });

  // Thousands of ids, so that the call table grows and rebuilds (on inserts, and in prune) between
  // the periods: what it remembers must not depend on where its entries sit.
  it('remembers and forgets thousands of ended ids by period, through the table growing and rebuilding', () => {
    const ledger = new MemoryLedger();
    const N = 3_000;
    const callAt = (period: number, i: number) => T0 + period * EVENT_RETENTION_MS + i;
    const endAll = (prefix: string, period: number, account: string) => {
      for (let i = 0; i < N; i++) {
        const at = callAt(period, i);
        const callId = `${prefix}${i}`;
        expect(ledger.begin(begin({ account, callId, at, maxCallSeconds: 60 })).status).toBe('reserved');
        expect(ledger.end({ account, callId, at, billedSeconds: 1 }).status).toBe('settled');
      }
    };
    endAll('p0-', 0, 'acme');
    endAll('p0-', 0, 'globex');
    endAll('p1-', 1, 'acme');
    expect(ledger.size.entries).toBe(3 * N);
    const at = callAt(2, N);
    // Period 2: acme's period-0 ids are forgotten (new calls), its period-1 ids remembered; globex
    // has had no event since period 0, so a prune counts its ids out.
    for (let i = 0; i < N; i += 7) {
      expect(ledger.end({ account: 'acme', callId: `p1-${i}`, at, billedSeconds: 1 }).status).toBe('ignored');
      expect(ledger.begin(begin({ callId: `p0-${i}`, at, maxCallSeconds: 60 })).status).toBe('reserved');
    }
    const reborn = Math.ceil(N / 7);
    expect(ledger.size.entries).toBe(2 * N + reborn);
    expect(ledger.prune(at)).toBe(0);
    expect(ledger.size.entries).toBe(N + reborn);
    expect(ledger.end({ account: 'globex', callId: 'p0-1', at, billedSeconds: 1 }).status).toBe('pending');
    expect(ledger.answer({ account: 'acme', callId: `p1-${N - 1}`, at }).status).toBe('ignored');
    expect(ledger.begin(begin({ callId: `p0-${N - 1}`, at, maxCallSeconds: 60 })).status).toBe('reserved');
    expect(usage(ledger, at).account.concurrentCalls).toBe(reborn + 1);
  });

  it('forgets a call that never ended after its release and the retention period', () => {
    const ledger = new MemoryLedger();
    ledger.begin(begin({ maxCallSeconds: 60, rateUnits: 0 }));
    ledger.prune(T0 + 60_000 + EVENT_RETENTION_MS);
    expect(ledger.size.entries).toBe(0);
  });

  it('refuses calls when full, and frees room by pruning', () => {
    const ledger = new MemoryLedger({ maxCalls: 2, maxAccounts: 1 });
    expect(ledger.begin(begin({ maxCallSeconds: 60 })).status).toBe('reserved');
    expect(ledger.begin(begin({ callId: 'c2', maxCallSeconds: 60 })).status).toBe('reserved');
    expect(ledger.begin(begin({ callId: 'c3', maxCallSeconds: 60 }))).toEqual({ status: 'full' });
    expect(ledger.begin(begin({ account: 'globex', callId: 'c9' }))).toEqual({ status: 'full' });
    expect(ledger.end({ account: 'globex', callId: 'c9', at: T0, billedSeconds: 1 })).toEqual({
      status: 'full',
    });
    // Once the calls are forgotten, a prune on the way makes room.
    const later = T0 + 60_000 + 2 * EVENT_RETENTION_MS;
    expect(ledger.begin(begin({ callId: 'c3', at: later, maxCallSeconds: 60 })).status).toBe('reserved');
  });

  it('keeps an early end of a new account when making room for it prunes that account', () => {
    const ledger = new MemoryLedger({ maxCalls: 1 });
    ledger.begin(begin({ maxCallSeconds: 60 }));
    ledger.end({ account: 'acme', callId: 'c1', at: T0 + 1000, billedSeconds: 1 });
    // The ledger is full (c1's id); two periods later a prune on the way forgets it. The new
    // account globex is idle until its end is kept, so that prune would drop it too.
    const later = T0 + 2 * EVENT_RETENTION_MS;
    expect(ledger.end({ account: 'globex', callId: 'g1', at: later, billedSeconds: 30 }).status).toBe(
      'pending',
    );
    expect(ledger.size).toEqual({ accounts: 2, entries: 1 });
    // The kept end makes the begin a call that already ended, counted once and not in progress.
    expect(ledger.begin(begin({ account: 'globex', callId: 'g1', at: later + 1000 })).status).toBe('ended');
    const globex = ledger.usage({ account: 'globex', at: later + 1000, day: day(later) });
    expect(globex.account).toMatchObject({ concurrentCalls: 0, callsThisMinute: 1 });
    // Its id is the one entry: nothing leaked, and a prune after retention frees it.
    ledger.prune(later + 3 * EVENT_RETENTION_MS);
    expect(ledger.size.entries).toBe(0);
  });

  it.each([
    [{ maxCalls: 0 }, 'MemoryLedger option maxCalls must be a positive integer, got the number 0'],
    [{ maxAccounts: 1.5 }, 'MemoryLedger option maxAccounts must be a positive integer, got the number 1.5'],
    [{ maxCalls: '10' }, 'MemoryLedger option maxCalls must be a positive integer, got the string "10"'],
    [42, 'MemoryLedger options must be an object such as { maxCalls, maxAccounts }, got the number 42'],
    [null, 'MemoryLedger options must be an object such as { maxCalls, maxAccounts }, got null'],
  ])('rejects the options %j with invalid-argument', (options, message) => {
    const make = () => new MemoryLedger(options as MemoryLedgerOptions);
    expect(make).toThrow(SipguardError);
    expect(make).toThrow(`invalid argument: ${message}`);
    try {
      make();
    } catch (error) {
      expect(SipguardError.is(error) && error.code).toBe('invalid-argument');
    }
  });
});

describe('MemoryLedger: input it refuses', () => {
  it.each([
    [{ account: '' }, 'account must be a string'],
    [{ callId: 'x'.repeat(257) }, 'callId must be a string'],
    [{ extension: 7 as unknown as string }, 'extension must be a string'],
    [{ destination: '' }, 'destination must be a string'],
    [{ at: 1.5 }, 'at is not an instant'],
    [{ at: 0 }, 'at is not an instant'],
    [{ day: -1 }, 'day is not a day number'],
    [{ dayEndsAt: T0 }, 'dayEndsAt is not an instant after at'],
    [{ rateUnits: -1 }, 'rateUnits is not a non-negative integer'],
    [{ maxCallSeconds: 0 }, 'maxCallSeconds is not an integer from 1 to 86400'],
    [{ maxCallSeconds: 86_401 }, 'maxCallSeconds is not an integer'],
    [{ accountBounds: null as unknown as object }, 'accountBounds is not an object'],
    [
      { extensionBounds: { concurrentCalls: 1.5 } },
      'extensionBounds.concurrentCalls is not a non-negative integer',
    ],
  ])('begin %j → invalid (%s)', (over, message) => {
    const result = new MemoryLedger().begin(begin(over as Partial<BeginCall>));
    expect(result.status).toBe('invalid');
    expect(result.status === 'invalid' && result.message).toContain(message);
  });

  // Bounds that cannot change (frozen, no prototype, data properties only) are checked once; any
  // other object on every begin, so that one made wrong after a begin is still refused.
  it.each([
    {
      why: 'an object that is not frozen',
      make: () => {
        const bounds = { concurrentCalls: 5 };
        return { bounds, spoil: () => Object.assign(bounds, { concurrentCalls: -1 }) };
      },
      message: 'extensionBounds.concurrentCalls is not a non-negative integer',
    },
    {
      why: 'a frozen object whose getter reads another value',
      make: () => {
        let value = 5;
        const bounds = Object.freeze(
          Object.defineProperty(Object.create(null), 'concurrentCalls', {
            get: () => value,
            enumerable: true,
          }),
        );
        return { bounds, spoil: () => (value = -1) };
      },
      message: 'extensionBounds.concurrentCalls is not a non-negative integer',
    },
    {
      why: 'a frozen object whose prototype gains a bound',
      make: () => {
        const prototype: Record<string, unknown> = {};
        const bounds = Object.freeze(Object.assign(Object.create(prototype), { concurrentCalls: 5 }));
        return { bounds, spoil: () => (prototype.callsPerMinute = 'ten') };
      },
      message: 'extensionBounds.callsPerMinute is not a non-negative integer',
    },
  ])('checks again, on every begin, $why', ({ make, message }) => {
    const { bounds, spoil } = make();
    const ledger = new MemoryLedger();
    expect(ledger.begin(begin({ extensionBounds: bounds })).status).toBe('reserved');
    spoil();
    const again = ledger.begin(begin({ callId: 'c2', extensionBounds: bounds }));
    expect(again).toEqual({ status: 'invalid', message });
  });

  it('gets from boundsOf, as a compiled policy does, bounds that cannot change', () => {
    const bounds = boundsOf({ concurrentCalls: 2, callsPerMinute: null });
    expect(Object.isFrozen(bounds)).toBe(true);
    expect(Object.getPrototypeOf(bounds)).toBeNull();
    expect(Object.getOwnPropertyDescriptors(bounds)).toEqual({
      concurrentCalls: { value: 2, writable: false, enumerable: true, configurable: false },
    });
  });

  it('answers invalid to a bad event, without throwing', () => {
    const ledger = new MemoryLedger();
    expect(ledger.begin(null as unknown as BeginCall).status).toBe('invalid');
    expect(ledger.answer({ account: 'acme', callId: '', at: T0 }).status).toBe('invalid');
    expect(ledger.end({ account: 'acme', callId: 'c1', at: T0, billedSeconds: -1 }).status).toBe('invalid');
    expect(ledger.end({ account: 'acme', callId: 'c1', at: T0, billedSeconds: 604_801 }).status).toBe(
      'invalid',
    );
    expect(
      ledger.end({ account: 'acme', callId: 'c1', at: 'now' as unknown as number, billedSeconds: 1 }).status,
    ).toBe('invalid');
    expect(ledger.size.entries).toBe(0);
    expect(ledger.prune(Number.NaN)).toBe(0);
    expect(ledger.usage({ account: 'acme', at: Number.NaN, day: 0 }).account.concurrentCalls).toBe(0);
  });

  it('answers a query that is not an object with zeros, without throwing', () => {
    const ledger = new MemoryLedger();
    ledger.begin(begin());
    for (const query of [null, undefined, 7, 'acme']) {
      expect(ledger.usage(query as never)).toEqual({
        account: {
          concurrentCalls: 0,
          callsThisMinute: 0,
          callsThisHour: 0,
          callsToNumberThisHour: 0,
          spentTodayMicros: 0,
        },
      });
    }
  });

  // A reset that is wrong in any field does nothing, rather than the part it could read.
  it.each<[string, unknown]>([
    ['null', null],
    ['a string', 'acme'],
    ['no account', { releaseCalls: true }],
    ['an empty extension', { account: 'acme', extension: '' }],
    ['releaseCalls as text', { account: 'acme', releaseCalls: 'yes' }],
    ['releaseCalls as a number', { account: 'acme', releaseCalls: 1 }],
  ])('ignores a reset with %s, without throwing', (_reason, target) => {
    const ledger = new MemoryLedger();
    ledger.begin(begin());
    ledger.end({ account: 'acme', callId: 'c1', at: T0 + 1_000, billedSeconds: 1 });
    ledger.begin(begin({ callId: 'c2' }));
    const now = { account: 'acme', extension: '100', at: T0 + 2_000, day: day(T0) };
    const before = ledger.usage(now);
    expect(before.account).toMatchObject({ concurrentCalls: 1, callsThisMinute: 2 });
    expect(before.extension).toMatchObject({ concurrentCalls: 1, callsThisMinute: 2 });
    ledger.reset(target as never);
    expect(ledger.usage(now)).toEqual(before);
  });
});
