// Usage limits through the policy: validation with paths, per-limit precedence and account totals,
// emergency calls never limited, the spend day at local midnight across DST changes, calling hours
// across midnight, reservations, findings, and the asynchronous step failing closed.
import { describe, expect, it } from 'vitest';
import { SipguardError } from '../../src/errors.js';
import { type AsyncUsageLedger, MemoryLedger } from '../../src/limits/index.js';
import { compilePolicyJson } from '../../src/policy/compile.js';
import type { CallStart, StartDecision } from '../../src/policy/start.js';
import { RateTable } from '../../src/rate/index.js';

const utc = (iso: string) => Date.parse(iso);
const UK = '+44 20 7946 0958';

function issuesOf(doc: unknown): { path: string; code: string }[] {
  try {
    compilePolicyJson(doc);
  } catch (error) {
    if (error instanceof SipguardError) return error.issues.map((i) => ({ path: i.path, code: i.code }));
    throw error;
  }
  return [];
}

let serial = 0;
function call(extension: string, at: string | number, over: Partial<CallStart> = {}): CallStart {
  serial++;
  return {
    account: 'acme',
    callId: `c${serial}`,
    extension,
    dialed: UK,
    ratePerMinute: '0.0125',
    at: typeof at === 'number' ? at : utc(at),
    ...over,
  };
}
const summary = (d: StartDecision) => ({
  allowed: d.allowed,
  code: d.code,
  scope: d.scope,
  ...('limit' in d ? { limit: d.limit } : {}),
});

describe('limit fields: validation', () => {
  it.each([
    [{ timeZone: 'europe/london' }, '/timeZone', 'invalid-time-zone'],
    [{ timeZone: 'Mars/Olympus_Mons' }, '/timeZone', 'invalid-time-zone'],
    [
      { callingHours: { timeZone: 'Nowhere/City', allow: [] } },
      '/callingHours/timeZone',
      'invalid-time-zone',
    ],
    [
      { callingHours: { allow: ['mon 08:00-09:00', 'mon 09:00-09:00'] } },
      '/callingHours/allow/1',
      'invalid-calling-hours',
    ],
    [
      { extensions: { 7: { callingHours: { allow: ['tue 24:00-01:00'] } } } },
      '/extensions/7/callingHours/allow/0',
      'invalid-calling-hours',
    ],
    [
      { extensions: { 7: { extensionLimits: { spendPerDay: '1.00001' } } } },
      '/extensions/7/extensionLimits/spendPerDay',
      'too-many-decimals',
    ],
    [{ accountLimits: { spendPerDay: -5 } }, '/accountLimits/spendPerDay', 'negative-rate'],
    [{ accountLimits: { concurrentCalls: 1.5 } }, '/accountLimits/concurrentCalls', 'invalid-value'],
    [{ maxCallSeconds: 86_401 }, '/maxCallSeconds', 'invalid-value'],
    [{ extensions: { 7: { accountLimits: {} } } }, '/extensions/7/accountLimits', 'unknown-field'],
    [{ extensionLimits: { concurentCalls: 1 } }, '/extensionLimits/concurentCalls', 'unknown-field'],
  ])('%j → %s %s', (doc, path, code) => {
    expect(issuesOf(doc)).toEqual([{ path, code }]);
  });

  it('reports every bad calling-hours entry and keeps list indexes when an item has the wrong type', () => {
    expect(issuesOf({ callingHours: { allow: ['bad', 7, 'mon 08:00-09:00', 'worse'] } })).toEqual([
      { path: '/callingHours/allow/0', code: 'invalid-calling-hours' },
      { path: '/callingHours/allow/1', code: 'wrong-type' },
      { path: '/callingHours/allow/3', code: 'invalid-calling-hours' },
    ]);
  });
});

