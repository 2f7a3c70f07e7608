// `npm run bench:edge`: the real edge measured on this machine, into bench/results/edge.json
// (docs/performance.md's edge tables are rendered from it by bench/edge-report.ts).
//   --only=drop   policy file write → contact gone from Kamailio's location table, over --changes
//   --only=load   sipp at fixed rates through Kamailio (+ sipguard): the highest rate held for
//                 --seconds with 0 failed calls, and its p99, per configuration
// Both by default. Every run records the machine's load (loadavg) beside its figures: on a shared
// machine they are noisy, and the report says so.
import { spawnSync } from 'node:child_process';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { DOMAIN, type Edge, missingTools, PASSWORDS, poll, randomNet, startEdge } from '../test/e2e/edge.js';

const RUN_STARTED = new Date().toISOString();
export const EDGE_RESULTS = resolve(import.meta.dirname, 'results', 'edge.json');
const scenarios = resolve(import.meta.dirname, 'edge');

/** The load configurations, in report order. */
export const LOAD_CONFIGS = [
  'register-sipguard',
  'register-keepalive',
  'register-jsonrpc',
  'register-permissions',
  'register-none',
  'invite-sipguard',
  'invite-keepalive',
  'invite-jsonrpc',
  'invite-none',
] as const;
export type LoadConfig = (typeof LOAD_CONFIGS)[number];

/** One fixed-rate run. */
export interface LoadStep {
  readonly rate: number;
  readonly seconds: number;
  readonly successful: number;
  readonly failed: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** CPU seconds used during the run, per part. */
  readonly cpuSeconds: {
    readonly kamailio: number;
    readonly service: number;
    readonly sipp: number;
    readonly carrier: number;
  };
  /** loadavg (1 min) when the run ended. */
  readonly load1: number;
  /**
   * Kamailio's CPU seconds by kind of process (`core.psx`): `sip` (the UDP workers), `jsonrpc-io`
   * (janssonrpcc's process, where answers continue), `rpc` (TCP, the management JSON-RPC), `timers`, `other`.
   */
  readonly kamailioCpu?: Readonly<Record<string, number>>;
  /**
   * TCP sockets on the service's ports during the run (`ss`, most seen in one sample every 2 s):
   * open ones, and ones closed in the last minute (TIME-WAIT: one per connection set up and closed).
   */
  readonly serviceSockets?: { readonly established: number; readonly timeWait: number };
}

/** One configuration's runs, from the lowest rate up to the first that failed. */
export interface LoadRow {
  readonly config: LoadConfig;
  /** When the `bench:edge` run that measured this row started (rows of several runs can be merged). */
  readonly at: string;
  /** Kamailio's SIP worker processes (`-A CHILDREN`) and shared memory (`-m`, MiB) in this row. */
  readonly children: number;
  readonly shmMb: number;
  readonly steps: readonly LoadStep[];
}

/** What bench/results/edge.json holds. */
export interface EdgeResults {
  readonly machine: {
    readonly cpus: number;
    readonly cpuModel: string;
    readonly node: string;
    readonly kamailio: string;
    readonly sipp: string;
  };
  readonly drop?: {
    readonly at: string;
    readonly changes: number;
    readonly latenciesMs: readonly number[];
    readonly loadBefore: readonly number[];
    readonly loadAfter: readonly number[];
  };
  readonly load?: {
    readonly at: string;
    readonly seconds: number;
    readonly loadBefore: readonly number[];
    readonly rows: readonly LoadRow[];
  };
}

const arg = (name: string): string | undefined =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Two phones on the run's /24: 102 registers from `mover`, which the second policy no longer lists. */
const REGISTRANT = 20;
const OTHER = 21;
const dropPolicy = (edge: Edge, listed: readonly number[]) => ({
  homeCountry: 'US',
  registration: { restrict: true, allowFrom: listed.map((n) => edge.address(n)) },
  calling: { allow: ['US', 'CA'] },
});

