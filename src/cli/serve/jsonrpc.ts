// The JSON-RPC transport of `sipguard serve`: JSON-RPC 2.0 over TCP, framed as netstrings, as
// Kamailio's `janssonrpcc` module speaks it. Kamailio keeps one connection open, sends requests on it
// without waiting (suspending each SIP transaction meanwhile) and matches answers by id, so no SIP
// worker waits on a round trip and no connection is set up per query. The decisions are the HTTP
// routes' own (request.ts, decide.ts): the same parameters, the same domain rule, the same answers.
// See docs/decisions/0007-kamailio-asks-over-jsonrpc-netstrings.md.
import { createServer, type Server, type Socket } from 'node:net';
import { isRecord, quote } from '../../text.js';
import { decodeText, FileError, parseJsonText } from '../files.js';
import type { Decider } from './decide.js';
import type { ServeEvent } from './log.js';
import type { MetricRegistry } from './metrics.js';
import { encodeNetstring, NetstringReader } from './netstring.js';
import {
  CALL_EVENT_PARAMETERS,
  type CallEventRoute,
  callEventRequest,
  DECISION_PARAMETERS,
  type DecisionRoute,
  decisionRequest,
  emergencyCandidate,
  readParams,
  type ServeError,
  type ServeErrorCode,
  serveError,
} from './request.js';

/** A frame above this many bytes closes the connection (a request is a few hundred). */
export const MAX_FRAME_BYTES = 16 * 1024;
/** Connections open at once; Kamailio keeps one per server entry. */
export const MAX_CONNECTIONS = 64;
/** A frame begun must be complete within this time, or the connection is closed. */
export const FRAME_TIMEOUT_MS = 10_000;
/** Requests in flight on one connection before reading from it pauses (until half have answered). */
export const MAX_IN_FLIGHT = 4_096;
/** Answers waiting for a slow reader before reading from it pauses (until they drain). */
export const MAX_UNSENT_BYTES = 1024 * 1024;

/** The methods, by the HTTP route they mirror (`/v1/registration`, `/v1/call`, `/v1/call/answer`, `/v1/call/end`). */
const METHODS: Readonly<Record<string, DecisionRoute | CallEventRoute>> = {
  'v1.registration': 'registration',
  'v1.call': 'call',
  'v1.call.answer': 'answer',
  'v1.call.end': 'end',
};

/** JSON-RPC 2.0 error codes (section 5.1). */
const PARSE_ERROR = -32700;
const INVALID_REQUEST = -32600;
const METHOD_NOT_FOUND = -32601;
const INVALID_PARAMS = -32602;
const INTERNAL_ERROR = -32603;
/** A server error (the range -32000 to -32099): the ledger did not record an event; try again. */
const LEDGER_UNAVAILABLE = -32000;

/** Options of {@link createJsonRpcServer}. */
export interface JsonRpcServerOptions {
  /** The account's SIP domain, as for HTTP (`unknown-domain` for another). */
  readonly domain?: string | undefined;
  readonly decider: Decider;
  readonly log: (event: ServeEvent) => void;
  /** Where the connection gauge goes. */
  readonly metrics: MetricRegistry;
  /** FRAME_TIMEOUT_MS when not given (tests shorten it). */
  readonly frameTimeoutMs?: number | undefined;
}

/** A request id: what the answer must carry back (JSON-RPC allows a number or a string). */
type RequestId = number | string;

/** A request read from a frame: what to decide and the id to answer, or why it is refused. */
type ReadRequest =
  | {
      readonly kind: 'decide';
      readonly id: RequestId;
      readonly route: DecisionRoute | CallEventRoute;
      readonly params: unknown;
    }
  | {
      readonly kind: 'refuse';
      readonly id: RequestId | null;
      readonly rpcCode: number;
      readonly error: ServeError;
    }
  | { readonly kind: 'notification' };

const REQUEST_MEMBERS = new Set(['jsonrpc', 'method', 'params', 'id']);

const refuse = (
  id: RequestId | null,
  rpcCode: number,
  code: ServeErrorCode,
  message: string,
): ReadRequest => ({ kind: 'refuse', id, rpcCode, error: serveError(code, message) });

/**
 * Reads one frame as a JSON-RPC 2.0 request, strictly: UTF-8, JSON without duplicate keys, an object
 * with `"jsonrpc": "2.0"`, a known `method`, `params` and an integer or string `id`, and nothing else.
 */
