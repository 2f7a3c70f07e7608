// `npm run bench:edge:report` rewrites the edge blocks of docs/performance.md (`edge-drop`,
// `edge-load`) from bench/results/edge.json, which `npm run bench:edge` writes; `--check` changes
// nothing and exits 1 when they disagree. test/bench/edge-report.test.ts holds the page to the file.
import { readFileSync, writeFileSync } from 'node:fs';
import { EDGE_RESULTS, type EdgeResults, LOAD_CONFIGS, type LoadConfig, type LoadRow } from './edge.js';
import { applyBlocks, DOC, table } from './report.js';

/** Drop latency target of the issue: policy write to contact removed, debounce included. */
export const DROP_TARGET_MS = 1_000;
/** The sipguard hop should keep at least this share of the no-check rate. */
export const HOP_GOAL = 0.8;

const LABELS: Readonly<Record<LoadConfig, string>> = {
  'register-sipguard':
    'authenticated REGISTER, sipguard asked over HTTP, a new connection per query (default)',
  'register-keepalive':
    'authenticated REGISTER, sipguard asked over HTTP on a kept-open connection per worker (`-A WITH_KEEPALIVE`)',
  'register-jsonrpc':
    'authenticated REGISTER, sipguard asked over JSON-RPC, transaction suspended (`-A WITH_SIPGUARD_JSONRPC`)',
  'register-permissions':
    'authenticated REGISTER, permissions `allow_source_address` instead (in-PBX anchor)',
  'register-none': 'authenticated REGISTER, no source check (`-A WITHOUT_SIPGUARD`)',
  'invite-sipguard':
    'authenticated INVITE to the carrier, sipguard asked over HTTP, a new connection per query and per call report',
  'invite-keepalive':
    'authenticated INVITE to the carrier, sipguard asked and the calls reported over HTTP on kept-open connections',
  'invite-jsonrpc':
    'authenticated INVITE to the carrier, sipguard asked over JSON-RPC, the calls reported on a kept-open connection (`-A WITH_SIPGUARD_JSONRPC`, `SIPGUARD_HTTPCON`)',
  'invite-none': 'authenticated INVITE to the carrier, no check and no call reports (`-A WITHOUT_SIPGUARD`)',
};

/** The short names of the configurations, for the second table. */
const SHORT: Readonly<Record<LoadConfig, string>> = {
  'register-sipguard': 'REGISTER, HTTP, new connection',
  'register-keepalive': 'REGISTER, HTTP, kept-open',
  'register-jsonrpc': 'REGISTER, JSON-RPC',
  'register-permissions': 'REGISTER, permissions',
  'register-none': 'REGISTER, no check',
  'invite-sipguard': 'INVITE, HTTP, new connection',
  'invite-keepalive': 'INVITE, HTTP, kept-open',
  'invite-jsonrpc': 'INVITE, JSON-RPC',
  'invite-none': 'INVITE, no check',
};

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
const ms = (x: number) => (x >= 100 ? `${x.toFixed(0)} ms` : `${x.toFixed(1)} ms`);
const loads = (l: readonly number[]) => l.map((x) => x.toFixed(2)).join(', ');

function dropBlock(r: EdgeResults): string {
  const d = r.drop;
  if (d === undefined) return '_Not measured yet: run `npm run bench:edge -- --only=drop`._';
  const sorted = [...d.latenciesMs].sort((a, b) => a - b);
  const max = sorted.at(-1) ?? Number.NaN;
  return [
    `Measured ${d.at.slice(0, 16).replace('T', ' ')} UTC on ${r.machine.cpus} cores (${r.machine.cpuModel}), ${r.machine.kamailio.replace(/^version:\s*/, '')}, Node ${r.machine.node}; load average (1, 5, 15 min) ${loads(d.loadBefore)} before and ${loads(d.loadAfter)} after.`,
    '',
    table(
      ['policy changes', 'p50', 'p90', 'max', 'target', 'met?'],
      [
        [
          String(d.changes),
          ms(percentile(sorted, 50)),
          ms(percentile(sorted, 90)),
          ms(max),
          `≤ ${DROP_TARGET_MS} ms`,
          max <= DROP_TARGET_MS ? 'met' : '**not met**',
        ],
      ],
    ),
    '',
    `Every change: ${d.latenciesMs.map((x) => x.toFixed(0)).join(', ')} ms.`,
  ].join('\n');
}

