// `npm run bench:serve-ledger`: call decisions per second of the built `sipguard serve` (dist/cli.js)
// with `--ledger memory` against `--ledger redis://` (a redis-server started here on a loopback port,
// nothing persisted), in the same run, alternating. One call is what Kamailio sends: GET /v1/call with
// a call id (the decision, through the worker and the ledger), then POST /v1/call/end. Measured from
// this process over kept-open HTTP connections, CALLS_IN_FLIGHT at a time: calls per second, the p50
// and p99 of the decision, and Redis's commands per call (INFO commandstats). Writes
// bench/results/serve-ledger.json. `--smoke`: brief.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { startRedisServer } from '../test/e2e/redis-server.js';

const smoke = process.argv.includes('--smoke');
const CALLS = smoke ? 300 : 4_000;
const CALLS_IN_FLIGHT = 16;
const ROUNDS = smoke ? 1 : 2;
const cli = resolve(import.meta.dirname, '../dist/cli.js');

/** Every limit in force for every extension, none ever reached: each call is counted and settled. */
const POLICY = {
  homeCountry: 'US',
  calling: { allow: ['US', 'CA'] },
  maxRatePerMinute: '$0.0500',
  maxCallSeconds: 600,
  accountLimits: { concurrentCalls: 1_000_000, callsPerMinute: 1_000_000, spendPerDay: '$999999.00' },
  extensionLimits: { concurrentCalls: 1_000, callsPerHour: 1_000_000, callsToSameNumberPerHour: 1_000_000 },
};

const round = (x: number, digits = 1) => Number(x.toFixed(digits));
const quantile = (sorted: readonly number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

async function startServe(
  policy: string,
  rates: string,
  ledger: string,
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(
    process.execPath,
    [cli, 'serve', policy, '--rates', rates, '--port', '0', '--ledger', ledger],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolveUrl, rejectUrl) => {
    const timer = setTimeout(() => rejectUrl(new Error('serve did not start within 20 s')), 20_000);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      const event = JSON.parse(line) as { event?: string; url?: string };
      if (event.event === 'listening' && typeof event.url === 'string') {
        clearTimeout(timer);
        resolveUrl(event.url);
      }
    });
    child.once('exit', () => rejectUrl(new Error('serve exited before listening')));
  });
  return { child, url };
}

