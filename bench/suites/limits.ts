// Usage limits: a call's begin and end in the memory ledger with 100k active accounts (each with a
// call in progress and every kind of bound in force), against the floor of any in-memory limit (one
// Map counter per account, incremented and decremented), and the memory a call in progress and an
// idle account hold.
import type { BeginCall, LevelBounds } from '../../src/limits/ledger.js';
import { MemoryLedger } from '../../src/limits/memory-ledger.js';
import { boundsOf } from '../../src/limits/rules.js';
import { compilePolicy } from '../../src/policy/index.js';
import { type BenchMeasure, type BenchSuite, prng, retainedBytes } from '../harness.js';

const ACCOUNTS = 100_000;
const BATCH = 1_000;
const DAY = 86_400_000;
// 01:00 UTC, so that a run stays within one spend day.
const T0 = Date.UTC(2024, 5, 3, 1, 0, 0);
const DESTINATIONS = Array.from({ length: 64 }, (_, i) => `+4420794${String(60_000 + i)}`);

// Bounds as a compiled policy holds them (frozen, without a prototype), which a ledger checks once.
const extensionBounds: LevelBounds = boundsOf({
  concurrentCalls: 10,
  callsPerMinute: 1_000,
  callsPerHour: 100_000,
  callsToSameNumberPerHour: 10_000,
  spendPerDay: 1_000_000_000,
});
const accountBounds: LevelBounds = boundsOf({
  concurrentCalls: 100,
  callsPerMinute: 10_000,
  callsPerHour: 1_000_000,
  callsToSameNumberPerHour: 100_000,
  spendPerDay: 10_000_000_000,
});

const accountKey = (i: number) => `account-${i}`;

function beginOf(
  account: string,
  callId: string,
  destination: string,
  at: number,
  maxCallSeconds: number,
): BeginCall {
  return {
    account,
    callId,
    extension: '100',
    destination,
    at,
    day: Math.floor(at / DAY),
    dayEndsAt: (Math.floor(at / DAY) + 1) * DAY,
    rateUnits: 1_250_000,
    maxCallSeconds,
    accountBounds,
    extensionBounds,
  };
}

/** A ledger in which each of `accounts` accounts has `callsPerAccount` calls in progress. */
function activeLedger(accounts: number, callsPerAccount = 1): MemoryLedger {
  const ledger = new MemoryLedger({ maxCalls: 4 * accounts * callsPerAccount + 4_000_000 });
  for (let i = 0; i < accounts; i++) {
    for (let k = 0; k < callsPerAccount; k++) {
      const call = beginOf(
        accountKey(i),
        `held-${i}-${k}`,
        DESTINATIONS[k % DESTINATIONS.length] ?? '',
        T0,
        14_400,
      );
      // Many calls per account for the memory figure: bounds that let them all in.
      const begun = ledger.begin(
        callsPerAccount === 1 ? call : { ...call, accountBounds: {}, extensionBounds: {} },
      );
      if (begun.status !== 'reserved') throw new Error(`bench setup call refused: ${begun.status}`);
    }
  }
  return ledger;
}

function memoryMeasures(smoke: boolean): BenchMeasure[] {
  const accounts = smoke ? 1_000 : 100_000;
  const perCall = smoke ? 10 : 100;
  const callAccounts = accounts / perCall;
  // Idle accounts: one call that began and ended today, with the ended id forgotten; the day's spend
  // keeps the account (its totals and one extension's counters) until local midnight.
  const idleLedger = () => {
    const ledger = new MemoryLedger();
    for (let i = 0; i < accounts; i++) {
      ledger.begin(beginOf(accountKey(i), 'c', DESTINATIONS[0] ?? '', T0, 14_400));
      ledger.end({ account: accountKey(i), callId: 'c', at: T0 + 60_000, billedSeconds: 60 });
    }
    ledger.prune(T0 + 40 * 60_000);
    if (ledger.size.accounts !== accounts || ledger.size.entries !== 0)
      throw new Error('idle ledger not idle');
    return ledger;
  };
  // Ended ids, remembered for duplicates: at 1,000 calls a second, 1.8M of them over two retention periods.
  const endedIds = smoke ? 10_000 : 1_000_000;
  const endedLedger = () => {
    const ledger = new MemoryLedger({ maxCalls: 2 * endedIds });
    for (let i = 0; i < endedIds; i++) {
      const account = accountKey(i % 1_000);
      const callId = `ended-${i}`;
      ledger.begin(beginOf(account, callId, DESTINATIONS[0] ?? '', T0 + i, 3_600));
      ledger.end({ account, callId, at: T0 + i, billedSeconds: 42 });
    }
    if (ledger.size.entries !== endedIds) throw new Error('ended ids not all remembered');
    return ledger;
  };
  return [
    {
      suite: 'limits',
      name: 'ledger: bytes per call in progress',
      unit: 'count',
      // Calls in `callAccounts` accounts only, so that the accounts' own share is 1 % of the figure.
      value: Math.round(retainedBytes(() => activeLedger(callAccounts, perCall)) / accounts),
    },
    {
      suite: 'limits',
      name: 'ledger: bytes per idle account with spend today',
      unit: 'count',
      value: Math.round(retainedBytes(idleLedger) / accounts),
    },
    {
      suite: 'limits',
      name: 'ledger: bytes per ended call id remembered',
      unit: 'count',
      // 1,000 accounts' share (with their spend today) is about 1 byte of the figure.
      value: Math.round(retainedBytes(endedLedger) / endedIds),
    },
  ];
}

