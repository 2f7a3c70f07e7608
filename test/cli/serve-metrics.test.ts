// GET /metrics (issue 15 item 3), checked with a parser written from the Prometheus text exposition
// format (version 0.0.4): line grammar, escaping, family order and histogram invariants.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS } from '../../src/cli/serve/decide.js';
import { MetricRegistry } from '../../src/cli/serve/metrics.js';
import { createDecisionServer, type DecisionServer } from '../../src/cli/serve/service.js';
import { INVALID_POLICY, POLICY_A, POLICY_B, policyText } from '../fixtures/serve-policies.js';
import { closeService, listenLocal } from './serve-process.js';

interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}
interface MetricFamily {
  readonly name: string;
  type: string | undefined;
  help: string | undefined;
  readonly samples: Sample[];
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const FLOAT = /^(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?Inf|NaN)$/;

const parseValue = (text: string): number => {
  if (!FLOAT.test(text)) throw new Error(`bad value ${JSON.stringify(text)}`);
  return text.endsWith('Inf')
    ? text.startsWith('-')
      ? -Infinity
      : Infinity
    : text === 'NaN'
      ? NaN
      : Number(text);
};

/** Reads `{a="x",b="y"}` from `text` at `at` (the "{"); returns the labels and the index after "}". */
function parseLabels(text: string, at: number): [Record<string, string>, number] {
  const labels: Record<string, string> = {};
  let i = at + 1;
  for (;;) {
    if (text[i] === '}') return [labels, i + 1];
    const eq = text.indexOf('=', i);
    const name = text.slice(i, eq);
    if (!LABEL_NAME.test(name)) throw new Error(`bad label name ${JSON.stringify(name)}`);
    if (Object.hasOwn(labels, name)) throw new Error(`label ${name} given twice`);
    if (text[eq + 1] !== '"') throw new Error('label value must be quoted');
    let value = '';
    i = eq + 2;
    for (;;) {
      const c = text[i];
      if (c === undefined) throw new Error('unterminated label value');
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i + 1];
        if (next === '\\' || next === '"') value += next;
        else if (next === 'n') value += '\n';
        else throw new Error(`bad escape \\${next}`);
        i += 2;
      } else {
        if (c === '\n') throw new Error('raw line feed in a label value');
        value += c;
        i += 1;
      }
    }
    labels[name] = value;
    i += 1;
    if (text[i] === ',') i += 1;
    else if (text[i] !== '}') throw new Error(`expected , or } at ${i}`);
  }
}

