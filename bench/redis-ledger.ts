// `npm run bench:redis`: a call's begin + end through the Redis ledger against MemoryLedger, same run,
// same calls: every limit bound, 1,000 accounts of 5 extensions. For Redis (a redis-server started here
// on a loopback port, nothing persisted): the latency of one pair at a time (p50, p99), the throughput
// with 32 pairs in flight, the round trips per call (counted at the connection) and the time Redis
// spends in the scripts (INFO commandstats). Writes bench/results/redis-ledger.json. `--smoke`: brief.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { openRedisConnection, type RedisConnection } from '../src/cli/ledger/redis-connection.js';
import { RedisLedger } from '../src/cli/ledger/redis-ledger.js';
import type { AsyncUsageLedger, BeginCall, UsageLedger } from '../src/index.js';
import { MemoryLedger } from '../src/index.js';
import { startRedisServer } from '../test/e2e/redis-server.js';

const smoke = process.argv.includes('--smoke');
const PAIRS = smoke ? 500 : 20_000;
const MEMORY_PAIRS = smoke ? 5_000 : 200_000;
const IN_FLIGHT = 32;
const ACCOUNTS = 1_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 5, 1, 7, 0, 0);

const bounds = {
  concurrentCalls: 1_000,
  callsPerMinute: 1_000_000,
  callsPerHour: 1_000_000,
  callsToSameNumberPerHour: 1_000_000,
  spendPerDay: 1_000_000_000_000,
};

function beginOf(n: number, at: number): BeginCall {
  const day = Math.floor(at / DAY);
  return {
    account: `acct-${n % ACCOUNTS}`,
    callId: `call-${n}`,
    extension: String(100 + (n % 5)),
    destination: `+4420794609${String(n % 100).padStart(2, '0')}`,
    at,
    day,
    dayEndsAt: (day + 1) * DAY,
    rateUnits: 1_250_000,
    maxCallSeconds: 600,
    accountBounds: bounds,
    extensionBounds: bounds,
  };
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

const round = (x: number, digits = 1) => Number(x.toFixed(digits));

function memoryPairs(ledger: UsageLedger, offset: number): { nsPerPair: number } {
  const t = performance.now();
  for (let i = 0; i < MEMORY_PAIRS; i++) {
    const n = offset + i;
    const at = T0 + Math.floor(n / 10);
    const begun = ledger.begin(beginOf(n, at));
    if (begun.status !== 'reserved') throw new Error(`memory begin ${n}: ${begun.status}`);
    ledger.end({ account: `acct-${n % ACCOUNTS}`, callId: `call-${n}`, at: at + 1, billedSeconds: 30 });
  }
  return { nsPerPair: round(((performance.now() - t) * 1e6) / MEMORY_PAIRS, 0) };
}

async function pair(ledger: AsyncUsageLedger, n: number): Promise<void> {
  const at = T0 + Math.floor(n / 10);
  const begun = await ledger.begin(beginOf(n, at));
  if (begun.status !== 'reserved') throw new Error(`begin ${n}: ${JSON.stringify(begun)}`);
  const ended = await ledger.end({
    account: `acct-${n % ACCOUNTS}`,
    callId: `call-${n}`,
    at: at + 1,
    billedSeconds: 30,
  });
  if (ended.status !== 'settled') throw new Error(`end ${n}: ${JSON.stringify(ended)}`);
}

async function sequential(ledger: AsyncUsageLedger, offset: number) {
  const latencies: number[] = [];
  const t = performance.now();
  for (let i = 0; i < PAIRS; i++) {
    const started = performance.now();
    await pair(ledger, offset + i);
    latencies.push(performance.now() - started);
  }
  const seconds = (performance.now() - t) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    pairsPerSecond: round(PAIRS / seconds, 0),
    p50Us: round(quantile(latencies, 0.5) * 1000, 0),
    p99Us: round(quantile(latencies, 0.99) * 1000, 0),
  };
}

async function concurrent(ledger: AsyncUsageLedger, offset: number) {
  let next = 0;
  const t = performance.now();
  const worker = async () => {
    while (next < PAIRS) await pair(ledger, offset + next++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  return { inFlight: IN_FLIGHT, pairsPerSecond: round(PAIRS / ((performance.now() - t) / 1000), 0) };
}

/** Redis's own time per script call, from INFO commandstats (µs per EVALSHA). */
async function scriptMicros(connection: RedisConnection): Promise<number> {
  const info = String(await connection.send(['INFO', 'commandstats']));
  const line = info.split('\n').find((l) => l.startsWith('cmdstat_evalsha:'));
  const match = line?.match(/usec_per_call=([\d.]+)/);
  return match?.[1] === undefined ? Number.NaN : Number(match[1]);
}

const server = await startRedisServer();
const connection = await openRedisConnection({ url: server.url, commandTimeoutMs: 5_000 });
try {
  await connection.whenReady(10_000);
  let roundTrips = 0;
  const counted = {
    send(args: readonly string[]) {
      roundTrips++;
      return connection.send(args);
    },
  };
  const redis = new RedisLedger(counted, { maxClockAheadMs: false, expiryGraceMs: 3_600_000 });
  // Warm up both (script cache, JIT), then measure in alternating order.
  await sequential(redis, 10_000_000);
  memoryPairs(new MemoryLedger(), 20_000_000);
  await connection.send(['CONFIG', 'RESETSTAT']);
  roundTrips = 0;
  const memory = memoryPairs(new MemoryLedger(), 0);
  const one = await sequential(redis, 0);
  const tripsPerCall = roundTrips / PAIRS;
  const many = await concurrent(redis, 1_000_000);
  const report = {
    when: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg().map((l) => round(l, 2)) },
    node: process.version,
    redis: String(await connection.send(['INFO', 'server'])).match(/redis_version:(\S+)/)?.[1],
    smoke,
    pairs: PAIRS,
    accounts: ACCOUNTS,
    memoryLedger: { pairs: MEMORY_PAIRS, ...memory },
    redisLedger: {
      oneAtATime: one,
      concurrent: many,
      roundTripsPerBeginAndEnd: tripsPerCall,
      redisMicrosPerScript: await scriptMicros(connection),
    },
    ratio: { redisP50OverMemory: round((one.p50Us * 1000) / memory.nsPerPair, 0) },
  };
  console.log(JSON.stringify(report, null, 2));
  if (!smoke) {
    const dir = resolve(import.meta.dirname, 'results');
    await mkdir(dir, { recursive: true });
    await writeFile(resolve(dir, 'redis-ledger.json'), `${JSON.stringify(report, null, 2)}\n`);
  }
} finally {
  await connection.close();
  await server.stop();
}
