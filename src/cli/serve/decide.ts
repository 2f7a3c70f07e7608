// What every transport of `sipguard serve` (HTTP, JSON-RPC) does around a decision: the policy holder
// decides; the answer is counted in /metrics and, with --log, logged with the account's domain; a
// refused request is counted by its code; the time to answer goes into one histogram per route.
import type { ServeEvent } from './log.js';
import type { MetricRegistry } from './metrics.js';
import type { DecisionAnswer, PolicyHolder } from './policy-holder.js';
import type { DecisionRequest, ServeErrorCode } from './request.js';

/** Upper bounds of the request latency histogram, in seconds. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** Decides, counts and logs for the transports. */
export interface Decider {
  /** The holder's answer to `decision`, counted (and logged with `--log`). */
  readonly decide: (decision: DecisionRequest) => Promise<DecisionAnswer>;
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
}

/** A decider over `holder`; its metric families are made here, once for every transport. */
export function createDecider(holder: PolicyHolder, options: DeciderOptions): Decider {
  const { metrics, log } = options;
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
  return {
    async decide(decision) {
      const answer =
        decision.route === 'registration'
          ? await holder.checkRegistration(decision.request)
          : await holder.checkCall(decision.request);
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
      return answer;
    },
    refused: (code) => refusals.inc([code]),
    observe: (route, seconds) => latency.observe(route, seconds),
  };
}
