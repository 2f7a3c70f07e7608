// `npm run bench` runs every suite and writes bench/results/latest.json;
// `npm run bench:smoke` runs each task a few times only, to prove the benchmarks still work.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { resolve } from 'node:path';
import { type BenchFigure, runGroup, sinkValue } from './harness.js';
import { suites } from './suites/index.js';

const smoke = process.argv.includes('--smoke');
const only = process.argv.find((a) => a.startsWith('--suite='))?.slice('--suite='.length);

const fmt = (ns: number) =>
  ns < 1000
    ? `${ns.toFixed(1)} ns`
    : ns < 1e6
      ? `${(ns / 1e3).toFixed(2)} µs`
      : `${(ns / 1e6).toFixed(2)} ms`;

const figures: BenchFigure[] = [];
for (const suite of suites) {
  if (only && suite.name !== only) continue;
  for (const group of suite.groups()) {
    const result = await runGroup(suite.name, group, smoke);
    figures.push(...result);
    console.log(`\n${suite.name} / ${group.name}`);
    console.table(
      result.map((f) => ({
        task: f.task,
        median: fmt(f.medianNs),
        p99: fmt(f.p99Ns),
        [`× ${group.subject}`]: f.ratioToSubject.toFixed(2),
      })),
    );
  }
}

if (figures.length === 0) console.log('no benchmark suites registered');
if (!smoke && !only) {
  const out = resolve(import.meta.dirname, 'results', 'latest.json');
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryBytes: totalmem(),
      platform: process.platform,
      arch: process.arch,
    },
    figures,
  };
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
}
console.log(`${smoke ? 'bench smoke' : 'bench'}: ${figures.length} figures (sink ${sinkValue()})`);
