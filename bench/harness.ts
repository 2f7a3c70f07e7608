// One benchmark harness for every suite. Each task runs a *batch* of operations per call so that
// sub-microsecond work is measured above the timer's resolution; figures are per operation.
import { Bench } from 'tinybench';

/** A measured task: `run` performs `batch` operations and returns something for the sink. */
export interface BenchTask {
  readonly name: string;
  readonly batch: number;
  readonly run: () => unknown;
}

/** Tasks compared side by side in the same run; ratios are against `subject`. */
export interface BenchGroup {
  readonly name: string;
  /** The sipguard task the peers are compared with. */
  readonly subject: string;
  readonly tasks: readonly BenchTask[];
  /** Tasks that take tens of milliseconds or more (compiling 100k entries): few samples, no time floor. */
  readonly slow?: boolean;
}

/** A figure that is not a timing loop: retained heap, bundle bytes, cold import time. */
export interface BenchMeasure {
  suite: string;
  name: string;
  unit: 'bytes' | 'ms' | 'count';
  value: number;
}

/** A suite is a named list of groups, built lazily so that setup cost is not paid by skipped suites. */
export interface BenchSuite {
  readonly name: string;
  readonly groups: () => readonly BenchGroup[];
  /** One-off measurements (memory, bundle size); run after the groups. */
  readonly measures?: (smoke: boolean) => Promise<BenchMeasure[]> | BenchMeasure[];
}

/** One measured figure, as written to bench/results/latest.json. */
export interface BenchFigure {
  suite: string;
  group: string;
  task: string;
  medianNs: number;
  meanNs: number;
  p99Ns: number;
  samples: number;
  /** medianNs divided by the subject's medianNs in the same group (1 for the subject). */
  ratioToSubject: number;
}

// Results are folded into the sink so the JIT cannot drop the work as dead code.
let sink = 0;
export function consume(value: unknown): void {
  if (value === true) sink++;
  else if (typeof value === 'number') sink += value;
  else if (value !== undefined && value !== null && value !== false) sink ^= 1;
}
export function sinkValue(): number {
  return sink;
}

function benchFor(group: BenchGroup, smoke: boolean): Bench {
  if (smoke) return new Bench({ time: 5, iterations: 3, warmupTime: 1, warmupIterations: 1 });
  if (group.slow) return new Bench({ time: 0, iterations: 9, warmupTime: 0, warmupIterations: 2 });
  return new Bench({ time: 400, iterations: 50, warmupTime: 150, warmupIterations: 20 });
}

export async function runGroup(suite: string, group: BenchGroup, smoke: boolean): Promise<BenchFigure[]> {
  const bench = benchFor(group, smoke);
  for (const task of group.tasks) bench.add(task.name, () => consume(task.run()));
  await bench.run();
  const figures: BenchFigure[] = [];
  for (const task of group.tasks) {
    const t = bench.getTask(task.name);
    const result = t?.result;
    if (!result || !('latency' in result)) {
      throw new Error(`benchmark ${suite} / ${group.name} / ${task.name} did not complete: ${result?.state}`);
    }
    const perOp = (ms: number) => (ms * 1e6) / task.batch;
    figures.push({
      suite,
      group: group.name,
      task: task.name,
      medianNs: perOp(result.latency.p50),
      meanNs: perOp(result.latency.mean),
      p99Ns: perOp(result.latency.p99),
      samples: result.latency.samplesCount,
      ratioToSubject: 1,
    });
  }
  const subject = figures.find((f) => f.task === group.subject);
  if (!subject) throw new Error(`group ${group.name} has no subject task ${group.subject}`);
  for (const f of figures) f.ratioToSubject = f.medianNs / subject.medianNs;
  return figures;
}

/**
 * Memory in use after two full collections (exact only under `node --expose-gc`): the heap plus
 * `ArrayBuffer` memory, which holds large typed arrays outside the heap.
 */
export function settledHeapUsed(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

/** Whether heap figures are exact: `gc()` is exposed. */
export function canCollectGarbage(): boolean {
  return typeof (globalThis as { gc?: unknown }).gc === 'function';
}

/**
 * The memory retained by what `build` returns: three structures are built one after another and all
 * kept alive; each one's cost is the growth of the settled heap, and the median of the three is
 * returned, so that garbage freed by chance between two measurements does not decide the figure.
 */
export function retainedBytes(build: () => unknown): number {
  const kept: unknown[] = [];
  const growth: number[] = [];
  let previous = settledHeapUsed();
  for (let k = 0; k < 3; k++) {
    kept.push(build());
    const now = settledHeapUsed();
    growth.push(now - previous);
    previous = now;
  }
  consume(kept.length);
  return median(growth);
}

/** Median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** mulberry32: a small deterministic PRNG, so every run measures the same data. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
