// The real edge on loopback, for the end-to-end test and the edge benchmarks (bench/edge-*.ts):
// `sipguard serve` (with --domain and --registrar), Debian's Kamailio running
// examples/kamailio/kamailio.cfg with the example's credentials store, a sipp UAS playing the carrier
// (it records every INVITE it receives), and helpers to drive sipp and baresip.
// Every address is on a 127.x.y.0/24 picked at random per run, every port is free when picked, and
// every process started here is ended by `close()`, by its own PID (Kamailio by its process group).
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const root = resolve(import.meta.dirname, '../..');
export const cli = resolve(root, 'dist/cli.js');
export const kamailioCfg = resolve(root, 'examples/kamailio/kamailio.cfg');
export const exampleDb = resolve(root, 'examples/kamailio/db');
export const scenarios = resolve(import.meta.dirname, 'scenarios');

/** The example's account: its SIP domain and the credentials shipped in examples/kamailio/db. */
export const DOMAIN = 'sip.example.test';
export const PASSWORDS: Readonly<Record<string, string>> = {
  '101': 'change-me-101',
  '102': 'change-me-102',
  '103': 'change-me-103',
};

/** The tools the edge needs that are missing here, as Debian package hints; empty when all are there. */
export function missingTools(needBaresip: boolean, needJsonRpc = false): string[] {
  const missing: string[] = [];
  const configChecks = (defines: readonly string[]) =>
    spawnSync(
      'kamailio',
      ['-c', '-f', kamailioCfg, '-A', `DBURL="text://${exampleDb}"`, ...defines.flatMap((d) => ['-A', d])],
      { stdio: 'ignore' },
    ).status === 0;
  if (spawnSync('kamailio', ['-v'], { stdio: 'ignore' }).status !== 0) missing.push('kamailio');
  else if (!configChecks([])) {
    missing.push(
      'kamailio-utils-modules (http_client: "kamailio -c -f examples/kamailio/kamailio.cfg" fails)',
    );
  } else if (needJsonRpc && !configChecks(['WITH_SIPGUARD_JSONRPC'])) {
    missing.push('kamailio-extra-modules (janssonrpcc, jansson: "-A WITH_SIPGUARD_JSONRPC" fails)');
  }
  if (spawnSync('sipp', ['-v'], { stdio: 'ignore' }).error !== undefined) missing.push('sip-tester (sipp)');
  if (needBaresip && spawnSync('baresip', ['-h'], { stdio: 'ignore' }).error !== undefined) {
    missing.push('baresip-core (baresip)');
  }
  return missing;
}

/** A SIP response sipp received: status, reason phrase, CSeq method and headers (lower-case names). */
export interface SipResponse {
  readonly status: number;
  readonly phrase: string;
  readonly method: string;
  readonly headers: ReadonlyMap<string, string>;
}

/** What one sipp run saw: every response, and the final answer to its INVITE or REGISTER. */
export interface SippRun {
  readonly code: number | null;
  readonly responses: readonly SipResponse[];
  readonly final: SipResponse;
  /** `Reason: sipguard;text="..."` of the final answer, if any. */
  readonly reason: string | undefined;
}

/** One INVITE the carrier received. */
export interface CarrierInvite {
  readonly requestUser: string;
  readonly callId: string;
  readonly assertedIdentity: string | undefined;
  readonly from: string;
}

/** One contact in Kamailio's location table, as `ul.dump` shows it. */
export interface LocationContact {
  readonly aor: string;
  readonly address: string;
  readonly received: string;
}