describe('limits: precedence and account totals', () => {
  const policy = compilePolicyJson({
    homeCountry: 'US',
    accountLimits: { concurrentCalls: 4 },
    extensionLimits: { concurrentCalls: 1, callsPerMinute: 2 },
    extensions: {
      110: { extensionLimits: { concurrentCalls: 3 } },
      111: { extensionLimits: { concurrentCalls: null } },
    },
  });
  const at = '2024-06-03T15:00:00Z';

  it('applies the account default to every extension, counted per extension', () => {
    const ledger = new MemoryLedger();
    expect(policy.startCall(ledger, call('100', at)).allowed).toBe(true);
    expect(summary(policy.startCall(ledger, call('100', at)))).toEqual({
      allowed: false,
      code: 'concurrency-limit',
      scope: 'account',
      limit: 'extensionLimits.concurrentCalls',
    });
    // Another extension has its own counter.
    expect(policy.startCall(ledger, call('101', at)).allowed).toBe(true);
  });

  it("lets an extension replace one limit and keep the account's others", () => {
    const ledger = new MemoryLedger();
    expect(policy.startCall(ledger, call('110', at)).allowed).toBe(true);
    expect(policy.startCall(ledger, call('110', at)).allowed).toBe(true);
    // Its own concurrentCalls of 3 would allow a third call, but the inherited callsPerMinute of 2 binds.
    expect(summary(policy.startCall(ledger, call('110', at)))).toEqual({
      allowed: false,
      code: 'velocity-limit',
      scope: 'account',
      limit: 'extensionLimits.callsPerMinute',
    });
    expect(summary(policy.startCall(ledger, call('110', utc(at) + 60_000)))).toMatchObject({ allowed: true });
    // Its own limit of 3 calls in progress, set by the extension.
    expect(summary(policy.startCall(ledger, call('110', utc(at) + 61_000)))).toEqual({
      allowed: false,
      code: 'concurrency-limit',
      scope: 'extension',
      limit: 'extensionLimits.concurrentCalls',
    });
  });

  it('caps every extension by the account total, whatever its own limits say', () => {
    const ledger = new MemoryLedger();
    for (let k = 0; k < 2; k++)
      expect(policy.startCall(ledger, call('111', utc(at) + k * 60_000)).allowed).toBe(true);
    expect(policy.startCall(ledger, call('100', at)).allowed).toBe(true);
    expect(policy.startCall(ledger, call('101', at)).allowed).toBe(true);
    const refused = policy.startCall(ledger, call('111', utc(at) + 180_000));
    expect(refused).toMatchObject({
      allowed: false,
      code: 'concurrency-limit',
      scope: 'account',
      limit: 'accountLimits.concurrentCalls',
      counter: 4,
      bound: 4,
    });
    expect(refused.message).toBe(
      'the account has 4 calls in progress, the limit of 4 (accountLimits.concurrentCalls); call denied',
    );
  });
});

