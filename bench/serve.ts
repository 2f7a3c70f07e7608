// `npm run bench:serve`: the decision service measured as a PBX sees it (issue 15).
//  1. Per-request cost of deciding in a policy worker against deciding on the HTTP thread (what the
//     service did before), same HTTP adapter, same load, alternating rounds in one run.
//  2. The answer latency while a policy at the size bound (16 MiB) reloads, against the same load
//     before the reload.
//  3. A ConfigMap-style `..data` swap to the first answer under the new policy (the built binary).
// Writes bench/results/serve.json. `--smoke` runs each part briefly on small inputs.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { createDecider } from '../src/cli/serve/decide.js';
import { createHttpAdapter } from '../src/cli/serve/http.js';
import { MetricRegistry } from '../src/cli/serve/metrics.js';
import type { PolicyHolder } from '../src/cli/serve/policy-holder.js';
import { createDecisionServer } from '../src/cli/serve/service.js';
import { memoryServiceLedger } from '../src/cli/serve/service-ledger.js';
import { compilePolicy, type Policy, type PolicyDocument } from '../src/index.js';

const smoke = process.argv.includes('--smoke');
const isClient = process.argv.includes('--client');
const root = resolve(import.meta.dirname, '..');

const POLICY: PolicyDocument = {
  homeCountry: 'US',
  registration: { restrict: true, allowFrom: ['127.0.0.2', '10.0.0.0/8'] },
  calling: { allow: ['US', 'CA'], deny: ['*/premium-rate'] },
  maxRatePerMinute: '$0.0500',
};
const PATHS = [
  '/v1/registration?extension=101&sourceIp=127.0.0.2&format=text',
  '/v1/call?extension=101&dialed=12025550123&rate=0.01&format=text',
];

// --- the load generator, run in a child process so it does not share the server's thread ---------
interface ClientResult {
  readonly count: number;
  readonly errors: number;
  /** [start as Unix time in ms, latency ms] of every answer. */
  readonly samples: readonly (readonly [number, number])[];
}