/** Time from the write of the policy file to the removal of the contact, `changes` times. */
async function measureDrop(changes: number): Promise<NonNullable<EdgeResults['drop']>> {
  const loadBefore = loadavg().map((x) => round(x, 2));
  const edge = await startEdge({ policy: { homeCountry: 'US' } });
  const latenciesMs: number[] = [];
  try {
    const from = edge.address(REGISTRANT);
    const listed = dropPolicy(edge, [REGISTRANT, OTHER]);
    const unlisted = dropPolicy(edge, [OTHER]);
    const applied = async (doc: unknown) => {
      const text = `${JSON.stringify(doc, null, 2)}\n`;
      const { createHash } = await import('node:crypto');
      const sha = createHash('sha256').update(text).digest('hex');
      await edge.writePolicy(text);
      await poll(
        () => edge.health(),
        (h) => (h.policy as { sha256: string }).sha256 === sha,
        10_000,
        20,
      );
    };
    for (let i = 0; i < changes; i++) {
      await applied(listed);
      // Past the sweep's recheck of the previous change, so that only this change removes the contact.
      await sleep(2_500);
      const r = await edge.register(from, '102');
      if (r.final.status !== 200) throw new Error(`REGISTER from ${from} was answered ${r.final.status}`);
      const held = (await edge.ulDump()).some((c) => c.received.startsWith(`sip:${from}:`));
      if (!held) throw new Error('the contact was not saved');
      const t0 = performance.now();
      await edge.writePolicy(unlisted);
      await poll(
        async () => (await edge.ulDump()).some((c) => c.received.startsWith(`sip:${from}:`)),
        (present) => !present,
        10_000,
        2,
      );
      latenciesMs.push(round(performance.now() - t0));
      process.stdout.write(`  drop ${i + 1}/${changes}: ${latenciesMs.at(-1)} ms\n`);
    }
  } finally {
    await edge.close();
  }
  return {
    at: new Date().toISOString(),
    changes,
    latenciesMs,
    loadBefore,
    loadAfter: loadavg().map((x) => round(x, 2)),
  };
}

/** CPU seconds (user + system) of `pids`, from /proc. */
async function cpuOf(pids: readonly number[]): Promise<number> {
  let ticks = 0;
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks / 100;
}

/** Kamailio's processes by kind, from its `core.psx` RPC (what each process says it does). */
async function kamailioRoles(rpcUrl: string): Promise<Map<number, string>> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    body: JSON.stringify({ jsonrpc: '2.0', method: 'core.psx', id: 1 }),
    headers: { Connection: 'close' },
  });
  const body = (await res.json()) as { result: { PID: number; DSC: string }[] };
  const kind = (dsc: string) =>
    dsc.startsWith('udp receiver')
      ? 'sip'
      : dsc === 'jsonrpc io handler'
        ? 'jsonrpc-io'
        : dsc.startsWith('tcp')
          ? 'rpc'
          : dsc.includes('timer')
            ? 'timers'
            : 'other';
  return new Map(body.result.map((p) => [p.PID, kind(p.DSC)]));
}

/** CPU seconds of each kind of Kamailio process. */
async function cpuByRole(roles: ReadonlyMap<number, string>): Promise<Record<string, number>> {
  const byRole: Record<string, number> = {};
  for (const [pid, role] of roles) byRole[role] = (byRole[role] ?? 0) + (await cpuOf([pid]));
  return byRole;
}

/** TCP sockets whose local or remote port is one of `ports`, established or in TIME-WAIT. */
function socketsOn(ports: readonly number[]): { established: number; timeWait: number } {
  const out = spawnSync('ss', ['-Htan'], { encoding: 'utf8' }).stdout ?? '';
  let established = 0;
  let timeWait = 0;
  for (const line of out.split('\n')) {
    const [state, , , local = '', peer = ''] = line.trim().split(/\s+/);
    const port = (address: string) => Number(address.slice(address.lastIndexOf(':') + 1));
    // An established connection counts once, on the service's side; TIME-WAIT is held by the side
    // that closed first (either).
    if (state === 'ESTAB' && ports.includes(port(local))) established += 1;
    else if (state === 'TIME-WAIT' && (ports.includes(port(local)) || ports.includes(port(peer))))
      timeWait += 1;
  }
  return { established, timeWait };
}

/** Every PID in process group `pgid`. */
async function groupPids(pgid: number): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^[0-9]+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[2]) === pgid) pids.push(Number(name));
  }
  return pids;
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;
}

/** One configuration's edge. The "none" and "permissions" ones run without the service. */
function edgeFor(
  config: LoadConfig,
  sources: readonly string[] | undefined,
  children: number,
  shmMb: number,
) {
  const policy = (listed: readonly string[]) => ({
    homeCountry: 'US',
    registration: { restrict: true, allowFrom: listed },
    calling: { allow: ['US', 'CA'] },
    maxRatePerMinute: '$0.0500',
  });
  const workers = `CHILDREN=${children}`;
  const common = { rates: 'prefix,rate\n1,0.0100\n', defines: [workers], shmMb };
  switch (config) {
    case 'register-sipguard':
    case 'invite-sipguard':
      return { ...common, policy: policy(sources ?? []) };
    case 'register-keepalive':
    case 'invite-keepalive':
      return { ...common, policy: policy(sources ?? []), keepAlive: true };
    case 'register-jsonrpc':
    case 'invite-jsonrpc':
      // The recommended production setup: JSON-RPC questions, call reports over a kept-open connection.
      return { ...common, policy: policy(sources ?? []), jsonrpc: true, reportsKeptOpen: true };
    case 'register-none':
    case 'invite-none':
      return {
        ...common,
        policy: policy([]),
        withoutService: true,
        defines: ['CHILDREN=8', 'WITHOUT_SIPGUARD'],
      };
    case 'register-permissions':
      return {
        ...common,
        policy: policy([]),
        withoutService: true,
        defines: [workers, 'WITH_PERMISSIONS'],
        addressTable: sources ?? [],
      };
  }
}

