// Type-level tests of PolicyDocument, the type derived from the policy spec: it equals the document
// written out by hand below, and compilePolicy rejects at compile time what the runtime validator
// rejects by shape. Checked by tsc.
import { describe, expectTypeOf, it } from 'vitest';
import {
  type CallingSelector,
  compilePolicy,
  compilePolicyJson,
  type NumberType,
  type Policy,
  type PolicyDocument,
  type PolicyRules,
  type RegionCode,
} from '../../src/index.js';

interface ExpectedLimits {
  readonly concurrentCalls?: number | null;
  readonly callsPerMinute?: number | null;
  readonly callsPerHour?: number | null;
  readonly callsToSameNumberPerHour?: number | null;
  readonly spendPerDay?: string | number | null;
}

interface ExpectedRules {
  readonly homeCountry?: RegionCode;
  readonly registration?: { readonly restrict: boolean; readonly allowFrom?: readonly string[] };
  readonly calling?: {
    readonly allow?: readonly CallingSelector[];
    readonly deny?: readonly CallingSelector[];
    readonly emergency?: 'allow' | 'apply-rules';
  };
  readonly maxRatePerMinute?: string | number | null;
  readonly onUnknownRate?: 'deny' | 'allow';
  readonly extensionLimits?: ExpectedLimits;
  readonly maxCallSeconds?: number;
  readonly callingHours?: { readonly timeZone?: string; readonly allow: readonly string[] } | null;
}

interface ExpectedDocument extends ExpectedRules {
  readonly $schema?: string;
  readonly phoneContexts?: { readonly [domain: string]: RegionCode };
  readonly timeZone?: string;
  readonly accountLimits?: ExpectedLimits;
  readonly extensions?: { readonly [id: string]: ExpectedRules };
}

describe('PolicyDocument', () => {
  it('is the document of docs/policy.md', () => {
    expectTypeOf<PolicyRules>().toEqualTypeOf<ExpectedRules>();
    expectTypeOf<PolicyDocument>().toEqualTypeOf<ExpectedDocument>();
  });

  it('takes regions and selectors as literal unions', () => {
    expectTypeOf<'GB'>().toExtend<RegionCode>();
    expectTypeOf<'UK'>().not.toExtend<RegionCode>();
    expectTypeOf<
      'GB/mobile' | '*/premium-rate' | '001' | '001/toll-free' | '+1876'
    >().toExtend<CallingSelector>();
    expectTypeOf<'GB/cellular' | 'gb' | '*' | '1876'>().not.toExtend<CallingSelector>();
    expectTypeOf<`US/${NumberType}`>().toExtend<CallingSelector>();
  });
});

describe('compilePolicy takes a typed document, compilePolicyJson any value', () => {
  it('rejects at compile time what the validator rejects by shape', () => {
    const check = () => {
      compilePolicy({ homeCountry: 'US', calling: { allow: ['US', 'CA'], deny: ['*/premium-rate'] } });
      // @ts-expect-error a typo in a field name
      compilePolicy({ homeCountyr: 'US' });
      // @ts-expect-error not an ISO 3166-1 region: the United Kingdom is GB
      compilePolicy({ homeCountry: 'UK' });
      // @ts-expect-error restrict is required
      compilePolicy({ registration: { allowFrom: [] } });
      // @ts-expect-error not a number type
      compilePolicy({ calling: { deny: ['GB/cellular'] } });
      // @ts-expect-error an enum value
      compilePolicy({ onUnknownRate: 'block' });
      const parsed: unknown = JSON.parse('{}');
      // @ts-expect-error a value of unknown shape goes through compilePolicyJson
      compilePolicy(parsed);
      expectTypeOf(compilePolicyJson(parsed)).toEqualTypeOf<Policy>();
    };
    expectTypeOf(check).toBeFunction();
  });
});