async function client(url: string, connections: number, seconds: number): Promise<ClientResult> {
  const { Agent, request } = await import('node:http');
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const t0 = performance.now();
  const until = t0 + seconds * 1000;
  process.send?.('started');
  const samples: [number, number][] = [];
  let errors = 0;
  const one = (path: string) =>
    new Promise<void>((done) => {
      const started = performance.now();
      const req = request(`${url}${path}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200)
            samples.push([performance.timeOrigin + started, performance.now() - started]);
          else errors++;
          done();
        });
      });
      req.on('error', () => {
        errors++;
        done();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      for (let i = c; performance.now() < until; i++) await one(PATHS[i % PATHS.length] ?? '/healthz');
    }),
  );
  agent.destroy();
  return { count: samples.length, errors, samples };
}

if (isClient) {
  const [url = '', connections = '4', seconds = '1'] = process.argv.slice(3);
  const result = await client(url, Number(connections), Number(seconds));
  // Exit only once the result has left: a large message may still be in flight.
  process.send?.(result, () => process.exit(0));
}

/** Starts the load generator; `started` resolves when it sends its first request. */
function startClient(url: string, connections: number, seconds: number) {
  const child = fork(import.meta.filename, ['--client', url, String(connections), String(seconds)], {
    execArgv: ['--import', 'tsx'],
  });
  let started: () => void = () => {};
  let failed: (e: Error) => void = () => {};
  const startedP = new Promise<void>((resolveStart, rejectStart) => {
    started = resolveStart;
    failed = rejectStart;
  });
  const result = new Promise<ClientResult>((resolveRun, rejectRun) => {
    child.on('message', (m) => (m === 'started' ? started() : resolveRun(m as ClientResult)));
    child.once('exit', (code) => {
      if (code === 0) return;
      const e = new Error(`client exited ${code}`);
      failed(e);
      rejectRun(e);
    });
  });
  return { started: startedP, result };
}

const quantile = (values: readonly number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
};

/** Today's in-thread evaluation (before issue 15): the policy compiled and consulted on this thread. */
function inThreadHolder(policy: Policy): PolicyHolder {
  const version = { policySha256: 'in-thread', ratesSha256: undefined, loadedAt: new Date().toISOString() };
  const answer = (d: ReturnType<Policy['checkCall']> | ReturnType<Policy['checkRegistration']>) => ({
    allowed: d.allowed,
    code: d.code,
    scope: d.scope,
    policy: version.policySha256,
    json: JSON.stringify(d),
  });
  return {
    policyFile: '',
    ratesFile: undefined,
    current: () => version,
    health: () => ({ status: 'ok', policy: { file: '', sha256: '', loadedAt: version.loadedAt } }),
    reload: async () => ({ result: 'unchanged', sha256: '' }),
    onApplied: () => () => {},
    checkRegistration: async (r) => answer(policy.checkRegistration(r)),
    checkCall: async (r) => answer(policy.checkCall(r)),
    startCall: async () => {
      throw new Error('not in this bench (bench/serve-ledger.ts measures call starts)');
    },
    registrationsToDrop: async (list) => ({ version, drop: policy.registrationsToDrop(list) }),
    registrationsToDropJson: async () => ({ ok: false, message: 'not in this bench' }),
    close: async () => {},
  };
}

async function listen(server: import('node:http').Server): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// --- 1. per-request cost --------------------------------------------------------------------------
async function perRequest(dir: string) {
  const policyFile = join(dir, 'small.json');
  await writeFile(policyFile, JSON.stringify(POLICY));
  const worker = await createDecisionServer({ policyFile, log: () => {} });
  const inThreadPolicy = inThreadHolder(compilePolicy(POLICY));
  const inThreadMetrics = new MetricRegistry();
  const inThread = createHttpAdapter(inThreadPolicy, {
    log: () => {},
    metrics: inThreadMetrics,
    decider: createDecider(inThreadPolicy, {
      metrics: inThreadMetrics,
      log: () => {},
      ledger: memoryServiceLedger(),
    }),
  });
  const urls = { worker: await listen(worker.server), inThread: await listen(inThread) };
  const seconds = smoke ? 1 : 4;
  const rounds = smoke ? 1 : 3;
  const connections = 16;
  type Mode = 'worker' | 'inThread';
  const rates: Record<Mode, number[]> = { worker: [], inThread: [] };
  const p99: Record<Mode, number[]> = { worker: [], inThread: [] };
  // CPU time of this whole process (the HTTP thread and the policy workers) per answer: what bounds
  // the rate on a busy machine, and far less disturbed by other load than the rate itself.
  const cpu: Record<Mode, number[]> = { worker: [], inThread: [] };
  for (let round = 0; round < rounds; round++) {
    const order: readonly Mode[] = round % 2 === 0 ? ['inThread', 'worker'] : ['worker', 'inThread'];
    for (const mode of order) {
      const client = startClient(urls[mode], connections, seconds);
      await client.started;
      const before = process.cpuUsage();
      const r = await client.result;
      const used = process.cpuUsage(before);
      rates[mode].push(r.count / seconds);
      p99[mode].push(
        quantile(
          r.samples.map((x) => x[1]),
          0.99,
        ),
      );
      cpu[mode].push((used.user + used.system) / Math.max(1, r.count + r.errors));
    }
  }
  worker.server.closeAllConnections();
  worker.server.close();
  await worker.holder.close();
  inThread.closeAllConnections();
  inThread.close();
  const median = (l: number[]) => quantile(l, 0.5);
  return {
    connections,
    secondsPerRound: seconds,
    rounds,
    inThreadPerSecond: rates.inThread,
    workerPerSecond: rates.worker,
    workerToInThread: median(rates.worker) / median(rates.inThread),
    inThreadCpuMicrosPerAnswer: cpu.inThread,
    workerCpuMicrosPerAnswer: cpu.worker,
    /** The rate a CPU-bound host keeps with workers, as a share of the in-thread rate. */
    cpuRateRatio: median(cpu.inThread) / median(cpu.worker),
    inThreadP99Ms: median(p99.inThread),
    workerP99Ms: median(p99.worker),
  };
}

// --- 2. answers during a reload at the size bound ---------------------------------------------------
/** A valid policy of about `bytes`: 10,000 extensions sharing out allow-list entries. */
function bigPolicy(bytes: number, salt: number): string {
  const extensions: Record<string, { registration: { restrict: true; allowFrom: string[] } }> = {};
  const ids = Array.from({ length: 10_000 }, (_, i) => String(1000 + i));
  for (const id of ids) extensions[id] = { registration: { restrict: true, allowFrom: [] } };
  let size = 200 + ids.length * 60;
  for (let i = 0; size < bytes; i++) {
    const entry =
      i % 2 === 0
        ? `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`
        : `2001:db8:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::/64`;
    const list = extensions[ids[i % ids.length] ?? '']?.registration.allowFrom;
    if (list === undefined || list.length >= 1000) break;
    list.push(entry);
    size += entry.length + 3;
  }
  return JSON.stringify({ ...POLICY, maxRatePerMinute: `$0.0${salt % 10}00`, extensions });
}

async function duringReload(dir: string) {
  const bytes = smoke ? 256 * 1024 : 16 * 1024 * 1024 - 64 * 1024;
  const policyFile = join(dir, 'big.json');
  await writeFile(policyFile, bigPolicy(bytes, 1));
  const progress = (what: string) => process.stderr.write(`${new Date().toISOString()} ${what}\n`);
  progress(`compiling the first ${bytes}-byte policy`);
  const service = await createDecisionServer({ policyFile, log: () => {} });
  progress('compiled; starting the load');
  const url = await listen(service.server);
  await writeFile(policyFile, bigPolicy(bytes, 2));
  const windowS = smoke ? 4 : 90;
  const load = startClient(url, 4, windowS);
  await load.started;
  // A baseline under the same load first, then the reload; the rest of the window is after it. The
  // event-loop delay of this (the HTTP) thread tells a held-up loop from a machine short of CPU.
  const loopBefore = monitorEventLoopDelay({ resolution: 1 });
  loopBefore.enable();
  await new Promise((r) => setTimeout(r, smoke ? 1000 : 10_000));
  loopBefore.disable();
  const loopDuring = monitorEventLoopDelay({ resolution: 1 });
  loopDuring.enable();
  progress('reloading');
  const startMs = Date.now();
  const outcome = await service.reload('bench');
  const endMs = Date.now();
  loopDuring.disable();
  progress(`reload ${outcome.result} after ${endMs - startMs} ms`);
  const reloadMs = endMs - startMs;
  const result = await load.result;
  service.server.closeAllConnections();
  service.server.close();
  await service.holder.close();
  // Answers asked before the reload began are the baseline; those asked until it ended are "during".
  const before = result.samples.filter((s) => s[0] < startMs).map((s) => s[1]);
  const during = result.samples.filter((s) => s[0] >= startMs && s[0] <= endMs).map((s) => s[1]);
  return {
    policyBytes: bytes,
    outcome: outcome.result,
    reloadMs,
    errors: result.errors,
    beforeP99Ms: quantile(before, 0.99),
    beforeMaxMs: Math.max(...before),
    duringP99Ms: quantile(during, 0.99),
    duringMaxMs: Math.max(...during),
    duringAnswers: during.length,
    loopDelayBeforeMaxMs: loopBefore.max / 1e6,
    loopDelayBeforeP99Ms: loopBefore.percentile(99) / 1e6,
    loopDelayDuringMaxMs: loopDuring.max / 1e6,
    loopDelayDuringP99Ms: loopDuring.percentile(99) / 1e6,
  };
}

// --- 3. ConfigMap swap to the first answer under the new policy ----------------------------------
async function configMapSwap(dir: string) {
  const d = (name: string) => join(dir, 'cm', name);
  await mkdir(join(dir, 'cm'));
  const version = (n: number) => ({
    ...POLICY,
    registration: { restrict: true, allowFrom: [`127.0.0.${n}`] },
  });
  await mkdir(d('..v0'));
  await writeFile(d('..v0/policy.json'), JSON.stringify(version(10)));
  await symlink('..v0', d('..data'));
  await symlink('..data/policy.json', d('policy.json'));
  const child: ChildProcess = spawn(
    process.execPath,
    [join(root, 'dist/cli.js'), 'serve', d('policy.json'), '--port', '0'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((r) =>
    createInterface({ input: child.stdout ?? process.stdin }).on('line', (line) => {
      const e = JSON.parse(line) as { event: string; url?: string };
      if (e.event === 'listening') r(String(e.url));
    }),
  );
  const swaps = smoke ? 2 : 20;
  const latencies: number[] = [];
  for (let n = 1; n <= swaps; n++) {
    await mkdir(d(`..v${n}`));
    await writeFile(d(`..v${n}/policy.json`), JSON.stringify(version(10 + n)));
    await symlink(`..v${n}`, d('..data_tmp'));
    const swapped = performance.now();
    await rename(d('..data_tmp'), d('..data'));
    await rm(d(`..v${n - 1}`), { recursive: true });
    for (;;) {
      const res = await fetch(`${url}/v1/registration?extension=1&sourceIp=127.0.0.${10 + n}&format=text`);
      if ((await res.text()).startsWith('allow')) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    latencies.push(performance.now() - swapped);
  }
  child.kill('SIGTERM');
  return { swaps, p50Ms: quantile(latencies, 0.5), maxMs: Math.max(...latencies), debounceMs: 200 };
}

const only = process.argv.find((a) => a.startsWith('--part='))?.slice('--part='.length);
const dir = await mkdtemp(join(tmpdir(), 'sipguard-bench-serve-'));
try {
  const machine = { cpus: cpus().length, loadAverage: loadavg(), node: process.version };
  if (only !== undefined) {
    // One part again; its figures replace that part of the last full run's results.
    const parts = { requests: perRequest, reload: duringReload, swap: configMapSwap } as const;
    if (!Object.hasOwn(parts, only))
      throw new Error(`--part must be one of ${Object.keys(parts).join(', ')}`);
    const figures = await parts[only as keyof typeof parts](dir);
    console.log(only, figures);
    const file = join(root, 'bench/results/serve.json');
    const results = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    if (!smoke) {
      await writeFile(
        file,
        `${JSON.stringify({ ...results, [only]: { ...figures, date: new Date().toISOString(), machine } }, null, 2)}\n`,
      );
    }
  } else {
    const requests = await perRequest(dir);
    console.log('per request', requests);
    const reload = await duringReload(dir);
    console.log('during reload', reload);
    const swap = await configMapSwap(dir);
    console.log('configmap swap', swap);
    const results = { date: new Date().toISOString(), smoke, machine, requests, reload, swap };
    if (!smoke)
      await writeFile(join(root, 'bench/results/serve.json'), `${JSON.stringify(results, null, 2)}\n`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
