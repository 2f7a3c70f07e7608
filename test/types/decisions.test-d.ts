// Type-level tests of the decision unions, in the style of valibot's *.test-d.ts: they are checked
// by `npm run typecheck` (tsc, the first step of `npm test`), so a union that widens, or a field that
// stops narrowing, fails the build. The expected types are written out here by hand.
import { describe, expectTypeOf, it } from 'vitest';
import type {
  CallDecision,
  CallDecisionCode,
  Decision,
  DecisionCode,
  DecisionDestination,
  DecisionScope,
  LimitDecision,
  LimitDecisionCode,
  RegistrationDecision,
  RegistrationDecisionCode,
  StartDecision,
} from '../../src/index.js';

type RegistrationCodes =
  | 'unrestricted'
  | 'ip-allowed'
  | 'ip-not-allowed'
  | 'allow-list-empty'
  | 'invalid-ip'
  | 'invalid-request';
type CallCodes =
  | 'emergency'
  | 'unrestricted'
  | 'area-allowed'
  | 'area-not-allowed'
  | 'area-denied'
  | 'invalid-number'
  | 'rate-within-cap'
  | 'rate-above-cap'
  | 'rate-unknown'
  | 'invalid-request';
type LimitCodes =
  | 'concurrency-limit'
  | 'velocity-limit'
  | 'repeat-dial-limit'
  | 'spend-limit'
  | 'outside-calling-hours'
  | 'ledger-unavailable';

describe('decision codes are closed unions', () => {
  it('registration, call and all codes', () => {
    expectTypeOf<RegistrationDecisionCode>().toEqualTypeOf<RegistrationCodes>();
    expectTypeOf<CallDecisionCode>().toEqualTypeOf<CallCodes>();
    expectTypeOf<LimitDecisionCode>().toEqualTypeOf<LimitCodes>();
    expectTypeOf<DecisionCode>().toEqualTypeOf<RegistrationCodes | CallCodes | LimitCodes>();
    expectTypeOf<Decision>().toEqualTypeOf<RegistrationDecision | CallDecision | LimitDecision>();
    expectTypeOf<StartDecision['code']>().toEqualTypeOf<CallCodes | LimitCodes>();
  });
});

describe('a limit decision', () => {
  it('narrows by code to the counter and bound it carries', () => {
    const check = (d: LimitDecision) => {
      expectTypeOf(d.allowed).toEqualTypeOf<false>();
      expectTypeOf(d.destination).toEqualTypeOf<DecisionDestination>();
      switch (d.code) {
        case 'concurrency-limit':
          expectTypeOf(d.counter).toEqualTypeOf<number>();
          expectTypeOf(d.limit).toEqualTypeOf<
            'accountLimits.concurrentCalls' | 'extensionLimits.concurrentCalls'
          >();
          break;
        case 'velocity-limit':
          expectTypeOf(d.limit).toEqualTypeOf<
            | 'accountLimits.callsPerMinute'
            | 'accountLimits.callsPerHour'
            | 'extensionLimits.callsPerMinute'
            | 'extensionLimits.callsPerHour'
          >();
          expectTypeOf(d.window).toEqualTypeOf<string>();
          break;
        case 'spend-limit':
          // Money is canonical text, never a float.
          expectTypeOf(d.counter).toEqualTypeOf<string>();
          expectTypeOf(d.reserve).toEqualTypeOf<string>();
          break;
        case 'outside-calling-hours':
          expectTypeOf(d.hours).toEqualTypeOf<readonly string[]>();
          // @ts-expect-error calling hours carry no counter
          d.counter;
          break;
        case 'repeat-dial-limit':
        case 'ledger-unavailable':
          break;
        default:
          expectTypeOf(d).toBeNever();
      }
    };
    expectTypeOf(check).toBeFunction();
  });
});

describe('a registration decision', () => {
  it('has no call fields, and ip-allowed names its entry', () => {
    const check = (d: RegistrationDecision) => {
      // @ts-expect-error a registration decision carries no rate
      d.rate;
      // @ts-expect-error ... no cap
      d.cap;
      // @ts-expect-error ... no destination
      d.destination;
      expectTypeOf(d.scope).toEqualTypeOf<DecisionScope>();
      expectTypeOf(d.message).toEqualTypeOf<string>();
      if (d.code === 'ip-allowed') {
        expectTypeOf(d.matched).toEqualTypeOf<string>();
        expectTypeOf(d.allowed).toEqualTypeOf<true>();
      }
      if (d.allowed) expectTypeOf(d.code).toEqualTypeOf<'unrestricted' | 'ip-allowed'>();
      else expectTypeOf(d.code).toEqualTypeOf<Exclude<RegistrationCodes, 'unrestricted' | 'ip-allowed'>>();
    };
    expectTypeOf(check).toBeFunction();
  });
});

