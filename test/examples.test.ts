// The bundled example is what `npm start` shows a newcomer: its cases (written by hand, with reasons
// in their names) must keep passing, and together they must exercise every decision code a cases
// file can reach.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuleCases, runCases } from '../src/cases/run-cases.js';
import { runSequences } from '../src/cases/sequences.js';
import { compilePolicy } from '../src/policy/compile.js';
import { RateTable } from '../src/rate/index.js';

const read = (name: string) => readFileSync(resolve(import.meta.dirname, '../examples', name), 'utf8');
const policy = compilePolicy(JSON.parse(read('policy.json')), {
  rates: RateTable.fromCsv(read('rates.csv')),
});
const { cases, sequences } = parseRuleCases(JSON.parse(read('cases.json')));

describe('examples/', () => {
  it.each([...runCases(policy, cases), ...runSequences(policy, sequences)].map((r) => [r.name, r] as const))(
    '%s',
    (_name, result) => {
      expect(result.outcome).not.toBe('malformed');
      expect({ allowed: result.actual?.allowed, code: result.actual?.code }).toMatchObject(
        result.expected ?? {},
      );
    },
  );

  it('covers every decision code except invalid-request (a cases file always names an extension) and ledger-unavailable (a sequence has a fresh ledger)', () => {
    const codes = new Set([
      ...cases.map((c) => c.code),
      ...sequences.flatMap((s) => s.steps.map((step) => (step.call === undefined ? undefined : step.code))),
    ]);
    codes.delete(undefined);
    expect([...codes].sort()).toEqual(
      [
        'allow-list-empty',
        'area-allowed',
        'concurrency-limit',
        'outside-calling-hours',
        'repeat-dial-limit',
        'spend-limit',
        'velocity-limit',
        'area-denied',
        'area-not-allowed',
        'emergency',
        'invalid-ip',
        'invalid-number',
        'ip-allowed',
        'ip-not-allowed',
        'rate-above-cap',
        'rate-unknown',
        'rate-within-cap',
        'unrestricted',
      ].sort(),
    );
  });
});
