// The stateful step's pure halves: planStart (calling hours, call id and time, the ledger request)
// and finishStart (the ledger's answer as a decision, with the limit, counter and bound).
import { describe, expect, it } from 'vitest';
import { compileCallingHours, type LimitRules, MemoryLedger, ZoneClock } from '../../src/limits/index.js';
import type { CallDecision } from '../../src/policy/decision.js';
import { type CallStart, finishStart, isPending, planStart } from '../../src/policy/start.js';

const destination = { e164: '+882351234567', country: '001', type: 'unknown' } as const;
const allowed = {
  allowed: true,
  code: 'unrestricted',
  scope: 'account',
  destination,
  message: 'no calling-area rule and no rate cap apply; call to +882351234567 allowed',
} as unknown as CallDecision;
// Saturday 2024-06-01 03:00 in New York (07:00 UTC).
const AT = Date.UTC(2024, 5, 1, 7, 0, 0);
const start: CallStart = { account: 'acme', callId: 'c1', extension: '101', dialed: '+882351234567', at: AT };

function rules(over: Partial<LimitRules> = {}): LimitRules {
  const weekdays = compileCallingHours(['mon-fri 08:00-18:00']).hours;
  if (weekdays === undefined) throw new Error('hours');
  const clock = new ZoneClock('America/New_York');
  return {
    accountBounds: { concurrentCalls: 3 },
    extensionBounds: { concurrentCalls: 1, spendPerDay: 1_000_000 },
    extensionScopes: { concurrentCalls: 'account', spendPerDay: 'extension' },
    counting: true,
    spendLimited: true,
    maxCallSeconds: 3600,
    maxCallSecondsScope: 'account',
    dayClock: clock,
    hours: undefined,
    ...over,
    ...(over.hours === null ? { hours: { scope: 'account', hours: weekdays, clock } } : {}),
  } as LimitRules;
}

describe('planStart', () => {
  it('passes a denied call and an emergency call through untouched', () => {
    const denied = { ...allowed, allowed: false, code: 'area-not-allowed' } as unknown as CallDecision;
    expect(planStart(rules(), false, denied, start, undefined)).toBe(denied);
    const emergency = {
      allowed: true,
      code: 'emergency',
      scope: 'account',
      message: 'x',
    } as unknown as CallDecision;
    // Even with a broken call id and outside any hours.
    expect(
      planStart(rules({ hours: null as never }), false, emergency, { ...start, callId: '' }, undefined),
    ).toBe(emergency);
  });

  it.each([
    [{ account: '' }, 'no valid account'],
    [{ callId: 'x'.repeat(257) }, 'no valid callId'],
    [{ callId: '\ud800X' }, 'no valid callId (callId has half of a UTF-16 surrogate pair'],
    [{ account: 'acme\udfff' }, 'no valid account (account has half of a UTF-16 surrogate pair'],
    [{ at: Number.NaN }, 'no valid at'],
    [{ at: String(AT) as unknown as number }, 'no valid at'],
  ])('denies a start with %j as invalid-request', (over, message) => {
    const plan = planStart(rules(), false, allowed, { ...start, ...over }, '0.01');
    expect(isPending(plan)).toBe(false);
    expect(plan).toMatchObject({ allowed: false, code: 'invalid-request', scope: 'account' });
    expect(!isPending(plan) && plan.message).toContain(message);
  });

  it('denies a bad call id under a policy that counts nothing too: bad input is never let through', () => {
    const plan = planStart(
      rules({ counting: false, spendLimited: false }),
      false,
      allowed,
      { ...start, callId: '\udc00' },
      '0.01',
    );
    expect(plan).toMatchObject({ allowed: false, code: 'invalid-request' });
    // The same start with a good id: the decision, untouched.
    expect(planStart(rules({ counting: false, spendLimited: false }), false, allowed, start, '0.01')).toBe(
      allowed,
    );
  });

  it('refuses a call outside the calling hours, in the local time of the zone', () => {
    const plan = planStart(rules({ hours: null as never }), false, allowed, start, '0.01');
    expect(plan).toEqual({
      allowed: false,
      code: 'outside-calling-hours',
      scope: 'account',
      localTime: 'sat 03:00',
      timeZone: 'America/New_York',
      hours: ['mon-fri 08:00-18:00'],
      destination,
      message:
        'the call starts at sat 03:00 (America/New_York), outside the calling hours (mon-fri 08:00-18:00); call denied',
    });
  });

  it('builds the ledger request with the local spend day and the rate in 10^-8 USD', () => {
    const plan = planStart(rules(), false, allowed, start, '0.0125');
    if (!isPending(plan)) throw new Error(plan.message);
    expect(plan.begin).toEqual({
      account: 'acme',
      callId: 'c1',
      extension: '101',
      destination: '+882351234567',
      at: AT,
      day: Date.UTC(2024, 5, 1) / 86_400_000,
      dayEndsAt: Date.UTC(2024, 5, 2, 4, 0, 0),
      rateUnits: 1_250_000,
      maxCallSeconds: 3600,
      accountBounds: { concurrentCalls: 3 },
      extensionBounds: { concurrentCalls: 1, spendPerDay: 1_000_000 },
    });
  });

  it('needs the rate under a spend limit, unless onUnknownRate allows', () => {
    expect(planStart(rules(), false, allowed, start, undefined)).toMatchObject({
      allowed: false,
      code: 'rate-unknown',
      scope: 'extension',
      limit: 'extensionLimits.spendPerDay',
    });
    const plan = planStart(rules(), true, allowed, start, undefined);
    expect(isPending(plan) && plan.begin.rateUnits).toBe(0);
    // Without a spend limit an unknown rate is simply not counted.
    const free = planStart(rules({ spendLimited: false }), false, allowed, start, undefined);
    expect(isPending(free) && free.begin.rateUnits).toBe(0);
  });

  it('returns the call decision itself when no bound counts', () => {
    expect(planStart(rules({ counting: false }), false, allowed, start, '0.01')).toBe(allowed);
  });
});