/** Runs `config` at each rate until one fails (or all pass). */
async function measureConfig(
  config: LoadConfig,
  rates: readonly number[],
  seconds: number,
  children: number,
  shmMb: number,
): Promise<LoadRow> {
  const net = randomNet();
  const source = `${net}.30`;
  const edge = await startEdge({ ...edgeFor(config, [source], children, shmMb), net });
  const steps: LoadStep[] = [];
  try {
    const { kamailioGroup, service, carrier } = edge.pids();
    const kamailioPids = kamailioGroup === undefined ? [] : await groupPids(kamailioGroup);
    const roles = await kamailioRoles(edge.rpcUrl);
    const servicePorts = edge.servicePorts();
    const invite = config.startsWith('invite');
    for (const rate of rates) {
      const statFile = join(edge.dir, `stat-${config}-${rate}.csv`);
      const calls = rate * seconds;
      const rolesBefore = await cpuByRole(roles);
      const before = {
        kamailio: await cpuOf(kamailioPids),
        service: service === undefined ? 0 : await cpuOf([service]),
        carrier: carrier === undefined ? 0 : await cpuOf([carrier]),
      };
      const t0 = performance.now();
      const args = [
        '-sf',
        join(scenarios, invite ? 'invite-load.xml' : 'register-load.xml'),
        '-i',
        source,
        '-s',
        '102',
        '-au',
        '102',
        '-ap',
        PASSWORDS['102'] ?? '',
        '-key',
        'dialed',
        '12025550123',
        '-r',
        String(rate),
        '-rp',
        '1000',
        '-m',
        String(calls),
        '-l',
        String(Math.max(100, rate * 4)),
        '-nostdin',
        '-trace_stat',
        '-stf',
        statFile,
        '-fd',
        String(seconds + 30),
        '-trace_rtt',
        '-rtt_freq',
        '100',
        '-max_retrans',
        '3',
        '-timeout',
        String(seconds + 30),
        '-timeout_error',
      ];
      const sippBefore = await reapedChildrenCpu();
      const sockets = { established: 0, timeWait: 0 };
      const sampler = setInterval(() => {
        const seen = socketsOn(servicePorts);
        sockets.established = Math.max(sockets.established, seen.established);
        sockets.timeWait = Math.max(sockets.timeWait, seen.timeWait);
      }, 2_000);
      await edge.runSipp(args, (seconds + 60) * 1_000).catch((e: unknown) => {
        console.error(`  sipp failed: ${e instanceof Error ? e.message : String(e)}`);
        return null;
      });
      clearInterval(sampler);
      const rolesAfter = await cpuByRole(roles);
      const wall = (performance.now() - t0) / 1_000;
      const after = {
        kamailio: await cpuOf(kamailioPids),
        service: service === undefined ? 0 : await cpuOf([service]),
        carrier: carrier === undefined ? 0 : await cpuOf([carrier]),
      };
      const { successful, failed } = await readStat(statFile);
      const rtts = await readRtts(edge.dir);
      const sippCpu = (await reapedChildrenCpu()) - sippBefore;
      const step: LoadStep = {
        rate,
        seconds,
        successful,
        failed: failed + Math.max(0, calls - successful - failed),
        p50Ms: round(percentile(rtts, 50), 2),
        p99Ms: round(percentile(rtts, 99), 2),
        cpuSeconds: {
          kamailio: round(after.kamailio - before.kamailio, 2),
          service: round(after.service - before.service, 2),
          sipp: round(sippCpu, 2),
          carrier: round(after.carrier - before.carrier, 2),
        },
        load1: round(loadavg()[0] ?? 0, 2),
        kamailioCpu: Object.fromEntries(
          Object.entries(rolesAfter).map(([role, cpu]) => [role, round(cpu - (rolesBefore[role] ?? 0), 2)]),
        ),
        ...(service === undefined ? {} : { serviceSockets: sockets }),
      };
      steps.push(step);
      process.stdout.write(
        `  ${config} ${rate}/s: ${successful} ok, ${step.failed} failed, p99 ${step.p99Ms} ms, ` +
          `cpu k=${step.cpuSeconds.kamailio} ${JSON.stringify(step.kamailioCpu)} s=${step.cpuSeconds.service} ` +
          `sockets ${JSON.stringify(step.serviceSockets ?? {})} (${round(wall)} s, load ${step.load1})\n`,
      );
      if (step.failed > 0) {
        // What Kamailio said about it (its warnings and errors), for the "where the time goes" notes.
        const said = edge
          .kamailioLog()
          .split('\n')
          .filter((line) => !/ INFO: /.test(line) && line.trim() !== '');
        if (said.length > 0)
          process.stdout.write(`  Kamailio's last words:\n    ${said.slice(-8).join('\n    ')}\n`);
        break;
      }
      await sleep(2_000);
    }
  } finally {
    await edge.close();
  }
  return { config, at: RUN_STARTED, children, shmMb, steps };
}

