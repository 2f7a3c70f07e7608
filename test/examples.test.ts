// The bundled example is what `npm start` shows a newcomer: its cases (written by hand, with reasons
// in their names) must keep passing, and together they must exercise every decision code a cases
// file can reach.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRuleCases, runCases } from '../src/cases/run-cases.js';
import { compilePolicy } from '../src/policy/compile.js';
import { RateTable } from '../src/rate/index.js';

const read = (name: string) => readFileSync(resolve(import.meta.dirname, '../examples', name), 'utf8');
const policy = compilePolicy(JSON.parse(read('policy.json')), {
  rates: RateTable.fromCsv(read('rates.csv')),
});
const { cases } = parseRuleCases(JSON.parse(read('cases.json')));

describe('examples/', () => {
  it.each(runCases(policy, cases).map((r) => [r.name, r] as const))('%s', (_name, result) => {
    expect({ allowed: result.actual.allowed, code: result.actual.code }).toEqual(result.expected);
  });

  it('covers every decision code except invalid-request (a cases file always names an extension)', () => {
    const codes = new Set(cases.map((c) => c.code));
    expect([...codes].sort()).toEqual(
      [
        'allow-list-empty',
        'area-allowed',
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