/** Parses an exposition into families, throwing on anything the format does not allow. */
function parseExposition(text: string): Map<string, MetricFamily> {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, MetricFamily>();
  const closed = new Set<string>();
  let open: MetricFamily | undefined;
  const family = (name: string) => {
    if (open?.name === name) return open;
    if (open !== undefined) closed.add(open.name);
    if (closed.has(name)) throw new Error(`samples of ${name} are not contiguous`);
    open = families.get(name) ?? { name, type: undefined, help: undefined, samples: [] };
    families.set(name, open);
    return open;
  };
  const familyOf = (sample: string) => {
    for (const suffix of ['_bucket', '_sum', '_count']) {
      const base = sample.slice(0, -suffix.length);
      if (sample.endsWith(suffix) && families.get(base)?.type === 'histogram') return base;
    }
    return sample;
  };
  for (const line of text.slice(0, -1).split('\n')) {
    if (line.startsWith('#')) {
      const m = /^# (HELP|TYPE) ([^ ]+) (.*)$/.exec(line);
      if (m === null) continue; // a plain comment
      const [, keyword = '', name = '', rest = ''] = m;
      if (!METRIC_NAME.test(name)) throw new Error(`bad metric name ${name}`);
      const f = family(name);
      if (keyword === 'TYPE') {
        if (f.type !== undefined) throw new Error(`second TYPE for ${name}`);
        if (f.samples.length > 0) throw new Error(`TYPE of ${name} after its samples`);
        if (!['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest))
          throw new Error(`type ${rest}`);
        f.type = rest;
      } else {
        if (f.help !== undefined) throw new Error(`second HELP for ${name}`);
        f.help = rest.replaceAll(/\\(\\|n)/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'));
      }
      continue;
    }
    const nameEnd = line.search(/[{ ]/);
    const name = line.slice(0, nameEnd);
    if (!METRIC_NAME.test(name)) throw new Error(`bad sample name ${JSON.stringify(name)}`);
    let [labels, after] = [{} as Record<string, string>, nameEnd];
    if (line[nameEnd] === '{') [labels, after] = parseLabels(line, nameEnd);
    const parts = line.slice(after).split(' ');
    if (parts[0] !== '' || parts.length < 2 || parts.length > 3) throw new Error(`bad sample line ${line}`);
    const value = parseValue(parts[1] ?? '');
    if (parts[2] !== undefined && !/^-?[0-9]+$/.test(parts[2])) throw new Error('bad timestamp');
    const f = family(familyOf(name));
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (f.samples.some((s) => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())}` === key)) {
      throw new Error(`duplicate series ${key}`);
    }
    f.samples.push({ name, labels, value });
  }
  for (const f of families.values()) checkFamily(f);
  return families;
}

function checkFamily(f: MetricFamily): void {
  if (f.type === 'counter') for (const s of f.samples) if (!(s.value >= 0)) throw new Error(`${s.name} < 0`);
  if (f.type !== 'histogram') return;
  const byLabels = new Map<string, Sample[]>();
  for (const s of f.samples) {
    const { le: _le, ...rest } = s.labels;
    const key = JSON.stringify(Object.entries(rest).sort());
    byLabels.set(key, [...(byLabels.get(key) ?? []), s]);
  }
  for (const samples of byLabels.values()) {
    const buckets = samples.filter((s) => s.name === `${f.name}_bucket`);
    const bounds = buckets.map((b) => parseValue(b.labels.le ?? 'x'));
    for (let i = 1; i < buckets.length; i++) {
      if (!((bounds[i] ?? 0) > (bounds[i - 1] ?? 0))) throw new Error('le must increase');
      if ((buckets[i]?.value ?? 0) < (buckets[i - 1]?.value ?? 0))
        throw new Error('buckets must be cumulative');
    }
    const count = samples.find((s) => s.name === `${f.name}_count`);
    if (bounds.at(-1) !== Infinity) throw new Error('the last bucket must be le="+Inf"');
    if (count === undefined || buckets.at(-1)?.value !== count.value)
      throw new Error('+Inf bucket != _count');
    if (samples.find((s) => s.name === `${f.name}_sum`) === undefined) throw new Error('no _sum');
  }
}

const value = (families: Map<string, MetricFamily>, name: string, labels: Record<string, string> = {}) =>
  families
    .get(name.replace(/_(bucket|sum|count)$/, ''))
    ?.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;

describe('the exposition parser of this test', () => {
  it.each([
    ['a 1', 'no line feed at the end'],
    ['a{b="1"} 1\nc 2\na{b="2"} 3\n', 'a family split in two'],
    ['# TYPE a counter\n# TYPE a counter\na 1\n', 'two TYPE lines'],
    ['a{b="x\\q"} 1\n', 'an unknown escape'],
    ['a 1x\n', 'a bad value'],
    [
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n',
      'falling buckets',
    ],
    ['# TYPE c counter\nc -1\n', 'a negative counter'],
  ])('refuses %j (%s)', (text) => {
    expect(() => parseExposition(text)).toThrow();
  });
});

describe('MetricRegistry', () => {
  it('escapes label values and help text so that they read back exactly', async () => {
    const registry = new MetricRegistry();
    const tricky = 'a "quoted" back\\slash\nand a line feed';
    registry.counter('t_total', 'help with \\ and\nnewline', ['v']).inc([tricky], 3);
    const families = parseExposition(await registry.render());
    expect(families.get('t_total')).toEqual({
      name: 't_total',
      type: 'counter',
      help: 'help with \\ and\nnewline',
      samples: [{ name: 't_total', labels: { v: tricky }, value: 3 }],
    });
  });

  it('writes cumulative histogram buckets, +Inf, _sum and _count', async () => {
    const registry = new MetricRegistry();
    const h = registry.histogram('h_seconds', 'h', 'route', [0.1, 1]);
    for (const s of [0.05, 0.1, 0.5, 2]) h.observe('x', s);
    const families = parseExposition(await registry.render());
    expect(families.get('h_seconds')?.samples.map((s) => `${s.name}${s.labels.le ?? ''} ${s.value}`)).toEqual(
      [
        'h_seconds_bucket0.1 2',
        'h_seconds_bucket1 3',
        'h_seconds_bucket+Inf 4',
        'h_seconds_sum 2.65',
        'h_seconds_count 4',
      ],
    );
  });
});

describe('GET /metrics', { timeout: 30_000 }, () => {
  let dir = '';
  let policyFile = '';
  let service: DecisionServer;
  let base = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sipguard-metrics-'));
    policyFile = join(dir, 'policy.json');
    await writeFile(policyFile, policyText(POLICY_A));
    service = await createDecisionServer({ policyFile, log: () => {}, logLinesDropped: () => 7 });
    base = await listenLocal(service);
  });

  afterAll(async () => {
    await closeService(service);
    await rm(dir, { recursive: true, force: true });
  });

  it('counts decisions by route and code, refusals, reloads, latency, dropped log lines and connections', async () => {
    const get = (path: string) => fetch(`${base}${path}`).then((r) => r.text());
    for (let i = 0; i < 3; i++) await get('/v1/registration?extension=101&sourceIp=127.0.0.2');
    await get('/v1/registration?extension=101&sourceIp=127.0.0.9');
    await get('/v1/call?extension=101&dialed=911');
    await get('/v1/call?extension=101&dialed=+1');
    await writeFile(policyFile, policyText(POLICY_B));
    await service.reload('test');
    await writeFile(policyFile, INVALID_POLICY);
    await service.reload('test');

    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const families = parseExposition(await res.text());
    const types = Object.fromEntries([...families.values()].map((f) => [f.name, f.type]));
    expect(types).toEqual({
      sipguard_reloads_total: 'counter',
      sipguard_policy_loaded_timestamp_seconds: 'gauge',
      sipguard_policy_age_seconds: 'gauge',
      sipguard_policy_stale: 'gauge',
      sipguard_log_lines_dropped_total: 'counter',
      sipguard_decisions_total: 'counter',
      sipguard_refused_requests_total: 'counter',
      sipguard_emergency_despite_refusal_total: 'counter',
      sipguard_request_duration_seconds: 'histogram',
      sipguard_call_events_total: 'counter',
      sipguard_ledger_up: 'gauge',
      sipguard_connections: 'gauge',
    });
    for (const f of families.values()) expect(f.help, f.name).toMatch(/\S/);
    const decisions = (route: string, code: string) =>
      value(families, 'sipguard_decisions_total', { route, code });
    expect(decisions('registration', 'ip-allowed')).toBe(3);
    expect(decisions('registration', 'ip-not-allowed')).toBe(1);
    expect(decisions('call', 'emergency')).toBe(1);
    expect(value(families, 'sipguard_refused_requests_total', { code: 'invalid-encoding' })).toBe(1);
    expect(value(families, 'sipguard_reloads_total', { result: 'applied' })).toBe(1);
    expect(value(families, 'sipguard_reloads_total', { result: 'failed' })).toBe(1);
    expect(value(families, 'sipguard_policy_stale')).toBe(1);
    const age = value(families, 'sipguard_policy_age_seconds') ?? -1;
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(60);
    expect(value(families, 'sipguard_policy_loaded_timestamp_seconds')).toBe(
      Date.parse(service.health().policy.loadedAt) / 1000,
    );
    expect(value(families, 'sipguard_log_lines_dropped_total')).toBe(7);
    expect(value(families, 'sipguard_request_duration_seconds_count', { route: 'registration' })).toBe(4);
    expect(value(families, 'sipguard_request_duration_seconds_count', { route: 'call' })).toBe(2);
    const buckets = families
      .get('sipguard_request_duration_seconds')
      ?.samples.filter((s) => s.name.endsWith('_bucket') && s.labels.route === 'call')
      .map((s) => s.labels.le);
    expect(buckets).toEqual([...LATENCY_BUCKETS.map(String), '+Inf']);
    // This scrape's own connection is open while it renders.
    expect(value(families, 'sipguard_connections')).toBeGreaterThanOrEqual(1);
  });
});
