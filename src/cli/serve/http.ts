// The HTTP adapter of `sipguard serve`: routes, query parameters, request bodies and error answers,
// over a `PolicyHolder` that decides. It keeps no policy of its own.
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  STATUS_CODES,
} from 'node:http';
import type { Duplex } from 'node:stream';
import { quote } from '../../text.js';
import { decodeText } from '../files.js';
import type { Decider } from './decide.js';
import type { ServeEvent } from './log.js';
import type { MetricRegistry } from './metrics.js';
import type { DecisionAnswer, PolicyHolder, ServeHealth } from './policy-holder.js';
import { decodeQuery } from './query.js';
import type { RegistrarHealth } from './registration-sweep.js';
import {
  CALL_EVENT_PARAMETERS,
  callEventRequest,
  DECISION_PARAMETERS,
  decisionRequest,
  emergencyCandidate,
  readParams,
  type ServeError,
  serveError,
} from './request.js';
import type { LedgerHealth } from './service-ledger.js';

/** The header on an emergency call's answer that names the code its request was otherwise refused with. */
export const REQUEST_ERROR_HEADER = 'Sipguard-Request-Error';

/** Request bodies above this many bytes are refused with 413 and not read further. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** How long a client may take, in milliseconds. */
export interface HttpTimeouts {
  /** From the connection (or the end of the previous answer) to the end of the request headers. */
  readonly headersMs: number;
  /** From the start of a request to the end of its body. */
  readonly requestMs: number;
  /** A kept-alive connection with no request. */
  readonly idleMs: number;
}

/** The timeouts of `sipguard serve` (docs/integrations.md). */
export const DEFAULT_TIMEOUTS: HttpTimeouts = { headersMs: 5_000, requestMs: 10_000, idleMs: 5_000 };

/**
 * How often Node checks the header and request timeouts. Its default (30 s) let a 5 s timeout hold a
 * client for up to 35 s; the check walks the open connections, a cheap list.
 */
export const TIMEOUT_CHECK_MS = 250;

/** What `GET /healthz` answers: the policy in force, the ledger and, with a registrar, the connector's state. */
export interface ServiceHealth extends ServeHealth {
  readonly ledger?: LedgerHealth;
  readonly registrar?: RegistrarHealth;
}

/** Options of {@link createHttpAdapter}. */
export interface HttpAdapterOptions {
  /**
   * The SIP domain (auth realm) this service decides for: a query naming another `domain` is refused
   * with `unknown-domain`. Without it, a query naming any domain is refused.
   */
  readonly domain?: string | undefined;
  /** Log each drop answer (decisions are logged by the decider); failures are always logged. */
  readonly logDecisions?: boolean | undefined;
  readonly log: (event: ServeEvent) => void;
  readonly timeouts?: HttpTimeouts | undefined;
  /** Decides, counts and logs (shared with the other transports). */
  readonly decider: Decider;
  /** What `GET /metrics` renders; the adapter adds its connection gauge. */
  readonly metrics: MetricRegistry;
  /** What `GET /healthz` answers; the holder's health when not given. */
  readonly health?: (() => ServiceHealth) | undefined;
}

