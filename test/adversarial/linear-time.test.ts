// No slow paths: each public entry point runs in time linear in its input. Every row measures a
// large input against a small one of the same shape, 16x smaller, in the same test, and bounds the
// ratio of the times by SLACK times the ratio of the sizes: a quadratic path takes 16x the ratio of
// a linear one, 4x over the bound. It never asserts an absolute time; timing.ts says how noise is
// kept out. Performance figures live in bench/, not here.
import { describe, expect, it, type TaskMeta } from 'vitest';
import { SipguardError } from '../../src/errors.js';
import { compilePolicyJson } from '../../src/policy/index.js';
import { DEFAULT_SIZES, type LinearCase, linearCases, policyOfSize } from './linear-cases.js';
import { type Scaling, scaling, thrown } from './timing.js';

declare module 'vitest' {
  interface TaskMeta {
    /** The measured figures, for `--reporter=json` (how the figures in a report are gathered). */
    linearTime?: Scaling & { readonly bound: number };
  }
}

const SLACK = 4;
// A row takes a few seconds, and up to a minute on a loaded 2-core machine; one took 340 s beside
// eight CPU-bound processes (its ratio was 23 against 64). A hang or a quadratic path (hours at
// 1 MiB) still ends here.
const TIMEOUT = 900_000;

/** Measures a row at its two sizes, notes the figures on the test, and returns them with the bound. */
function measure(row: Pick<LinearCase, 'probe' | 'sizes'>, meta: TaskMeta) {
  const result = scaling(row.probe(row.sizes.small), row.probe(row.sizes.large));
  const bound = SLACK * result.sizeRatio;
  meta.linearTime = { ...result, bound };
  const detail = `${result.largeMs.toFixed(4)} ms vs ${result.smallMs.toFixed(4)} ms for ${result.sizeRatio.toFixed(1)}x the input`;
  return { timeRatio: result.timeRatio, bound, detail };
}

// The slow path check-json.ts avoids: the line of every 8192nd character, each counted from the
// start of the text. Quadratic, with a cost per step like the scanners' own.
function linesByRescan(text: string): number {
  let sum = 0;
  for (let at = 0; at < text.length; at += 8192) {
    let line = 1;
    for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
    sum += line;
  }
  return sum;
}

describe('no slow paths: large inputs take time linear in their size', () => {
  for (const row of linearCases) {
    it(row.name, { timeout: TIMEOUT }, ({ task }) => {
      const { timeRatio, bound, detail } = measure(row, task.meta);
      expect(timeRatio, detail).toBeLessThanOrEqual(bound);
    });
  }

  it('control: the same measurement fails a quadratic path', { timeout: TIMEOUT }, ({ task }) => {
    const { timeRatio, bound, detail } = measure(
      {
        sizes: DEFAULT_SIZES,
        probe: (chars) => {
          const text = '"a":1,\n'.repeat(chars / 8);
          return { size: text.length, call: () => linesByRescan(text) };
        },
      },
      task.meta,
    );
    expect(timeRatio, detail).toBeGreaterThan(bound);
  });

  it('the large policies are compiled, or reported extension by extension, not refused for their size', {
    timeout: TIMEOUT,
  }, () => {
    const valid = JSON.parse(policyOfSize(DEFAULT_SIZES.large, false)) as { extensions: object };
    expect(thrown(() => compilePolicyJson(valid))).toBeUndefined();
    const bad = JSON.parse(policyOfSize(DEFAULT_SIZES.large, true)) as { extensions: object };
    const error = thrown(() => compilePolicyJson(bad));
    expect(error).toBeInstanceOf(SipguardError);
    const reported = new Set(
      (error as SipguardError).issues.map((issue) => /^\/extensions\/([^/]+)\//.exec(issue.path)?.[1]),
    );
    expect(reported).toEqual(new Set(Object.keys(bad.extensions)));
  });
});
