// The policy worker of `sipguard serve`: a worker thread that compiles one version of the policy (and
// deck) from the bytes the main thread read, then answers decisions with it until it is retired. A
// compiled Policy cannot cross threads, so the decisions are made where it lives; the main thread only
// does HTTP. See docs/decisions/0004-serve-decides-in-workers.md. A call start runs policy.startCallAsync
// here with a ledger that asks the main thread, where the counters live (decision 0010).
import { parentPort, workerData } from 'node:worker_threads';
import type {
  AsyncUsageLedger,
  BeginCall,
  BeginResult,
  Decision,
  Policy,
  StartDecision,
} from '../../index.js';
import { decodeText, FileError, type FileProblem } from '../files.js';
import { loadPolicy } from '../load.js';
import { parseDropBody } from './drop-body.js';
import { batcher, CALL_ID_REQUIRED, type LedgerAsk, type LedgerReply } from './worker-ledger.js';

/** The file bytes a worker compiled, handed back so a replacement can compile the same version. */
export interface PolicyBytes {
  readonly policy: Uint8Array;
  readonly rates: Uint8Array | undefined;
}

/** What a worker is started with: the files' names (for problems) and their bytes. */
export interface WorkerInput {
  readonly policyFile: string;
  readonly ratesFile: string | undefined;
  readonly bytes: PolicyBytes;
}

/** The worker's first message: compiled (with the bytes handed back), or the problems. */
export type WorkerReport =
  | { readonly type: 'ready'; readonly bytes: PolicyBytes }
  | { readonly type: 'failed'; readonly problems: readonly FileProblem[] };

/** A request to a ready worker: an id, then what to decide. Requests are posted in batches. */
export type WorkerRequest =
  | readonly [id: number, kind: 'registration', extension: string, sourceIp: string]
  | readonly [id: number, kind: 'call', extension: string, dialed: string, rate: string | undefined]
  | readonly [
      id: number,
      kind: 'start',
      extension: string,
      dialed: string,
      rate: string | undefined,
      account: string,
      callId: string | undefined,
      at: number,
    ]
  | readonly [id: number, kind: 'drop', registrations: readonly { extension: string; sourceIp: string }[]]
  | readonly [id: number, kind: 'drop-json', body: string];

/** A decision as it crosses back: allowed, code, scope and the whole decision as JSON. */
export type DecisionTuple = readonly [allowed: boolean, code: string, scope: string, json: string];

/** The answer to one request: its id and the result, or an error message (a bug in sipguard). Answers are posted in batches. */
export type WorkerAnswer = readonly [id: number, result: unknown, error?: string];

const tuple = (d: Decision | StartDecision): DecisionTuple => [d.allowed, d.code, d.scope, JSON.stringify(d)];

// A stand-in call id for a start without one: the stateful step needs a valid id to reach the
// calling hours and the limits; no ledger ever sees it (start() gives it one that refuses everything).
const NO_CALL_ID = '-';

async function compile(input: WorkerInput): Promise<{ report: WorkerReport; policy?: Policy }> {
  const { bytes } = input;
  const io = {
    out: () => {},
    err: () => {},
    color: false,
    readText: async (path: string) => {
      const b = path === input.ratesFile ? bytes.rates : bytes.policy;
      return b === undefined ? '' : decodeText(b);
    },
  };
  try {
    const policy = await loadPolicy(io, input.policyFile, input.ratesFile);
    return { report: { type: 'ready', bytes }, policy };
  } catch (e) {
    if (e instanceof FileError) return { report: { type: 'failed', problems: e.problems } };
    throw e;
  }
}

/**
 * The ledger of this worker's starts: each begin is posted to the main thread, which owns the real
 * ledger, and resolves (or rejects: `ledger-unavailable`) with its reply. Only begin is asked by
 * startCallAsync; answer and end go to the main thread's ledger directly.
 */