describe('a call decision narrows by code', () => {
  it('carries what each code always has', () => {
    const check = (d: CallDecision) => {
      switch (d.code) {
        case 'rate-above-cap':
          expectTypeOf(d.allowed).toEqualTypeOf<false>();
          expectTypeOf(d.rate).toEqualTypeOf<string>();
          expectTypeOf(d.cap).toEqualTypeOf<string>();
          expectTypeOf(d.destination).toEqualTypeOf<DecisionDestination>();
          expectTypeOf(d.ratePrefix).toEqualTypeOf<string | undefined>();
          // @ts-expect-error a denied rate decision names no allow selector
          d.matched;
          break;
        case 'rate-within-cap':
          expectTypeOf(d.allowed).toEqualTypeOf<true>();
          expectTypeOf(d.rate).toEqualTypeOf<string>();
          expectTypeOf(d.cap).toEqualTypeOf<string>();
          expectTypeOf(d.matched).toEqualTypeOf<string | undefined>();
          break;
        case 'rate-unknown':
          expectTypeOf(d.allowed).toEqualTypeOf<boolean>();
          expectTypeOf(d.cap).toEqualTypeOf<string>();
          expectTypeOf(d.destination).toEqualTypeOf<DecisionDestination>();
          // @ts-expect-error the rate is what is unknown
          d.rate;
          break;
        case 'unrestricted':
          expectTypeOf(d.allowed).toEqualTypeOf<true>();
          expectTypeOf(d.destination).toEqualTypeOf<DecisionDestination>();
          break;
        case 'area-denied':
          expectTypeOf(d.allowed).toEqualTypeOf<false>();
          expectTypeOf(d.matched).toEqualTypeOf<string>();
          // Absent only for an emergency number checked under emergency "apply-rules" (no E.164 form).
          expectTypeOf(d.destination).toEqualTypeOf<DecisionDestination | undefined>();
          if (d.destination !== undefined) expectTypeOf(d.destination.e164).toEqualTypeOf<string>();
          break;
        case 'area-not-allowed':
          expectTypeOf(d.allowed).toEqualTypeOf<false>();
          // @ts-expect-error no selector matched
          d.matched;
          break;
        case 'area-allowed':
          expectTypeOf(d.allowed).toEqualTypeOf<true>();
          expectTypeOf(d.matched).toEqualTypeOf<string | undefined>();
          // @ts-expect-error an area decision compares no rate
          d.rate;
          break;
        case 'emergency':
        case 'invalid-number':
        case 'invalid-request':
          // @ts-expect-error these have no E.164 destination
          d.destination;
          break;
        default: {
          // Every code is handled above: a new code fails here until it is.
          const unhandled: never = d;
          expectTypeOf(unhandled).toBeNever();
        }
      }
    };
    expectTypeOf(check).toBeFunction();
  });

  it('`allowed` narrows the code', () => {
    const check = (d: CallDecision) => {
      if (d.allowed) {
        expectTypeOf(d.code).toEqualTypeOf<
          'emergency' | 'unrestricted' | 'area-allowed' | 'rate-within-cap' | 'rate-unknown'
        >();
      } else {
        expectTypeOf(d.code).toEqualTypeOf<
          | 'invalid-request'
          | 'invalid-number'
          | 'area-not-allowed'
          | 'area-denied'
          | 'rate-above-cap'
          | 'rate-unknown'
        >();
      }
    };
    expectTypeOf(check).toBeFunction();
  });

  it('Decision<C> is the variant with that code', () => {
    expectTypeOf<Decision<'rate-above-cap'>['rate']>().toEqualTypeOf<string>();
    expectTypeOf<Decision<'ip-allowed'>['matched']>().toEqualTypeOf<string>();
    expectTypeOf<Decision<'unrestricted'>['code']>().toEqualTypeOf<'unrestricted'>();
  });
});

describe('finding severities', () => {
  it('are warning or info: nothing that compiles is an error', () => {
    expectTypeOf<import('../../src/index.js').PolicyFindingSeverity>().toEqualTypeOf<'warning' | 'info'>();
    expectTypeOf<import('../../src/index.js').PolicyFinding['severity']>().toEqualTypeOf<
      'warning' | 'info'
    >();
    expectTypeOf<import('../../src/index.js').IpFindingSeverity>().toEqualTypeOf<'warning' | 'info'>();
  });
});
