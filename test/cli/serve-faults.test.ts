// The fault probe of issue 15 against the built `sipguard serve`, one reproduction per test.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { POLICY_A, policyText, RATES } from '../fixtures/serve-policies.js';
import { killAll, poll, requireBuiltCli, startServe } from './serve-process.js';

let dir = '';
let policyFile = '';
let ratesFile = '';

beforeAll(requireBuiltCli);
afterAll(killAll);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sipguard-faults-'));
  policyFile = join(dir, 'policy.json');
  ratesFile = join(dir, 'rates.csv');
  await writeFile(policyFile, policyText(POLICY_A));
  await writeFile(ratesFile, RATES);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const decide = async (url: string, ip = '127.0.0.2') =>
  (await fetch(`${url}/v1/registration?extension=101&sourceIp=${ip}&format=text`)).text();

describe('D1: the log stream closes', () => {
  it('keeps deciding, says so once on standard error, and stops cleanly on SIGTERM', async () => {
    const serve = await startServe([policyFile, '--port', '0', '--log']);
    serve.child.stdout?.destroy(); // as `| head -n1` does after the first line
    for (let i = 0; i < 20; i++) expect(await decide(serve.url)).toBe('allow ip-allowed\n');
    await poll(
      async () => serve.stderr(),
      (text) => text.includes('the log output failed'),
    );
    expect(serve.child.exitCode).toBe(null);
    expect(serve.stderr().trim().split('\n')).toEqual([expect.stringMatching(/log output failed \(EPIPE\)/)]);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 30_000);
});

describe('D5: the log reader stalls', () => {
  it('exits within the documented bound after SIGTERM however much log waits', async () => {
    const serve = await startServe([policyFile, '--port', '0', '--log'], { readLog: false });
    // About 250 KB of log, far more than a pipe holds (64 KiB): without a bound on the wait after
    // SIGTERM the process stays until a reader drains it. (The drop bound is tested in serve-log.test.ts.)
    const batch = Array.from({ length: 8 }, async () => {
      for (let i = 0; i < 150; i++) await decide(serve.url);
    });
    await Promise.all(batch);
    const stopped = performance.now();
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    // Documented: within STOP_FLUSH_MS (1 s) of the signal; 3 s leaves room for a loaded machine.
    expect(performance.now() - stopped).toBeLessThan(3_000);
  }, 30_000);
});