export function readRequest(frame: Buffer): ReadRequest {
  let text: string;
  try {
    // A leading byte order mark is kept, for the JSON reader to refuse as in a policy file.
    text = decodeText(frame);
  } catch {
    return refuse(null, PARSE_ERROR, 'invalid-body', 'the request is not UTF-8');
  }
  let value: unknown;
  try {
    value = parseJsonText('(json-rpc request)', text);
  } catch (e) {
    if (!(e instanceof FileError)) throw e;
    const why = e.problems.map((p) => p.message).join('; ');
    return refuse(null, PARSE_ERROR, 'invalid-body', `the request is not JSON: ${why}`);
  }
  if (!isRecord(value)) {
    return refuse(
      null,
      INVALID_REQUEST,
      'invalid-request',
      'the request must be one JSON-RPC object (no batches)',
    );
  }
  const id = value.id;
  const validId = (typeof id === 'number' && Number.isSafeInteger(id)) || typeof id === 'string';
  const answerId = validId ? id : null;
  for (const name of Object.keys(value)) {
    if (!REQUEST_MEMBERS.has(name)) {
      return refuse(answerId, INVALID_REQUEST, 'invalid-request', `unknown request member ${quote(name)}`);
    }
  }
  if (value.jsonrpc !== '2.0') {
    return refuse(answerId, INVALID_REQUEST, 'invalid-request', '"jsonrpc" must be "2.0"');
  }
  // A notification asks for no answer, and a decision nobody reads is no use: dropped, counted.
  if (!Object.hasOwn(value, 'id')) return { kind: 'notification' };
  if (!validId) {
    return refuse(null, INVALID_REQUEST, 'invalid-request', '"id" must be an integer or a string');
  }
  const method = value.method;
  if (typeof method !== 'string') {
    return refuse(id, INVALID_REQUEST, 'invalid-request', '"method" must be a string');
  }
  const route = Object.hasOwn(METHODS, method) ? METHODS[method] : undefined;
  if (route === undefined) {
    const known = Object.keys(METHODS).join(', ');
    return refuse(id, METHOD_NOT_FOUND, 'not-found', `no method ${quote(method)}; expected ${known}`);
  }
  return { kind: 'decide', id, route, params: value.params };
}

/**
 * The parameters of a call as (name, value) pairs, for the same reading as HTTP's: `params` must be an
 * object whose every value is a string. Every pair, strings or not, is kept with the error, for an
 * emergency call (request.ts, `emergencyCandidate`, which a non-string `domain` must reach).
 */
function paramPairs(
  params: unknown,
):
  | { readonly pairs: readonly (readonly [string, string])[]; readonly error: undefined }
  | { readonly pairs: readonly (readonly [string, unknown])[]; readonly error: ServeError } {
  if (!isRecord(params)) {
    return { pairs: [], error: serveError('invalid-parameter', '"params" must be an object of strings') };
  }
  const pairs = Object.entries(params);
  // Object.entries' own pairs once checked: a copy of the string pairs was one more array per request.
  if (allStrings(pairs)) return { pairs, error: undefined };
  const name = pairs.find(([, value]) => typeof value !== 'string')?.[0] ?? '';
  return { pairs, error: serveError('invalid-parameter', `parameter ${quote(name)} must be a string`) };
}

const allStrings = (
  pairs: readonly (readonly [string, unknown])[],
): pairs is readonly (readonly [string, string])[] => pairs.every(([, value]) => typeof value === 'string');

const answerText = (id: RequestId, resultJson: string): string =>
  `{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${resultJson}}`;

const errorText = (id: RequestId | null, rpcCode: number, error: ServeError): string =>
  JSON.stringify({
    jsonrpc: '2.0',
    id,
    error: { code: rpcCode, message: error.message, data: { error: error.code } },
  });

/** The JSON-RPC listener: its TCP server (not yet listening) and how to stop it. */
export interface JsonRpcServer {
  readonly server: Server;
  /** Stops accepting and ends every open connection. */
  readonly close: () => Promise<void>;
}

