// End to end with real SIP: `sipguard serve` + Kamailio 5.6 (examples/kamailio/kamailio.cfg) + sipp
// sending REGISTERs and INVITEs from several loopback addresses. Everything binds to 127.0.0.0/8;
// every process started here is stopped in afterAll, also when a step fails.
// Needs `kamailio`, `kamailio-utils-modules` and `sip-tester` (Debian). Locally the test skips when
// they are missing; with CI=true a missing tool fails the run.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INVALID_POLICY, POLICY_A, POLICY_B, policyText, RATES, sha256 } from '../fixtures/serve-policies.js';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/cli.js');
const kamailioCfg = resolve(root, 'examples/kamailio/kamailio.cfg');
const scenarios = resolve(import.meta.dirname, 'scenarios');

function toolMissing(): string | undefined {
  const missing: string[] = [];
  if (spawnSync('kamailio', ['-v'], { stdio: 'ignore' }).status !== 0) missing.push('kamailio');
  else if (spawnSync('kamailio', ['-c', '-f', kamailioCfg], { stdio: 'ignore' }).status !== 0) {
    // The example loads http_client, which Debian ships in kamailio-utils-modules.
    missing.push(
      'kamailio-utils-modules (http_client; "kamailio -c -f examples/kamailio/kamailio.cfg" fails)',
    );
  }
  if (spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error !== undefined) missing.push('sipp (sip-tester)');
  return missing.length === 0 ? undefined : missing.join(', ');
}

const missing = toolMissing();
const inCi = process.env.CI === 'true' || process.env.CI === '1';
if (missing !== undefined && !inCi) {
  console.warn(
    `SKIPPING the Kamailio end-to-end test: missing ${missing}. ` +
      'Install with: apt-get install -y kamailio kamailio-utils-modules sip-tester',
  );
}

/** What sipp received as the final answer: status line and the sipguard headers. */
interface SipAnswer {
  readonly status: number;
  readonly reason: string | undefined;
  readonly decision: string | undefined;
}

/** One row of the observed results, printed at the end. */
const observed: string[] = [];