/** Successful and failed calls from sipp's -trace_stat file (its last line is cumulative). */
async function readStat(file: string): Promise<{ successful: number; failed: number }> {
  const lines = (await readFile(file, 'utf8').catch(() => '')).trim().split('\n');
  const header = (lines[0] ?? '').split(';');
  const last = (lines.at(-1) ?? '').split(';');
  const column = (name: string) => Number(last[header.indexOf(name)] ?? Number.NaN);
  return { successful: column('SuccessfulCall(C)'), failed: column('FailedCall(C)') };
}

/** Every response time sipp recorded (-trace_rtt), sorted; the files are removed after reading. */
async function readRtts(dir: string): Promise<number[]> {
  const values: number[] = [];
  for (const name of await readdir(dir)) {
    if (!name.endsWith('_rtt.csv')) continue;
    const text = await readFile(join(dir, name), 'utf8');
    for (const line of text.split('\n').slice(1)) {
      const ms = Number(line.split(';')[1]);
      if (Number.isFinite(ms) && line.trim() !== '') values.push(ms);
    }
    await import('node:fs/promises').then((fs) => fs.rm(join(dir, name)));
  }
  return values.sort((a, b) => a - b);
}

// sipp has exited (and was reaped by this process) when the figures are read: its CPU time is in
// this process's cutime/cstime, which grow only when a child is reaped (Kamailio and the carrier run on).
async function reapedChildrenCpu(): Promise<number> {
  const stat = await readFile('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13] ?? 0) + Number(fields[14] ?? 0)) / 100;
}

async function main(): Promise<void> {
  const missing = missingTools(false);
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}`);
  const only = arg('only');
  const previous: Partial<EdgeResults> = JSON.parse(await readFile(EDGE_RESULTS, 'utf8').catch(() => '{}'));
  // `sipp -v` exits 99; its version is the first non-empty line either way.
  const version = (cmd: string, args: string[]) => {
    const out = spawnSync(cmd, args, { encoding: 'utf8' }).stdout ?? '';
    return (
      out
        .split('\n')
        .find((l) => l.trim() !== '')
        ?.trim() ?? ''
    );
  };
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '',
    node: process.version,
    kamailio: version('kamailio', ['-v']),
    sipp: version('sipp', ['-v']),
  };
  let drop = previous.drop;
  let load = previous.load;
  if (only === undefined || only === 'drop') {
    const changes = Number(arg('changes') ?? 25);
    console.log(`drop latency over ${changes} policy changes (${DOMAIN})`);
    drop = await measureDrop(changes);
  }
  if (only === undefined || only === 'load') {
    const seconds = Number(arg('seconds') ?? 30);
    const rates = (arg('rates') ?? '250,500,1000,1500,2000,3000,4000,6000,8000').split(',').map(Number);
    const configs = (arg('configs')?.split(',') ?? LOAD_CONFIGS) as LoadConfig[];
    const children = Number(arg('children') ?? 8);
    const shmMb = Number(arg('shm') ?? 512);
    const loadBefore = loadavg().map((x) => round(x, 2));
    const rows: LoadRow[] = [];
    for (const config of configs) {
      console.log(`load: ${config}, ${seconds} s per rate, ${children} children, ${shmMb} MiB shm`);
      rows.push(await measureConfig(config, rates, seconds, children, shmMb));
    }
    const kept = (load?.rows ?? []).filter((r) => !configs.includes(r.config));
    load = {
      at: new Date().toISOString(),
      seconds,
      loadBefore,
      rows: [...kept, ...rows].sort(
        (a, b) => LOAD_CONFIGS.indexOf(a.config) - LOAD_CONFIGS.indexOf(b.config),
      ),
    };
  }
  const results: EdgeResults = {
    machine,
    ...(drop === undefined ? {} : { drop }),
    ...(load === undefined ? {} : { load }),
  };
  await writeFile(EDGE_RESULTS, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`wrote ${EDGE_RESULTS}`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
