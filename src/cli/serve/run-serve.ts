// `sipguard serve`: runs the decision service in this process until SIGTERM or SIGINT, reloading the
// policy on SIGHUP and when its files change.
import type { AddressInfo, Server } from 'node:net';
import { type CliIo, ExitCode } from '../io.js';
import { createStreamLog } from './log.js';
import { createKamailioRegistrar } from './registrar-kamailio.js';
import { createDecisionServer } from './service.js';
import { type LedgerTarget, openServiceLedger } from './service-ledger.js';
import { watchFiles } from './watch.js';

/** What `sipguard serve` was asked to do. */
export interface ServeOptions {
  readonly policyFile: string;
  readonly ratesFile?: string | undefined;
  /** The account's SIP domain (auth realm); see `DecisionServerOptions.domain`. */
  readonly domain?: string | undefined;
  readonly host: string;
  readonly port: number;
  readonly logDecisions: boolean;
  /** Largest policy or deck file read (`--max-file-bytes`); DEFAULT_MAX_FILE_BYTES when not given. */
  readonly maxFileBytes?: number | undefined;
  /** The registrar whose contacts a policy change takes effect on (`--registrar`). */
  readonly registrar?: RegistrarTarget | undefined;
  /** The port of the JSON-RPC (netstring) listener on `host` (`--jsonrpc-port`); none when not given. */
  readonly jsonrpcPort?: number | undefined;
  /** Where usage limits count calls (`--ledger`); this process's memory when not given. */
  readonly ledger?: LedgerTarget | undefined;
  /** Quiet time after the last file event before reloading: editors write in several steps. */
  readonly debounceMs?: number;
}

/** After SIGTERM, how long the log may take to drain before the process exits anyway. */
export const STOP_FLUSH_MS = 1_000;

/** A registrar to drop no-longer-allowed contacts in: its kind and where its management API is. */
export interface RegistrarTarget {
  readonly kind: 'kamailio';
  readonly url: string;
}

/**
 * Parses a `--registrar` value, `kamailio:<http URL of its jsonrpcs>`, else `undefined`.
 * The URL must be http(s) with a host and carry no credentials (they would show in /healthz and logs).
 */
export function parseRegistrar(text: string): RegistrarTarget | undefined {
  const colon = text.indexOf(':');
  if (colon < 0 || text.slice(0, colon) !== 'kamailio') return undefined;
  const raw = text.slice(colon + 1);
  if (!URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  return { kind: 'kamailio', url: raw };
}

/** The default port of `sipguard serve`. */
export const DEFAULT_PORT = 8099;

/** Parses a `--port` value: a decimal integer 0–65535 (0 picks a free port), else `undefined`. */
export function parsePort(text: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return undefined;
  const port = Number(text);
  return port <= 65535 ? port : undefined;
}

/** Parses a `--max-file-bytes` value: a decimal integer from 1 to 2^31 - 1, else `undefined`. */
export function parseByteCount(text: string): number | undefined {
  if (!/^[1-9][0-9]{0,9}$/.test(text)) return undefined;
  const bytes = Number(text);
  return bytes <= 2 ** 31 - 1 ? bytes : undefined;
}

/** Binds `server` to `host:port`; rejects when it cannot (the port is taken, the address unknown). */
function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
}

/** `host:port` of a bound address, an IPv6 host in brackets. */
const hostPort = (address: AddressInfo): string =>
  `${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;

const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || /^127\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}$/.test(host);

/**
 * Runs the service until SIGTERM or SIGINT, then closes it and returns 0; a log that has not drained
 * within STOP_FLUSH_MS then ends the process. The first line on standard output is a `listening`
 * event with the bound URL (useful with `--port 0`); every later line is a JSON event too. Throws
 * `FileError` when the initial policy does not compile (exit 3).
 */
export async function runServe(options: ServeOptions, io: CliIo): Promise<ExitCode> {
  const serveLog = createStreamLog(process.stdout, { warn: io.err });
  const log = serveLog.write;
  let ledger: Awaited<ReturnType<typeof openServiceLedger>>;
  try {
    ledger = await openServiceLedger(options.ledger ?? { kind: 'memory' });
  } catch (e) {
    io.err(`sipguard serve: ${e instanceof Error ? e.message : String(e)}`);
    return ExitCode.failed;
  }
  const service = await createDecisionServer({
    ledger,
    policyFile: options.policyFile,
    ratesFile: options.ratesFile,
    domain: options.domain,
    registrar:
      options.registrar === undefined ? undefined : createKamailioRegistrar({ url: options.registrar.url }),
    jsonrpc: options.jsonrpcPort !== undefined,
    logDecisions: options.logDecisions,
    maxFileBytes: options.maxFileBytes,
    logLinesDropped: serveLog.dropped,
    log,
  });
  const { server } = service;
  const listeners: [Server, number][] = [[server, options.port]];
  if (service.jsonrpc !== undefined && options.jsonrpcPort !== undefined) {
    listeners.push([service.jsonrpc.server, options.jsonrpcPort]);
  }
  for (const [listener, port] of listeners) {
    try {
      await listen(listener, port, options.host);
    } catch (e) {
      io.err(
        `sipguard serve: cannot listen on ${options.host}:${port}: ${e instanceof Error ? e.message : String(e)}`,
      );
      // The policy worker (and a listener already bound) would keep the process alive.
      if (server.listening) server.close();
      await service.close();
      return ExitCode.failed;
    }
  }
  // Signals are handled before the `listening` line, which tells a supervisor the service is ready.
  const onHangup = () => void service.reload('SIGHUP');
  process.on('SIGHUP', onHangup);
  const stopped = new Promise<NodeJS.Signals>((resolveStop) => {
    const stop = (name: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      resolveStop(name);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
  const health = service.health();
  const jsonrpc = service.jsonrpc?.server.address();
  log({
    event: 'listening',
    url: `http://${hostPort(server.address() as AddressInfo)}`,
    ...(jsonrpc === undefined ? {} : { jsonrpc: `tcp://${hostPort(jsonrpc as AddressInfo)}` }),
    policy: health.policy,
    ...(health.rates === undefined ? {} : { rates: health.rates }),
    ...(health.ledger === undefined ? {} : { ledger: health.ledger }),
  });
  if (!isLoopback(options.host)) {
    log({
      event: 'warning',
      message: `listening on ${options.host}, not loopback: anyone who can reach it can ask`,
    });
  }

  // The policy may have changed while the service was down: take it into effect on the registrar now.
  service.registrar?.start();

  const files =
    options.ratesFile === undefined ? [options.policyFile] : [options.policyFile, options.ratesFile];
  const watcher = watchFiles(files, {
    debounceMs: options.debounceMs ?? 200,
    onChange: () => void service.reload('file-changed'),
    onError: (error) => log({ event: 'watch-error', message: error.message }),
  });
  // A change between the first load and the watcher's first look would go unseen: look once more.
  void watcher.ready.then(() => service.reload('watch-started'));
  const signal = await stopped;
  process.off('SIGHUP', onHangup);
  watcher.close();
  await new Promise<void>((resolveClose) => {
    server.close(() => resolveClose());
    server.closeAllConnections();
  });
  await service.close();
  log({ event: 'stopped', signal });
  // A pending write to a stalled reader keeps the event loop alive: end the process after the bound.
  if (!(await serveLog.flush(STOP_FLUSH_MS))) process.exit(ExitCode.ok);
  return ExitCode.ok;
}