/** A TCP server (not yet listening) answering JSON-RPC decisions in netstrings. */
export function createJsonRpcServer(options: JsonRpcServerOptions): JsonRpcServer {
  const { decider, log } = options;
  const frameTimeoutMs = options.frameTimeoutMs ?? FRAME_TIMEOUT_MS;
  const sockets = new Set<Socket>();
  const server = createServer({ noDelay: true, keepAlive: true }, (socket) => serve(socket));
  server.maxConnections = MAX_CONNECTIONS;
  options.metrics.gauge(
    'sipguard_jsonrpc_connections',
    'JSON-RPC (netstring) connections open now.',
    () => new Promise((resolve) => server.getConnections((_e, count) => resolve(count))),
  );

  async function answer(request: ReadRequest & { kind: 'decide' }): Promise<string> {
    const started = performance.now();
    const route = request.route;
    const event = route === 'answer' || route === 'end';
    const { required, optional } = event ? CALL_EVENT_PARAMETERS[route] : DECISION_PARAMETERS[route];
    const given = paramPairs(request.params);
    const read =
      given.error === undefined
        ? readParams(given.pairs, required, optional)
        : { ok: false as const, error: given.error };
    let result: { ok: true; json: string } | { ok: false; error: ServeError };
    if (!read.ok) {
      // As over HTTP: a call request that cannot be read is still answered for an emergency call.
      const call = route === 'call' ? emergencyCandidate(given.pairs, options.domain) : undefined;
      const answer = call === undefined ? undefined : await decider.emergencyDespite(call, read.error);
      result = answer === undefined ? read : { ok: true, json: answer.json };
    } else if (event) {
      const asked = callEventRequest(route, read.params, options.domain);
      result = asked.ok ? await decider.callEvent(asked.event) : asked;
    } else {
      const asked = decisionRequest(route, read.params, options.domain);
      const decided = asked.ok ? await decider.decide(asked.decision) : asked;
      result = decided.ok ? { ok: true, json: decided.answer.json } : decided;
    }
    let text: string;
    if (result.ok) text = answerText(request.id, result.json);
    else {
      decider.refused(result.error.code);
      const rpcCode = result.error.code === 'ledger-unavailable' ? LEDGER_UNAVAILABLE : INVALID_PARAMS;
      text = errorText(request.id, rpcCode, result.error);
    }
    decider.observe(route, (performance.now() - started) / 1000);
    return text;
  }

  function serve(socket: Socket): void {
    sockets.add(socket);
    const peer = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? ''}`;
    log({ event: 'jsonrpc-connected', peer });
    const reader = new NetstringReader(MAX_FRAME_BYTES);
    let inFlight = 0;
    let paused = false;
    let frameTimer: NodeJS.Timeout | undefined;

    const closeFor = (reason: string, message: string) => {
      decider.refused('invalid-frame');
      log({ event: 'jsonrpc-refused', peer, reason, message });
      socket.destroy();
    };
    const flowControl = () => {
      const full = inFlight >= MAX_IN_FLIGHT || socket.writableLength > MAX_UNSENT_BYTES;
      const relieved = inFlight <= MAX_IN_FLIGHT / 2 && socket.writableLength <= MAX_UNSENT_BYTES;
      if (full && !paused) {
        paused = true;
        socket.pause();
      } else if (paused && relieved) {
        paused = false;
        socket.resume();
      }
    };
    const send = (text: string) => {
      if (!socket.destroyed) socket.write(encodeNetstring(text));
    };

    socket.on('data', (chunk: Buffer) => {
      const { frames, error } = reader.push(chunk);
      for (const frame of frames) {
        const request = readRequest(frame);
        if (request.kind === 'notification') {
          decider.refused('invalid-request');
          continue;
        }
        if (request.kind === 'refuse') {
          decider.refused(request.error.code);
          send(errorText(request.id, request.rpcCode, request.error));
          continue;
        }
        inFlight += 1;
        answer(request)
          .then(
            (text) => send(text),
            (e: unknown) => {
              // As over HTTP: a bug (or a policy worker gone) is an error answer, never a decision.
              log({ event: 'internal-error', message: e instanceof Error ? e.message : String(e) });
              decider.refused('internal-error');
              send(errorText(request.id, INTERNAL_ERROR, serveError('internal-error', 'internal error')));
            },
          )
          .finally(() => {
            inFlight -= 1;
            flowControl();
          });
      }
      if (error !== undefined) {
        closeFor(error.code, error.message);
        return;
      }
      flowControl();
      // A frame begun must end in time: a stalled half-frame must not hold the connection forever.
      // The timer runs from the start of the frame still incomplete (a new one if others completed).
      if (reader.pendingBytes === 0 || frames.length > 0) {
        clearTimeout(frameTimer);
        frameTimer = undefined;
      }
      if (reader.pendingBytes > 0 && frameTimer === undefined) {
        frameTimer = setTimeout(
          () => closeFor('frame-timeout', `a frame was not complete within ${frameTimeoutMs} ms`),
          frameTimeoutMs,
        );
      }
    });
    socket.on('drain', flowControl);
    socket.on('error', () => {
      // A reset by the peer ends the connection; 'close' below logs it.
    });
    socket.on('close', () => {
      sockets.delete(socket);
      clearTimeout(frameTimer);
      log({ event: 'jsonrpc-disconnected', peer });
    });
  }

  return {
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
