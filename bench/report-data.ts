// The shape of bench/results/latest.json and small readers for it, shared by the runner, the chart
// and the doc generator, so that every published figure comes from that one file.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** A timed figure: the median over runs of each run's median time per operation. */
export interface ReportFigure {
  suite: string;
  group: string;
  task: string;
  medianNs: number;
  p99Ns: number;
  samples: number;
  ratioToSubject: number;
  /** Each run's own median, in run order: their spread is the noise of the machine. */
  runMediansNs: number[];
}

/** A one-off figure (bytes or milliseconds), the median over runs. */
export interface ReportMeasure {
  suite: string;
  name: string;
  unit: 'bytes' | 'ms' | 'count';
  value: number;
  runValues: number[];
}

/** bench/results/latest.json. */
export interface BenchReport {
  date: string;
  node: string;
  v8: string;
  machine: {
    cpu: string;
    cores: number;
    memoryBytes: number;
    platform: string;
    arch: string;
    /** The 1-minute load average when each run started: other work on the machine. */
    loadAverageAtStart: number[];
  };
  runs: number;
  /** Heap figures are exact only when the bench ran with `--expose-gc`. */
  exactHeap: boolean;
  figures: ReportFigure[];
  measures: ReportMeasure[];
}

export const LATEST_JSON = resolve(import.meta.dirname, 'results', 'latest.json');

export function readReport(file = LATEST_JSON): BenchReport {
  return JSON.parse(readFileSync(file, 'utf8')) as BenchReport;
}

/** `97.3 ns`, `4.21 µs`, `1.40 ms`. */
export function formatNs(ns: number): string {
  if (ns < 1000) return `${ns.toFixed(1)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(2)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/** The figure of `task` in the group named `group`, or undefined. */
export function figureOf(report: BenchReport, group: string, task: string): ReportFigure | undefined {
  return report.figures.find((f) => f.group === group && f.task === task);
}

/** The measure named `name`, or undefined. */
export function measureOf(report: BenchReport, name: string): ReportMeasure | undefined {
  return report.measures.find((m) => m.name === name);
}
