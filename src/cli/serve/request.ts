// Reading a request to `sipguard serve`, whichever transport carries it (an HTTP query string, the
// params of a JSON-RPC call): what each decision takes, and why a request is refused. A request is
// read exactly one way: every parameter known, given once and non-empty, and the account's domain
// this service's; a refused call request may still name an emergency call (emergencyCandidate). One
// owner for both transports, so that they can never decide differently.
import {
  type CallRequest,
  ledgerKeyProblem,
  MAX_BILLED_SECONDS,
  type RegistrationRequest,
} from '../../index.js';
import { quote } from '../../text.js';
import type { FileProblem } from '../files.js';

/** Why the service refused a request (never a policy decision: those are `Decision` codes). */
export type ServeErrorCode =
  | 'not-found'
  | 'method-not-allowed'
  | 'unknown-parameter'
  | 'duplicate-parameter'
  | 'missing-parameter'
  | 'empty-parameter'
  | 'invalid-parameter'
  | 'invalid-encoding'
  | 'invalid-body'
  | 'invalid-request'
  | 'invalid-frame'
  | 'unknown-domain'
  | 'malformed-request'
  | 'request-timeout'
  | 'body-too-large'
  | 'headers-too-large'
  | 'ledger-unavailable'
  | 'internal-error';

/** A refused request: HTTP status, stable code and a sentence that quotes the input. */
export interface ServeError {
  readonly status: number;
  readonly code: ServeErrorCode;
  readonly message: string;
  readonly problems?: readonly FileProblem[];
}

function statusOf(code: ServeErrorCode): number {
  switch (code) {
    case 'not-found':
    case 'unknown-domain':
      return 404;
    case 'method-not-allowed':
      return 405;
    case 'request-timeout':
      return 408;
    case 'body-too-large':
      return 413;
    case 'headers-too-large':
      return 431;
    case 'internal-error':
      return 500;
    case 'ledger-unavailable':
      return 503;
    case 'unknown-parameter':
    case 'duplicate-parameter':
    case 'missing-parameter':
    case 'empty-parameter':
    case 'invalid-parameter':
    case 'invalid-encoding':
    case 'invalid-body':
    case 'invalid-request':
    case 'invalid-frame':
    case 'malformed-request':
      return 400;
  }
}

/** The refusal with `code`, its HTTP status and `message`. */
export const serveError = (
  code: ServeErrorCode,
  message: string,
  problems?: readonly FileProblem[],
): ServeError =>
  problems === undefined
    ? { status: statusOf(code), code, message }
    : { status: statusOf(code), code, message, problems };

/** The two decisions the service answers. */
export type DecisionRoute = 'registration' | 'call';

/** The two call events the service records (`/v1/call/answer`, `/v1/call/end`). */
export type CallEventRoute = 'answer' | 'end';

/** Required and optional parameter names of a route. */
export interface RouteParameters {
  readonly required: readonly string[];
  readonly optional: readonly string[];
}

/** The parameters of each decision (HTTP adds its own `format`). */
export const DECISION_PARAMETERS: Readonly<Record<DecisionRoute, RouteParameters>> = {
  registration: { required: ['extension', 'sourceIp'], optional: ['domain'] },
  call: { required: ['extension', 'dialed'], optional: ['domain', 'rate', 'callId'] },
};

/** The parameters of each call event. */
export const CALL_EVENT_PARAMETERS: Readonly<Record<CallEventRoute, RouteParameters>> = {
  answer: { required: ['callId'], optional: ['domain'] },
  end: { required: ['callId', 'billedSeconds'], optional: ['domain'] },
};

/** A call decision's fields, with the call id that the usage limits count it by, when given. */
export type ServiceCallRequest = CallRequest & { readonly callId?: string };

/** A decision request as read: which decision, for which domain (as given), and its fields. */
export type DecisionRequest =
  | {
      readonly route: 'registration';
      readonly domain: string | undefined;
      readonly request: RegistrationRequest;
    }
  | { readonly route: 'call'; readonly domain: string | undefined; readonly request: ServiceCallRequest };

/** A call event as read: `billedSeconds` only on an end. */
export type CallEventRequest =
  | { readonly route: 'answer'; readonly domain: string | undefined; readonly callId: string }
  | {
      readonly route: 'end';
      readonly domain: string | undefined;
      readonly callId: string;
      readonly billedSeconds: number;
    };

/** Read parameters, or why they are refused. */
export type ParamsRead =
  | { readonly ok: true; readonly params: Readonly<Record<string, string>> }
  | { readonly ok: false; readonly error: ServeError };

const fail = (code: ServeErrorCode, message: string): ParamsRead => ({
  ok: false,
  error: serveError(code, message),
});

/**
 * Every parameter must be known, given once and non-empty; a typo (`sourceip`) or a value smuggled in
 * twice is refused, never silently ignored or resolved by picking one.
 */
export function readParams(
  pairs: readonly (readonly [string, string])[],
  required: readonly string[],
  optional: readonly string[],
): ParamsRead {
  const params: Record<string, string> = {};
  for (const [name, value] of pairs) {
    if (!required.includes(name) && !optional.includes(name)) {
      const known = [...required, ...optional];
      return fail(
        'unknown-parameter',
        `unknown parameter ${quote(name)}${known.length === 0 ? ': this route takes none' : `; expected ${known.join(', ')}`}`,
      );
    }
    if (Object.hasOwn(params, name)) {
      return fail('duplicate-parameter', `parameter ${quote(name)} is given more than once`);
    }
    if (value === '') return fail('empty-parameter', `parameter ${quote(name)} is empty`);
    params[name] = value;
  }
  for (const name of required) {
    if (!Object.hasOwn(params, name)) {
      return fail('missing-parameter', `parameter ${quote(name)} is required`);
    }
  }
  return { ok: true, params };
}

