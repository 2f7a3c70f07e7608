// The memory ledger against the reference model (reference.ts), and the properties the attack model
// needs: counters never negative, any order and repetition of events the same state, and a spend
// limit never exceeded by interleaved concurrent calls.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BeginCall, LevelBounds, UsageLedger } from '../../src/limits/ledger.js';
import { MemoryLedger } from '../../src/limits/memory-ledger.js';
import { type Bounds, ModelLedger, modelCost } from './reference.js';

const DAY = 86_400_000;
const ACCOUNTS = ['acme', 'globex'] as const;
const EXTENSIONS = ['100', '101', '102'] as const;
const DESTINATIONS = ['+442079460958', '+18765550100', '+33123456789'] as const;
const CALLS = 8;
// Ten minutes before a UTC midnight, so that sequences cross a spend day and an hour.
const BASE = Date.UTC(2024, 2, 9, 23, 50, 0);

interface CallParams {
  readonly account: string;
  readonly extension: string;
  readonly destination: string;
  readonly rateUnits: number;
  readonly maxCallSeconds: number;
}

const boundsArb: fc.Arbitrary<Bounds> = fc.record(
  {
    concurrentCalls: fc.integer({ min: 0, max: 4 }),
    callsPerMinute: fc.integer({ min: 0, max: 5 }),
    callsPerHour: fc.integer({ min: 0, max: 8 }),
    callsToSameNumberPerHour: fc.integer({ min: 0, max: 3 }),
    spendPerDay: fc.integer({ min: 0, max: 3_000_000 }),
  },
  { requiredKeys: [] },
);

const callArb: fc.Arbitrary<CallParams> = fc.record({
  account: fc.constantFrom(...ACCOUNTS),
  extension: fc.constantFrom(...EXTENSIONS),
  destination: fc.constantFrom(...DESTINATIONS),
  // Free, $0.0125/min, $0.5/min and a rate with 8 decimals.
  rateUnits: fc.constantFrom(0, 1_250_000, 50_000_000, 1_234_567),
  maxCallSeconds: fc.constantFrom(30, 90, 300),
});

type Op =
  | { kind: 'begin' | 'answer'; call: number; dt: number }
  | { kind: 'end'; call: number; dt: number; billed: number }
  | { kind: 'usage'; call: number; dt: number };

// Events on `calls` call ids, each `maxDt` ms or less after the one before.
const opsOf = (calls: number, maxDt: number): fc.Arbitrary<Op> =>
  fc.oneof(
    fc.record({ kind: fc.constant('begin' as const), call: fc.nat(calls - 1), dt: fc.nat(maxDt) }),
    fc.record({ kind: fc.constant('answer' as const), call: fc.nat(calls - 1), dt: fc.nat(maxDt) }),
    fc.record({
      kind: fc.constant('end' as const),
      call: fc.nat(calls - 1),
      dt: fc.nat(maxDt),
      billed: fc.nat(400),
    }),
    fc.record({ kind: fc.constant('usage' as const), call: fc.nat(calls - 1), dt: fc.nat(maxDt) }),
  );
const opArb = opsOf(CALLS, 12_000);

const scenarioOf = (calls: number, ops: fc.Arbitrary<Op>, minOps: number, maxOps: number) =>
  fc.record({
    accountBounds: boundsArb,
    extensionBounds: fc.tuple(boundsArb, boundsArb, boundsArb),
    calls: fc.array(callArb, { minLength: calls, maxLength: calls }),
    ops: fc.array(ops, { minLength: minOps, maxLength: maxOps }),
  });
const scenarioArb = scenarioOf(CALLS, opArb, 1, 60);
type Scenario = typeof scenarioArb extends fc.Arbitrary<infer S> ? S : never;

const dayOf = (at: number) => Math.floor(at / DAY);

function beginOf(s: Scenario, index: number, at: number): BeginCall {
  const c = s.calls[index] as CallParams;
  return {
    account: c.account,
    callId: `call-${index}`,
    extension: c.extension,
    destination: c.destination,
    at,
    day: dayOf(at),
    dayEndsAt: (dayOf(at) + 1) * DAY,
    rateUnits: c.rateUnits,
    maxCallSeconds: c.maxCallSeconds,
    accountBounds: s.accountBounds as LevelBounds,
    extensionBounds: s.extensionBounds[
      EXTENSIONS.indexOf(c.extension as (typeof EXTENSIONS)[number])
    ] as LevelBounds,
  };
}

function usageOf(ledger: UsageLedger, account: string, extension: string, at: number, destination: string) {
  return ledger.usage({ account, extension, destination, at, day: dayOf(at) });
}

