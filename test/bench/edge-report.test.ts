// docs/performance.md's edge tables publish bench/results/edge.json: they must be exactly what
// bench/edge-report.ts renders from it (npm run bench:edge:report), and the verdicts must follow
// from the figures.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { EdgeResults, LoadConfig, LoadStep } from '../../bench/edge.js';
import { readEdgeResults, renderEdgeBlocks } from '../../bench/edge-report.js';
import { applyBlocks, DOC } from '../../bench/report.js';

const results = readEdgeResults();
const doc = readFileSync(DOC, 'utf8');

const machine = {
  cpus: 2,
  cpuModel: 'test cpu',
  node: 'v20',
  kamailio: 'version: kamailio 5.6.3',
  sipp: 'SIPp v3.6.1',
};
const step = (rate: number, failed: number, p99Ms = 10): LoadStep => ({
  rate,
  seconds: 30,
  successful: rate * 30 - failed,
  failed,
  p50Ms: 5,
  p99Ms,
  cpuSeconds: { kamailio: 3, service: 3, sipp: 3, carrier: 0 },
  load1: 1.5,
});

describe('the edge report', () => {
  it('edge.json holds a drop measurement over at least 20 changes, and load rows', () => {
    expect(results.drop?.latenciesMs.length).toBeGreaterThanOrEqual(20);
    expect(results.drop?.changes).toBe(results.drop?.latenciesMs.length);
    expect(results.load?.rows.length).toBeGreaterThan(0);
  });

  it('docs/performance.md shows exactly the figures of edge.json', () => {
    expect(applyBlocks(doc, renderEdgeBlocks(results))).toBe(doc);
  });

  it('says the drop target is met only when the slowest change is within 1 s', () => {
    const at = '2026-12-01T00:00:00.000Z';
    const drop = (latenciesMs: number[]) =>
      renderEdgeBlocks({
        machine,
        drop: { at, changes: latenciesMs.length, latenciesMs, loadBefore: [1], loadAfter: [1] },
      })['edge-drop'];
    expect(drop([200, 300, 1000])).toContain('| 1000 ms | ≤ 1000 ms | met ');
    expect(drop([200, 300, 1001])).toContain('**not met**');
    expect(drop([300, 100, 200])).toMatch(/\| 3 +\| 200 ms \| 300 ms \| 300 ms/);
  });

  it('takes the highest rate with 0 failures as held, and the ratio against the no-check rate', () => {
    const r: EdgeResults = {
      machine,
      load: {
        at: '2026-12-01T00:00:00.000Z',
        seconds: 30,
        loadBefore: [1, 1, 1],
        rows: [
          {
            config: 'register-sipguard',
            at: '2026-12-01T00:00:00.000Z',
            children: 8,
            shmMb: 512,
            steps: [step(1000, 0, 12), step(2000, 0, 15), step(3000, 4)],
          },
          {
            config: 'register-none',
            at: '2026-12-01T00:00:00.000Z',
            children: 8,
            shmMb: 512,
            steps: [step(1000, 0), step(2000, 0), step(3000, 0), step(4000, 1)],
          },
        ],
      },
    };
    const block = renderEdgeBlocks(r)['edge-load'];
    expect(block).toMatch(
      /sipguard asked over HTTP, a new connection per query \(default\); 8 children, 512 MiB shm +\| 2000\/s +\| 15\.0 ms +\| 0\.67× +\| 3000\/s \(4 failed\)/,
    );
    expect(block).toMatch(/no source check .*\| 3000\/s +\| 10\.0 ms +\| — +\| 4000\/s \(1 failed\)/);
    expect(block).toContain(
      'REGISTER: the sipguard hop keeps, of the no-check rate, over HTTP with a new connection per query, 0.67× (goal ≥ 0.8×: **not met**).',
    );
    // Transports not measured are not named.
    expect(block).not.toContain('JSON-RPC,');
    // 2000/s for 30 s: 60,000 successful calls on 3 CPU seconds each = 0.05 s per 1000.
    expect(block).toContain('0.05 / 0.05 / 0.05');
  });

  it('gives no ratio when the no-check traffic itself held only the lowest rate tried', () => {
    const rows = [
      {
        config: 'invite-sipguard' as const,
        at: '2026-12-01T00:00:00.000Z',
        children: 8,
        shmMb: 512,
        steps: [step(100, 0), step(250, 9)],
      },
      {
        config: 'invite-none' as const,
        at: '2026-12-01T00:00:00.000Z',
        children: 8,
        shmMb: 512,
        steps: [step(100, 0), step(250, 1)],
      },
    ];
    const block = renderEdgeBlocks({
      machine,
      load: { at: '2026-12-01T00:00:00.000Z', seconds: 30, loadBefore: [9], rows },
    })['edge-load'];
    expect(block).toContain(
      'INVITE: the sipguard hop keeps, of the no-check rate, over HTTP with a new connection per query, no ratio: the no-check traffic itself held only the lowest rate tried (100/s).',
    );
  });

  it('says when a configuration held no rate at all, and gives no ratio against a baseline that held none', () => {
    const at = '2026-12-01T00:00:00.000Z';
    const row = (config: LoadConfig, steps: LoadStep[]) => ({ config, at, children: 8, shmMb: 512, steps });
    const block = renderEdgeBlocks({
      machine,
      load: {
        at,
        seconds: 30,
        loadBefore: [9],
        rows: [
          row('register-jsonrpc', [step(250, 0), step(500, 0), step(1000, 8)]),
          row('register-sipguard', [step(250, 29)]),
          row('register-none', [step(250, 0), step(500, 0), step(1000, 0), step(1500, 7)]),
          row('invite-jsonrpc', [step(100, 0)]),
          row('invite-none', [step(100, 3)]),
        ],
      },
    })['edge-load'];
    expect(block).toContain(
      'REGISTER: the sipguard hop keeps, of the no-check rate, over JSON-RPC, 0.50× (goal ≥ 0.8×: **not met**); over HTTP with a new connection per query, none held (29 failed at 250/s, the lowest rate tried).',
    );
    expect(block).toContain(
      'INVITE: the sipguard hop keeps, of the no-check rate, over JSON-RPC, no ratio: the no-check traffic itself held no rate tried.',
    );
  });
});
