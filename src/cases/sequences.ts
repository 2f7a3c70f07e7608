// Rule-set sequences: a series of calls, each with its time and expected decision, run through the
// stateful step with a fresh in-memory ledger, so that limits can be tested the way other rules are.
import { MemoryLedger } from '../limits/index.js';
import type { DecisionCode } from '../policy/decision.js';
import type { Policy } from '../policy/policy.js';
import type { CallStart } from '../policy/start.js';
import type { RuleCaseResult } from './result.js';

/** The id of call `k` (from 1) of a step placed `repeat` times: `#<k>` appended when it repeats. */
export const repeatCallId = (base: string, repeat: number, k: number): string =>
  repeat === 1 ? base : `${base}#${k}`;

/** Most steps in one sequence, and most calls one step may repeat. */
export const MAX_SEQUENCE_STEPS = 1_000;
/** Most calls a step's `repeat` may place. */
export const MAX_REPEAT = 1_000;
/** Most calls one cases file may place over all its sequences: each is kept for the report. */
export const MAX_SEQUENCE_CALLS = 100_000;

/** One step: a call placed at a time (repeated `repeat` times, `every` seconds apart), or the end of a call. */
export type SequenceStep =
  | {
      /** ISO 8601 with a zone: `2024-06-01T03:00:00Z`, `2024-06-01T05:00:00+02:00`. */
      readonly at: string;
      readonly call: { readonly extension: string; readonly dialed: string; readonly ratePerMinute?: string };
      readonly expect: 'allow' | 'deny';
      readonly code?: DecisionCode;
      /** Given: the call is answered at once and ends this many seconds later, billed for them all. */
      readonly duration?: number;
      /** The call id (a repeated step appends `#2`, `#3`, …); default: the step's place in the sequence. */
      readonly callId?: string;
      readonly repeat?: number;
      readonly every?: number;
      readonly end?: never;
    }
  | {
      readonly at: string;
      readonly end: { readonly callId: string; readonly billedSeconds: number };
      readonly call?: never;
    };

/** A named series of steps, in time order, against one account. */
export interface RuleSequence {
  readonly name: string;
  /** The account key in the ledger (default `"cases"`). */
  readonly account?: string;
  readonly steps: readonly SequenceStep[];
}

interface ScheduledEnd {
  readonly at: number;
  readonly callId: string;
  readonly billedSeconds: number;
}

/**
 * Runs each sequence against `policy` with its own fresh ledger: every call goes through
 * `policy.startCall`, calls with a `duration` end on their own, `end` steps end the calls they name.
 * Never throws; a call passes when allowed (and code, if given) match.
 */
export function runSequences(policy: Policy, sequences: readonly RuleSequence[]): RuleCaseResult[] {
  const results: RuleCaseResult[] = [];
  for (const sequence of sequences) {
    const ledger = new MemoryLedger();
    const account = sequence.account ?? 'cases';
    let ends: ScheduledEnd[] = [];
    const endUpTo = (at: number) => {
      const due = ends.filter((e) => e.at <= at).sort((a, b) => a.at - b.at);
      ends = ends.filter((e) => e.at > at);
      for (const e of due)
        ledger.end({ account, callId: e.callId, at: e.at, billedSeconds: e.billedSeconds });
    };
    sequence.steps.forEach((step, index) => {
      const start = Date.parse(step.at);
      if (step.end !== undefined) {
        endUpTo(start);
        ledger.end({ account, callId: step.end.callId, at: start, billedSeconds: step.end.billedSeconds });
        return;
      }
      const repeat = step.repeat ?? 1;
      const base = step.callId ?? `step-${index + 1}`;
      for (let k = 0; k < repeat; k++) {
        const at = start + k * (step.every ?? 0) * 1000;
        endUpTo(at);
        const callId = repeatCallId(base, repeat, k + 1);
        const request: CallStart = { ...step.call, account, callId, at };
        const actual = policy.startCall(ledger, request);
        if (actual.allowed && step.duration !== undefined) {
          ledger.answer({ account, callId, at });
          ends.push({ at: at + step.duration * 1000, callId, billedSeconds: step.duration });
        }
        const allowed = step.expect === 'allow';
        const which = repeat === 1 ? '' : ` (call ${k + 1} of ${repeat})`;
        const passed = actual.allowed === allowed && (step.code === undefined || actual.code === step.code);
        results.push({
          outcome: passed ? 'passed' : 'failed',
          name: `${sequence.name} › step ${index + 1}${which}`,
          passed,
          expected: step.code === undefined ? { allowed } : { allowed, code: step.code },
          actual,
        });
      }
    });
  }
  return results;
}
