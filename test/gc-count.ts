// Counts minor (young-generation) garbage collections while a lookup runs millions of times: a
// lookup that allocates nothing triggers none, and one that allocates even a 16-byte object per call
// triggers dozens. Counting collections, not time, is deterministic enough for a unit test; the
// count is read synchronously (v8.GCProfiler), so no clock or wait is involved.
import { GCProfiler } from 'node:v8';
import type { TaskMeta } from 'vitest';

declare module 'vitest' {
  interface TaskMeta {
    /** Each count's runs, for `--reporter=json` (how the figures in a report are gathered). */
    minorGcRuns?: (readonly number[])[];
  }
}

/** What V8 names its young-generation collections in GCProfiler statistics. */
const MINOR_GC_TYPES: ReadonlySet<string> = new Set(['Scavenge', 'MinorMarkSweep', 'MinorMarkCompact']);

/**
 * Runs before the first count, so that the JIT has usually optimized `call`. It cannot be sure to:
 * on a loaded machine the optimizing compiler runs late, and code not yet optimized may box numbers.
 */
const WARM_UP_CALLS = 100_000;

/**
 * Runs that are counted at most. Anything but the code under test (a lower JIT tier, a late
 * optimization) can only add collections, so the least count is kept, and a run with none ends the
 * search: it proves the calls together allocated less than one young generation.
 */
const ATTEMPTS = 3;

/** Runs `call` over `inputs` `calls` times in total; returns how many were truthy / non-negative. */
function drive<T>(inputs: readonly T[], calls: number, call: (input: T) => unknown): number {
  let n = 0;
  for (let k = 0; k < calls; k++) {
    const result = call(inputs[k % inputs.length] as T);
    if (result === true || (typeof result === 'number' && result >= 0)) n++;
  }
  return n;
}

/** The outcome of {@link minorGcsDuring}. */
export interface GcCount {
  /** How many calls returned true or a non-negative number. */
  readonly found: number;
  /** The least number of minor GCs over the runs counted. */
  readonly minorGcs: number;
  /** The count of each run, in order. */
  readonly runs: readonly number[];
}

/** Minor GCs while `call` runs `calls` times over `inputs`: the least over up to ATTEMPTS runs. */
export function minorGcsDuring<T>(inputs: readonly T[], calls: number, call: (input: T) => unknown): GcCount {
  drive(inputs, WARM_UP_CALLS, call);
  const runs: number[] = [];
  let found = 0;
  while (runs.length < ATTEMPTS && !runs.includes(0)) {
    const profiler = new GCProfiler();
    profiler.start();
    found = drive(inputs, calls, call);
    const { statistics } = profiler.stop();
    runs.push(statistics.filter((gc) => MINOR_GC_TYPES.has(gc.gcType)).length);
  }
  return { found, minorGcs: Math.min(...runs), runs };
}

/** Notes `count`'s runs on the test's meta, and returns it. */
export function noted(meta: TaskMeta, count: GcCount): GcCount {
  meta.minorGcRuns ??= [];
  meta.minorGcRuns.push(count.runs);
  return count;
}