export const limitsSuite: BenchSuite = {
  name: 'limits',
  groups: () => {
    const ledger = activeLedger(ACCOUNTS);
    const random = prng(20);
    const picks = Array.from({ length: BATCH }, () => Math.floor(random() * ACCOUNTS));
    const keys = picks.map(accountKey);
    const destinations = picks.map((_, i) => DESTINATIONS[i % DESTINATIONS.length] ?? '');
    let serial = 0;
    let at = T0 + 1_000;
    // The whole stateful step on the same ledger: checkCall (a cached classification, a cap), the
    // calling hours and the spend day in New York, then the ledger; the end goes to the ledger.
    const policy = compilePolicy({
      homeCountry: 'US',
      timeZone: 'America/New_York',
      maxRatePerMinute: '$0.05',
      accountLimits: { concurrentCalls: 100, callsPerMinute: 10_000, spendPerDay: '$100000' },
      extensionLimits: { concurrentCalls: 10, callsPerMinute: 1_000, callsToSameNumberPerHour: 10_000 },
      maxCallSeconds: 3_600,
      callingHours: { allow: ['mon-sun 00:00-24:00'] },
    });
    const floor = new Map<string, number>();
    for (let i = 0; i < ACCOUNTS; i++) floor.set(accountKey(i), 1);
    // One call's begin and end in the floor's counter: +1, then -1. Returns the count during the call.
    const floorPair = (account: string): number => {
      const active = (floor.get(account) ?? 0) + 1;
      floor.set(account, active);
      floor.set(account, (floor.get(account) ?? 1) - 1);
      return active;
    };
    // Every ended id, never forgotten: the Set grows through the run as the ledger's table does.
    const floorEnded = new Set<string>();
    return [
      {
        name: 'call begin + end, 100k active accounts',
        subject: 'MemoryLedger begin + end',
        tasks: [
          {
            name: 'MemoryLedger begin + end',
            batch: BATCH,
            run: () => {
              let settled = 0;
              for (let i = 0; i < BATCH; i++) {
                const account = keys[i] ?? '';
                const callId = `b${serial++}`;
                // The clock moves 1 ms per call: windows roll over as in service.
                at += 1;
                const begun = ledger.begin(beginOf(account, callId, destinations[i] ?? '', at, 3_600));
                if (begun.status !== 'reserved') throw new Error(`bench call refused: ${begun.status}`);
                const ended = ledger.end({ account, callId, at, billedSeconds: 42 });
                if (ended.status === 'settled') settled++;
              }
              return settled;
            },
          },
          {
            name: 'policy.startCall + ledger.end (checkCall, hours, day, ledger)',
            batch: BATCH,
            run: () => {
              let settled = 0;
              for (let i = 0; i < BATCH; i++) {
                const account = keys[i] ?? '';
                const callId = `p${serial++}`;
                at += 1;
                const decision = policy.startCall(ledger, {
                  account,
                  callId,
                  extension: '100',
                  dialed: '+44 20 7946 0958',
                  ratePerMinute: '0.0125',
                  at,
                });
                if (!decision.allowed) throw new Error(`bench call refused: ${decision.code}`);
                const ended = ledger.end({ account, callId, at, billedSeconds: 42 });
                if (ended.status === 'settled') settled++;
              }
              return settled;
            },
          },
          {
            name: 'floor: one Map counter per account, +1 and -1',
            batch: BATCH,
            run: () => {
              let sum = 0;
              for (let i = 0; i < BATCH; i++) sum += floorPair(keys[i] ?? '');
              return sum;
            },
          },
          {
            // The least that also refuses an ended id again: what a begin + end cannot do without.
            name: 'floor with ended ids: a Map counter per account, a Set of call ids',
            batch: BATCH,
            run: () => {
              let sum = 0;
              for (let i = 0; i < BATCH; i++) {
                const callId = `f${serial++}`;
                if (floorEnded.has(callId)) throw new Error('bench call id reused');
                sum += floorPair(keys[i] ?? '');
                floorEnded.add(callId);
              }
              return sum;
            },
          },
        ],
      },
    ];
  },
  measures: memoryMeasures,
};
