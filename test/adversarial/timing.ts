// Timing helpers for the linear-time tests. They compare two inputs measured in the same test, never
// an absolute time. Every source of noise on a busy shared machine (other processes taking the CPU,
// a colder cache, code not yet optimized, a garbage collection) can only make a batch of calls
// slower, so each side is the least of several batches, and the two sides' batches alternate so
// that both see the same machine. Garbage-collection pauses are left out: what they cost depends on
// the heap that earlier tests left behind and on V8's heuristics, not on the code under test, whose
// own work (a quadratic path included) runs between the pauses.
import { GCProfiler } from 'node:v8';

/** Keeps results alive so that no call is optimized away. */
let sink: unknown;
function keep(value: unknown): void {
  sink = value;
}
/** The last result kept (readable, so that keeping it is not dead code). */
export function sinkValue(): unknown {
  return sink;
}

/** Calls `fn` and returns what it threw, or undefined. */
export function thrown(fn: () => unknown): unknown {
  try {
    keep(fn());
    return undefined;
  } catch (error) {
    return error;
  }
}

/** One call on one input, and the input's size in characters. */
export interface Probe {
  readonly size: number;
  readonly call: () => unknown;
}

/** The outcome of comparing a large input with a small one. */
export interface Scaling {
  /** Milliseconds per call, the least over all batches. */
  readonly smallMs: number;
  readonly largeMs: number;
  /** How many times larger the large input is. */
  readonly sizeRatio: number;
  /** How many times longer the large input took. */
  readonly timeRatio: number;
}

/** Batches per side. */
const ROUNDS = 5;
/** Least duration of one batch, far above the timer's resolution and the cost of reading it. */
const BATCH_MS = 20;

/** Milliseconds per call over `calls` calls of `call`, less the garbage-collection pauses among them. */
function batchMs(call: () => unknown, calls: number): number {
  const profiler = new GCProfiler();
  profiler.start();
  const start = performance.now();
  for (let i = 0; i < calls; i++) keep(call());
  const elapsed = performance.now() - start;
  const pausedMs = profiler.stop().statistics.reduce((ms, gc) => ms + gc.cost / 1000, 0);
  return Math.max(elapsed - pausedMs, 0) / calls;
}

/** How many calls of `call` last at least `ms`, and how long that took; the trials double as warm-up. */
function callsLasting(call: () => unknown, ms: number): { calls: number; ms: number } {
  let calls = 1;
  for (;;) {
    const total = batchMs(call, calls) * calls;
    if (total >= ms) return { calls, ms: total };
    calls = total > 0 ? Math.max(2 * calls, Math.ceil((1.2 * calls * ms) / total)) : 2 * calls;
  }
}

/**
 * Measures a small and a large input of the same shape: calibration (and warm-up) first, then
 * ROUNDS alternating batches per side, keeping each side's least time per call. A small side's
 * batch lasts as long as a large side's: on a loaded machine a short batch can run in one lucky
 * time slice where a long one only gets its average share of the CPU, which would inflate the ratio.
 */
export function scaling(small: Probe, large: Probe): Scaling {
  const largeBatch = callsLasting(large.call, BATCH_MS);
  const smallBatch = callsLasting(small.call, largeBatch.ms);
  let smallMs = Number.POSITIVE_INFINITY;
  let largeMs = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    smallMs = Math.min(smallMs, batchMs(small.call, smallBatch.calls));
    largeMs = Math.min(largeMs, batchMs(large.call, largeBatch.calls));
  }
  const sizeRatio = large.size / small.size;
  return { smallMs, largeMs, sizeRatio, timeRatio: largeMs / smallMs };
}
