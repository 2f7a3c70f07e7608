// `npm run bench:report` rewrites the generated parts of docs/performance.md (between
// `<!-- generated:NAME -->` and `<!-- /generated:NAME -->`) and docs/performance-scaling.svg from
// bench/results/latest.json, so that the published figures cannot drift from the measured ones.
// `--check` changes nothing and exits 1 if either file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderScalingChart } from './chart.js';
import {
  type BenchReport,
  figureOf,
  formatNs,
  measureOf,
  type ReportFigure,
  type ReportMeasure,
  readReport,
} from './report-data.js';

export const DOC = resolve(import.meta.dirname, '..', 'docs', 'performance.md');
export const CHART = resolve(import.meta.dirname, '..', 'docs', 'performance-scaling.svg');

const SIZES = ['10', '1k', '10k', '100k'] as const;
const times = (r: number) =>
  r >= 100 ? `${r.toFixed(0)}×` : r >= 10 ? `${r.toFixed(1)}×` : `${r.toFixed(2)}×`;
const kib = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
/** The spread of one figure over the runs: (max - min) / median. */
const spreadOf = (values: readonly number[], middle: number) =>
  values.length < 2 ? 0 : (Math.max(...values) - Math.min(...values)) / middle;
const percent = (x: number) => `${(100 * x).toFixed(0)} %`;

/**
 * How many times `a`'s time is `b`'s: each run's own ratio (both sides measured under the same load),
 * then the median over the runs.
 */
function runRatio(a: ReportFigure | undefined, b: ReportFigure | undefined): number {
  if (a === undefined || b === undefined) return Number.NaN;
  const n = Math.min(a.runMediansNs.length, b.runMediansNs.length);
  const ratios: number[] = [];
  for (let k = 0; k < n; k++) ratios.push((a.runMediansNs[k] as number) / (b.runMediansNs[k] as number));
  return ratios.length === 0 ? Number.NaN : median(ratios);
}

/** Each run's ratio of `a` to `b`, in run order: `0.92×, 1.31×, 0.83×`. */
function perRun(a: ReportFigure | undefined, b: ReportFigure | undefined): string {
  if (a === undefined || b === undefined) return '—';
  return a.runMediansNs.map((x, k) => times(x / (b.runMediansNs[k] ?? Number.NaN))).join(', ');
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

// Columns are padded to their widest cell, as Biome formats Markdown tables, so that the generated
// document is also the formatted one.
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const width = (cell: string) => [...cell].length;
  const widths = header.map((h, c) => Math.max(3, width(h), ...rows.map((row) => width(row[c] ?? ''))));
  const pad = (cell: string, c: number) => cell + ' '.repeat((widths[c] ?? 0) - width(cell));
  const line = (cells: readonly string[]) => `| ${cells.map(pad).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function machineBlock(r: BenchReport): string {
  const spreads = r.figures.map((f) => spreadOf(f.runMediansNs, f.medianNs)).sort((a, b) => a - b);
  const at = (q: number) => spreads[Math.min(spreads.length - 1, Math.floor(q * spreads.length))] ?? 0;
  const loads = r.machine.loadAverageAtStart.map((l) => l.toFixed(1)).join(', ');
  return [
    `Measured ${r.date.slice(0, 16).replace('T', ' ')} UTC with Node ${r.node} (V8 ${r.v8}) on ${r.machine.cpu}, ` +
      `${r.machine.cores} cores, ${kib(r.machine.memoryBytes)} RAM (${r.machine.platform}/${r.machine.arch}); ` +
      `${r.runs} full run${r.runs === 1 ? '' : 's'}, each figure the median of the runs' medians${r.exactHeap ? '' : ' (heap figures approximate: no --expose-gc)'}.`,
    '',
    `Noise: the machine was shared with other work (1-minute load average ${loads} at the start of each run, on ` +
      `${r.machine.cores} cores). Between runs, a figure's spread (max − min over median) was ` +
      `${percent(at(0.5))} at the median, ${percent(at(0.9))} at the 90th percentile and ${percent(at(1))} at worst; ` +
      'ratios within one run are steadier than absolute times, since both sides of a ratio see the same load.',
  ].join('\n');
}

const IP_PEERS = [
  ['probe', 'sipguard probe'],
  ['checkRegistration', 'sipguard policy.checkRegistration'],
  ['floor', 'floor (scan + Uint32Array search)'],
  ['net.BlockList', 'net.BlockList.check'],
  ['cidr-matcher', 'cidr-matcher'],
  ['ipaddr.js loop', 'ipaddr.js parse + match'],
] as const;

