// `npm run bench` runs with `--runs=3` and then regenerates docs/performance.md: it runs the whole
// bench three times in fresh processes and keeps, per figure, the median of the runs (and every run's
// value, to show how noisy the machine was). `npm run bench:smoke` runs each task a few times only,
// to prove the benchmarks still work. `--suite=<name>` runs one suite and writes nothing unless
// `--out=<file>` names a file to write.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type BenchFigure,
  type BenchMeasure,
  canCollectGarbage,
  median,
  runGroup,
  sinkValue,
} from './harness.js';
import { type BenchReport, formatNs, type ReportFigure, type ReportMeasure } from './report-data.js';
import { suites } from './suites/index.js';

const smoke = process.argv.includes('--smoke');
const only = process.argv.find((a) => a.startsWith('--suite='))?.slice('--suite='.length);
const runs = Number(process.argv.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 1);
const rawOut = process.argv.find((a) => a.startsWith('--raw-out='))?.slice('--raw-out='.length);
// Where to write the report; by default only a full run of every suite writes bench/results/latest.json.
const outArg = process.argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
const quiet = rawOut !== undefined;

if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${runs}`);
if (only !== undefined && !suites.some((s) => s.name === only)) {
  throw new Error(`no suite ${JSON.stringify(only)}; suites: ${suites.map((s) => s.name).join(', ')}`);
}

interface RawRun {
  figures: BenchFigure[];
  measures: BenchMeasure[];
  loadAverage: number[];
}

/** Runs the selected suites once in this process. */
async function runOnce(): Promise<RawRun> {
  const loadAverage = loadavg();
  const figures: BenchFigure[] = [];
  const measures: BenchMeasure[] = [];
  for (const suite of suites) {
    if (only && suite.name !== only) continue;
    for (const group of suite.groups()) {
      const result = await runGroup(suite.name, group, smoke);
      figures.push(...result);
      if (!quiet) printGroup(group.name, suite.name, group.subject, result);
    }
    const measured = (await suite.measures?.(smoke)) ?? [];
    measures.push(...measured);
    if (!quiet && measured.length > 0) printMeasures(suite.name, measured);
  }
  return { figures, measures, loadAverage };
}

type Printable = Pick<BenchFigure, 'task' | 'medianNs' | 'p99Ns' | 'ratioToSubject'>;

function printGroup(group: string, suite: string, subject: string, figures: readonly Printable[]): void {
  console.log(`\n${suite} / ${group}`);
  console.table(
    figures.map((f) => ({
      task: f.task,
      median: formatNs(f.medianNs),
      p99: formatNs(f.p99Ns),
      [`× ${subject}`]: f.ratioToSubject.toFixed(2),
    })),
  );
}

function printMeasures(suite: string, measures: readonly BenchMeasure[]): void {
  console.log(`\n${suite} / measures`);
  console.table(
    measures.map((m) => ({
      measure: m.name,
      value:
        m.unit === 'bytes'
          ? `${(m.value / 1024).toFixed(1)} KiB`
          : m.unit === 'ms'
            ? `${m.value.toFixed(1)} ms`
            : String(m.value),
    })),
  );
}

/** Runs the whole bench `runs` times, each in a fresh process, and reads back the raw results. */
function runInChildren(count: number): RawRun[] {
  const dir = mkdtempSync(join(tmpdir(), 'sipguard-bench-'));
  try {
    const results: RawRun[] = [];
    for (let k = 0; k < count; k++) {
      const file = join(dir, `run-${k}.json`);
      const args = [...process.execArgv, process.argv[1] ?? 'bench/run.ts', `--raw-out=${file}`];
      console.log(`bench: run ${k + 1} of ${count} …`);
      execFileSync(process.execPath, args, { stdio: 'inherit' });
      results.push(JSON.parse(readFileSync(file, 'utf8')) as RawRun);
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Per figure, the median over runs of each run's median, and the median of each run's ratio. */
function mergeRuns(all: readonly RawRun[]): { figures: ReportFigure[]; measures: ReportMeasure[] } {
  const first = all[0];
  if (first === undefined) return { figures: [], measures: [] };
  const figures: ReportFigure[] = first.figures.map((f, i) => {
    const same = all.map((r) => r.figures[i]).filter((g): g is BenchFigure => g?.task === f.task);
    return {
      suite: f.suite,
      group: f.group,
      task: f.task,
      medianNs: median(same.map((g) => g.medianNs)),
      p99Ns: median(same.map((g) => g.p99Ns)),
      samples: same.reduce((n, g) => n + g.samples, 0),
      // Each run's own ratio first, then their median: both sides of a ratio ran under the same load.
      ratioToSubject: median(same.map((g) => g.ratioToSubject)),
      runMediansNs: same.map((g) => g.medianNs),
    };
  });
  const measures: ReportMeasure[] = first.measures.map((m, i) => {
    const same = all.map((r) => r.measures[i]).filter((g): g is BenchMeasure => g?.name === m.name);
    return { ...m, value: median(same.map((g) => g.value)), runValues: same.map((g) => g.value) };
  });
  return { figures, measures };
}

if (rawOut !== undefined) {
  writeFileSync(rawOut, JSON.stringify(await runOnce()));
} else {
  const all = runs > 1 ? runInChildren(runs) : [await runOnce()];
  const { figures, measures } = mergeRuns(all);
  if (runs > 1) {
    console.log(`\nmedians of ${runs} runs`);
    const groups = [...new Set(figures.map((f) => `${f.suite}\u0000${f.group}`))];
    for (const key of groups) {
      const [suite = '', group = ''] = key.split('\u0000');
      const own = figures.filter((f) => f.suite === suite && f.group === group);
      const subject = own[0]?.task ?? '';
      printGroup(group, suite, subject, own);
    }
    for (const suite of new Set(measures.map((m) => m.suite))) {
      printMeasures(
        suite,
        measures.filter((m) => m.suite === suite),
      );
    }
  }
  if (figures.length === 0 && measures.length === 0) console.log('no benchmark suites registered');
  if (outArg !== undefined || (!smoke && !only)) {
    const out = resolve(outArg ?? resolve(import.meta.dirname, 'results', 'latest.json'));
    const report: BenchReport = {
      date: new Date().toISOString(),
      node: process.version,
      v8: process.versions.v8,
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        memoryBytes: totalmem(),
        platform: process.platform,
        arch: process.arch,
        loadAverageAtStart: all.map((r) => r.loadAverage[0] ?? 0),
      },
      runs: all.length,
      exactHeap: canCollectGarbage(),
      figures,
      measures,
    };
    writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nwrote ${out}`);
  }
  console.log(
    `${smoke ? 'bench smoke' : 'bench'}: ${figures.length} figures, ${measures.length} measures (sink ${sinkValue()})`,
  );
}
