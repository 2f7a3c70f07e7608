// The decision service of `sipguard serve` as one value: a policy holder, the HTTP adapter over it and,
// with a registrar, the sweep that takes each applied policy into effect on registrations held.
import type { Server } from 'node:http';
import { createDecider } from './decide.js';
import { createHttpAdapter, type HttpTimeouts, type ServiceHealth } from './http.js';
import { createJsonRpcServer, type JsonRpcServer } from './jsonrpc.js';
import type { ServeEvent } from './log.js';
import { MetricRegistry } from './metrics.js';
import { createPolicyHolder, type PolicyHolder, type ReloadOutcome } from './policy-holder.js';
import type { RegistrarConnector } from './registrar.js';
import { createRegistrationSweeper, type RegistrationSweeper } from './registration-sweep.js';
import { memoryServiceLedger, type ServiceLedger } from './service-ledger.js';

/** Options of {@link createDecisionServer}. */
export interface DecisionServerOptions {
  readonly policyFile: string;
  readonly ratesFile?: string | undefined;
  /**
   * The SIP domain (auth realm) of the account this service decides for. A query naming another
   * `domain` is refused with `unknown-domain`; without it, only queries without `domain` are answered.
   */
  readonly domain?: string | undefined;
  /** The registrar whose contacts each applied policy is taken into effect on; none when not given. */
  readonly registrar?: RegistrarConnector | undefined;
  /**
   * Where call starts are counted and call events recorded (`--ledger`); a MemoryLedger of this
   * process when not given. Closed with the service.
   */
  readonly ledger?: ServiceLedger | undefined;
  /** Also answer JSON-RPC over netstrings (jsonrpc.ts), for Kamailio's janssonrpcc. */
  readonly jsonrpc?: boolean | undefined;
  /** Log every decision (one event per request); reloads and failures are always logged. */
  readonly logDecisions?: boolean | undefined;
  readonly log: (event: ServeEvent) => void;
  /** Client timeouts; DEFAULT_TIMEOUTS when not given. */
  readonly timeouts?: HttpTimeouts | undefined;
  /** Largest policy or deck file read; DEFAULT_MAX_FILE_BYTES when not given. */
  readonly maxFileBytes?: number | undefined;
  /** Log lines dropped so far (the bounded log's count), for `/metrics`. */
  readonly logLinesDropped?: (() => number) | undefined;
  readonly now?: (() => Date) | undefined;
}

/** A decision service: the HTTP server (not yet listening), its policy holder, reload and health. */
export interface DecisionServer {
  readonly server: Server;
  readonly holder: PolicyHolder;
  readonly reload: (reason: string) => Promise<ReloadOutcome>;
  /** What `GET /healthz` answers. */
  readonly health: () => ServiceHealth;
  /** Rendered by `GET /metrics`; a connector adds its own families here. */
  readonly metrics: MetricRegistry;
  /** The registration sweep, when a registrar was given; idle until its `start()`. */
  readonly registrar: RegistrationSweeper | undefined;
  /** The JSON-RPC listener (not yet listening), when asked for. */
  readonly jsonrpc: JsonRpcServer | undefined;
  /** Stops the JSON-RPC listener, the sweep and the policy holder (not the HTTP server: close it first). */
  readonly close: () => Promise<void>;
}

/**
 * Loads the policy (and rate deck) and returns a service deciding with it. Throws `FileError` when
 * the initial files do not compile: a service with no policy would have nothing to decide with.
 */
export async function createDecisionServer(options: DecisionServerOptions): Promise<DecisionServer> {
  const metrics = new MetricRegistry();
  const reloads = metrics.counter(
    'sipguard_reloads_total',
    'Policy reloads by result: applied (a new policy is in force), unchanged, or failed (the old one stays).',
    ['result'],
  );
  // Reloads are counted from the holder's own events, so every caller of reload() is counted.
  const log = (event: ServeEvent) => {
    if (event.event === 'reload' && typeof event.result === 'string') reloads.inc([event.result]);
    else if (event.event === 'reload-failed') reloads.inc(['failed']);
    options.log(event);
  };
  const ledger = options.ledger ?? memoryServiceLedger();
  let holder: PolicyHolder;
  try {
    holder = await createPolicyHolder({ ...options, log, ledger: ledger.ledger });
  } catch (e) {
    await ledger.close();
    throw e;
  }
  const loadedSeconds = () => Date.parse(holder.current().loadedAt) / 1000;
  metrics.gauge(
    'sipguard_policy_loaded_timestamp_seconds',
    'When the policy in force was loaded (Unix time).',
    loadedSeconds,
  );
  metrics.gauge('sipguard_policy_age_seconds', 'Seconds since the policy in force was loaded.', () =>
    Math.max(0, Date.now() / 1000 - loadedSeconds()),
  );
  metrics.gauge(
    'sipguard_policy_stale',
    '1 while the files on disk failed to load and an older policy decides.',
    () => (holder.health().status === 'stale' ? 1 : 0),
  );
  metrics.counterReadFrom(
    'sipguard_log_lines_dropped_total',
    'Log lines not written because the log reader stalled or went away.',
    () => options.logLinesDropped?.() ?? 0,
  );
  const registrar =
    options.registrar === undefined
      ? undefined
      : createRegistrationSweeper({
          connector: options.registrar,
          domain: options.domain,
          holder,
          metrics,
          log,
          now: options.now,
        });
  const health = (): ServiceHealth => {
    const base = { ...holder.health(), ledger: ledger.health() };
    return registrar === undefined ? base : { ...base, registrar: registrar.health() };
  };
  const clock = options.now;
  const decider = createDecider(holder, {
    metrics,
    log,
    logDecisions: options.logDecisions,
    ledger,
    account: options.domain,
    now: clock === undefined ? undefined : () => clock().getTime(),
  });
  const server = createHttpAdapter(holder, { ...options, log, metrics, decider, health });
  const jsonrpc =
    options.jsonrpc === true
      ? createJsonRpcServer({ domain: options.domain, decider, log, metrics })
      : undefined;
  const close = async () => {
    await jsonrpc?.close();
    registrar?.close();
    await holder.close();
    await ledger.close();
  };
  return { server, holder, reload: holder.reload, health, metrics, registrar, jsonrpc, close };
}