function ipBlock(r: BenchReport): string {
  const rows: string[][] = [];
  for (const family of [4, 6] as const) {
    for (const size of SIZES) {
      for (const kind of ['hits', 'misses'] as const) {
        const group = `IPv${family} has, ${size} entries, ${kind}`;
        const has = figureOf(r, group, 'sipguard has');
        if (has === undefined) continue;
        rows.push([
          `IPv${family}, ${size}, ${kind}`,
          formatNs(has.medianNs),
          ...IP_PEERS.map(([, task]) => {
            const f = figureOf(r, group, task);
            return f === undefined ? '—' : times(runRatio(f, has));
          }),
        ]);
      }
    }
  }
  return table(['list, lookups', 'sipguard `has`', ...IP_PEERS.map(([label]) => label)], rows);
}

function groupsBlock(r: BenchReport, groups: readonly string[]): string {
  const rows: string[][] = [];
  for (const group of groups) {
    const own = r.figures.filter((f) => f.group === group);
    for (const f of own) {
      rows.push([
        group,
        f.task,
        formatNs(f.medianNs),
        times(runRatio(f, own[0])),
        percent(spreadOf(f.runMediansNs, f.medianNs)),
      ]);
    }
  }
  return table(['group', 'task', 'median', '× first task', 'spread over runs'], rows);
}

function measuresBlock(r: BenchReport, prefix: string): string {
  const own = r.measures.filter((m) => m.name.startsWith(prefix));
  const value = (m: ReportMeasure) =>
    m.unit === 'bytes' ? kib(m.value) : m.unit === 'ms' ? `${m.value.toFixed(1)} ms` : String(m.value);
  return table(
    ['measure', 'value', 'spread over runs'],
    own.map((m) => [m.name.slice(prefix.length), value(m), percent(spreadOf(m.runValues, m.value))]),
  );
}

interface TargetRow {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean | undefined;
}