/** The highest rate of a row with 0 failed calls, and the first that failed, if any. */
function heldOf(row: LoadRow | undefined) {
  if (row === undefined) return undefined;
  const held = [...row.steps].reverse().find((s) => s.failed === 0);
  const failed = row.steps.find((s) => s.failed > 0);
  return { held, failed };
}

function loadBlock(r: EdgeResults): string {
  const l = r.load;
  if (l === undefined) return '_Not measured yet: run `npm run bench:edge -- --only=load`._';
  const byConfig = new Map(l.rows.map((row) => [row.config, row]));
  const rateOf = (config: LoadConfig) => heldOf(byConfig.get(config))?.held?.rate;
  const ratio = (a: LoadConfig, b: LoadConfig) => {
    const x = rateOf(a);
    const y = rateOf(b);
    return x === undefined || y === undefined ? undefined : x / y;
  };
  const rows = LOAD_CONFIGS.filter((c) => byConfig.has(c)).map((config) => {
    const h = heldOf(byConfig.get(config));
    const held = h?.held;
    const base = config.startsWith('invite') ? 'invite-none' : 'register-none';
    const x = ratio(config, base);
    const cpu = held === undefined ? '—' : cpuPerThousand(held);
    const row = byConfig.get(config);
    return [
      row === undefined
        ? LABELS[config]
        : `${LABELS[config]}; ${row.children} children, ${row.shmMb} MiB shm`,
      held === undefined ? 'none held' : `${held.rate}/s`,
      held === undefined ? '—' : ms(held.p99Ms),
      x === undefined || config === base ? '—' : `${x.toFixed(2)}×`,
      h?.failed === undefined ? 'none tried failed' : `${h.failed.rate}/s (${h.failed.failed} failed)`,
      cpu,
      held === undefined ? '—' : held.load1.toFixed(2),
    ];
  });
  // A ratio says something only if the no-check traffic held more than the lowest rate tried.
  const verdict = (config: LoadConfig, base: LoadConfig): string | undefined => {
    const row = byConfig.get(config);
    const b = byConfig.get(base);
    if (row === undefined || b === undefined) return undefined;
    const h = heldOf(row);
    if (h?.held === undefined) {
      return `none held (${h?.failed?.failed ?? '?'} failed at ${h?.failed?.rate ?? '?'}/s, the lowest rate tried)`;
    }
    const baseHeld = heldOf(b)?.held;
    if (baseHeld === undefined) return 'no ratio: the no-check traffic itself held no rate tried';
    if (baseHeld === b.steps[0]) {
      return `no ratio: the no-check traffic itself held only the lowest rate tried (${baseHeld.rate}/s)`;
    }
    const x = h.held.rate / baseHeld.rate;
    return x >= HOP_GOAL
      ? `${x.toFixed(2)}× (goal ≥ ${HOP_GOAL}×: met)`
      : `${x.toFixed(2)}× (goal ≥ ${HOP_GOAL}×: **not met**)`;
  };
  const TRANSPORTS = [
    ['jsonrpc', 'over JSON-RPC'],
    ['keepalive', 'over HTTP on kept-open connections'],
    ['sipguard', 'over HTTP with a new connection per query'],
  ] as const;
  const summary = (kind: 'register' | 'invite', name: string) => {
    const parts = TRANSPORTS.flatMap(([transport, how]) => {
      const v = verdict(`${kind}-${transport}`, `${kind}-none`);
      return v === undefined ? [] : [`${how}, ${v}`];
    });
    return parts.length === 0
      ? ''
      : `${name}: the sipguard hop keeps, of the no-check rate, ${parts.join('; ')}.`;
  };
  // A row's `at` is when its run started; the load section's, when the last run ended.
  const times = [...l.rows.map((row) => row.at), l.at].sort();
  const span = (a: string | undefined) => (a ?? '').slice(0, 16).replace('T', ' ');
  return [
    `Measured ${span(times[0])}–${span(times.at(-1)).slice(11)} UTC on ${r.machine.cpus} cores, ${r.machine.kamailio.replace(/^version:\s*/, '')}, ${r.machine.sipp}; ${l.seconds} s per rate, rates tried in order until one failed; load average ${loads(l.loadBefore)} at the start of the last run, and at the end of each held rate in the table.`,
    '',
    table(
      [
        'configuration',
        'highest rate held, 0 failed',
        'p99 there',
        '× no check',
        'first rate that failed',
        'CPU s per 1000 calls (Kamailio / sipguard / sipp)',
        'load (1 min)',
      ],
      rows,
    ),
    '',
    [summary('register', 'REGISTER'), summary('invite', 'INVITE')].filter((x) => x !== '').join(' '),
    '',
    "Where the time goes, at the highest rate each configuration held (CPU seconds per 1000 calls; Kamailio split by its processes as `core.psx` names them; the service's TCP sockets as `ss` saw them, most in one 2 s sample):",
    '',
    table(
      [
        'configuration',
        'rate',
        'Kamailio SIP workers',
        'janssonrpcc I/O',
        'Kamailio other',
        'sipguard',
        'sipp',
        'sockets open / TIME-WAIT',
      ],
      LOAD_CONFIGS.filter((c) => byConfig.has(c)).map((config) =>
        whereRow(config, heldOf(byConfig.get(config))?.held),
      ),
    ),
  ].join('\n');
}

