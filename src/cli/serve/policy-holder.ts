// The policy holder and reloader of `sipguard serve`: it owns the one compiled policy in force, swaps
// it whole on reload (a file that does not compile never takes effect), and tells subscribers (the
// registrar connector) after each change. Each version lives in a worker thread of its own, which
// reads, compiles and then decides (policy-worker.ts), so reading and compiling a large file never
// holds up an answer. The HTTP adapter and the connector only see the `PolicyHolder` interface.
import { Worker } from 'node:worker_threads';
import type {
  AsyncUsageLedger,
  BeginCall,
  BeginResult,
  CallRequest,
  DecisionCode,
  DecisionScope,
  RegistrationRequest,
  RegistrationToDrop,
  UsageLedger,
} from '../../index.js';
import { FileError, type FileProblem } from '../files.js';
import { latestWins } from './latest-wins.js';
import type { ServeEvent } from './log.js';
import { DEFAULT_MAX_FILE_BYTES, readPolicyFile } from './policy-files.js';
import type {
  DecisionTuple,
  PolicyBytes,
  WorkerAnswer,
  WorkerInput,
  WorkerReport,
  WorkerRequest,
} from './policy-worker.js';
import { batcher, CALL_ID_REQUIRED, type LedgerAsk, type LedgerReply } from './worker-ledger.js';

/** The answer to a drop body: the JSON to send, or why the body is refused. */
export type DropAnswer =
  | { readonly ok: true; readonly total: number; readonly drop: number; readonly json: string }
  | { readonly ok: false; readonly message: string; readonly problems?: readonly FileProblem[] };

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
  /**
   * The stateful step (`policy.startCallAsync`) on the holder's ledger: `callIdRequired` when no
   * `callId` is given and the policy's usage limits would count the call.
   */
  readonly startCall: (
    request: CallRequest,
    call: { readonly account: string; readonly callId: string | undefined; readonly at: number },
  ) => Promise<DecisionAnswer | typeof CALL_ID_REQUIRED>;
  /**
   * The registrations the policy in force no longer allows (other fields are passed through), with
   * the version that decided.
   */
  readonly registrationsToDrop: <R extends RegistrationRequest>(
    registrations: readonly R[],
  ) => Promise<{ readonly version: PolicyVersion; readonly drop: readonly RegistrationToDrop<R>[] }>;
  /** The same for a `POST /v1/registrations/drop` body, read strictly where the policy lives. */
  readonly registrationsToDropJson: (body: string) => Promise<DropAnswer>;
  /** Stops reloading and releases the policy; later decisions reject. */
  readonly close: () => Promise<void>;
}

/** Options of {@link createPolicyHolder}. */
export interface PolicyHolderOptions {
  readonly policyFile: string;
  readonly ratesFile?: string | undefined;
  readonly log: (event: ServeEvent) => void;
  /** Largest policy or deck file read; DEFAULT_MAX_FILE_BYTES when not given. */
  readonly maxFileBytes?: number | undefined;
  readonly now?: (() => Date) | undefined;
  /** Where the workers' call starts are counted; without one, every limited call is `ledger-unavailable`. */
  readonly ledger?: UsageLedger | AsyncUsageLedger | undefined;
}

/**
 * Old-generation heap a policy worker may use, per byte of the largest file allowed. A 16 MiB policy
 * with a 16 MiB deck takes about 0.6 GiB; past this bound the worker stops (a failed reload), not the
 * whole process.
 */
const HEAP_PER_FILE_BYTE = 128;

/** How long a retired worker may take to answer what it was asked before it is stopped. */
const RETIRE_MS = 5_000;

// From source (tests run TypeScript), the worker loads the .ts file through tsx; built, it is the
// bundle beside this one (tsup.config.ts).
const fromSource = import.meta.url.endsWith('.ts');
function spawnWorker(input: WorkerInput, heapMb: number): Worker {
  // The bytes move to the worker without a copy; it hands them back once compiled.
  const transferList = [input.bytes.policy.buffer, input.bytes.rates?.buffer].filter(
    (b): b is ArrayBuffer => b instanceof ArrayBuffer,
  );
  const options = { workerData: input, transferList, resourceLimits: { maxOldGenerationSizeMb: heapMb } };
  if (!fromSource) return new Worker(new URL('./serve-worker.js', import.meta.url), options);
  const entry = JSON.stringify(new URL('./policy-worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); })`, {
    ...options,
    eval: true,
  });
}

/** A worker that compiled a version and answers with it. */
interface PolicyWorker {
  readonly version: PolicyVersion;
  readonly bytes: PolicyBytes;
  readonly ask: (request: WorkerRequest) => Promise<unknown>;
  /** Stops the worker once it has answered what it was asked (at most RETIRE_MS). */
  readonly retire: () => Promise<void>;
  /** Resolves when the worker stops, for whatever reason. */
  readonly exited: Promise<void>;
}