function targets(r: BenchReport): TargetRow[] {
  const fig = (group: string, task: string) => figureOf(r, group, task);
  const rows: TargetRow[] = [];
  const allFinite = (xs: readonly number[]) => xs.length > 0 && xs.every(Number.isFinite);

  const floorRatios = SIZES.flatMap((s) =>
    (['hits', 'misses'] as const).map((k) =>
      runRatio(
        fig(`IPv4 has, ${s} entries, ${k}`, 'sipguard has'),
        fig(`IPv4 has, ${s} entries, ${k}`, 'floor (scan + Uint32Array search)'),
      ),
    ),
  );
  const worstFloor = Math.max(...floorRatios);
  rows.push({
    target: 'IPv4 `has()` within 2× of the floor at every size',
    measured: `at most ${times(worstFloor)} the floor's time`,
    met: allFinite(floorRatios) ? worstFloor <= 2 : undefined,
  });

  const blockList = (['hits', 'misses'] as const).map((k) =>
    runRatio(
      fig(`IPv4 has, 1k entries, ${k}`, 'net.BlockList.check'),
      fig(`IPv4 has, 1k entries, ${k}`, 'sipguard has'),
    ),
  );
  const leastBlockList = Math.min(...blockList);
  rows.push({
    target: 'IPv4 `has()` ≥ 20× faster than `net.BlockList` at 1k entries',
    measured: `${times(leastBlockList)} faster (hits ${times(blockList[0] ?? Number.NaN)}, misses ${times(blockList[1] ?? Number.NaN)})`,
    met: allFinite(blockList) ? leastBlockList >= 20 : undefined,
  });

  const growth = (['hits', 'misses'] as const).map((k) =>
    runRatio(
      fig(`IPv4 has, 100k entries, ${k}`, 'sipguard has'),
      fig(`IPv4 has, 10 entries, ${k}`, 'sipguard has'),
    ),
  );
  const worstGrowth = Math.max(...growth);
  rows.push({
    target: 'IPv4 `has()` grows ≤ 1.5× from 10 to 100k entries',
    measured: `${times(worstGrowth)} at worst (hits ${times(growth[0] ?? Number.NaN)}, misses ${times(growth[1] ?? Number.NaN)})`,
    met: allFinite(growth) ? worstGrowth <= 1.5 : undefined,
  });
  rows.push({
    target: 'zero allocation per lookup',
    measured:
      'no minor GC in 5 million `has` / `probe` / `checkRegistration` calls (test/ip/no-allocation.test.ts)',
    met: true,
  });

  const registration = (['4', '6'] as const).flatMap((family) =>
    (['10', '1k'] as const).flatMap((s) =>
      (['hits', 'misses'] as const).map((k) =>
        runRatio(
          fig(`IPv${family} has, ${s} entries, ${k}`, 'sipguard policy.checkRegistration'),
          fig(`IPv${family} has, ${s} entries, ${k}`, 'sipguard has'),
        ),
      ),
    ),
  );
  const worstRegistration = Math.max(...registration);
  rows.push({
    target: '`checkRegistration` end to end within 1.5× of `has()`',
    measured: `at most ${times(worstRegistration)} (IPv4 and IPv6, 10 and 1k entries, hits and misses)`,
    met: allFinite(registration) ? worstRegistration <= 1.5 : undefined,
  });

  const cold = r.figures.find(
    (f) => f.group.startsWith('cold:') && f.task === 'policy.checkCall (cache emptied)',
  );
  const coldPeer = cold && figureOf(r, cold.group, 'libphonenumber-js/max parsePhoneNumber + getType');
  const coldRatio = runRatio(cold, coldPeer);
  rows.push({
    target: '`checkCall` cold ≤ 1.0× libphonenumber-js `/max` parse + `getType`',
    measured: `${times(coldRatio)} the peer's time (runs: ${perRun(cold, coldPeer)})`,
    met: Number.isFinite(coldRatio) ? coldRatio <= 1 : undefined,
  });
  const warm = r.figures.find((f) => f.group.startsWith('warm:') && f.task === 'policy.checkCall (cached)');
  const warm8 = r.figures.find(
    (f) => f.group.startsWith('checkCall, 8') && f.task === 'sipguard policy.checkCall',
  );
  const warmWorst = Math.max(warm?.medianNs ?? Number.NaN, warm8?.medianNs ?? Number.NaN);
  rows.push({
    target: '`checkCall` warm (cached) ≤ 300 ns median',
    measured: `${warm ? formatNs(warm.medianNs) : '—'} (50-number mix), ${warm8 ? formatNs(warm8.medianNs) : '—'} (8 numbers, areas + cap + deck)`,
    met: Number.isFinite(warmWorst) ? warmWorst <= 300 : undefined,
  });

  const rate = (['hits', 'misses'] as const).map((k) =>
    figureOf(r, `lookup, 100k prefixes, ${k}`, 'RateTable.lookupIndex'),
  );
  const rateMap = (['hits', 'misses'] as const).map((k) =>
    figureOf(r, `lookup, 100k prefixes, ${k}`, 'Map, longest length first'),
  );
  const rateWorst = Math.max(...rate.map((f) => f?.medianNs ?? Number.NaN));
  rows.push({
    target: 'rate lookup ≤ 150 ns median on 100k prefixes',
    measured: `hits ${formatNs(rate[0]?.medianNs ?? Number.NaN)}, misses ${formatNs(rate[1]?.medianNs ?? Number.NaN)}`,
    met: Number.isFinite(rateWorst) ? rateWorst <= 150 : undefined,
  });
  const mapRatios = [0, 1].map((i) => runRatio(rateMap[i], rate[i]));
  const leastMap = Math.min(...mapRatios);
  rows.push({
    target: 'rate lookup ≥ 10× the `Map` baseline',
    measured: `hits ${times(mapRatios[0] ?? Number.NaN)} (runs: ${perRun(rateMap[0], rate[0])}), misses ${times(mapRatios[1] ?? Number.NaN)} faster`,
    met: allFinite(mapRatios) ? leastMap >= 10 : undefined,
  });

  const ipFiles = measureOf(r, 'files loaded: sipguard/ip');
  const ipDeps = measureOf(r, 'bytes: sipguard/ip, with dependencies, gzip');
  const fullDeps = measureOf(r, 'bytes: sipguard, with dependencies, gzip');
  const ownIp = measureOf(r, "bytes: sipguard/ip, sipguard's own files, gzip");
  const fraction = ipDeps && fullDeps ? ipDeps.value / fullDeps.value : Number.NaN;
  rows.push({
    target: '`sipguard/ip` loads no phone metadata; its bundle is a small fraction of `sipguard`',
    measured: `${ipFiles?.value ?? '—'} files, no dependency; ${ipDeps ? kib(ipDeps.value) : '—'} gzip with dependencies = ${percent(fraction)} of \`sipguard\`'s ${fullDeps ? kib(fullDeps.value) : '—'}`,
    met: ipDeps && ownIp ? ipDeps.value === ownIp.value && fraction <= 0.1 : undefined,
  });

  const pair = figureOf(r, 'call begin + end, 100k active accounts', 'MemoryLedger begin + end');
  rows.push({
    target: 'call begin + end in the memory ledger ≤ 1 µs median with 100k active accounts',
    measured: pair ? `${formatNs(pair.medianNs)} (runs: ${pair.runMediansNs.map(formatNs).join(', ')})` : '—',
    met: pair ? pair.medianNs <= 1_000 : undefined,
  });

  for (const family of [4, 6] as const) {
    const group = family === 4 ? 'compile 100k IPv4 CIDR entries' : 'compile 100k IPv6 /48 entries';
    const compile = figureOf(r, group, 'sipguard IpAllowList.from');
    rows.push({
      target: `compile 100k IPv${family} entries well under a second (≤ 0.5 s)`,
      measured: compile ? formatNs(compile.medianNs) : '—',
      met: compile ? compile.medianNs <= 0.5e9 : undefined,
    });
  }
  return rows;
}

