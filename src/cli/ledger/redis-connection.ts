// The one module that loads a Redis client: @redis/client (docs/decisions/0009-redis-client.md), by a
// dynamic import, so that neither the library nor a service without Redis ever loads it. The connection
// fails fast and never queues: while Redis is out of reach every command rejects at once (the ledger
// then fails closed), the client reconnects in the background with a bounded backoff, at most
// maxInFlight commands wait for replies, and a command that gets no reply in time rejects.
import type { RedisCommandSender } from './redis-ledger.js';

/** Options of {@link openRedisConnection}. */
export interface RedisConnectionOptions {
  /** `redis://[[user]:password@]host[:port][/db]`, or `rediss://` for TLS. */
  readonly url: string;
  /** How long a command may wait for its reply, in ms (default 500). */
  readonly commandTimeoutMs?: number;
  /** How long one connection attempt may take, in ms (default 2000). */
  readonly connectTimeoutMs?: number;
  /** The longest wait between two reconnection attempts, in ms (default 2000). */
  readonly maxReconnectDelayMs?: number;
  /** Most commands in flight at once; one more rejects (default 10,000). */
  readonly maxInFlight?: number;
}

/** Default of {@link RedisConnectionOptions.commandTimeoutMs}. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 500;
/** Default of {@link RedisConnectionOptions.connectTimeoutMs}. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
/** Default of {@link RedisConnectionOptions.maxReconnectDelayMs}. */
export const DEFAULT_MAX_RECONNECT_DELAY_MS = 2_000;
/** Default of {@link RedisConnectionOptions.maxInFlight}. */
export const DEFAULT_MAX_IN_FLIGHT = 10_000;
// The first reconnection waits this long; each next one twice as long, up to maxReconnectDelayMs.
const FIRST_RECONNECT_DELAY_MS = 50;

/** Where the connection stands: `ready` (commands go through), `connecting` (they reject), `closed`. */
export type RedisConnectionState = 'connecting' | 'ready' | 'closed';

/** A connection to Redis for the ledger, with what `/healthz` and `/metrics` report. */
export interface RedisConnection extends RedisCommandSender {
  readonly state: RedisConnectionState;
  /** The last connection error, until the connection is ready again. */
  readonly lastError: string | undefined;
  /** How many times the connection became ready (1 after the first connect). */
  readonly readyCount: number;
  /** Resolves once the connection is ready, or rejects after `timeoutMs`; the connection keeps trying. */
  whenReady(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

/** The bounded backoff: 50 ms, 100 ms, 200 ms, … up to `maxMs`, with up to 10% of jitter. */
export function reconnectDelay(retries: number, maxMs: number): number {
  const base = Math.min(FIRST_RECONNECT_DELAY_MS * 2 ** Math.min(retries, 20), maxMs);
  return Math.round(base * (0.9 + Math.random() * 0.1));
}

function positive(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${String(value)}`);
  }
  return value;
}

/**
 * Opens a connection to Redis without waiting for it: a service starts (and refuses limited calls)
 * while Redis is down. Rejects only when @redis/client is not installed or the options are wrong.
 */
export async function openRedisConnection(options: RedisConnectionOptions): Promise<RedisConnection> {
  const commandTimeout = positive('commandTimeoutMs', options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS);
  const connectTimeout = positive('connectTimeoutMs', options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS);
  const maxDelay = positive(
    'maxReconnectDelayMs',
    options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS,
  );
  const maxInFlight = positive('maxInFlight', options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  let redis: typeof import('@redis/client');
  try {
    redis = await import('@redis/client');
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(
      `the Redis ledger needs the package @redis/client beside sipguard (npm install @redis/client): ${why}`,
    );
  }
  const { createClient } = redis;

  let state: RedisConnectionState = 'connecting';
  let lastError: string | undefined;
  let readyCount = 0;
  const waiting = new Set<() => void>();

  // One client at a time; a command without a reply in time replaces it (see send). Events of a
  // client that was replaced are ignored.
  const open = () => {
    const c = createClient({
      url: options.url,
      disableOfflineQueue: true,
      commandsQueueMaxLength: maxInFlight,
      socket: {
        connectTimeout,
        reconnectStrategy: (retries: number) => reconnectDelay(retries, maxDelay),
      },
    });
    c.on('error', (error: unknown) => {
      if (c !== client) return;
      lastError = error instanceof Error ? error.message || error.name : String(error);
      if (state === 'ready') state = 'connecting';
    });
    c.on('ready', () => {
      if (c !== client) return;
      state = 'ready';
      lastError = undefined;
      readyCount++;
      for (const resolve of waiting) resolve();
      waiting.clear();
    });
    c.on('reconnecting', () => {
      if (c === client && state !== 'closed') state = 'connecting';
    });
    // connect() settles only once ready (it retries meanwhile); errors arrive through 'error'.
    c.connect().catch(() => undefined);
    return c;
  };
  let client = open();

  // node-redis times a command out only until it is written; once sent, it would wait for the reply
  // for ever. A reply later than commandTimeout means Redis or the path to it is stuck: the command
  // rejects, and the client is replaced by a new one, which rejects what was in flight and reconnects.
  const replace = (stuck: typeof client, why: string) => {
    if (stuck !== client || state === 'closed') return;
    lastError = why;
    state = 'connecting';
    client = open();
    stuck.destroy();
  };

  return {
    get state() {
      return state;
    },
    get lastError() {
      return lastError;
    },
    get readyCount() {
      return readyCount;
    },
    send(args) {
      if (state !== 'ready') {
        return Promise.reject(new Error(`Redis is out of reach (${lastError ?? 'connecting'})`));
      }
      const current = client;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          const why = `Redis did not answer within ${commandTimeout} ms`;
          reject(new Error(why));
          replace(current, why);
        }, commandTimeout);
        current.sendCommand([...args]).then(
          (reply) => {
            clearTimeout(timer);
            resolve(reply);
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error);
          },
        );
      });
    },
    whenReady(timeoutMs) {
      if (state === 'ready') return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.delete(done);
          reject(new Error(`Redis was not ready within ${timeoutMs} ms (${lastError ?? 'connecting'})`));
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        waiting.add(done);
      });
    },
    async close() {
      state = 'closed';
      if (client.isOpen) client.destroy();
    },
  };
}
