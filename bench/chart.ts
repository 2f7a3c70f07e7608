// The scaling chart of docs/performance.md: median time per has() lookup against the number of list
// entries, one line per implementation, IPv4 and IPv6 side by side, both axes logarithmic. Rendered
// from bench/results/latest.json only, as plain SVG text, so the same figures give the same file.
import type { BenchReport } from './report-data.js';

/** The sizes of the lookup groups, in the group names of bench/suites/ip.ts. */
const SIZES = [
  { entries: 10, label: '10' },
  { entries: 1_000, label: '1k' },
  { entries: 10_000, label: '10k' },
  { entries: 100_000, label: '100k' },
] as const;

/** Each drawn line: the task name in the ip suite, its legend text and colour. */
const SERIES = [
  { task: 'sipguard has', label: 'sipguard has()', colour: '#1b7f3b', width: 3 },
  {
    task: 'floor (scan + Uint32Array search)',
    label: 'floor (scan + binary search)',
    colour: '#7a7a7a',
    width: 2,
  },
  { task: 'net.BlockList.check', label: 'net.BlockList', colour: '#c0392b', width: 2 },
  { task: 'cidr-matcher', label: 'cidr-matcher', colour: '#8e44ad', width: 2 },
  { task: 'ipaddr.js parse + match', label: 'ipaddr.js loop', colour: '#d68910', width: 2 },
] as const;

const WIDTH = 960;
const HEIGHT = 440;
const PANEL = { top: 50, height: 300, width: 340 } as const;
const PANEL_LEFT = [80, 520] as const;
const Y_MIN_NS = 10;
const Y_MAX_NS = 10_000_000;

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (n: number) => n.toFixed(1);

function yOf(ns: number): number {
  const clamped = Math.min(Y_MAX_NS, Math.max(Y_MIN_NS, ns));
  const t = (Math.log10(clamped) - Math.log10(Y_MIN_NS)) / (Math.log10(Y_MAX_NS) - Math.log10(Y_MIN_NS));
  return PANEL.top + PANEL.height * (1 - t);
}

function xOf(left: number, sizeIndex: number): number {
  return left + 20 + ((PANEL.width - 40) * sizeIndex) / (SIZES.length - 1);
}

const TICKS: readonly [number, string][] = [
  [10, '10 ns'],
  [100, '100 ns'],
  [1_000, '1 µs'],
  [10_000, '10 µs'],
  [100_000, '100 µs'],
  [1_000_000, '1 ms'],
  [10_000_000, '10 ms'],
];

function panel(report: BenchReport, family: 4 | 6, left: number): string[] {
  const out: string[] = [];
  const bottom = PANEL.top + PANEL.height;
  out.push(
    `<text x="${left + PANEL.width / 2}" y="${PANEL.top - 14}" text-anchor="middle" font-weight="bold">IPv${family}, hits</text>`,
  );
  for (const [ns, label] of TICKS) {
    const y = num(yOf(ns));
    out.push(`<line x1="${left}" y1="${y}" x2="${left + PANEL.width}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle">${label}</text>`);
  }
  SIZES.forEach((size, i) => {
    const x = num(xOf(left, i));
    out.push(`<line x1="${x}" y1="${PANEL.top}" x2="${x}" y2="${bottom}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x}" y="${bottom + 18}" text-anchor="middle">${size.label}</text>`);
  });
  out.push(
    `<rect x="${left}" y="${PANEL.top}" width="${PANEL.width}" height="${PANEL.height}" fill="none" stroke="#999"/>`,
  );
  out.push(
    `<text x="${left + PANEL.width / 2}" y="${bottom + 38}" text-anchor="middle">entries in the list</text>`,
  );
  for (const series of SERIES) {
    const points: string[] = [];
    SIZES.forEach((size, i) => {
      const group = `IPv${family} has, ${size.label} entries, hits`;
      const figure = report.figures.find((f) => f.group === group && f.task === series.task);
      if (figure !== undefined) points.push(`${num(xOf(left, i))},${num(yOf(figure.medianNs))}`);
    });
    if (points.length === 0) continue;
    out.push(
      `<polyline points="${points.join(' ')}" fill="none" stroke="${series.colour}" stroke-width="${series.width}"/>`,
    );
    for (const point of points) {
      const [x, y] = point.split(',');
      out.push(`<circle cx="${x}" cy="${y}" r="3" fill="${series.colour}"/>`);
    }
  }
  return out;
}

/** The chart as SVG text. */
export function renderScalingChart(report: BenchReport): string {
  const lines: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>Median time per has() lookup against list size, IPv4 and IPv6 hits, log scales</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(
      `Median time per lookup vs. list size (log scales) — Node ${report.node}, ${report.date.slice(0, 10)}`,
    )}</text>`,
    ...panel(report, 4, PANEL_LEFT[0]),
    ...panel(report, 6, PANEL_LEFT[1]),
  ];
  // Legend, below the panels.
  SERIES.forEach((series, i) => {
    const x = 80 + i * 170;
    const y = HEIGHT - 22;
    lines.push(
      `<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${series.colour}" stroke-width="${series.width}"/>`,
    );
    lines.push(`<text x="${x + 30}" y="${y}" dominant-baseline="middle">${escapeXml(series.label)}</text>`);
  });
  lines.push('</svg>');
  return `${lines.join('\n')}\n`;
}