describe('limits: emergency calls are never limited', () => {
  it.each([
    ['emergency: allow', { homeCountry: 'US' }],
    ['emergency: apply-rules', { homeCountry: 'US', calling: { allow: ['US'], emergency: 'apply-rules' } }],
  ])('%s: 911 goes through with no hours, a zero limit and a ledger that is down', async (_name, rules) => {
    const policy = compilePolicyJson({
      ...rules,
      accountLimits: { concurrentCalls: 0, spendPerDay: 0 },
      callingHours: { allow: [] },
    });
    const ledger = new MemoryLedger();
    const down: AsyncUsageLedger = {
      begin: () => Promise.reject(new Error('connection refused')),
      answer: () => Promise.reject(new Error('connection refused')),
      end: () => Promise.reject(new Error('connection refused')),
      usage: () => Promise.reject(new Error('connection refused')),
      reset: () => Promise.reject(new Error('connection refused')),
    };
    const emergency = call('100', '2024-06-01T07:00:00Z', { dialed: '911', callId: '' });
    expect(policy.startCall(ledger, emergency).allowed).toBe(true);
    expect((await policy.startCallAsync(down, emergency)).allowed).toBe(true);
    expect(ledger.size.accounts).toBe(0);
    // Any other call is refused, by the hours first.
    const ordinary = call('100', '2024-06-01T07:00:00Z', { dialed: '+1 202 456 1111' });
    expect(policy.startCall(ledger, ordinary).code).toBe('outside-calling-hours');
  });

  it('fails closed when an asynchronous ledger cannot be reached', async () => {
    const policy = compilePolicyJson({ homeCountry: 'US', accountLimits: { concurrentCalls: 5 } });
    const down = {
      begin: () => Promise.reject(new Error('connection refused')),
    } as unknown as AsyncUsageLedger;
    expect(await policy.startCallAsync(down, call('100', '2024-06-01T07:00:00Z'))).toMatchObject({
      allowed: false,
      code: 'ledger-unavailable',
      message: expect.stringContaining('(connection refused)'),
    });
    // A synchronous ledger passed to the asynchronous step works as well.
    expect(
      (await policy.startCallAsync(new MemoryLedger(), call('100', '2024-06-01T07:00:00Z'))).allowed,
    ).toBe(true);
  });

  // A ledger of the caller's own may throw, answer a promise to the synchronous step, or be no
  // ledger at all: each is a denial that says why, never an exception or an undefined decision.
  it.each<[string, unknown, string]>([
    [
      'throws',
      {
        begin: () => {
          throw new Error('disk full');
        },
      },
      '(disk full)',
    ],
    [
      'throws something that is not an Error',
      {
        begin: () => {
          throw Object.freeze({ reason: 'nope' });
        },
      },
      '(the ledger failed)',
    ],
    ['answers a promise', { begin: () => Promise.resolve({ status: 'reserved' }) }, 'is a promise'],
    ['answers an unknown status', { begin: () => ({ status: 'weird' }) }, 'has no known status'],
    ['is null', null, "Cannot read properties of null (reading 'begin')"],
  ])('the synchronous step fails closed when the ledger %s', (_reason, ledger, why) => {
    const policy = compilePolicyJson({ homeCountry: 'US', extensionLimits: { concurrentCalls: 1 } });
    expect(policy.startCall(ledger as never, call('100', '2024-06-01T07:00:00Z'))).toMatchObject({
      allowed: false,
      code: 'ledger-unavailable',
      message: expect.stringContaining(why),
    });
  });

  it('usageQuery of a query that is not an object gives one every ledger answers with zeros', () => {
    const policy = compilePolicyJson({ homeCountry: 'US', extensionLimits: { concurrentCalls: 1 } });
    const ledger = new MemoryLedger();
    expect(policy.startCall(ledger, call('100', '2024-06-01T07:00:00Z')).allowed).toBe(true);
    for (const query of [null, undefined, 'acme']) {
      expect(ledger.usage(policy.usageQuery(query as never)).account.concurrentCalls).toBe(0);
    }
  });

  it.each([
    // Days since 1970-01-01 of the local date in New York (EDT, UTC-4, in June).
    {
      at: '2024-06-03T03:59:59.999Z',
      localDate: Date.UTC(2024, 5, 2),
      why: '23:59:59.999 on the 2nd in New York',
    },
    { at: '2024-06-03T04:00:00.000Z', localDate: Date.UTC(2024, 5, 3), why: 'local midnight starts the 3rd' },
  ])(
    'usageQuery keeps the query and adds the spend day in the policy time zone: $why',
    ({ at, localDate }) => {
      const policy = compilePolicyJson({
        homeCountry: 'US',
        timeZone: 'America/New_York',
        accountLimits: { spendPerDay: '$10' },
      });
      const query = { account: 'acme', extension: '100', destination: '+442079460958', at: Date.parse(at) };
      const made = policy.usageQuery(query);
      expect(made).toEqual({ ...query, day: localDate / 86_400_000 });
      expect(Object.keys(made)).toEqual(['account', 'extension', 'destination', 'at', 'day']);
      expect(made).not.toBe(query);
    },
  );

  it('the asynchronous step fails closed on an answer that is not whole', async () => {
    const policy = compilePolicyJson({ homeCountry: 'US', extensionLimits: { concurrentCalls: 1 } });
    const ledger = { begin: async () => ({ status: 'reserved' }) } as unknown as AsyncUsageLedger;
    expect(await policy.startCallAsync(ledger, call('100', '2024-06-01T07:00:00Z'))).toMatchObject({
      allowed: false,
      code: 'ledger-unavailable',
      message: expect.stringContaining('reservedMicros'),
    });
  });
});

