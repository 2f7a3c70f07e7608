// The policy holder and reloader of `sipguard serve`: it owns the one compiled policy in force, swaps
// it whole on reload (a file that does not compile never takes effect), and tells subscribers (the
// registrar connector) after each change. The HTTP adapter and the connector only ever see it
// through the `PolicyHolder` interface, whose decision methods are asynchronous.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type {
  CallRequest,
  Decision,
  DecisionCode,
  DecisionScope,
  Policy,
  RegistrationRequest,
  RegistrationToDrop,
} from '../../index.js';
import { FileError, type FileProblem } from '../files.js';
import { loadPolicy } from '../load.js';
import type { ServeEvent } from './log.js';

/** The policy in force: which bytes were compiled, and when. */
export interface PolicyVersion {
  readonly policySha256: string;
  readonly ratesSha256: string | undefined;
  readonly loadedAt: string;
}

/** A decision as the service answers it: the fields it logs and counts, and the JSON body. */
export interface DecisionAnswer {
  readonly allowed: boolean;
  readonly code: DecisionCode;
  readonly scope: DecisionScope;
  /** The `policySha256` of the version that decided. */
  readonly policy: string;
  /** `JSON.stringify` of the whole decision. */
  readonly json: string;
}

/** What `GET /healthz` answers. `status` is `stale` while the files on disk failed to load. */
export interface ServeHealth {
  readonly status: 'ok' | 'stale';
  readonly policy: { readonly file: string; readonly sha256: string; readonly loadedAt: string };
  readonly rates?: { readonly file: string; readonly sha256: string };
  readonly lastReloadError?: { readonly at: string; readonly problems: readonly FileProblem[] };
}

/** The outcome of one reload: applied (the files changed and compiled), unchanged, or failed. */
export type ReloadOutcome =
  | { readonly result: 'applied' | 'unchanged'; readonly sha256: string }
  | { readonly result: 'failed'; readonly problems: readonly FileProblem[] };

/**
 * Called once per applied change, after `next` is in force (every decision asked from then on uses
 * it), in the order the changes were applied. Not awaited by the reload; a throw or rejection is
 * logged as `applied-listener-failed` and changes nothing else.
 */
export type AppliedListener = (previous: PolicyVersion, next: PolicyVersion) => void | Promise<void>;

/** The one compiled policy in force, its reloads and its subscribers. */
export interface PolicyHolder {
  readonly policyFile: string;
  readonly ratesFile: string | undefined;
  /** The version in force now. */
  readonly current: () => PolicyVersion;
  readonly health: () => ServeHealth;
  /** Reads and compiles the files again; applies them only if they compile. Never rejects. */
  readonly reload: (reason: string) => Promise<ReloadOutcome>;
  /** Subscribes to applied changes; returns the unsubscribe function. */
  readonly onApplied: (listener: AppliedListener) => () => void;
  /** Decisions by the policy in force when the request is handled. */
  readonly checkRegistration: (request: RegistrationRequest) => Promise<DecisionAnswer>;
  readonly checkCall: (request: CallRequest) => Promise<DecisionAnswer>;
  /** The registrations the policy in force no longer allows; other fields are passed through. */
  readonly registrationsToDrop: <R extends RegistrationRequest>(
    registrations: readonly R[],
  ) => Promise<readonly RegistrationToDrop<R>[]>;
  /** Stops reloading and releases the policy; later decisions reject. */
  readonly close: () => Promise<void>;
}

/** Options of {@link createPolicyHolder}. */
export interface PolicyHolderOptions {
  readonly policyFile: string;
  readonly ratesFile?: string | undefined;
  readonly log: (event: ServeEvent) => void;
  /** Reads a file's bytes; tests substitute it. Defaults to the file system. */
  readonly readBytes?: ((path: string) => Promise<Uint8Array>) | undefined;
  readonly now?: (() => Date) | undefined;
}

