// What every transport of `sipguard serve` (HTTP, JSON-RPC) does around a decision: the policy holder
// decides (a call through the stateful step, on the service's ledger); the answer is counted in
// /metrics and, with --log, logged with the account's domain; a refused request is counted by its
// code; the time to answer goes into one histogram per route. Call events go to the ledger here, and
// an emergency call that a refused request names is decided here.
import type { CallRequest } from '../../index.js';
import { excerpt, quote } from '../../text.js';
import type { ServeEvent } from './log.js';
import type { MetricRegistry } from './metrics.js';
import type { DecisionAnswer, PolicyHolder } from './policy-holder.js';
import {
  type CallEventRequest,
  type DecisionRequest,
  type ServeError,
  type ServeErrorCode,
  serveError,
} from './request.js';
import type { ServiceLedger } from './service-ledger.js';
import { CALL_ID_REQUIRED } from './worker-ledger.js';

/** Upper bounds of the request latency histogram, in seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** A decision, or why the service refuses to make one. */
export type DecideResult =
  | { readonly ok: true; readonly answer: DecisionAnswer }
  | { readonly ok: false; readonly error: ServeError };

/** A call event recorded (its JSON answer), or why it was not. */
export type CallEventResult =
  | { readonly ok: true; readonly status: string; readonly json: string }
  | { readonly ok: false; readonly error: ServeError };

/** Decides, counts and logs for the transports. */
export interface Decider {
  /** The holder's answer to `decision`, counted (and logged with `--log`). */
  readonly decide: (decision: DecisionRequest) => Promise<DecideResult>;
  /**
   * The answer to `call`, named by a call request that was refused with `error` before any decision,
   * when the policy in force allows it as an emergency call (counted, and always logged); otherwise
   * undefined, and the request stays refused.
   */
  readonly emergencyDespite: (call: CallRequest, error: ServeError) => Promise<DecisionAnswer | undefined>;
  /** Records an answer or an end in the ledger: idempotent, and harmless for an unknown call id. */
  readonly callEvent: (event: CallEventRequest) => Promise<CallEventResult>;
  /** Counts a request refused with `code`. */
  readonly refused: (code: ServeErrorCode) => void;
  /** Records the time from a request on `route` to its answer. */
  readonly observe: (route: string, seconds: number) => void;
}

/** Options of {@link createDecider}. */
export interface DeciderOptions {
  readonly metrics: MetricRegistry;
  readonly log: (event: ServeEvent) => void;
  /** Log every decision (one event per request). */
  readonly logDecisions?: boolean | undefined;
  /** Where calls are counted; the holder asks it for each call start, and call events go to it. */
  readonly ledger: ServiceLedger;
  /** The ledger's account key: the service's domain; {@link DEFAULT_ACCOUNT} when not given. */
  readonly account?: string | undefined;
  /** The time of a call start or event, in ms since 1970 (the ledger takes time from the request). */
  readonly now?: (() => number) | undefined;
}

/** The ledger account of a service started without `--domain`. */
export const DEFAULT_ACCOUNT = 'default';

/** A decider over `holder`; its metric families are made here, once for every transport. */
export function createDecider(holder: PolicyHolder, options: DeciderOptions): Decider {
  const { metrics, log, ledger } = options;
  const account = options.account ?? DEFAULT_ACCOUNT;
  const now = options.now ?? Date.now;
  const logDecisions = options.logDecisions === true;
  const decisions = metrics.counter(
    'sipguard_decisions_total',
    'Decisions answered, by route and decision code.',
    ['route', 'code'],
  );
  const refusals = metrics.counter(
    'sipguard_refused_requests_total',
    'Requests refused with an error answer (4xx or 5xx), by error code.',
    ['code'],
  );
  const latency = metrics.histogram(
    'sipguard_request_duration_seconds',
    'Time from a request to its answer, by route.',
    'route',
    LATENCY_BUCKETS,
  );
  const callEvents = metrics.counter(
    'sipguard_call_events_total',
    'Call events (answer, end) by result: the ledger status (answered, settled, ignored, pending, full) or unavailable.',
    ['event', 'result'],
  );
  metrics.gauge(
    'sipguard_ledger_up',
    '1 while the usage ledger is reachable (limited calls are counted), else 0.',
    () => (ledger.health().state === 'ready' ? 1 : 0),
  );
  const emergencyDespiteRefusal = metrics.counter(
    'sipguard_emergency_despite_refusal_total',
    'Emergency calls allowed although their request was refused otherwise (its parameters could not all be read), by the refusal code.',
    ['code'],
  );
  const callIdRequired = serveError(
    'missing-parameter',
    'parameter "callId" is required: the policy in force has usage limits, which count calls by their id',
  );
  return {
    async decide(decision) {
      let answer: DecisionAnswer;
      if (decision.route === 'registration') answer = await holder.checkRegistration(decision.request);
      else {
        const { callId, ...request } = decision.request;
        const started = await holder.startCall(request, { account, callId, at: now() });
        if (started === CALL_ID_REQUIRED) return { ok: false, error: callIdRequired };
        answer = started;
      }
      decisions.inc([decision.route, answer.code]);
      if (logDecisions) {
        log({
          event: 'decision',
          route: decision.route,
          ...(decision.domain === undefined ? {} : { domain: decision.domain }),
          ...decision.request,
          allowed: answer.allowed,
          code: answer.code,
          scope: answer.scope,
          policy: answer.policy,
        });
      }
      return { ok: true, answer };
    },
    async emergencyDespite(call, error) {
      // The stateless check: an emergency call is never counted, so it needs no call id or ledger.
      const answer = await holder.checkCall(call);
      if (!answer.allowed || answer.code !== 'emergency') return undefined;
      decisions.inc(['call', answer.code]);
      emergencyDespiteRefusal.inc([error.code]);
      // Always logged, like a failure: the integration sends requests the service refuses.
      log({
        event: 'emergency-despite-refusal',
        error: error.code,
        message: error.message,
        // Cut like the message: the request was not read, so nothing bounds these but the query's size.
        extension: excerpt(call.extension),
        dialed: excerpt(call.dialed),
        policy: answer.policy,
      });
      return answer;
    },
    async callEvent(event) {
      const { callId } = event;
      const at = now();
      let status: string;
      let json: string;
      try {
        const result =
          event.route === 'answer'
            ? await ledger.ledger.answer({ account, callId, at })
            : await ledger.ledger.end({ account, callId, at, billedSeconds: event.billedSeconds });
        status = result.status;
        json = JSON.stringify({ callId, ...result });
      } catch (e) {
        callEvents.inc([event.route, 'unavailable']);
        const why = e instanceof Error ? e.message : String(e);
        log({ event: 'call-event-failed', route: event.route, callId, message: why });
        const message = `the ledger did not record the ${event.route} of ${quote(callId)}: ${why}`;
        return { ok: false, error: serveError('ledger-unavailable', message) };
      }
      callEvents.inc([event.route, status]);
      if (logDecisions) log({ event: `call-${event.route}`, callId, result: status });
      // The inputs were checked when read; a ledger that is full cannot record, and says so.
      if (status === 'full') {
        const message = `the ledger holds its maximum of calls and did not record the ${event.route} of ${quote(callId)}`;
        return { ok: false, error: serveError('ledger-unavailable', message) };
      }
      if (status === 'invalid') return { ok: false, error: serveError('invalid-parameter', json) };
      return { ok: true, status, json };
    },
    refused: (code) => refusals.inc([code]),
    observe: (route, seconds) => latency.observe(route, seconds),
  };
}
