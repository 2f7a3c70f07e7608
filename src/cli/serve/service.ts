// The decision service of `sipguard serve` as one value: a policy holder and the HTTP adapter over it.
import type { Server } from 'node:http';
import { createHttpAdapter, type HttpTimeouts } from './http.js';
import type { ServeEvent } from './log.js';
import {
  createPolicyHolder,
  type PolicyHolder,
  type ReloadOutcome,
  type ServeHealth,
} from './policy-holder.js';

/** Options of {@link createDecisionServer}. */
export interface DecisionServerOptions {
  readonly policyFile: string;
  readonly ratesFile?: string | undefined;
  /** Log every decision (one event per request); reloads and failures are always logged. */
  readonly logDecisions?: boolean | undefined;
  readonly log: (event: ServeEvent) => void;
  /** Client timeouts; DEFAULT_TIMEOUTS when not given. */
  readonly timeouts?: HttpTimeouts | undefined;
  /** Largest policy or deck file read; DEFAULT_MAX_FILE_BYTES when not given. */
  readonly maxFileBytes?: number | undefined;
  readonly now?: (() => Date) | undefined;
}

/** A decision service: the HTTP server (not yet listening), its policy holder, reload and health. */
export interface DecisionServer {
  readonly server: Server;
  readonly holder: PolicyHolder;
  readonly reload: (reason: string) => Promise<ReloadOutcome>;
  readonly health: () => ServeHealth;
}

/**
 * Loads the policy (and rate deck) and returns a service deciding with it. Throws `FileError` when
 * the initial files do not compile: a service with no policy would have nothing to decide with.
 */
export async function createDecisionServer(options: DecisionServerOptions): Promise<DecisionServer> {
  const holder = await createPolicyHolder(options);
  const server = createHttpAdapter(holder, options);
  return { server, holder, reload: holder.reload, health: holder.health };
}