function targetsBlock(r: BenchReport): string {
  return table(
    ['target', 'measured', 'met?'],
    targets(r).map((t) => [
      t.target,
      t.measured,
      t.met === undefined ? 'not measured' : t.met ? 'met' : '**not met**',
    ]),
  );
}

/** Every generated block of docs/performance.md, by name. */
export function renderBlocks(r: BenchReport): Record<string, string> {
  const groupsOf = (suite: string) => [
    ...new Set(r.figures.filter((f) => f.suite === suite).map((f) => f.group)),
  ];
  const calls = [...groupsOf('calling'), ...groupsOf('policy').filter((g) => g.startsWith('checkCall'))];
  return {
    machine: machineBlock(r),
    targets: targetsBlock(r),
    ip: ipBlock(r),
    registration: groupsBlock(
      r,
      groupsOf('policy').filter((g) => g.startsWith('checkRegistration')),
    ),
    calls: groupsBlock(r, calls),
    rate: groupsBlock(r, groupsOf('rate')),
    compile: groupsBlock(r, [
      ...groupsOf('ip').filter((g) => g.startsWith('compile')),
      ...groupsOf('policy').filter((g) => g.startsWith('compilePolicy')),
    ]),
    memory: measuresBlock(r, 'heap: '),
    limits: [groupsBlock(r, groupsOf('limits')), '', measuresBlock(r, 'ledger: ')].join('\n'),
    bundle: [
      measuresBlock(r, 'bytes: '),
      '',
      measuresBlock(r, 'import: '),
      '',
      measuresBlock(r, 'files loaded: '),
    ].join('\n'),
  };
}

/** `doc` with every generated block replaced; throws if a block's markers are missing. */
export function applyBlocks(doc: string, blocks: Record<string, string>): string {
  let out = doc;
  for (const [name, body] of Object.entries(blocks)) {
    const open = `<!-- generated:${name} -->`;
    const close = `<!-- /generated:${name} -->`;
    const start = out.indexOf(open);
    const end = out.indexOf(close);
    if (start < 0 || end < start) throw new Error(`docs/performance.md has no ${open} … ${close} block`);
    out = `${out.slice(0, start + open.length)}\n${body}\n${out.slice(end)}`;
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const report = readReport();
  const doc = readFileSync(DOC, 'utf8');
  const nextDoc = applyBlocks(doc, renderBlocks(report));
  const nextChart = renderScalingChart(report);
  if (process.argv.includes('--check')) {
    const stale = [
      nextDoc !== doc ? 'docs/performance.md' : '',
      nextChart !== readFileSync(CHART, 'utf8') ? 'docs/performance-scaling.svg' : '',
    ].filter(Boolean);
    if (stale.length > 0) {
      console.error(
        `out of date with bench/results/latest.json: ${stale.join(', ')} (run npm run bench:report)`,
      );
      process.exit(1);
    }
    console.log('docs/performance.md and docs/performance-scaling.svg match bench/results/latest.json');
  } else {
    writeFileSync(DOC, nextDoc);
    writeFileSync(CHART, nextChart);
    console.log('wrote docs/performance.md and docs/performance-scaling.svg from bench/results/latest.json');
  }
}