describe('limits: the spend day ends at local midnight, DST included', () => {
  // $0.0125/min × 3600 s reserves $0.75, so a second call on the same local day is over $1.
  // [zone, the last instant of a DST-change day checked, the first instant of the next day, why]
  it.each([
    [
      'America/New_York',
      '2024-03-11T03:59:59Z',
      '2024-03-11T04:00:00Z',
      'spring forward: a fixed EST offset would end the day at 05:00Z',
    ],
    [
      'Europe/London',
      '2024-10-27T23:59:59Z',
      '2024-10-28T00:00:00Z',
      'fall back: a fixed BST offset would end the day at 23:00Z',
    ],
    [
      'Australia/Sydney',
      '2024-04-07T13:59:59Z',
      '2024-04-07T14:00:00Z',
      'southern autumn: a fixed AEDT offset would end it at 13:00Z',
    ],
    [
      'America/Santiago',
      '2024-09-08T03:59:59Z',
      '2024-09-08T04:00:00Z',
      'the next day starts at 01:00: midnight does not exist',
    ],
    ['Asia/Kolkata', '2024-06-01T18:29:59Z', '2024-06-01T18:30:00Z', 'a half-hour offset'],
  ])('%s: a day ends between %s and %s (%s)', (timeZone, last, first) => {
    const policy = compilePolicyJson({
      homeCountry: 'US',
      timeZone,
      maxCallSeconds: 3600,
      extensionLimits: { spendPerDay: '$1' },
    });
    const ledger = new MemoryLedger();
    // The first call twelve hours before the end of its day, the second at its last second.
    expect(policy.startCall(ledger, call('100', utc(last) - 12 * 3_600_000 + 1000)).allowed).toBe(true);
    const late = policy.startCall(ledger, call('100', last));
    expect(late).toMatchObject({
      allowed: false,
      code: 'spend-limit',
      counter: '0.75',
      bound: '1',
      reserve: '0.75',
      timeZone,
    });
    expect(policy.startCall(ledger, call('100', first))).toMatchObject({
      allowed: true,
      reservation: { reserved: '0.75', maxCallSeconds: 3600, duplicate: false },
    });
  });

  it('settles from the billed seconds, freeing the rest of the reservation', () => {
    const policy = compilePolicyJson({
      homeCountry: 'US',
      maxCallSeconds: 3600,
      extensionLimits: { spendPerDay: '$1' },
    });
    const ledger = new MemoryLedger();
    const first = call('100', '2024-06-03T10:00:00Z');
    expect(policy.startCall(ledger, first).allowed).toBe(true);
    ledger.end({ account: 'acme', callId: first.callId, at: first.at + 60_000, billedSeconds: 60 });
    const query = policy.usageQuery({ account: 'acme', extension: '100', at: first.at + 60_000 });
    expect(ledger.usage(query).extension?.spentTodayMicros).toBe(12_500);
    expect(policy.startCall(ledger, call('100', first.at + 61_000)).allowed).toBe(true);
  });

  it('needs the rate of a call under a spend limit, and never waves a malformed one through', () => {
    const strict = compilePolicyJson({ homeCountry: 'US', accountLimits: { spendPerDay: 10 } });
    const lenient = compilePolicyJson({
      homeCountry: 'US',
      onUnknownRate: 'allow',
      accountLimits: { spendPerDay: 10 },
    });
    const ledger = new MemoryLedger();
    const unpriced = { ratePerMinute: undefined } as unknown as Partial<CallStart>;
    expect(summary(strict.startCall(ledger, call('100', '2024-06-03T10:00:00Z', unpriced)))).toEqual({
      allowed: false,
      code: 'rate-unknown',
      scope: 'account',
      limit: 'accountLimits.spendPerDay',
    });
    expect(lenient.startCall(ledger, call('100', '2024-06-03T10:00:00Z', unpriced))).toMatchObject({
      allowed: true,
      reservation: { reserved: '0' },
    });
    expect(
      lenient.startCall(ledger, call('100', '2024-06-03T10:00:00Z', { ratePerMinute: 'cheap' })),
    ).toMatchObject({
      allowed: false,
      code: 'rate-unknown',
    });
  });

  it("prices an uncapped call from a dated deck at the call's time, for the reservation", () => {
    // $0.50 a minute to +44 from 2020 until 4 June 2024, then $0.25: a call of at most 60 s on
    // 3 June reserves $0.50 of the $1.00 a day (the later row would let four calls in).
    const rates = RateTable.fromCsv(
      'prefix,rate,effective date\n44,0.5000,2020-01-01\n44,0.2500,2024-06-04\n',
    );
    const unpriced = { ratePerMinute: undefined } as unknown as Partial<CallStart>;
    for (const onUnknownRate of ['deny', 'allow']) {
      const policy = compilePolicyJson(
        { homeCountry: 'US', onUnknownRate, maxCallSeconds: 60, accountLimits: { spendPerDay: '$1.00' } },
        { rates },
      );
      const ledger = new MemoryLedger();
      const at = utc('2024-06-03T14:00:00Z');
      const codes = [0, 1, 2].map((i) => {
        const d = policy.startCall(ledger, call('100', at + i, unpriced));
        return 'reservation' in d ? `${d.code} ${d.reservation.reserved}` : d.code;
      });
      expect(codes, onUnknownRate).toEqual(['unrestricted 0.5', 'unrestricted 0.5', 'spend-limit']);
    }
  });

  it("reserves for the extension's own maxCallSeconds", () => {
    const policy = compilePolicyJson({
      homeCountry: 'US',
      maxRatePerMinute: '$0.05',
      extensionLimits: { spendPerDay: '$5' },
      extensions: { 7: { maxCallSeconds: 60 } },
    });
    const ledger = new MemoryLedger();
    expect(policy.startCall(ledger, call('100', '2024-06-03T10:00:00Z'))).toMatchObject({
      code: 'rate-within-cap',
      reservation: { reserved: '3', maxCallSeconds: 14_400 },
    });
    expect(policy.startCall(ledger, call('7', '2024-06-03T10:00:00Z'))).toMatchObject({
      reservation: { reserved: '0.0125', maxCallSeconds: 60 },
    });
  });
});