/**
 * The decision request of already read `params`, or `unknown-domain` when they name a domain this
 * service does not decide for. The realm is compared exactly, as Kamailio sends it (`$ar`): one
 * service holds one account, and without `serviceDomain` it holds no named one.
 */
export function decisionRequest(
  route: DecisionRoute,
  params: Readonly<Record<string, string>>,
  serviceDomain: string | undefined,
):
  | { readonly ok: true; readonly decision: DecisionRequest }
  | { readonly ok: false; readonly error: ServeError } {
  const domain = params.domain;
  const foreign = domainProblem(domain, serviceDomain);
  if (foreign !== undefined) return { ok: false, error: foreign };
  const extension = params.extension ?? '';
  if (route === 'registration') {
    return { ok: true, decision: { route, domain, request: { extension, sourceIp: params.sourceIp ?? '' } } };
  }
  // A call id is checked where the call is counted (planStart denies `invalid-request`), not here:
  // an emergency call needs none, so a bad one must not refuse it.
  const callId = params.callId;
  const dialed = params.dialed ?? '';
  const call: CallRequest =
    params.rate === undefined ? { extension, dialed } : { extension, dialed, ratePerMinute: params.rate };
  // Object.assign, not `{ ...call, callId }`: on Node 20 that costs about 1.5 µs (docs/performance.md).
  const request = callId === undefined ? call : Object.assign({}, call, { callId });
  return { ok: true, decision: { route, domain, request } };
}

/**
 * The call that a call request refused before any decision still names without guessing: `extension`
 * and `dialed` each given once, as non-empty strings, and `domain`, when given, once and this
 * service's. Any of the three names in another letter case (`Domain`), or with a value that is no
 * string (JSON-RPC), may name another call: then there is none. Every other pair is ignored. The
 * service answers it only if the policy in force allows it as an emergency call (decide.ts);
 * undefined when the request names no such call.
 */
export function emergencyCandidate(
  pairs: readonly (readonly [string, unknown])[],
  serviceDomain: string | undefined,
): CallRequest | undefined {
  let extension: string | undefined;
  let dialed: string | undefined;
  let domain: string | undefined;
  for (const [name, value] of pairs) {
    const folded = name.toLowerCase();
    if (folded !== 'extension' && folded !== 'dialed' && folded !== 'domain') continue;
    if (folded !== name || typeof value !== 'string') return undefined;
    if (name === 'extension') {
      if (extension !== undefined) return undefined;
      extension = value;
    } else if (name === 'dialed') {
      if (dialed !== undefined) return undefined;
      dialed = value;
    } else {
      if (domain !== undefined) return undefined;
      domain = value;
    }
  }
  if (extension === undefined || extension === '' || dialed === undefined || dialed === '') return undefined;
  return domainProblem(domain, serviceDomain) === undefined ? { extension, dialed } : undefined;
}

/**
 * The call event of already read `params`, or why it is refused: a foreign domain, a call id that is
 * no ledger key (too long, or with a lone surrogate), or billed seconds that are not a whole number
 * from 0 to MAX_BILLED_SECONDS.
 */
export function callEventRequest(
  route: CallEventRoute,
  params: Readonly<Record<string, string>>,
  serviceDomain: string | undefined,
):
  | { readonly ok: true; readonly event: CallEventRequest }
  | { readonly ok: false; readonly error: ServeError } {
  const domain = params.domain;
  const foreign = domainProblem(domain, serviceDomain);
  if (foreign !== undefined) return { ok: false, error: foreign };
  const callId = params.callId ?? '';
  const badId = callIdProblem(callId);
  if (badId !== undefined) return { ok: false, error: badId };
  if (route === 'answer') return { ok: true, event: { route, domain, callId } };
  const text = params.billedSeconds ?? '';
  const seconds = /^(0|[1-9][0-9]{0,6})$/.test(text) ? Number(text) : Number.NaN;
  if (!(seconds <= MAX_BILLED_SECONDS)) {
    const message = `billedSeconds must be a whole number of seconds from 0 to ${MAX_BILLED_SECONDS}, not ${quote(text)}`;
    return { ok: false, error: serveError('invalid-parameter', message) };
  }
  return { ok: true, event: { route, domain, callId, billedSeconds: seconds } };
}

function domainProblem(
  domain: string | undefined,
  serviceDomain: string | undefined,
): ServeError | undefined {
  if (domain === undefined || domain === serviceDomain) return undefined;
  const message =
    serviceDomain === undefined
      ? `this service was started without --domain and decides for no domain ${quote(domain)}`
      : `this service decides for domain ${quote(serviceDomain)}, not ${quote(domain)}`;
  return serveError('unknown-domain', message);
}

// Too long, or (only JSON-RPC can carry one; HTTP's query is strict UTF-8) with a lone surrogate.
function callIdProblem(callId: string): ServeError | undefined {
  const problem = ledgerKeyProblem(callId, 'callId');
  return problem === undefined ? undefined : serveError('invalid-parameter', problem);
}
