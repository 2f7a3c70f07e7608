// Timing helpers for the linear-time tests. They compare two inputs measured in the same test, never
// an absolute time, and take the least of several rounds so that a busy shared machine (other
// processes, garbage collection) makes a run slower, never a ratio smaller than it really is.

/** Keeps results alive so that no call is optimized away. */
let sink: unknown;
export function keep(value: unknown): void {
  sink = value;
}
export function sinkValue(): unknown {
  return sink;
}

/**
 * Time per call of `fn`, in milliseconds: the least over `rounds` rounds, each repeating `fn` until at
 * least `minMs` have passed, so that microsecond calls are measured above the timer's resolution.
 */
export function perCallMs(fn: () => unknown, rounds = 5, minMs = 15): number {
  let best = Number.POSITIVE_INFINITY;
  for (let r = 0; r < rounds; r++) {
    let calls = 0;
    const start = performance.now();
    let elapsed = 0;
    do {
      keep(fn());
      calls++;
      elapsed = performance.now() - start;
    } while (elapsed < minMs);
    best = Math.min(best, elapsed / calls);
  }
  return best;
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

/** The outcome of comparing a large input with a small one. */
export interface Scaling {
  readonly smallMs: number;
  readonly largeMs: number;
  /** How many times larger the large input is. */
  readonly sizeRatio: number;
  /** How many times longer the large input took. */
  readonly timeRatio: number;
}

/**
 * Measures `run` on a small and a large input (sizes in characters). Warms both up first, so that the
 * ratio compares optimized code with optimized code.
 */
export function scaling<T>(
  run: (input: T) => unknown,
  small: T,
  large: T,
  size: (input: T) => number,
): Scaling {
  keep(run(small));
  keep(run(large));
  const smallMs = perCallMs(() => run(small));
  const largeMs = perCallMs(() => run(large));
  const sizeRatio = size(large) / size(small);
  return { smallMs, largeMs, sizeRatio, timeRatio: largeMs / smallMs };
}