/** Options of {@link startEdge}. */
export interface EdgeOptions {
  readonly policy: unknown;
  readonly rates?: string;
  /** Extra `-A` defines for Kamailio (measurement switches, CHILDREN). */
  readonly defines?: readonly string[];
  /** `--log` on the service (one line per decision). */
  readonly logDecisions?: boolean;
  /** Keep the service out (measurements without it). */
  readonly withoutService?: boolean;
  /** Rows of the permissions `address` table (group 1), for the WITH_PERMISSIONS anchor. */
  readonly addressTable?: readonly string[];
  /** Kamailio's shared memory in MiB (`-m`; Kamailio's default is 64, too little for INVITE load). */
  readonly shmMb?: number;
  /** Extra Node options for the service (e.g. `--cpu-prof` when profiling it under load). */
  readonly serviceNodeOptions?: readonly string[];
  /** Query sipguard over kept-open connections (`-A WITH_KEEPALIVE`, a measurement switch). */
  readonly keepAlive?: boolean;
  /** Ask sipguard over JSON-RPC (`--jsonrpc-port`, `-A WITH_SIPGUARD_JSONRPC`). */
  readonly jsonrpc?: boolean;
  /** Send the call reports over one kept-open connection (`SIPGUARD_HTTPCON`; implied by `keepAlive`). */
  readonly reportsKeptOpen?: boolean;
  /** The run's /24 as `127.a.b` (see {@link randomNet}); picked at random when not given. */
  readonly net?: string;
  /** `--ledger` of every replica (e.g. a `redis://` URL); the default (memory) when not given. */
  readonly ledger?: string;
  /**
   * How many `sipguard serve` replicas (default 1). With more than one, Kamailio asks them round robin
   * through its dispatcher (`-A WITH_DISPATCHER`, a list file in the run's folder).
   */
  readonly replicas?: number;
  /** Kamailio's MAX_CALL_SECONDS (the dialog timeout). */
  readonly maxCallSeconds?: number;
}

/** A random 127.a.b (a /24 of loopback addresses) for one run, unlikely to meet another engineer's. */
export const randomNet = (): string =>
  `127.${18 + Math.floor(Math.random() * 200)}.${1 + Math.floor(Math.random() * 250)}`;

