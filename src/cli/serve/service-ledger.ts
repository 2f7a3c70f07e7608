// The usage ledger of `sipguard serve` (`--ledger`): a MemoryLedger of this process, or the Redis
// ledger shared by a fleet of replicas. It lives on the main thread, beside the transports, so that a
// policy reload (a new worker) keeps every counter; see docs/decisions/0010-serve-ledger-on-main-thread.md.
import { type AsyncUsageLedger, MemoryLedger, type UsageLedger } from '../../index.js';
// Static imports: these modules load @redis/client themselves, with import(), only when a connection
// opens, so a service without Redis never loads the client (and the bundle has no chunk naming it).
import { openRedisConnection } from '../ledger/redis-connection.js';
import { RedisLedger } from '../ledger/redis-ledger.js';

/** What `--ledger` names: this process's memory, or a Redis server. */
export type LedgerTarget = { readonly kind: 'memory' } | { readonly kind: 'redis'; readonly url: string };

/** Where the ledger stands, for `/healthz` and `/metrics`. */
export interface LedgerHealth {
  readonly kind: 'memory' | 'redis';
  /** `ready`: events are counted; `unavailable`: limited calls are denied `ledger-unavailable`. */
  readonly state: 'ready' | 'unavailable';
  /** The Redis URL without its credentials. */
  readonly url?: string;
  /** Why it is unavailable. */
  readonly lastError?: string;
}

/** The service's ledger, its health and how to stop it. */
export interface ServiceLedger {
  readonly ledger: UsageLedger | AsyncUsageLedger;
  readonly health: () => LedgerHealth;
  readonly close: () => Promise<void>;
}

/** How often the memory ledger forgets idle accounts and ended calls. */
export const MEMORY_PRUNE_MS = 60_000;

/**
 * Parses a `--ledger` value: `memory`, or a `redis://` / `rediss://` URL with a host; else
 * `undefined`. Credentials in the URL are allowed (Redis AUTH) and never shown.
 */
export function parseLedger(text: string): LedgerTarget | undefined {
  if (text === 'memory') return { kind: 'memory' };
  if (!URL.canParse(text)) return undefined;
  const url = new URL(text);
  if ((url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') return undefined;
  return { kind: 'redis', url: text };
}

/** `url` with its user and password left out, for health and logs. */
export function redactUrl(text: string): string {
  const url = new URL(text);
  url.username = '';
  url.password = '';
  return url.href;
}

/** A MemoryLedger of this process, pruned every MEMORY_PRUNE_MS (a timer that keeps no process alive). */
export function memoryServiceLedger(now: () => number = Date.now): ServiceLedger {
  const ledger = new MemoryLedger();
  const timer = setInterval(() => ledger.prune(now()), MEMORY_PRUNE_MS);
  timer.unref();
  return {
    ledger,
    health: () => ({ kind: 'memory', state: 'ready' }),
    close: async () => clearInterval(timer),
  };
}

/**
 * Opens the ledger `target` names. A Redis ledger is returned at once, connected or not: the
 * service starts while Redis is down (and refuses limited calls until it is up). Rejects only when
 * @redis/client is not installed.
 */
export async function openServiceLedger(
  target: LedgerTarget,
  now: () => number = Date.now,
): Promise<ServiceLedger> {
  if (target.kind === 'memory') return memoryServiceLedger(now);
  const connection = await openRedisConnection({ url: target.url });
  const url = redactUrl(target.url);
  return {
    ledger: new RedisLedger(connection),
    health: () => {
      const ready = connection.state === 'ready';
      const lastError = connection.lastError;
      return {
        kind: 'redis',
        state: ready ? 'ready' : 'unavailable',
        url,
        ...(ready || lastError === undefined ? {} : { lastError }),
      };
    },
    close: () => connection.close(),
  };
}