interface Loaded {
  readonly policy: Policy;
  readonly version: PolicyVersion;
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const answerOf = (decision: Decision, version: PolicyVersion): DecisionAnswer => ({
  allowed: decision.allowed,
  code: decision.code,
  scope: decision.scope,
  policy: version.policySha256,
  json: JSON.stringify(decision),
});

/**
 * Loads the policy (and rate deck) and returns a holder deciding with it. Throws `FileError` when the
 * initial files do not compile: a service with no policy would have nothing to decide with.
 */
export async function createPolicyHolder(options: PolicyHolderOptions): Promise<PolicyHolder> {
  const readBytes = options.readBytes ?? ((path: string) => readFile(path));
  const now = options.now ?? (() => new Date());
  const { policyFile, ratesFile, log } = options;

  // Hashes the exact bytes that were compiled, so /healthz names what is in force, not what is on disk.
  async function load(): Promise<Loaded> {
    const hashes = new Map<string, string>();
    const io = {
      out: () => {},
      err: () => {},
      color: false,
      readText: async (path: string) => {
        const bytes = await readBytes(path);
        hashes.set(path, sha256(bytes));
        return Buffer.from(bytes).toString('utf8');
      },
    };
    const policy = await loadPolicy(io, policyFile, ratesFile);
    return {
      policy,
      version: {
        policySha256: hashes.get(policyFile) ?? '',
        ratesSha256: ratesFile === undefined ? undefined : hashes.get(ratesFile),
        loadedAt: now().toISOString(),
      },
    };
  }

  let current = await load();
  let closed = false;
  let lastReloadError: { at: string; problems: readonly FileProblem[] } | undefined;
  const listeners = new Set<AppliedListener>();

  function notify(previous: PolicyVersion, next: PolicyVersion): void {
    for (const listener of listeners) {
      Promise.resolve()
        .then(() => listener(previous, next))
        .catch((e: unknown) =>
          log({ event: 'applied-listener-failed', message: e instanceof Error ? e.message : String(e) }),
        );
    }
  }

  async function reloadOnce(reason: string): Promise<ReloadOutcome> {
    let next: Loaded;
    try {
      next = await load();
    } catch (e) {
      const problems: readonly FileProblem[] =
        e instanceof FileError
          ? e.problems
          : [
              {
                file: policyFile,
                path: '',
                code: 'internal-error',
                message: e instanceof Error ? e.message : String(e),
              },
            ];
      lastReloadError = { at: now().toISOString(), problems };
      log({ event: 'reload-failed', reason, keeping: current.version.policySha256, problems });
      return { result: 'failed', problems };
    }
    lastReloadError = undefined;
    const previous = current.version;
    if (
      next.version.policySha256 === previous.policySha256 &&
      next.version.ratesSha256 === previous.ratesSha256
    ) {
      log({ event: 'reload', reason, result: 'unchanged', sha256: previous.policySha256 });
      return { result: 'unchanged', sha256: previous.policySha256 };
    }
    current = next;
    log({ event: 'reload', reason, result: 'applied', sha256: next.version.policySha256 });
    notify(previous, next.version);
    return { result: 'applied', sha256: next.version.policySha256 };
  }

  // Reloads run one at a time; requests arriving meanwhile share one follow-up run, which sees the
  // latest files, so the last write always wins.
  let running: Promise<ReloadOutcome> | undefined;
  let queued: Promise<ReloadOutcome> | undefined;
  function start(reason: string): Promise<ReloadOutcome> {
    const run = reloadOnce(reason).finally(() => {
      if (running === run) running = undefined;
    });
    running = run;
    return run;
  }
  function reload(reason: string): Promise<ReloadOutcome> {
    if (queued !== undefined) return queued;
    if (running === undefined) return start(reason);
    const follow = running.then(() => {
      queued = undefined;
      return start(reason);
    });
    queued = follow;
    return follow;
  }

  function health(): ServeHealth {
    const version = current.version;
    const base = {
      status: lastReloadError === undefined ? ('ok' as const) : ('stale' as const),
      policy: { file: policyFile, sha256: version.policySha256, loadedAt: version.loadedAt },
    };
    const withRates =
      ratesFile === undefined || version.ratesSha256 === undefined
        ? base
        : { ...base, rates: { file: ratesFile, sha256: version.ratesSha256 } };
    return lastReloadError === undefined ? withRates : { ...withRates, lastReloadError };
  }

  const inForce = (): Loaded => {
    if (closed) throw new Error('the policy holder is closed');
    return current;
  };

  return {
    policyFile,
    ratesFile,
    current: () => current.version,
    health,
    reload,
    onApplied(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async checkRegistration(request) {
      const { policy, version } = inForce();
      return answerOf(policy.checkRegistration(request), version);
    },
    async checkCall(request) {
      const { policy, version } = inForce();
      return answerOf(policy.checkCall(request), version);
    },
    registrationsToDrop: async (registrations) => inForce().policy.registrationsToDrop(registrations),
    async close() {
      closed = true;
      listeners.clear();
    },
  };
}
