// Counts minor (young-generation) garbage collections while a lookup runs millions of times: a
// lookup that allocates nothing triggers none. Counting GC events, not time, is deterministic
// enough for a unit test.
import { constants, PerformanceObserver } from 'node:perf_hooks';

/** Runs `call` over `inputs` `calls` times in total; returns how many were truthy / non-negative. */
function drive<T>(inputs: readonly T[], calls: number, call: (input: T) => unknown): number {
  let n = 0;
  for (let k = 0; k < calls; k++) {
    const result = call(inputs[k % inputs.length] as T);
    if (result === true || (typeof result === 'number' && result >= 0)) n++;
  }
  return n;
}

/** Minor GCs that started while `call` ran `calls` times over `inputs` (after a warm-up run, so the JIT has settled). */
export async function minorGcsDuring<T>(inputs: readonly T[], calls: number, call: (input: T) => unknown) {
  drive(inputs, 100_000, call);
  const starts: number[] = [];
  const observer = new PerformanceObserver((entries) => {
    for (const entry of entries.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } | null }).detail?.kind;
      if (kind === constants.NODE_PERFORMANCE_GC_MINOR) starts.push(entry.startTime);
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  const from = performance.now();
  const found = drive(inputs, calls, call);
  const to = performance.now();
  // GC entries are delivered asynchronously; wait for them, then count only those inside the run.
  await new Promise((done) => setTimeout(done, 100));
  observer.disconnect();
  return { found, minorGcs: starts.filter((t) => t >= from && t <= to).length };
}
