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
}

/** A suite is a named list of groups, built lazily so that setup cost is not paid by skipped suites. */
export interface BenchSuite {
  readonly name: string;
  readonly groups: () => readonly BenchGroup[];
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

export async function runGroup(suite: string, group: BenchGroup, smoke: boolean): Promise<BenchFigure[]> {
  const bench = smoke
    ? new Bench({ time: 5, iterations: 3, warmupTime: 1, warmupIterations: 1 })
    : new Bench({ time: 400, iterations: 50, warmupTime: 150, warmupIterations: 20 });
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