function ask(agent: Agent, url: string, method: 'GET' | 'POST'): Promise<{ status: number; body: string }> {
  return new Promise((resolveAsk, rejectAsk) => {
    const req = request(url, { method, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolveAsk({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', rejectAsk);
    req.end();
  });
}

/** CALLS calls (decision + end), CALLS_IN_FLIGHT at a time: calls per second and decision latencies. */
async function load(url: string, prefix: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: CALLS_IN_FLIGHT });
  const latencies: number[] = [];
  let next = 0;
  const one = async (n: number) => {
    const callId = `${prefix}-${n}`;
    const extension = String(100 + (n % 50));
    const dialed = `+1202555${String(n % 10_000).padStart(4, '0')}`;
    const started = performance.now();
    const decided = await ask(
      agent,
      `${url}/v1/call?extension=${extension}&dialed=${encodeURIComponent(dialed)}&callId=${callId}&format=text`,
      'GET',
    );
    latencies.push(performance.now() - started);
    if (decided.status !== 200 || !decided.body.startsWith('allow '))
      throw new Error(`call ${callId}: ${decided.status} ${decided.body}`);
    const ended = await ask(agent, `${url}/v1/call/end?callId=${callId}&billedSeconds=30`, 'POST');
    if (ended.status !== 200) throw new Error(`end ${callId}: ${ended.status} ${ended.body}`);
  };
  const t = performance.now();
  await Promise.all(
    Array.from({ length: CALLS_IN_FLIGHT }, async () => {
      while (next < CALLS) await one(next++);
    }),
  );
  const seconds = (performance.now() - t) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    callsPerSecond: round(CALLS / seconds, 0),
    decisionP50Ms: round(quantile(latencies, 0.5), 2),
    decisionP99Ms: round(quantile(latencies, 0.99), 2),
  };
}

/**
 * Redis's counts so far, from INFO commandstats: round trips (EVALSHA and EVAL, one per ledger
 * operation) and the commands the scripts ran inside Redis (counted there too). Connection chatter
 * (HELLO, PING, INFO) is left out.
 */
async function redisCounts(url: string): Promise<{ roundTrips: number; inScripts: number }> {
  const { openRedisConnection } = await import('../src/cli/ledger/redis-connection.js');
  const connection = await openRedisConnection({ url, commandTimeoutMs: 5_000 });
  try {
    await connection.whenReady(5_000);
    const info = String(await connection.send(['INFO', 'commandstats']));
    const counts = { roundTrips: 0, inScripts: 0 };
    for (const line of info.split('\n')) {
      const match = line.match(/^cmdstat_([a-z|]+):calls=(\d+)/);
      if (match === null) continue;
      const [, command = '', calls = '0'] = match;
      if (command === 'evalsha' || command === 'eval') counts.roundTrips += Number(calls);
      else if (!['info', 'ping', 'hello', 'client|setinfo', 'select'].includes(command))
        counts.inScripts += Number(calls);
    }
    return counts;
  } finally {
    await connection.close();
  }
}

const dir = await mkdtemp(join(tmpdir(), 'sipguard-bench-ledger-'));
const redis = await startRedisServer();
const running: ChildProcess[] = [];
try {
  const policy = join(dir, 'policy.json');
  const rates = join(dir, 'rates.csv');
  await writeFile(policy, JSON.stringify(POLICY));
  await writeFile(rates, 'prefix,rate\n1,0.0100\n');
  const memory = await startServe(policy, rates, 'memory');
  const shared = await startServe(policy, rates, redis.url);
  running.push(memory.child, shared.child);
  // Warm up both (JIT, the script cache), then measure in alternating order.
  await load(memory.url, 'warm-m');
  await load(shared.url, 'warm-r');
  const rows: {
    ledger: string;
    round: number;
    callsPerSecond: number;
    decisionP50Ms: number;
    decisionP99Ms: number;
  }[] = [];
  let roundTrips = 0;
  let inScripts = 0;
  for (let r = 0; r < ROUNDS; r++) {
    rows.push({ ledger: 'memory', round: r, ...(await load(memory.url, `m${r}`)) });
    const before = await redisCounts(redis.url);
    rows.push({ ledger: 'redis', round: r, ...(await load(shared.url, `r${r}`)) });
    const after = await redisCounts(redis.url);
    roundTrips += after.roundTrips - before.roundTrips;
    inScripts += after.inScripts - before.inScripts;
  }
  const median = (ledger: string, key: 'callsPerSecond' | 'decisionP50Ms' | 'decisionP99Ms') => {
    const values = rows
      .filter((row) => row.ledger === ledger)
      .map((row) => row[key])
      .sort((a, b) => a - b);
    return quantile(values, 0.5);
  };
  const report = {
    when: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg().map((l) => round(l, 2)) },
    node: process.version,
    smoke,
    calls: CALLS,
    inFlight: CALLS_IN_FLIGHT,
    rows,
    memory: {
      callsPerSecond: median('memory', 'callsPerSecond'),
      decisionP50Ms: median('memory', 'decisionP50Ms'),
      decisionP99Ms: median('memory', 'decisionP99Ms'),
    },
    redis: {
      callsPerSecond: median('redis', 'callsPerSecond'),
      decisionP50Ms: median('redis', 'decisionP50Ms'),
      decisionP99Ms: median('redis', 'decisionP99Ms'),
    },
    redisRoundTripsPerCall: round(roundTrips / (CALLS * ROUNDS), 2),
    redisCommandsInScriptsPerCall: round(inScripts / (CALLS * ROUNDS), 1),
  };
  console.log(JSON.stringify(report, null, 2));
  if (!smoke) {
    await mkdir(resolve(import.meta.dirname, 'results'), { recursive: true });
    await writeFile(
      resolve(import.meta.dirname, 'results/serve-ledger.json'),
      `${JSON.stringify(report, null, 2)}\n`,
    );
  }
} finally {
  for (const child of running) if (child.exitCode === null) child.kill('SIGTERM');
  await redis.stop();
  await rm(dir, { recursive: true, force: true });
}