/** The HTTP server (not yet listening) answering the routes of docs/integrations.md from `holder`. */
export function createHttpAdapter(holder: PolicyHolder, options: HttpAdapterOptions): Server {
  const { log, metrics, decider } = options;
  const logDecisions = options.logDecisions === true;
  const health = options.health ?? holder.health;
  metrics.gauge(
    'sipguard_connections',
    'Client connections open now.',
    () => new Promise((resolve) => server.getConnections((_e, count) => resolve(count))),
  );

  const refuse = (res: ServerResponse, text: boolean, error: ServeError): void => {
    decider.refused(error.code);
    sendError(res, text, error);
  };

  const timeouts = options.timeouts ?? DEFAULT_TIMEOUTS;
  // The answer each connection is busy with, if any: where a refusal of the parser may be written.
  const answering = new WeakMap<Duplex, ServerResponse>();
  const server = createServer({ connectionsCheckingInterval: TIMEOUT_CHECK_MS }, (req, res) => {
    const started = performance.now();
    const socket = req.socket;
    answering.set(socket, res);
    const answered = () => {
      if (answering.get(socket) === res) answering.delete(socket);
    };
    handle(req, res).then(
      (route) => {
        answered();
        decider.observe(route, (performance.now() - started) / 1000);
      },
      (e: unknown) => {
        answered();
        // A bug must not take the service down; the caller gets a 500, which a PBX treats as a deny.
        log({ event: 'internal-error', message: e instanceof Error ? e.message : String(e) });
        if (!res.headersSent) refuse(res, false, serveError('internal-error', 'internal error'));
        else res.destroy();
      },
    );
  });
  // Node's own answers to a request its parser refuses are bare; these say why in the service's
  // error form, and every refusal is counted. The connection is closed after it.
  server.on('clientError', (e: NodeJS.ErrnoException, socket: Duplex) => {
    if (e.code !== 'ECONNRESET' && socket.writable) {
      const error = parserRefusal(e.code);
      decider.refused(error.code);
      if (mayAnswerRefusal(e.code, answering.get(socket))) socket.write(rawErrorAnswer(error));
    }
    socket.destroy();
  });
  // Bounded waits: a slow or stuck client cannot hold a connection for long.
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  server.keepAliveTimeout = timeouts.idleMs;

  /** Answers one request; resolves with the route name for the latency histogram. */
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<RouteName | 'unknown'> {
    const target = originForm(req.url ?? '');
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const rawQuery = q < 0 ? '' : target.slice(q + 1);
    const decoded = decodeQuery(rawQuery);
    const query = decoded.ok ? decoded.pairs : [];
    // A query that does not decode is refused, in the form it asked for as written.
    const text = wantsText(req, decoded.ok ? query : rawFormatPairs(rawQuery));
    const method = req.method ?? '';

    const route = ROUTES[path];
    if (route === undefined || !Object.hasOwn(ROUTES, path)) {
      refuse(res, text, serveError('not-found', `no route ${quote(path)}`));
      return 'unknown';
    }
    const allowed = route.head ? ['GET', 'HEAD'] : [route.method];
    if (!allowed.includes(method)) {
      res.setHeader('Allow', allowed.join(', '));
      const message = `${path} accepts ${allowed.join(' or ')}, not ${method}`;
      refuse(res, text, serveError('method-not-allowed', message));
      return route.name;
    }
    if (!decoded.ok) {
      refuse(res, text, serveError('invalid-encoding', decoded.error.message));
      return route.name;
    }
    const read = readParams(query, route.required, route.optional);
    if (!read.ok) {
      await refuseUnread(req, res, text, route.name, query, read.error);
      return route.name;
    }
    const { params } = read;
    const format = params.format;
    if (format !== undefined && format !== 'text' && format !== 'json') {
      const message = `format must be "text" or "json", not ${quote(format)}`;
      await refuseUnread(req, res, text, route.name, query, serveError('invalid-parameter', message));
      return route.name;
    }

    switch (route.name) {
      case 'healthz':
        sendJson(res, 200, health());
        break;
      case 'metrics':
        send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', await metrics.render());
        break;
      case 'registration':
      case 'call': {
        const decision = decisionRequest(route.name, params, options.domain);
        const decided = decision.ok ? await decider.decide(decision.decision) : decision;
        if (decided.ok) sendDecision(res, text, decided.answer);
        else refuse(res, text, decided.error);
        break;
      }
      case 'answer':
      case 'end': {
        const event = callEventRequest(route.name, params, options.domain);
        const recorded = event.ok ? await decider.callEvent(event.event) : event;
        if (!recorded.ok) refuse(res, text, recorded.error);
        else if (text) send(res, 200, 'text/plain; charset=utf-8', `${recorded.status}\n`);
        else send(res, 200, JSON_TYPE, `${recorded.json}\n`);
        break;
      }
      case 'drop':
        await drop(req, res, path);
        break;
    }
    return route.name;
  }

  // Refuses a request whose parameters cannot be read, except a call request that still names an
  // emergency call (docs/integrations.md): the service refuses what it cannot decide, except those.
  async function refuseUnread(
    req: IncomingMessage,
    res: ServerResponse,
    text: boolean,
    route: RouteName,
    query: readonly (readonly [string, string])[],
    error: ServeError,
  ): Promise<void> {
    const call = route === 'call' ? emergencyCandidate(query, options.domain) : undefined;
    const answer = call === undefined ? undefined : await decider.emergencyDespite(call, error);
    if (answer === undefined) {
      refuse(res, text, error);
      return;
    }
    res.setHeader(REQUEST_ERROR_HEADER, error.code);
    sendDecision(res, text || asksForText(req, query), answer);
  }

  async function drop(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const read = await readBody(req, MAX_BODY_BYTES);
    if (read.kind === 'aborted') {
      // The client went away mid-body: nobody is left to answer, and it is no bug of ours.
      log({ event: 'client-aborted', route: path, received: read.received });
      return;
    }
    if (read.body === undefined) {
      res.setHeader('Connection', 'close');
      refuse(res, false, serveError('body-too-large', `the request body exceeds ${MAX_BODY_BYTES} bytes`));
      return;
    }
    let body: string;
    try {
      body = decodeText(read.body);
    } catch {
      refuse(res, false, serveError('invalid-body', 'the request body is not UTF-8'));
      return;
    }
    const answer = await holder.registrationsToDropJson(body);
    if (!answer.ok) {
      refuse(res, false, serveError('invalid-body', answer.message, answer.problems));
      return;
    }
    if (logDecisions) log({ event: 'drop', total: answer.total, drop: answer.drop });
    send(res, 200, JSON_TYPE, `${answer.json}\n`);
  }

  return server;
}