// Runs a scenario's events through the memory ledger and the model: the same result for every
// event, and the same counters after it: of every account and extension, or (`eventLevelsOnly`,
// since the model recounts every call per query) of the event's own account and extension.
function agreesWithModel(s: Scenario, eventLevelsOnly = false): void {
  const ledger = new MemoryLedger();
  const model = new ModelLedger();
  let at = BASE;
  for (const op of s.ops) {
    at += op.dt;
    const c = s.calls[op.call] as CallParams;
    const callId = `call-${op.call}`;
    if (op.kind === 'begin') {
      const got = ledger.begin(beginOf(s, op.call, at));
      const want = model.begin(beginOf(s, op.call, at));
      const { releaseAt: _ignored, ...comparable } = got as typeof got & { releaseAt?: number };
      expect(comparable).toEqual(want);
    } else if (op.kind === 'answer') {
      expect(ledger.answer({ account: c.account, callId, at }).status).toBe(
        model.answer(c.account, callId, at),
      );
    } else if (op.kind === 'end') {
      const got = ledger.end({ account: c.account, callId, at, billedSeconds: op.billed });
      expect(got.status).toBe(model.end(c.account, callId, at, op.billed));
    }
    for (const account of eventLevelsOnly ? [c.account] : ACCOUNTS) {
      for (const extension of eventLevelsOnly ? [c.extension] : EXTENSIONS) {
        expect(usageOf(ledger, account, extension, at, c.destination)).toEqual(
          model.usage(account, extension, at, dayOf(at), c.destination),
        );
      }
    }
  }
}

describe('MemoryLedger against the reference model', () => {
  it('gives the same result for every event and the same counters after it', () => {
    fc.assert(
      fc.property(scenarioArb, (s) => agreesWithModel(s)),
      { numRuns: 300 },
    );
  });

  it('agrees with 1,500 call ids, so that its call table grows and rebuilds', () => {
    // 1,500 ids, more than the table's first size holds, and 2,000 to 2,500 events 300 ms or less
    // apart: within the model's retention period.
    const many = scenarioOf(1_500, opsOf(1_500, 300), 2_000, 2_500);
    fc.assert(
      fc.property(many, (s) => agreesWithModel(s, true)),
      { numRuns: 4 },
    );
  });
});