describe('limits: calling hours', () => {
  const policy = compilePolicyJson({
    homeCountry: 'US',
    timeZone: 'Europe/Berlin',
    callingHours: { allow: ['fri 22:00-06:00', 'sat 22:00-06:00'] },
    extensions: {
      night: { callingHours: null },
      ny: { callingHours: { timeZone: 'America/New_York', allow: ['mon-fri 09:00-17:00'] } },
    },
  });
  const ledger = new MemoryLedger();
  // [extension, instant, allowed?, why]
  it.each([
    ['100', '2024-06-07T19:59:00Z', false, 'Friday 21:59 in Berlin (CEST) is before the window'],
    ['100', '2024-06-07T20:00:00Z', true, 'Friday 22:00 starts it'],
    ['100', '2024-06-08T03:59:00Z', true, 'Saturday 05:59: the Friday window crosses midnight'],
    ['100', '2024-06-08T04:00:00Z', false, 'Saturday 06:00 ends it'],
    [
      '100',
      '2024-03-31T01:30:00Z',
      true,
      'Sunday 03:30 CEST, just after the clocks sprang forward, is in the Saturday window',
    ],
    ['100', '2024-01-06T04:59:00Z', true, 'Saturday 05:59 CET in winter'],
    ['night', '2024-06-05T12:00:00Z', true, 'an extension that lifts the hours'],
    ['ny', '2024-06-05T13:00:00Z', true, 'Wednesday 09:00 in New York, in its own zone'],
    ['ny', '2024-06-05T12:59:00Z', false, 'Wednesday 08:59 in New York'],
  ])('%s at %s → %s (%s)', (extension, at, allowed) => {
    const decision = policy.startCall(ledger, call(extension, at));
    expect(decision.allowed).toBe(allowed);
    if (!allowed) expect(decision.code).toBe('outside-calling-hours');
  });

  it('says when the call started, where, and which hours were in force', () => {
    expect(policy.startCall(ledger, call('ny', '2024-06-08T03:07:00Z'))).toMatchObject({
      code: 'outside-calling-hours',
      scope: 'extension',
      localTime: 'fri 23:07',
      timeZone: 'America/New_York',
      hours: ['mon-fri 09:00-17:00'],
    });
  });

  it('needs a call id, an account and a time', () => {
    expect(policy.startCall(ledger, call('night', '2024-06-05T12:00:00Z', { callId: '' }))).toMatchObject({
      allowed: false,
      code: 'invalid-request',
    });
    expect(policy.startCall(ledger, call('night', Number.NaN))).toMatchObject({ code: 'invalid-request' });
  });
});

describe('limits: findings', () => {
  it('flags hours that allow nothing, spend without a deck, limits above the total and identical overrides', () => {
    const policy = compilePolicyJson({
      homeCountry: 'US',
      accountLimits: { concurrentCalls: 5 },
      extensionLimits: { concurrentCalls: 2, spendPerDay: '$10' },
      callingHours: { allow: [] },
      extensions: {
        7: { extensionLimits: { concurrentCalls: 9, spendPerDay: 10 }, maxCallSeconds: 14_400 },
        8: { callingHours: { allow: [] } },
      },
    });
    expect(policy.findings.map((f) => [f.path, f.code, f.severity])).toEqual(
      expect.arrayContaining([
        ['/callingHours/allow', 'calling-hours-never', 'warning'],
        ['/extensions/8/callingHours/allow', 'calling-hours-never', 'warning'],
        ['/extensionLimits/spendPerDay', 'spend-limit-without-rate-table', 'warning'],
        ['/extensions/7/extensionLimits/concurrentCalls', 'limit-above-account-total', 'info'],
        ['/extensions/7/extensionLimits/spendPerDay', 'override-identical', 'info'],
        ['/extensions/7/maxCallSeconds', 'override-identical', 'info'],
        ['/extensions/8/callingHours', 'override-identical', 'info'],
      ]),
    );
  });
});