/** A running edge. */
export interface Edge {
  readonly dir: string;
  readonly policyFile: string;
  readonly serviceUrl: string;
  /** `host` of Kamailio's SIP socket, and its port. */
  readonly sip: { readonly host: string; readonly port: number };
  readonly rpcUrl: string;
  readonly carrier: { readonly host: string; readonly port: number };
  /** A fresh loopback address on this run's /24 (for one phone). */
  address(n: number): string;
  /** Every JSON event `sipguard serve` wrote so far. */
  readonly serviceEvents: readonly Record<string, unknown>[];
  writePolicy(doc: unknown | string): Promise<void>;
  health(): Promise<Record<string, unknown>>;
  metrics(): Promise<string>;
  ulDump(): Promise<LocationContact[]>;
  carrierInvites(): Promise<CarrierInvite[]>;
  register(source: string, user: string, options?: { password?: string; expires?: number }): Promise<SippRun>;
  invite(
    source: string,
    user: string,
    dialed: string,
    options?: { from?: string; password?: string },
  ): Promise<SippRun>;
  /** The same INVITE, the call held `holdMs` before the caller hangs up (sipp's `-d`). */
  inviteHeld(source: string, user: string, dialed: string, holdMs: number): Promise<SippRun>;
  /** Every replica's HTTP URL, in the dispatcher list's order (the first is `serviceUrl`). */
  readonly replicaUrls: readonly string[];
  /** Kills replica `index` with SIGKILL (a crash); resolves on its exit. */
  killReplica(index: number): Promise<void>;
  /** Starts baresip registering `user` from `source`; resolves once it says its REGISTER got 200. */
  baresip(source: string, user: string): Promise<ChildProcess>;
  stopService(): Promise<number | null>;
  /** Runs sipp against Kamailio with `args` (for load: any scenario, rate and limits); its exit code. */
  runSipp(args: readonly string[], ms: number): Promise<number | null>;
  /** The service's TCP ports (HTTP, and JSON-RPC when asked for); none without the service. */
  servicePorts(): number[];
  /** PIDs for CPU accounting: Kamailio's process group, the service and the carrier. */
  pids(): {
    readonly kamailioGroup: number | undefined;
    readonly service: number | undefined;
    readonly carrier: number | undefined;
  };
  kamailioLog(): string;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Starts the service, Kamailio and the carrier; rejects (after cleaning up) if one does not come up. */
export async function startEdge(options: EdgeOptions): Promise<Edge> {
  const dir = await mkdtemp(join(tmpdir(), 'sipguard-edge-'));
  const children: ChildProcess[] = [];
  const groups: ChildProcess[] = [];
  const net = options.net ?? randomNet();
  const address = (n: number) => `${net}.${n}`;
  const serviceEvents: Record<string, unknown>[] = [];
  let kamailioLog = '';
  let service: ChildProcess | undefined;
  let serviceExit: Promise<number | null> = Promise.resolve(null);
  const replicas: ChildProcess[] = [];
  const replicaUrls: string[] = [];

  async function close(): Promise<void> {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    for (const group of groups) {
      if (group.pid === undefined || group.exitCode !== null || group.signalCode !== null) continue;
      const exited = new Promise((r) => group.once('exit', r));
      try {
        process.kill(-group.pid, 'SIGTERM');
      } catch {
        continue;
      }
      const stopped = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
      if (!stopped) {
        try {
          process.kill(-group.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    await rm(dir, { recursive: true, force: true });
  }

  try {
    const policyFile = join(dir, 'policy.json');
    const ratesFile = join(dir, 'rates.csv');
    const db = join(dir, 'db');
    await writeFile(policyFile, policyText(options.policy));
    await writeFile(ratesFile, options.rates ?? 'prefix,rate\n1,0.0100\n');
    await cp(exampleDb, db, { recursive: true });
    if (options.addressTable !== undefined) {
      const header = 'id(int,auto) grp(int) ip_addr(str) mask(int) port(int) tag(str,null) \n';
      const rows = options.addressTable.map((ip, i) => `${i + 1}:1:${ip}:32:0:\n`).join('');
      await writeFile(join(db, 'address'), header + rows);
    }

    const sipHost = address(1);
    const sipPort = await freePort('udp4', sipHost);
    const rpcPort = await freePort('tcp', sipHost);
    const carrierHost = address(2);
    const carrierPort = await freePort('udp4', carrierHost);
    const rpcUrl = `http://${sipHost}:${rpcPort}/RPC`;

    let serviceUrl = 'http://127.0.0.1:9';
    // Where janssonrpcc connects; a port nothing listens on when the service is left out.
    let jsonrpcAddress = { host: '127.0.0.1', port: 9 };
    const replicaCount = options.withoutService === true ? 0 : (options.replicas ?? 1);
    for (let replica = 0; replica < replicaCount; replica++) {
      const args = [cli, 'serve', policyFile, '--rates', ratesFile, '--domain', DOMAIN];
      // One registrar connector is enough: every replica would drop the same contacts.
      if (replica === 0) args.push('--registrar', `kamailio:${rpcUrl}`);
      args.push('--port', '0');
      if (options.ledger !== undefined) args.push('--ledger', options.ledger);
      if (options.jsonrpc === true) args.push('--jsonrpc-port', '0');
      if (options.logDecisions === true) args.push('--log');
      const child = spawn(process.execPath, [...(options.serviceNodeOptions ?? []), ...args], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      replicas.push(child);
      if (replica === 0) {
        service = child;
        serviceExit = new Promise((r) => child.once('exit', (code) => r(code)));
      }
      const url = await new Promise<string>((resolveUrl, rejectUrl) => {
        const timer = setTimeout(
          () => rejectUrl(new Error('sipguard serve did not start within 15 s')),
          15_000,
        );
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
          const event = JSON.parse(line) as Record<string, unknown>;
          serviceEvents.push(event);
          if (event.event === 'listening' && typeof event.url === 'string') {
            clearTimeout(timer);
            if (typeof event.jsonrpc === 'string') {
              const url = new URL(event.jsonrpc);
              jsonrpcAddress = { host: url.hostname, port: Number(url.port) };
            }
            resolveUrl(event.url);
          }
        });
        child.once('exit', () => rejectUrl(new Error('sipguard serve exited before listening')));
      });
      replicaUrls.push(url);
      if (replica === 0) serviceUrl = url;
    }
    // The service's first registrar sweep (it starts after `listening`) has run before Kamailio starts,
    // so it found no registrar: on a loaded machine Kamailio could otherwise be up before it runs.
    if (replicaCount > 0) {
      await poll(
        async () => serviceEvents.some((e) => String(e.event).startsWith('registrar-')),
        (seen) => seen,
        15_000,
        10,
      );
    }
    const dispatcher: string[] = [];
    if (replicaUrls.length > 1) {
      // Set 1, one sip:<host>:<port> per replica (route[SIPGUARD_HTTP] turns it into an http:// URL).
      const list = join(dir, 'dispatcher.list');
      await writeFile(list, replicaUrls.map((u) => `1 sip:${new URL(u).host}\n`).join(''));
      dispatcher.push('WITH_DISPATCHER', `DISPATCHER_LIST="${list}"`);
    }

    // Kamailio in the foreground (-DD), logging to stderr (-E), pid file and runtime folder in `dir`,
    // in its own process group so that close() stops its children with it.
    const defines = [
      `SIP_LISTEN=udp:${sipHost}:${sipPort}`,
      `RPC_LISTEN=tcp:${sipHost}:${rpcPort}`,
      `SIPGUARD_URL="${serviceUrl}"`,
      `CARRIER="${carrierHost}:${carrierPort}"`,
      `DBURL="text://${db}"`,
      ...(options.defines ?? ['CHILDREN=2']),
      ...dispatcher,
      ...(options.maxCallSeconds === undefined ? [] : [`MAX_CALL_SECONDS=${options.maxCallSeconds}`]),
      ...(options.keepAlive === true ? ['WITH_KEEPALIVE'] : []),
      ...(options.keepAlive === true || options.reportsKeptOpen === true
        ? [`SIPGUARD_HTTPCON="sipguard=>${serviceUrl}"`]
        : []),
      ...(options.jsonrpc === true
        ? [
            'WITH_SIPGUARD_JSONRPC',
            `SIPGUARD_JSONRPC="conn=sipguard;addr=${jsonrpcAddress.host};port=${jsonrpcAddress.port}"`,
          ]
        : []),
    ];
    const kamailio = spawn(
      'kamailio',
      [
        '-f',
        kamailioCfg,
        '-DD',
        '-E',
        ...defines.flatMap((d) => ['-A', d]),
        ...(options.shmMb === undefined ? [] : ['-m', String(options.shmMb)]),
        '-P',
        join(dir, 'kamailio.pid'),
        '-Y',
        dir,
      ],
      { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    );
    groups.push(kamailio);
    kamailio.stderr?.on('data', (chunk: Buffer) => {
      kamailioLog = (kamailioLog + chunk.toString()).slice(-50_000);
    });

    // The carrier: a sipp UAS answering every INVITE 200 and the BYE after it, logging all it receives.
    const carrierLog = join(dir, 'carrier.log');
    const carrier = spawn(
      'sipp',
      // -l: sipp caps open calls (3 × rate × duration by default, tiny for a UAS) and keeps an ended
      // call open for -deadcall_wait; without a high cap the carrier stops taking calls under load.
      [
        '-sf',
        join(scenarios, 'carrier.xml'),
        '-i',
        carrierHost,
        '-p',
        String(carrierPort),
        '-nostdin',
      ].concat(['-l', '1000000', '-trace_msg', '-message_file', carrierLog]),
      { cwd: dir, stdio: 'ignore' },
    );
    children.push(carrier);

    await waitForSip(sipHost, sipPort, 15_000, () => kamailioLog);

    let runs = 0;
    async function sipp(args: string[], timeoutS = 15): Promise<SippRun> {
      runs += 1;
      const messages = join(dir, `sipp-${runs}.log`);
      const code = await run(
        'sipp',
        [
          `${sipHost}:${sipPort}`,
          ...args,
          '-m',
          '1',
          '-key',
          'domain',
          DOMAIN,
          '-nostdin',
          '-trace_msg',
          '-message_file',
          messages,
          '-timeout',
          String(timeoutS),
          '-timeout_error',
          '-max_retrans',
          '5',
        ],
        dir,
        (timeoutS + 5) * 1000,
      );
      const responses = ownResponses(await readFile(messages, 'utf8'));
      const final = [...responses].reverse().find((r) => r.status >= 200 && r.method !== 'BYE');
      if (final === undefined) throw new Error(`sipp ${args.join(' ')} received no final answer`);
      const reason = final.headers.get('reason')?.match(/^sipguard;text="([^"]*)"$/)?.[1];
      return { code, responses, final, reason };
    }

    const edge: Edge = {
      dir,
      policyFile,
      serviceUrl,
      sip: { host: sipHost, port: sipPort },
      rpcUrl,
      carrier: { host: carrierHost, port: carrierPort },
      address,
      serviceEvents,
      writePolicy: (doc) => writeFile(policyFile, typeof doc === 'string' ? doc : policyText(doc)),
      health: async () => (await (await fetch(`${serviceUrl}/healthz`)).json()) as Record<string, unknown>,
      metrics: async () => (await fetch(`${serviceUrl}/metrics`)).text(),
      ulDump: () => ulDump(rpcUrl),
      async carrierInvites() {
        const text = await readFile(carrierLog, 'utf8').catch(() => '');
        return parseCarrierInvites(text);
      },
      register(source, user, o = {}) {
        const auth = ['-i', source, '-s', user, '-au', user, '-ap', o.password ?? PASSWORDS[user] ?? ''];
        const expires = ['-key', 'expires', String(o.expires ?? 600)];
        return sipp(['-sf', join(scenarios, 'register.xml'), ...auth, ...expires]);
      },
      invite(source, user, dialed, o = {}) {
        const auth = ['-i', source, '-s', user, '-au', user, '-ap', o.password ?? PASSWORDS[user] ?? ''];
        const keys = ['-key', 'dialed', dialed, '-key', 'from', o.from ?? user];
        return sipp(['-sf', join(scenarios, 'invite.xml'), ...auth, ...keys]);
      },
      inviteHeld(source, user, dialed, holdMs) {
        const auth = ['-i', source, '-s', user, '-au', user, '-ap', PASSWORDS[user] ?? ''];
        const keys = ['-key', 'dialed', dialed, '-key', 'from', user, '-d', String(holdMs)];
        const timeout = 15 + Math.ceil(holdMs / 1000);
        return sipp(['-sf', join(scenarios, 'invite-hold.xml'), ...auth, ...keys], timeout);
      },
      replicaUrls,
      async killReplica(index) {
        const child = replicas[index];
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGKILL');
        await exited;
      },
      async baresip(source, user) {
        const config = join(dir, `baresip-${user}`);
        await mkdir(config, { recursive: true });
        const port = await freePort('udp4', source);
        await writeFile(join(config, 'config'), baresipConfig(source, port));
        await writeFile(
          join(config, 'accounts'),
          `<sip:${user}@${DOMAIN}>;auth_pass=${PASSWORDS[user] ?? ''};outbound="sip:${sipHost}:${sipPort}";regint=600;answermode=auto\n`,
        );
        const phone = spawn('baresip', ['-f', config], { cwd: config, stdio: ['ignore', 'pipe', 'pipe'] });
        children.push(phone);
        let output = '';
        await new Promise<void>((resolveUp, rejectUp) => {
          const timer = setTimeout(
            () => rejectUp(new Error(`baresip ${user} did not register within 15 s:\n${output}`)),
            15_000,
          );
          const onData = (chunk: Buffer) => {
            output += chunk.toString();
            if (output.includes(`${user}@${DOMAIN}: {0/UDP/v4} 200 OK`)) {
              clearTimeout(timer);
              resolveUp();
            }
          };
          phone.stdout?.on('data', onData);
          phone.stderr?.on('data', onData);
          phone.once('exit', (code) => {
            clearTimeout(timer);
            rejectUp(new Error(`baresip ${user} exited (${code}) before registering:\n${output}`));
          });
        });
        return phone;
      },
      async stopService() {
        service?.kill('SIGTERM');
        return serviceExit;
      },
      runSipp: (args, ms) =>
        run('sipp', [`${sipHost}:${sipPort}`, '-key', 'domain', DOMAIN, ...args], dir, ms),
      servicePorts: () =>
        service === undefined
          ? []
          : [Number(new URL(serviceUrl).port), ...(options.jsonrpc === true ? [jsonrpcAddress.port] : [])],
      pids: () => ({ kamailioGroup: kamailio.pid, service: service?.pid, carrier: carrier.pid }),
      kamailioLog: () => kamailioLog,
      close,
    };
    return edge;
  } catch (e) {
    await close();
    throw e;
  }
}

/** baresip's config: SIP on `host:port` only, G.711 and file audio (no sound card), no UI modules. */
function baresipConfig(host: string, port: number): string {
  return [
    'poll_method epoll',
    `sip_listen ${host}:${port}`,
    'module_path /usr/lib/baresip/modules',
    'module g711.so',
    'module aufile.so',
    'audio_player aufile,/dev/null',
    'audio_source aufile,/usr/share/baresip/ring.wav',
    'module_app account.so',
    '',
  ].join('\n');
}

export const policyText = (doc: unknown) =>
  typeof doc === 'string' ? doc : `${JSON.stringify(doc, null, 2)}\n`;

/** Kamailio's location table through its JSON-RPC (ul.dump), on a connection of its own. */
export async function ulDump(rpcUrl: string): Promise<LocationContact[]> {
  const text = await new Promise<string>((resolveText, rejectText) => {
    const payload = JSON.stringify({ jsonrpc: '2.0', method: 'ul.dump', id: 1 });
    const req = httpRequest(
      rpcUrl,
      {
        method: 'POST',
        agent: false,
        headers: { 'Content-Length': Buffer.byteLength(payload), Connection: 'close' },
      },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => {
          body += c.toString();
        });
        res.on('end', () => resolveText(body));
        res.on('error', rejectText);
      },
    );
    req.on('error', rejectText);
    req.end(payload);
  });
  const body = JSON.parse(text) as {
    result: {
      Domains: {
        Domain: {
          AoRs: { Info: { AoR: string; Contacts: { Contact: { Address: string; Received: string } }[] } }[];
        };
      }[];
    };
  };
  return body.result.Domains.flatMap((d) =>
    d.Domain.AoRs.flatMap((a) =>
      a.Info.Contacts.map((c) => ({
        aor: a.Info.AoR,
        address: c.Contact.Address,
        received: c.Contact.Received,
      })),
    ),
  );
}

/** The Call-ID of the first request in a sipp message log (-trace_msg): the run's own call. */
export function sentCallId(log: string): string | undefined {
  const sent = log.split(/^-{20,}.*$/m).find((b) => /message sent/.test(b));
  return sent?.match(/^Call-ID:\s*(\S+)\s*$/im)?.[1];
}

/**
 * The responses to the run's own call in a sipp message log: an earlier run from the same address
 * and port may still be sent retransmissions of a final answer it did not acknowledge.
 */
export function ownResponses(log: string): SipResponse[] {
  const own = sentCallId(log);
  return parseResponses(log).filter((r) => r.headers.get('call-id') === own);
}

/** Every response in a sipp message log (-trace_msg), in order. */
export function parseResponses(log: string): SipResponse[] {
  const blocks = log.split(/^-{20,}.*$/m).filter((b) => /message received/.test(b));
  const responses: SipResponse[] = [];
  for (const block of blocks) {
    const start = block.search(/^SIP\/2\.0 [0-9]{3} /m);
    if (start < 0) continue;
    const lines = block.slice(start).split(/\r?\n/);
    const status = /^SIP\/2\.0 ([0-9]{3}) (.*)$/.exec(lines[0] ?? '');
    if (status === null) continue;
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      if (line.trim() === '') break;
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const method = (headers.get('cseq') ?? '').split(/\s+/)[1] ?? '';
    responses.push({ status: Number(status[1]), phrase: (status[2] ?? '').trim(), method, headers });
  }
  return responses;
}

/** Every INVITE in the carrier's message log. */
export function parseCarrierInvites(log: string): CarrierInvite[] {
  const invites: CarrierInvite[] = [];
  for (const block of log.split(/^-{20,}.*$/m)) {
    if (!/message received/.test(block)) continue;
    const line = /^INVITE sip:([^@;>\s]+)@\S+ SIP\/2\.0$/m.exec(block);
    if (line === null) continue;
    const header = (name: string) => new RegExp(`^${name}:\\s*(.*?)\\s*$`, 'mi').exec(block)?.[1];
    invites.push({
      requestUser: line[1] ?? '',
      callId: header('Call-ID') ?? '',
      assertedIdentity: header('P-Asserted-Identity'),
      from: header('From') ?? '',
    });
  }
  return invites;
}

/** Runs a command to completion, killing it after `ms`; resolves with its exit code. */
export function run(command: string, args: string[], cwd: string, ms: number): Promise<number | null> {
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

/** Polls `read` until `done` holds (every `everyMs`), or throws after `ms` with the last value. */
export async function poll<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms: number,
  everyMs = 50,
): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`not reached within ${ms} ms; last: ${JSON.stringify(value)}`);
    await sleep(everyMs);
  }
}