describe('MemoryLedger properties', () => {
  it('never shows a negative counter, whatever the order, the time order or the repetition of events', () => {
    const wild = fc.record({
      ops: fc.array(
        fc.record({
          kind: fc.constantFrom('begin', 'answer', 'end', 'reset', 'reset-release', 'prune'),
          call: fc.nat(CALLS - 1),
          // Time may go backwards by up to two hours.
          at: fc.integer({ min: BASE - 2 * 3_600_000, max: BASE + 2 * 3_600_000 }),
          billed: fc.nat(400),
        }),
        { maxLength: 80 },
      ),
      scenario: scenarioArb,
    });
    fc.assert(
      fc.property(wild, ({ ops, scenario }) => {
        const ledger = new MemoryLedger();
        for (const op of ops) {
          const c = scenario.calls[op.call] as CallParams;
          const callId = `call-${op.call}`;
          if (op.kind === 'begin') ledger.begin(beginOf(scenario, op.call, op.at));
          else if (op.kind === 'answer') ledger.answer({ account: c.account, callId, at: op.at });
          else if (op.kind === 'end')
            ledger.end({ account: c.account, callId, at: op.at, billedSeconds: op.billed });
          else if (op.kind === 'reset') ledger.reset({ account: c.account, extension: c.extension });
          else if (op.kind === 'reset-release') ledger.reset({ account: c.account, releaseCalls: true });
          else ledger.prune(op.at);
          for (const account of ACCOUNTS) {
            let extensionsActive = 0;
            let total = -1;
            for (const extension of EXTENSIONS) {
              const usage = usageOf(ledger, account, extension, op.at, c.destination);
              for (const level of [usage.account, usage.extension]) {
                for (const value of Object.values(level ?? {})) expect(value).toBeGreaterThanOrEqual(0);
              }
              extensionsActive += usage.extension?.concurrentCalls ?? 0;
              total = usage.account.concurrentCalls;
            }
            // Calls in progress are never more than began: the totals count each call once.
            expect(total).toBeLessThanOrEqual(CALLS);
            expect(extensionsActive).toBeLessThanOrEqual(CALLS);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('leaves the same state for any order and repetition of answers, ends and repeated begins', () => {
    // Calls that no bound refuses, begun in time order; answers, ends and copies of every event
    // arrive in any order after their begin's time. The state is compared at one instant after all.
    const orderArb = fc
      .record({
        calls: fc.array(
          fc.record({
            params: callArb,
            start: fc.nat(300_000),
            answerAfter: fc.option(fc.nat(20_000), { nil: undefined }),
            endAfter: fc.option(fc.nat(25_000), { nil: undefined }),
            billed: fc.nat(30),
          }),
          { minLength: 1, maxLength: 8 },
        ),
        seed: fc.integer(),
        copies: fc.array(fc.nat(23), { maxLength: 12 }),
      })
      .map((r) => ({ ...r, calls: [...r.calls].sort((a, b) => a.start - b.start) }));
    fc.assert(
      fc.property(orderArb, fc.func(fc.integer()), ({ calls, copies }, shuffle) => {
        type Event = { key: number; run: (ledger: UsageLedger) => void };
        const events: Event[] = [];
        const begins: Event[] = [];
        const bounds: LevelBounds = { callsToSameNumberPerHour: 100, spendPerDay: 1e12 };
        calls.forEach((call, i) => {
          const at = BASE + call.start;
          const begin: BeginCall = {
            account: call.params.account,
            callId: `c${i}`,
            extension: call.params.extension,
            destination: call.params.destination,
            at,
            day: dayOf(at),
            dayEndsAt: (dayOf(at) + 1) * DAY,
            rateUnits: call.params.rateUnits,
            maxCallSeconds: 300,
            accountBounds: bounds,
            extensionBounds: bounds,
          };
          begins.push({ key: i, run: (l) => l.begin(begin) });
          if (call.answerAfter !== undefined) {
            const answerAt = at + call.answerAfter;
            events.push({
              key: i,
              run: (l) => l.answer({ account: begin.account, callId: begin.callId, at: answerAt }),
            });
          }
          if (call.endAfter !== undefined) {
            const endAt = at + Math.max(call.endAfter, call.answerAfter ?? 0);
            events.push({
              key: i,
              run: (l) =>
                l.end({
                  account: begin.account,
                  callId: begin.callId,
                  at: endAt,
                  billedSeconds: call.billed,
                }),
            });
          }
        });
        const all = [...begins, ...events];
        const repeated = [...all, ...copies.map((k) => all[k % all.length] as Event)];
        // The reference order: every begin, then every other event, each once.
        const reference = new MemoryLedger();
        for (const e of all) e.run(reference);
        // A shuffled order in which each call's first begin keeps its place among the begins.
        const shuffled = new MemoryLedger();
        const order = repeated.map((e, index) => ({ e, rank: shuffle(index) }));
        const firstBegins = new Set(begins);
        const rest = order.filter((o) => !firstBegins.has(o.e)).sort((a, b) => a.rank - b.rank);
        const merged: Event[] = [];
        let r = 0;
        for (const b of begins) {
          const take = Math.abs(shuffle(b.key + 1000)) % (rest.length - r + 1);
          for (let k = 0; k < take; k++) merged.push((rest[r++] as { e: Event }).e);
          merged.push(b);
        }
        while (r < rest.length) merged.push((rest[r++] as { e: Event }).e);
        for (const e of merged) e.run(shuffled);

        const at = BASE + 330_000;
        for (const account of ACCOUNTS) {
          for (const extension of EXTENSIONS) {
            for (const destination of DESTINATIONS) {
              expect(usageOf(shuffled, account, extension, at, destination)).toEqual(
                usageOf(reference, account, extension, at, destination),
              );
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never lets interleaved concurrent calls overshoot a spend limit', () => {
    const interleavedArb = fc.record({
      limit: fc.integer({ min: 0, max: 2_000_000 }),
      extensionLimit: fc.option(fc.integer({ min: 0, max: 1_500_000 }), { nil: undefined }),
      steps: fc.array(
        fc.record({
          begin: fc.boolean(),
          call: fc.nat(39),
          extension: fc.constantFrom(...EXTENSIONS),
          rateUnits: fc.constantFrom(1_250_000, 50_000_000, 12_345_678),
          billedFraction: fc.double({ min: 0, max: 1, noNaN: true }),
        }),
        { maxLength: 120 },
      ),
    });
    fc.assert(
      fc.property(interleavedArb, ({ limit, extensionLimit, steps }) => {
        const ledger = new MemoryLedger();
        const maxCallSeconds = 600;
        const rates = new Map<number, { rateUnits: number; extension: string }>();
        let settled = 0n;
        let at = BASE;
        for (const step of steps) {
          at += 1000;
          const callId = `c${step.call}`;
          if (step.begin) {
            const result = ledger.begin({
              account: 'acme',
              callId,
              extension: step.extension,
              destination: '+442079460958',
              at,
              day: dayOf(at),
              dayEndsAt: (dayOf(at) + 1) * DAY,
              rateUnits: step.rateUnits,
              maxCallSeconds,
              accountBounds: { spendPerDay: limit },
              extensionBounds: extensionLimit === undefined ? {} : { spendPerDay: extensionLimit },
            });
            if (result.status === 'reserved')
              rates.set(step.call, { rateUnits: step.rateUnits, extension: step.extension });
          } else if (rates.has(step.call)) {
            // Only an admitted call is placed, so only an admitted call ends (billed within its maximum).
            const billed = Math.floor(step.billedFraction * maxCallSeconds);
            const result = ledger.end({ account: 'acme', callId, at, billedSeconds: billed });
            const call = rates.get(step.call);
            if (result.status === 'settled' && call !== undefined)
              settled += modelCost(call.rateUnits, billed);
          }
          const usage = ledger.usage({ account: 'acme', at, day: dayOf(at) });
          expect(usage.account.spentTodayMicros).toBeLessThanOrEqual(limit);
          expect(settled).toBeLessThanOrEqual(BigInt(limit));
          if (extensionLimit !== undefined) {
            for (const extension of EXTENSIONS) {
              const own = ledger.usage({ account: 'acme', extension, at, day: dayOf(at) }).extension;
              expect(own?.spentTodayMicros ?? 0).toBeLessThanOrEqual(extensionLimit);
            }
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