type Started =
  | { readonly result: 'ready'; readonly worker: PolicyWorker }
  | { readonly result: 'failed'; readonly problems: readonly FileProblem[] };

// WebCrypto digests on the thread pool: hashing 16 MiB never holds up an answer.
const sha256 = async (bytes: Uint8Array): Promise<string> =>
  Buffer.from(await crypto.subtle.digest('SHA-256', bytes)).toString('hex');

let nextId = 1;

// What a reload that the holder's closing overtook answers: nothing read is applied or logged.
const CLOSED_OUTCOME: ReloadOutcome = Object.freeze({ result: 'failed', problems: Object.freeze([]) });

/**
 * Loads the policy (and rate deck) and returns a holder deciding with it. Throws `FileError` when the
 * initial files do not compile: a service with no policy would have nothing to decide with.
 */
export async function createPolicyHolder(options: PolicyHolderOptions): Promise<PolicyHolder> {
  const now = options.now ?? (() => new Date());
  const { policyFile, ratesFile, log } = options;
  const ledger = options.ledger;
  // A worker's begins run here, on the one ledger every policy version shares (decision 0010).
  const beginHere = async (call: BeginCall): Promise<BeginResult> => {
    if (ledger === undefined) throw new Error('this service has no ledger');
    return ledger.begin(call);
  };
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const heapMb = Math.max(512, Math.ceil((maxFileBytes * HEAP_PER_FILE_BYTE) / 2 ** 20));
  // Every worker not yet stopped, so that closing also stops a compile under way.
  const live = new Set<Worker>();

  /** Reads both files (bounded, regular files only) and hashes them; neither step runs on this thread. */
  async function readFiles(): Promise<
    { bytes: PolicyBytes; version: PolicyVersion } | { problems: FileProblem[] }
  > {
    const problems: FileProblem[] = [];
    const read = async (file: string) => {
      try {
        return await readPolicyFile(file, maxFileBytes);
      } catch (e) {
        if (!(e instanceof FileError)) throw e;
        problems.push(...e.problems);
        return undefined;
      }
    };
    const rates = ratesFile === undefined ? undefined : await read(ratesFile);
    const policy = await read(policyFile);
    if (problems.length > 0 || policy === undefined) return { problems };
    return {
      bytes: { policy, rates },
      version: {
        policySha256: await sha256(policy),
        ratesSha256: rates === undefined ? undefined : await sha256(rates),
        loadedAt: now().toISOString(),
      },
    };
  }

  /** Starts a worker compiling `bytes` and resolves once it has, or not. */
  function start(version: PolicyVersion, bytes: PolicyBytes): Promise<Started> {
    const worker = spawnWorker({ policyFile, ratesFile, bytes }, heapMb);
    live.add(worker);
    const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
    let stopped: Error | undefined;
    const exited = new Promise<void>((resolve) => {
      worker.once('exit', (code) => {
        live.delete(worker);
        stopped ??= new Error(`the policy worker stopped (exit code ${code})`);
        for (const { reject } of pending.values()) reject(stopped);
        pending.clear();
        resolve();
      });
    });
    worker.on('error', (e) => {
      stopped = e;
    });
    return new Promise<Started>((resolve) => {
      const failed = (message: string) =>
        resolve({
          result: 'failed',
          problems: [{ file: policyFile, path: '', code: 'compile-failed', message }],
        });
      void exited.then(() => {
        const code = stopped !== undefined && 'code' in stopped ? String(stopped.code) : '';
        failed(
          code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? `compiling needs more than the ${heapMb} MiB of memory allowed for ${maxFileBytes}-byte files`
            : `the compiling worker stopped: ${stopped?.message ?? 'no reason given'}`,
        );
      });
      worker.once('message', (report: WorkerReport) => {
        if (report.type !== 'ready') {
          void worker.terminate();
          resolve({ result: 'failed', problems: report.problems });
          return;
        }
        const reply = batcher<LedgerReply['begun'][number]>((begun) => {
          if (stopped === undefined) worker.postMessage({ begun } satisfies LedgerReply);
        });
        worker.on('message', (message: readonly WorkerAnswer[] | LedgerAsk) => {
          if (!Array.isArray(message)) {
            for (const [askId, call] of (message as LedgerAsk).begins) {
              beginHere(call).then(
                (result) => reply([askId, result]),
                (e: unknown) => reply([askId, undefined, e instanceof Error ? e.message : String(e)]),
              );
            }
            return;
          }
          for (const [id, result, error] of message as readonly WorkerAnswer[]) {
            const waiting = pending.get(id);
            if (waiting === undefined) continue;
            pending.delete(id);
            if (error === undefined) waiting.resolve(result);
            else waiting.reject(new Error(error));
          }
        });
        // Requests asked in one turn of the event loop go in one message: a message costs far more
        // than the decision it carries, and under load many requests arrive in the same turn.
        let batch: WorkerRequest[] = [];
        const flush = () => {
          const requests = batch;
          batch = [];
          if (stopped === undefined) worker.postMessage(requests);
        };
        resolve({
          result: 'ready',
          worker: {
            version,
            bytes: report.bytes,
            exited,
            ask(request) {
              if (stopped !== undefined) return Promise.reject(stopped);
              return new Promise((resolveAsk, rejectAsk) => {
                pending.set(request[0], { resolve: resolveAsk, reject: rejectAsk });
                if (batch.push(request) === 1) setImmediate(flush);
              });
            },
            async retire() {
              const until = Date.now() + RETIRE_MS;
              while (pending.size > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10));
              await worker.terminate();
            },
          },
        });
      });
    });
  }

  const initial = await readFiles();
  if ('problems' in initial) throw new FileError(initial.problems);
  const first = await start(initial.version, initial.bytes);
  if (first.result !== 'ready') throw new FileError(first.problems);
  let current: PolicyWorker = first.worker;
  let closed = false;
  let lastReloadError: { at: string; problems: readonly FileProblem[] } | undefined;
  const listeners = new Set<AppliedListener>();

  // A worker in force that dies (a bug, or memory) is replaced by one compiling the same bytes, so the
  // service goes on with the same policy; requests meanwhile are refused (a 500, a deny to the PBX).
  function watchCurrent(worker: PolicyWorker): void {
    void worker.exited.then(async () => {
      if (closed || current !== worker) return;
      log({ event: 'worker-exited', policy: worker.version.policySha256 });
      const again = await start(worker.version, worker.bytes);
      if (again.result === 'ready' && !closed && current === worker) {
        current = again.worker;
        watchCurrent(again.worker);
      } else if (again.result === 'ready') void again.worker.retire();
    });
  }
  watchCurrent(current);

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
    if (closed) return CLOSED_OUTCOME;
    const previous = current;
    const failed = (problems: readonly FileProblem[]): ReloadOutcome => {
      lastReloadError = { at: now().toISOString(), problems };
      log({ event: 'reload-failed', reason, keeping: previous.version.policySha256, problems });
      return { result: 'failed', problems };
    };
    const files = await readFiles();
    // Closed while reading: no line may follow the service's `stopped`.
    if (closed) return CLOSED_OUTCOME;
    if ('problems' in files) return failed(files.problems);
    const { version } = files;
    if (
      version.policySha256 === previous.version.policySha256 &&
      version.ratesSha256 === previous.version.ratesSha256
    ) {
      lastReloadError = undefined;
      log({ event: 'reload', reason, result: 'unchanged', sha256: previous.version.policySha256 });
      return { result: 'unchanged', sha256: previous.version.policySha256 };
    }
    const started = await start(version, files.bytes);
    if (closed) {
      if (started.result === 'ready') void started.worker.retire();
      return CLOSED_OUTCOME;
    }
    if (started.result === 'failed') return failed(started.problems);
    lastReloadError = undefined;
    current = started.worker;
    watchCurrent(current);
    void previous.retire();
    const next = current.version;
    log({ event: 'reload', reason, result: 'applied', sha256: next.policySha256 });
    notify(previous.version, next);
    return { result: 'applied', sha256: next.policySha256 };
  }

  // Reloads never overlap; requests during one share a follow-up run, which sees the latest files,
  // so the last write always wins.
  const reload = latestWins(reloadOnce);

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

  async function decide(request: WorkerRequest): Promise<DecisionAnswer> {
    const worker = current;
    return answerOf(worker, (await worker.ask(request)) as DecisionTuple);
  }

  function answerOf(worker: PolicyWorker, [allowed, code, scope, json]: DecisionTuple): DecisionAnswer {
    return {
      allowed,
      code: code as DecisionCode,
      scope: scope as DecisionScope,
      policy: worker.version.policySha256,
      json,
    };
  }

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
    checkRegistration: (request) => decide([nextId++, 'registration', request.extension, request.sourceIp]),
    checkCall: (request) =>
      decide([nextId++, 'call', request.extension, request.dialed, request.ratePerMinute]),
    async startCall(request, { account, callId, at }) {
      const worker = current;
      const { extension, dialed, ratePerMinute } = request;
      const result = (await worker.ask([
        nextId++,
        'start',
        extension,
        dialed,
        ratePerMinute,
        account,
        callId,
        at,
      ])) as DecisionTuple | typeof CALL_ID_REQUIRED;
      return result === CALL_ID_REQUIRED ? result : answerOf(worker, result);
    },
    async registrationsToDrop<R extends RegistrationRequest>(registrations: readonly R[]) {
      const worker = current;
      const drop = (await worker.ask([nextId++, 'drop', registrations])) as RegistrationToDrop<R>[];
      return { version: worker.version, drop };
    },
    registrationsToDropJson: async (body) => (await current.ask([nextId++, 'drop-json', body])) as DropAnswer,
    async close() {
      closed = true;
      listeners.clear();
      await Promise.all([...live].map((worker) => worker.terminate()));
    },
  };
}