type RouteName = 'healthz' | 'metrics' | 'registration' | 'call' | 'answer' | 'end' | 'drop';

interface Route {
  readonly name: RouteName;
  readonly method: 'GET' | 'POST';
  /** HEAD answers as GET without the body: only where a request changes nothing. */
  readonly head: boolean;
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

const ROUTES: Readonly<Record<string, Route>> = {
  '/healthz': { name: 'healthz', method: 'GET', head: true, required: [], optional: [] },
  '/metrics': { name: 'metrics', method: 'GET', head: true, required: [], optional: [] },
  '/v1/registration': {
    name: 'registration',
    method: 'GET',
    head: true,
    required: DECISION_PARAMETERS.registration.required,
    optional: [...DECISION_PARAMETERS.registration.optional, 'format'],
  },
  // No HEAD: a call decision may reserve the call, and a HEAD (a link checker, a probe) would hold
  // a reservation for maxCallSeconds that nobody sees.
  '/v1/call': {
    name: 'call',
    method: 'GET',
    head: false,
    required: DECISION_PARAMETERS.call.required,
    optional: [...DECISION_PARAMETERS.call.optional, 'format'],
  },
  // POST: an event changes the ledger, and a cache or a prefetching client must never send it.
  '/v1/call/answer': {
    name: 'answer',
    method: 'POST',
    head: false,
    required: CALL_EVENT_PARAMETERS.answer.required,
    optional: [...CALL_EVENT_PARAMETERS.answer.optional, 'format'],
  },
  '/v1/call/end': {
    name: 'end',
    method: 'POST',
    head: false,
    required: CALL_EVENT_PARAMETERS.end.required,
    optional: [...CALL_EVENT_PARAMETERS.end.optional, 'format'],
  },
  '/v1/registrations/drop': { name: 'drop', method: 'POST', head: false, required: [], optional: [] },
};

/** Text when `format=text`, or when `Accept` names text/plain and not JSON (and `format` is not `json`). */
function wantsText(req: IncomingMessage, query: readonly (readonly [string, string])[]): boolean {
  const format = formatValues(query);
  if (format.length === 1 && format[0] === 'text') return true;
  if (format.length > 0) return false;
  return acceptsTextOnly(req.headers.accept);
}

// For an emergency call answered despite a bad `format`: a hint of text wins, since a text client
// (the Kamailio example) reads anything but `allow ` as a deny.
function asksForText(req: IncomingMessage, query: readonly (readonly [string, string])[]): boolean {
  const format = formatValues(query).map((value) => value.toLowerCase());
  if (format.includes('text')) return true;
  return !format.includes('json') && acceptsTextOnly(req.headers.accept);
}

const formatValues = (query: readonly (readonly [string, string])[]): string[] =>
  query.filter(([name]) => name === 'format').map(([, value]) => value);

function acceptsTextOnly(header: string | undefined): boolean {
  // Most requests name no text/plain: they are answered without parsing (or allocating) anything.
  if (header === undefined || !TEXT_PLAIN.test(header)) return false;
  const accept = acceptedTypes(header);
  return accept.has('text/plain') && !accept.has('application/json');
}

const TEXT_PLAIN = /text\/plain/i;

// The `format` pairs of a query that did not decode, as written (only `format=text` is looked for).
function rawFormatPairs(rawQuery: string): (readonly [string, string])[] {
  return rawQuery
    .split('&')
    .filter((pair) => pair.startsWith('format='))
    .map((pair) => ['format', pair.slice('format='.length)] as const);
}

// The media types an Accept header names as acceptable: case-insensitive (RFC 9110), less those
// given q=0 ("not acceptable"). Ranges with a wildcard name no type here.
function acceptedTypes(accept: string): Set<string> {
  const types = new Set<string>();
  for (const range of accept.split(',')) {
    const [type = '', ...params] = range.split(';').map((part) => part.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    types.add(type);
  }
  return types;
}

/** What reading a request body gave. */
type BodyRead =
  | { readonly kind: 'body'; readonly body: Buffer | undefined }
  | { readonly kind: 'aborted'; readonly received: number };

/**
 * The body, `undefined` once it exceeds `limit` bytes (then it is not read further), or `aborted`
 * when the client closes the connection before the body ends.
 */
function readBody(req: IncomingMessage, limit: number): Promise<BodyRead> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    return Promise.resolve({ kind: 'body', body: undefined });
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.off('data', onData);
        req.pause();
        resolve({ kind: 'body', body: undefined });
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => resolve({ kind: 'body', body: Buffer.concat(chunks) }));
    // Node reports a client that hung up mid-body as an error ("aborted"); a later resolve is a no-op.
    req.on('error', () => resolve({ kind: 'aborted', received: size }));
    req.on('close', () => {
      if (!req.complete) resolve({ kind: 'aborted', received: size });
    });
  });
}