describe.skipIf(missing !== undefined && !inCi)('Kamailio + sipguard serve, real SIP traffic', () => {
  let dir = '';
  let policyFile = '';
  let serviceUrl = '';
  let sipPort = 0;
  let service: ChildProcess | undefined;
  let serviceExit: Promise<number | null> | undefined;
  let kamailio: ChildProcess | undefined;
  let kamailioLog = '';

  beforeAll(async () => {
    if (missing !== undefined) throw new Error(`CI=true and required tools are missing: ${missing}`);
    if (!existsSync(cli))
      throw new Error(`${cli} is missing: run "npm run build" first (npm run test:e2e does)`);
    dir = await mkdtemp(join(tmpdir(), 'sipguard-e2e-'));
    policyFile = join(dir, 'policy.json');
    const ratesFile = join(dir, 'rates.csv');
    await writeFile(policyFile, policyText(POLICY_A));
    await writeFile(ratesFile, RATES);

    // The decision service on a free loopback port; its first line names the URL.
    service = spawn(
      process.execPath,
      [cli, 'serve', policyFile, '--rates', ratesFile, '--port', '0', '--log'],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const child = service;
    serviceExit = new Promise((r) => child.on('exit', (code) => r(code)));
    serviceUrl = await new Promise<string>((resolveUrl, rejectUrl) => {
      const timer = setTimeout(
        () => rejectUrl(new Error('sipguard serve did not start within 10 s')),
        10_000,
      );
      createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
        const event = JSON.parse(line) as { event: string; url?: string };
        if (event.event === 'listening' && event.url !== undefined) {
          clearTimeout(timer);
          resolveUrl(event.url);
        }
      });
      child.on('exit', () => rejectUrl(new Error('sipguard serve exited before listening')));
    });

    // Kamailio on a free loopback UDP port, in the foreground (-DD), logging to stderr (-E), with its
    // pid file and runtime folder in the temp dir. Its own process group lets afterAll stop it whole.
    sipPort = await freeUdpPort();
    kamailio = spawn(
      'kamailio',
      [
        '-f',
        kamailioCfg,
        '-DD',
        '-E',
        '-A',
        `SIP_LISTEN=udp:127.0.0.1:${sipPort}`,
        '-A',
        `SIPGUARD_URL="${serviceUrl}"`,
        '-P',
        join(dir, 'kamailio.pid'),
        '-Y',
        dir,
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    kamailio.stderr?.on('data', (chunk: Buffer) => {
      kamailioLog = (kamailioLog + chunk.toString()).slice(-20_000);
    });
    await waitForSip(sipPort, 10_000, () => kamailioLog);
  });

  afterAll(async () => {
    if (service !== undefined && service.exitCode === null) {
      service.kill('SIGKILL');
    }
    if (kamailio?.pid !== undefined && kamailio.exitCode === null) {
      const pid = kamailio.pid;
      const exited = new Promise((r) => kamailio?.on('exit', r));
      process.kill(-pid, 'SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
      if (!stopped) process.kill(-pid, 'SIGKILL');
    }
    if (observed.length > 0) console.log(`\nObserved SIP answers:\n${observed.join('\n')}`);
    if (dir !== '') await rm(dir, { recursive: true, force: true });
  });

  /** Runs one sipp scenario from `source` and returns the final answer it received. */
  async function sip(
    label: string,
    scenario: 'register' | 'invite',
    source: string,
    extension: string,
    dialed?: string,
  ): Promise<SipAnswer> {
    const messages = join(dir, `sipp-${observed.length}.log`);
    const args = [
      `127.0.0.1:${sipPort}`,
      '-sf',
      join(scenarios, `${scenario}.xml`),
      '-i',
      source,
      '-m',
      '1',
      '-s',
      extension,
      '-nostdin',
      '-trace_msg',
      '-message_file',
      messages,
      '-timeout',
      '10',
      '-timeout_error',
      '-max_retrans',
      '3',
    ];
    if (dialed !== undefined) args.push('-key', 'dialed', dialed);
    const code = await run('sipp', args, dir, 15_000);
    const answer = parseFinalAnswer(await readFile(messages, 'utf8'));
    observed.push(
      `${label.padEnd(58)} → ${answer.status}${answer.reason === undefined ? '' : ` Reason: ${answer.reason}`}${answer.decision === undefined ? '' : ` (${answer.decision})`}`,
    );
    expect(code, `sipp exit code for ${label}`).toBe(0);
    return answer;
  }

  const health = async () =>
    (await (await fetch(`${serviceUrl}/healthz`)).json()) as { status: string; policy: { sha256: string } };

  it('REGISTER from an allowed source is answered 200', async () => {
    const a = await sip('REGISTER 101 from 127.0.0.2 (listed)', 'register', '127.0.0.2', '101');
    expect(a).toEqual({ status: 200, reason: undefined, decision: 'allow ip-allowed' });
  });

  it('REGISTER from a source not in the allow-list is refused 403 ip-not-allowed', async () => {
    const a = await sip('REGISTER 101 from 127.0.0.3 (not listed)', 'register', '127.0.0.3', '101');
    expect(a).toEqual({ status: 403, reason: 'ip-not-allowed', decision: 'deny ip-not-allowed' });
  });

  it('INVITE to a US number is allowed (480 in this example: no carrier)', async () => {
    const a = await sip(
      'INVITE 101 → 12025550123 (US, $0.01 ≤ $0.05 cap)',
      'invite',
      '127.0.0.2',
      '101',
      '12025550123',
    );
    expect(a).toEqual({ status: 480, reason: undefined, decision: 'allow rate-within-cap' });
  });

  it('INVITE to 1 876 (Jamaica) from a US account is refused 403 area-not-allowed', async () => {
    const a = await sip(
      'INVITE 101 → 18765550100 (Jamaica, not allowed)',
      'invite',
      '127.0.0.2',
      '101',
      '18765550100',
    );
    expect(a).toEqual({ status: 403, reason: 'area-not-allowed', decision: 'deny area-not-allowed' });
  });

  it('INVITE to a premium-rate number is refused 403 area-denied', async () => {
    const a = await sip(
      'INVITE 101 → 19005550123 (premium-rate)',
      'invite',
      '127.0.0.2',
      '101',
      '19005550123',
    );
    expect(a).toEqual({ status: 403, reason: 'area-denied', decision: 'deny area-denied' });
  });

  it('INVITE to 911 is allowed as an emergency call', async () => {
    const a = await sip('INVITE 101 → 911 (emergency)', 'invite', '127.0.0.3', '101', '911');
    expect(a).toEqual({ status: 480, reason: undefined, decision: 'allow emergency' });
  });

  it('a rewritten policy is picked up: the previously allowed source is refused on its next REGISTER', async () => {
    await writeFile(policyFile, policyText(POLICY_B));
    await poll(health, (h) => h.policy.sha256 === sha256(policyText(POLICY_B)), 10_000);
    const before = await sip('REGISTER 101 from 127.0.0.2 after the change', 'register', '127.0.0.2', '101');
    expect(before).toEqual({ status: 403, reason: 'ip-not-allowed', decision: 'deny ip-not-allowed' });
    const now = await sip('REGISTER 101 from 127.0.0.4 after the change', 'register', '127.0.0.4', '101');
    expect(now).toEqual({ status: 200, reason: undefined, decision: 'allow ip-allowed' });
  });

  it('an invalid policy is not applied: the last good one keeps deciding, /healthz shows the error', async () => {
    await writeFile(policyFile, INVALID_POLICY);
    const h = (await poll(health, (x) => x.status === 'stale', 10_000)) as {
      policy: { sha256: string };
      lastReloadError?: { problems: { code: string }[] };
    };
    expect(h.policy.sha256).toBe(sha256(policyText(POLICY_B)));
    expect(h.lastReloadError?.problems.map((p) => p.code)).toContain('leading-zero');
    const still = await sip(
      'REGISTER 101 from 127.0.0.4, invalid file on disk',
      'register',
      '127.0.0.4',
      '101',
    );
    expect(still).toEqual({ status: 200, reason: undefined, decision: 'allow ip-allowed' });
    const refused = await sip(
      'REGISTER 101 from 127.0.0.2, invalid file on disk',
      'register',
      '127.0.0.2',
      '101',
    );
    expect(refused).toEqual({ status: 403, reason: 'ip-not-allowed', decision: 'deny ip-not-allowed' });
  });

  it('with the service stopped, Kamailio refuses (fail closed)', async () => {
    service?.kill('SIGTERM');
    expect(await serviceExit).toBe(0);
    const reg = await sip('REGISTER 101 from 127.0.0.4, service stopped', 'register', '127.0.0.4', '101');
    expect(reg).toEqual({ status: 503, reason: 'service-unavailable', decision: undefined });
    const call = await sip(
      'INVITE 101 → 12025550123, service stopped',
      'invite',
      '127.0.0.4',
      '101',
      '12025550123',
    );
    expect(call).toEqual({ status: 503, reason: 'service-unavailable', decision: undefined });
  });
});

/** The last SIP response in a sipp message log (-trace_msg): status and the sipguard headers. */
function parseFinalAnswer(log: string): SipAnswer {
  const blocks = log.split(/^-{20,}.*$/m).filter((b) => /message received/.test(b));
  const last = blocks.at(-1);
  const status = last?.match(/^SIP\/2\.0 ([0-9]{3}) /m)?.[1];
  if (last === undefined || status === undefined) throw new Error(`no SIP response in the sipp log:\n${log}`);
  const reason = last.match(/^Reason: sipguard;text="([^"]*)"\s*$/m)?.[1];
  const decision = last.match(/^X-Sipguard-Decision: (.*?)\s*$/m)?.[1];
  return { status: Number(status), reason, decision };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs a command to completion, killing it after `ms`; resolves with its exit code. */
function run(command: string, args: string[], cwd: string, ms: number): Promise<number | null> {
  return new Promise((resolveRun, rejectRun) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      rejectRun(new Error(`${command} did not finish within ${ms} ms: ${stderr}`));
    }, ms);
    child.on('error', (e) => {
      clearTimeout(timer);
      rejectRun(e);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun(code);
    });
  });
}

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, ms: number): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`not reached within ${ms} ms; last: ${JSON.stringify(value)}`);
    await sleep(100);
  }
}

/** A UDP port free on 127.0.0.1 right now (the OS picks it; released before Kamailio binds it). */
function freeUdpPort(): Promise<number> {
  return new Promise((resolvePort, rejectPort) => {
    const socket = createSocket('udp4');
    socket.once('error', rejectPort);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolvePort(port));
    });
  });
}

/** Waits until Kamailio answers SIP on `port`: an OPTIONS gets the example's 405. */
async function waitForSip(port: number, ms: number, logTail: () => string): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  const local = socket.address().port;
  let answered = false;
  socket.on('message', () => {
    answered = true;
  });
  try {
    const until = Date.now() + ms;
    for (let i = 0; !answered; i++) {
      if (Date.now() > until)
        throw new Error(`Kamailio did not answer on 127.0.0.1:${port} within ${ms} ms:\n${logTail()}`);
      const options = [
        `OPTIONS sip:127.0.0.1:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-ready-${i}`,
        'From: <sip:ready@127.0.0.1>;tag=ready',
        'To: <sip:127.0.0.1>',
        `Call-ID: ready-${i}@127.0.0.1`,
        `CSeq: ${i + 1} OPTIONS`,
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(options, port, '127.0.0.1');
      await sleep(200);
    }
  } finally {
    socket.close();
  }
}