/** A port free on `host` right now (the OS picks it; released before the real owner binds it). */
export function freePort(kind: 'udp4' | 'tcp', host: string): Promise<number> {
  return new Promise((resolvePort, rejectPort) => {
    if (kind === 'udp4') {
      const socket = createSocket('udp4');
      socket.once('error', rejectPort);
      socket.bind(0, host, () => {
        const { port } = socket.address();
        socket.close(() => resolvePort(port));
      });
      return;
    }
    import('node:net').then(({ createServer }) => {
      const server = createServer();
      server.once('error', rejectPort);
      server.listen(0, host, () => {
        const a = server.address();
        const port = typeof a === 'object' && a !== null ? a.port : 0;
        server.close(() => resolvePort(port));
      });
    }, rejectPort);
  });
}

/** Waits until Kamailio answers SIP on host:port: an OPTIONS keepalive gets its 200. */
async function waitForSip(host: string, port: number, ms: number, logTail: () => string): Promise<void> {
  const socket = createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, host, () => r()));
  const local = socket.address().port;
  let answered = false;
  socket.on('message', () => {
    answered = true;
  });
  try {
    const until = Date.now() + ms;
    for (let i = 0; !answered; i++) {
      if (Date.now() > until)
        throw new Error(`Kamailio did not answer on ${host}:${port} within ${ms} ms:\n${logTail()}`);
      const options = [
        `OPTIONS sip:${host}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP ${host}:${local};branch=z9hG4bK-ready-${i}`,
        `From: <sip:ready@${host}>;tag=ready`,
        `To: <sip:${host}>`,
        `Call-ID: ready-${i}@${host}`,
        `CSeq: ${i + 1} OPTIONS`,
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(options, port, host);
      await sleep(200);
    }
  } finally {
    socket.close();
  }
}