function whereRow(config: LoadConfig, step: LoadRow['steps'][number] | undefined): string[] {
  const calls = (step?.successful ?? 0) / 1000;
  if (step === undefined || calls <= 0) return [SHORT[config], 'none held', '—', '—', '—', '—', '—', '—'];
  const per = (x: number | undefined) => (x === undefined ? '—' : (x / calls).toFixed(2));
  const k = step.kamailioCpu;
  const other =
    k === undefined ? undefined : step.cpuSeconds.kamailio - (k.sip ?? 0) - (k['jsonrpc-io'] ?? 0);
  const sockets = step.serviceSockets;
  return [
    SHORT[config],
    `${step.rate}/s`,
    per(k?.sip),
    k?.['jsonrpc-io'] === undefined || !config.endsWith('jsonrpc') ? '—' : per(k['jsonrpc-io']),
    per(other === undefined ? undefined : Math.max(0, other)),
    config.endsWith('none') || config.endsWith('permissions') ? '—' : per(step.cpuSeconds.service),
    per(step.cpuSeconds.sipp),
    sockets === undefined ? '—' : `${sockets.established} / ${sockets.timeWait}`,
  ];
}

function cpuPerThousand(step: LoadRow['steps'][number]): string {
  const calls = step.successful / 1000;
  if (calls <= 0) return '—';
  const c = step.cpuSeconds;
  return `${(c.kamailio / calls).toFixed(2)} / ${(c.service / calls).toFixed(2)} / ${(c.sipp / calls).toFixed(2)}`;
}

/** The edge blocks of docs/performance.md. */
export function renderEdgeBlocks(r: EdgeResults): Record<string, string> {
  return { 'edge-drop': dropBlock(r), 'edge-load': loadBlock(r) };
}

export const readEdgeResults = (): EdgeResults =>
  JSON.parse(readFileSync(EDGE_RESULTS, 'utf8')) as EdgeResults;

if (import.meta.url === `file://${process.argv[1]}`) {
  const doc = readFileSync(DOC, 'utf8');
  const next = applyBlocks(doc, renderEdgeBlocks(readEdgeResults()));
  if (process.argv.includes('--check')) {
    if (next !== doc) {
      console.error(
        'docs/performance.md is out of date with bench/results/edge.json (run npm run bench:edge:report)',
      );
      process.exit(1);
    }
    console.log('docs/performance.md matches bench/results/edge.json');
  } else {
    writeFileSync(DOC, next);
    console.log('wrote the edge blocks of docs/performance.md from bench/results/edge.json');
  }
}