const JSON_TYPE = 'application/json; charset=utf-8';

// The headers of every answer, written by Node or (a refusal of its parser) by hand.
const answerHeaders = (contentType: string, body: string) => ({
  'Content-Type': contentType,
  'Content-Length': Buffer.byteLength(body),
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
});

function send(res: ServerResponse, status: number, contentType: string, body: string): void {
  res.writeHead(status, answerHeaders(contentType, body));
  res.end(body);
}

const jsonText = (value: unknown): string => `${JSON.stringify(value)}\n`;

const sendJson = (res: ServerResponse, status: number, value: unknown): void =>
  send(res, status, JSON_TYPE, jsonText(value));

function sendDecision(res: ServerResponse, text: boolean, answer: DecisionAnswer): void {
  if (text) {
    send(res, 200, 'text/plain; charset=utf-8', `${answer.allowed ? 'allow' : 'deny'} ${answer.code}\n`);
  } else send(res, 200, JSON_TYPE, `${answer.json}\n`);
}

// The path and query of a request target. A server must accept the absolute form too (RFC 9112
// section 3.2.2: "GET http://host/v1/call?…", as a client sends it through a proxy); only its path
// and query route, as in the usual origin form.
function originForm(target: string): string {
  const scheme = /^https?:\/\//i.exec(target);
  if (scheme === null) return target;
  const rest = target.slice(scheme[0].length);
  const end = rest.search(/[/?]/);
  if (end < 0) return '/';
  return rest[end] === '/' ? rest.slice(end) : `/${rest.slice(end)}`;
}

// What a refusal by Node's HTTP parser (a clientError) answers, by its error code.
function parserRefusal(code: string | undefined): ServeError {
  switch (code) {
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return serveError('request-timeout', 'the request did not arrive in time');
    case 'HPE_HEADER_OVERFLOW':
      return serveError(
        'headers-too-large',
        'the request headers exceed the size Node reads (--max-http-header-size)',
      );
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return serveError('body-too-large', 'the chunk extensions of the request body are too large');
    default:
      return serveError(
        'malformed-request',
        `the request is not valid HTTP (${code ?? 'unknown parser error'})`,
      );
  }
}

// Whether a refusal may be written while `busy` is the answer in progress on the connection. A parse
// error belongs to a request after that one (pipelined): answering it could be read as the answer to
// the earlier request, or cut into it, so only an idle connection gets it. A timeout belongs to the
// request being read, and is answered unless that request's own answer has begun.
function mayAnswerRefusal(code: string | undefined, busy: ServerResponse | undefined): boolean {
  if (busy === undefined) return true;
  return code === 'ERR_HTTP_REQUEST_TIMEOUT' && !busy.headersSent;
}

// In text form an error never starts with "allow", so a script testing for that prefix denies.
function sendError(res: ServerResponse, text: boolean, error: ServeError): void {
  if (text) send(res, error.status, 'text/plain; charset=utf-8', `error ${error.code}: ${error.message}\n`);
  else {
    sendJson(res, error.status, errorBody(error));
  }
}

/** The JSON body of a refusal: `{ error, message, problems? }`. */
const errorBody = (error: ServeError) =>
  error.problems === undefined
    ? { error: error.code, message: error.message }
    : { error: error.code, message: error.message, problems: error.problems };

// A JSON refusal as raw HTTP/1.1, for a connection Node's server no longer answers on; it closes.
function rawErrorAnswer(error: ServeError): string {
  const body = jsonText(errorBody(error));
  const headers = { ...answerHeaders(JSON_TYPE, body), Connection: 'close' };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
  return `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n${lines.join('')}\r\n${body}`;
}
