// Type-level tests of SipguardError: its code narrows the codes of its issues, and both
// `instanceof` and `SipguardError.is` narrow an unknown value to the union. Checked by tsc.
import { describe, expectTypeOf, it } from 'vitest';
import {
  type IpErrorCode,
  type JsonErrorCode,
  type PolicyErrorCode,
  type RateErrorCode,
  SipguardError,
  type SipguardErrorCode,
  type SipguardIssueCode,
} from '../../src/index.js';

type IssueCodes<E extends { readonly issues: readonly { readonly code: string }[] }> =
  E['issues'][number]['code'];

describe('SipguardError narrows by code', () => {
  it('the issues of each aggregate', () => {
    const check = (e: SipguardError) => {
      switch (e.code) {
        case 'invalid-ip-list':
          expectTypeOf<IssueCodes<typeof e>>().toEqualTypeOf<IpErrorCode>();
          break;
        case 'invalid-rate-deck':
          expectTypeOf<IssueCodes<typeof e>>().toEqualTypeOf<RateErrorCode | 'wrong-type'>();
          break;
        case 'invalid-cases':
          expectTypeOf<IssueCodes<typeof e>>().toEqualTypeOf<PolicyErrorCode>();
          break;
        case 'invalid-policy':
          expectTypeOf<IssueCodes<typeof e>>().toEqualTypeOf<IpErrorCode | RateErrorCode | PolicyErrorCode>();
          break;
        case 'invalid-json-text':
          expectTypeOf<IssueCodes<typeof e>>().toEqualTypeOf<'invalid-json' | 'duplicate-key'>();
          break;
        case 'invalid-argument':
          expectTypeOf<IssueCodes<typeof e>>().toEqualTypeOf<'invalid-argument'>();
          break;
        case 'leading-zero':
          // A single problem: its one issue has the error's own code.
          expectTypeOf<IssueCodes<typeof e>>().toEqualTypeOf<'leading-zero'>();
          break;
      }
    };
    expectTypeOf(check).toBeFunction();
  });

  it('lists every issue code once', () => {
    expectTypeOf<SipguardIssueCode>().toEqualTypeOf<
      IpErrorCode | RateErrorCode | PolicyErrorCode | JsonErrorCode | 'invalid-argument'
    >();
  });

  it('instanceof and SipguardError.is narrow unknown to the union', () => {
    const check = (e: unknown) => {
      if (e instanceof SipguardError) {
        expectTypeOf(e.code).toEqualTypeOf<SipguardErrorCode>();
        expectTypeOf(e.name).toEqualTypeOf<'SipguardError'>();
      }
      if (SipguardError.is(e)) {
        expectTypeOf(e).toEqualTypeOf<SipguardError>();
        expectTypeOf(e.input).toEqualTypeOf<string | undefined>();
      }
    };
    expectTypeOf(check).toBeFunction();
  });

  it('a constructed error has the issue codes of its code', () => {
    const e = new SipguardError('invalid-ip-list', 'm', [{ path: '/0', code: 'leading-zero', message: 'm' }]);
    expectTypeOf(e.code).toEqualTypeOf<'invalid-ip-list'>();
    // @ts-expect-error an IP list error cannot carry a rate issue
    new SipguardError('invalid-ip-list', 'm', [{ path: '/0', code: 'invalid-rate', message: 'm' }]);
  });
});