describe('finishStart', () => {
  const pending = () => {
    const plan = planStart(rules(), false, allowed, start, '0.0125');
    if (!isPending(plan)) throw new Error('not pending');
    return plan;
  };

  it('adds the reservation to an allowed call', () => {
    const ledger = new MemoryLedger();
    const plan = pending();
    expect(finishStart(plan, ledger.begin(plan.begin))).toEqual({
      ...allowed,
      reservation: { reserved: '0.75', maxCallSeconds: 3600, releaseAt: AT + 3_600_000, duplicate: false },
    });
    expect(finishStart(plan, ledger.begin(plan.begin))).toMatchObject({ reservation: { duplicate: true } });
  });

  it.each([
    [
      { status: 'limited', limit: 'concurrentCalls', level: 'extension', counter: 1, bound: 1 },
      {
        code: 'concurrency-limit',
        scope: 'account',
        limit: 'extensionLimits.concurrentCalls',
        counter: 1,
        bound: 1,
        message:
          'extension "101" has 1 call in progress, the limit of 1 (extensionLimits.concurrentCalls, set by the account\'s default); call denied',
      },
    ],
    [
      { status: 'limited', limit: 'concurrentCalls', level: 'account', counter: 3, bound: 3 },
      {
        code: 'concurrency-limit',
        scope: 'account',
        limit: 'accountLimits.concurrentCalls',
        message:
          'the account has 3 calls in progress, the limit of 3 (accountLimits.concurrentCalls); call denied',
      },
    ],
    [
      { status: 'limited', limit: 'callsPerMinute', level: 'account', counter: 4, bound: 4 },
      {
        code: 'velocity-limit',
        limit: 'accountLimits.callsPerMinute',
        window: '2024-06-01T07:00:00.000Z',
        message:
          'the account started 4 calls in the minute from 07:00 UTC, the limit of 4 (accountLimits.callsPerMinute); call denied',
      },
    ],
    // A ledger that names the window its counter holds: for a call stamped in an earlier window, the
    // later one it counted in (07:01 here, for a call at 07:00), not the call's own.
    [
      {
        status: 'limited',
        limit: 'callsPerMinute',
        level: 'account',
        counter: 4,
        bound: 4,
        windowStartsAt: Date.UTC(2024, 5, 1, 7, 1, 0),
      },
      {
        code: 'velocity-limit',
        window: '2024-06-01T07:01:00.000Z',
        message:
          'the account started 4 calls in the minute from 07:01 UTC, the limit of 4 (accountLimits.callsPerMinute); call denied',
      },
    ],
    [
      {
        status: 'limited',
        limit: 'callsToSameNumberPerHour',
        level: 'account',
        counter: 5,
        bound: 5,
        windowStartsAt: Date.UTC(2024, 5, 1, 8, 0, 0),
      },
      { code: 'repeat-dial-limit', window: '2024-06-01T08:00:00.000Z' },
    ],
    [
      { status: 'limited', limit: 'callsPerHour', level: 'account', counter: 40, bound: 40 },
      { code: 'velocity-limit', limit: 'accountLimits.callsPerHour', window: '2024-06-01T07:00:00.000Z' },
    ],
    [
      { status: 'limited', limit: 'callsToSameNumberPerHour', level: 'account', counter: 5, bound: 5 },
      {
        code: 'repeat-dial-limit',
        limit: 'accountLimits.callsToSameNumberPerHour',
        message:
          'the account called +882351234567 5 times in the hour from 07:00 UTC, the limit of 5 (accountLimits.callsToSameNumberPerHour); call denied',
      },
    ],
    [
      {
        status: 'limited',
        limit: 'spendPerDay',
        level: 'extension',
        counter: 500_000,
        bound: 1_000_000,
        reserve: 750_000,
      },
      {
        code: 'spend-limit',
        scope: 'extension',
        limit: 'extensionLimits.spendPerDay',
        counter: '0.5',
        bound: '1',
        reserve: '0.75',
        day: '2024-06-01',
        timeZone: 'America/New_York',
        message:
          'extension "101" has spent or reserved $0.5 on 2024-06-01 (America/New_York); this call would reserve $0.75, over the limit of $1 (extensionLimits.spendPerDay, set by the extension); call denied',
      },
    ],
    [{ status: 'full' }, { code: 'ledger-unavailable', scope: 'account' }],
    [
      { status: 'ended' },
      { code: 'invalid-request', message: expect.stringContaining('belongs to a call that ended') },
    ],
    [
      { status: 'conflict' },
      { code: 'invalid-request', message: expect.stringContaining('in use by another call') },
    ],
    [
      { status: 'invalid', message: 'bad' },
      { code: 'invalid-request', message: expect.stringContaining('(bad)') },
    ],
  ] as const)('%j → %j', (result, decision) => {
    expect(finishStart(pending(), result as never)).toMatchObject({ allowed: false, ...decision });
  });

  // A ledger of the caller's own may answer anything: only a whole answer lets a call through.
  it.each<[string, unknown, string]>([
    ['no answer', undefined, 'is not an object'],
    ['null', null, 'is not an object'],
    ['a promise (an async ledger given to startCall)', Promise.resolve({}), 'is a promise'],
    ['an unknown status', { status: 'weird' }, 'has no known status'],
    ['no status', {}, 'has no known status'],
    ['reserved without an amount', { status: 'reserved', releaseAt: AT }, 'reservedMicros'],
    [
      'reserved with a fractional amount',
      { status: 'reserved', reservedMicros: 0.5, releaseAt: AT },
      'reservedMicros',
    ],
    ['reserved without a release time', { status: 'reserved', reservedMicros: 1 }, 'releaseAt'],
    [
      'a duplicate with a text amount',
      { status: 'duplicate', reservedMicros: '1', releaseAt: AT },
      'reservedMicros',
    ],
    [
      'limited by a limit that does not exist',
      { status: 'limited', limit: 'bogus', level: 'account', counter: 1, bound: 1 },
      'limit is not a limit name',
    ],
    [
      'limited at an unknown level',
      { status: 'limited', limit: 'concurrentCalls', level: 'x', counter: 1, bound: 1 },
      'level',
    ],
    [
      'limited without a counter',
      { status: 'limited', limit: 'callsPerHour', level: 'account', bound: 1 },
      'counter and bound',
    ],
    [
      'a spend limit without the reserve',
      { status: 'limited', limit: 'spendPerDay', level: 'account', counter: 1, bound: 1 },
      'reserve',
    ],
    [
      'a velocity limit whose window is not an instant',
      {
        status: 'limited',
        limit: 'callsPerMinute',
        level: 'account',
        counter: 1,
        bound: 1,
        windowStartsAt: 'now',
      },
      'windowStartsAt',
    ],
    ['invalid without a message', { status: 'invalid' }, 'message'],
  ])('denies ledger-unavailable on an answer that is %s', (_reason, answer, problem) => {
    const decision = finishStart(pending(), answer);
    expect(decision).toMatchObject({
      allowed: false,
      code: 'ledger-unavailable',
      scope: 'account',
      destination,
    });
    expect(decision.message).toContain('(its answer ');
    expect(decision.message).toContain(problem);
  });
});
