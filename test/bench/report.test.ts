// docs/performance.md and docs/performance-scaling.svg publish bench/results/latest.json: their
// generated parts must be exactly what bench/report.ts renders from it (run npm run bench:report).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderScalingChart } from '../../bench/chart.js';
import { applyBlocks, CHART, DOC, renderBlocks } from '../../bench/report.js';
import { type BenchReport, readReport } from '../../bench/report-data.js';

const report = readReport();
const doc = readFileSync(DOC, 'utf8');

describe('the performance report', () => {
  it('latest.json comes from a full run of every suite', () => {
    expect(new Set(report.figures.map((f) => f.suite))).toEqual(
      new Set(['ip', 'rate', 'calling', 'policy', 'limits']),
    );
    expect(new Set(report.measures.map((m) => m.suite))).toEqual(new Set(['ip', 'rate', 'limits', 'bundle']));
    expect(report.runs).toBeGreaterThanOrEqual(2);
    expect(report.exactHeap).toBe(true);
  });

  it('docs/performance.md shows exactly the figures of latest.json', () => {
    expect(applyBlocks(doc, renderBlocks(report))).toBe(doc);
  });

  it('docs/performance-scaling.svg is the chart of latest.json', () => {
    expect(readFileSync(CHART, 'utf8')).toBe(renderScalingChart(report));
  });

  it('would notice a changed figure (the checks above can fail)', () => {
    const changed: BenchReport = structuredClone(report);
    const has = changed.figures.find(
      (f) => f.group === 'IPv4 has, 1k entries, hits' && f.task === 'sipguard has',
    );
    expect(has).toBeDefined();
    if (has) has.medianNs *= 3;
    expect(applyBlocks(doc, renderBlocks(changed))).not.toBe(doc);
    expect(renderScalingChart(changed)).not.toBe(renderScalingChart(report));
  });

  it('refuses a document that lost a generated block', () => {
    const broken = doc.replace('<!-- /generated:targets -->', '');
    expect(() => applyBlocks(broken, renderBlocks(report))).toThrow(/generated:targets/);
  });
});