function mainThreadLedger(post: (ask: LedgerAsk) => void): {
  readonly ledger: AsyncUsageLedger;
  readonly reply: (reply: LedgerReply) => void;
} {
  const waiting = new Map<number, { resolve: (r: BeginResult) => void; reject: (e: Error) => void }>();
  let nextAsk = 1;
  const ask = batcher<readonly [number, BeginCall]>((begins) => post({ begins }));
  const notHere = () => Promise.reject(new Error('the worker ledger only begins calls'));
  return {
    ledger: {
      begin: (call) =>
        new Promise<BeginResult>((resolve, reject) => {
          const askId = nextAsk++;
          waiting.set(askId, { resolve, reject });
          ask([askId, call]);
        }),
      answer: notHere,
      end: notHere,
      usage: notHere,
      reset: notHere,
    },
    reply({ begun }) {
      for (const [askId, result, error] of begun) {
        const w = waiting.get(askId);
        if (w === undefined) continue;
        waiting.delete(askId);
        if (result !== undefined) w.resolve(result);
        else w.reject(new Error(error ?? 'the ledger failed'));
      }
    },
  };
}

async function start(
  policy: Policy,
  ledger: AsyncUsageLedger,
  request: Extract<WorkerRequest, readonly [number, 'start', ...unknown[]]>,
): Promise<DecisionTuple | typeof CALL_ID_REQUIRED> {
  const [, , extension, dialed, rate, account, callId, at] = request;
  // Written out rather than `{ ...call, account, callId, at }`: on Node 20 properties added to a
  // spread copy cost about 1.5 µs per request (docs/performance.md).
  const startOf = (id: string) =>
    rate === undefined
      ? { extension, dialed, account, callId: id, at }
      : { extension, dialed, ratePerMinute: rate, account, callId: id, at };
  if (callId !== undefined) return tuple(await policy.startCallAsync(ledger, startOf(callId)));
  // Without an id, a call the limits would count is refused (the only begin is this ledger's).
  let counted = false;
  const refuse = () => Promise.reject(new Error('the call has no id'));
  const noLedger: AsyncUsageLedger = {
    begin: () => {
      counted = true;
      return refuse();
    },
    answer: refuse,
    end: refuse,
    usage: refuse,
    reset: refuse,
  };
  const decision = await policy.startCallAsync(noLedger, startOf(NO_CALL_ID));
  return counted ? CALL_ID_REQUIRED : tuple(decision);
}

function answer(policy: Policy, request: WorkerRequest): unknown {
  switch (request[1]) {
    case 'start':
      throw new Error('a start is answered once the ledger has replied');
    case 'registration':
      return tuple(policy.checkRegistration({ extension: request[2], sourceIp: request[3] }));
    case 'call': {
      const [, , extension, dialed, rate] = request;
      // The time of the call, for a deck with effective dates (the library reads no clock).
      const at = Date.now();
      return tuple(
        policy.checkCall(
          rate === undefined ? { extension, dialed, at } : { extension, dialed, ratePerMinute: rate, at },
        ),
      );
    }
    case 'drop':
      return policy.registrationsToDrop(request[2]);
    case 'drop-json': {
      const body = parseDropBody(request[2]);
      if (!body.ok) return body;
      const drop = policy.registrationsToDrop(body.registrations);
      const total = body.registrations.length;
      return { ok: true, total, drop: drop.length, json: JSON.stringify({ total, drop }) };
    }
  }
}

const port = parentPort;
if (port !== null) {
  const input = workerData as WorkerInput;
  const { report, policy } = await compile(input);
  if (policy !== undefined) {
    const ledger = mainThreadLedger((ask) => port.postMessage(ask));
    const failure = (e: unknown) => (e instanceof Error ? e.message : String(e));
    const later = batcher<WorkerAnswer>((answers) => port.postMessage(answers));
    // Requests come in batches (all asked in one turn of the main thread's loop); so do answers. A
    // start waits for the ledger and is answered alone, once it has its reply.
    port.on('message', (message: readonly WorkerRequest[] | LedgerReply) => {
      if (!Array.isArray(message)) {
        ledger.reply(message as LedgerReply);
        return;
      }
      const answers: WorkerAnswer[] = [];
      for (const request of message as readonly WorkerRequest[]) {
        if (request[1] === 'start') {
          start(policy, ledger.ledger, request).then(
            (result) => later([request[0], result]),
            (e: unknown) => later([request[0], undefined, failure(e)]),
          );
          continue;
        }
        try {
          answers.push([request[0], answer(policy, request)]);
        } catch (e) {
          answers.push([request[0], undefined, failure(e)]);
        }
      }
      if (answers.length > 0) port.postMessage(answers);
    });
  }
  // The bytes move back to the main thread (no copy): compiled, this worker needs them no more.
  const transfer = report.type === 'ready' ? [report.bytes.policy.buffer, report.bytes.rates?.buffer] : [];
  port.postMessage(
    report,
    transfer.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer),
  );
}
