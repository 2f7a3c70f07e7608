// The policy worker of `sipguard serve`: a worker thread that compiles one version of the policy (and
// deck) from the bytes the main thread read, then answers decisions with it until it is retired. A
// compiled Policy cannot cross threads, so the decisions are made where it lives; the main thread only
// does HTTP. See docs/decisions/0004-serve-decides-in-workers.md.
import { parentPort, workerData } from 'node:worker_threads';
import type { Decision, Policy } from '../../index.js';
import { FileError, type FileProblem } from '../files.js';
import { loadPolicy } from '../load.js';
import { parseDropBody } from './drop-body.js';

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
  | readonly [id: number, kind: 'drop', registrations: readonly { extension: string; sourceIp: string }[]]
  | readonly [id: number, kind: 'drop-json', body: string];

/** A decision as it crosses back: allowed, code, scope and the whole decision as JSON. */
export type DecisionTuple = readonly [allowed: boolean, code: string, scope: string, json: string];

/** The answer to one request: its id and the result, or an error message (a bug in sipguard). Answers are posted in batches. */
export type WorkerAnswer = readonly [id: number, result: unknown, error?: string];

const tuple = (d: Decision): DecisionTuple => [d.allowed, d.code, d.scope, JSON.stringify(d)];

async function compile(input: WorkerInput): Promise<{ report: WorkerReport; policy?: Policy }> {
  const { bytes } = input;
  const text = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  const io = {
    out: () => {},
    err: () => {},
    color: false,
    readText: async (path: string) => {
      const b = path === input.ratesFile ? bytes.rates : bytes.policy;
      return b === undefined ? '' : text(b);
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

function answer(policy: Policy, request: WorkerRequest): unknown {
  switch (request[1]) {
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
    // Requests come in batches (all asked in one turn of the main thread's loop); so do answers.
    port.on('message', (requests: readonly WorkerRequest[]) => {
      const answers: WorkerAnswer[] = [];
      for (const request of requests) {
        try {
          answers.push([request[0], answer(policy, request)]);
        } catch (e) {
          answers.push([request[0], undefined, e instanceof Error ? e.message : String(e)]);
        }
      }
      port.postMessage(answers);
    });
  }
  // The bytes move back to the main thread (no copy): compiled, this worker needs them no more.
  const transfer = report.type === 'ready' ? [report.bytes.policy.buffer, report.bytes.rates?.buffer] : [];
  port.postMessage(
    report,
    transfer.filter((b): b is ArrayBuffer => b instanceof ArrayBuffer),
  );
}
