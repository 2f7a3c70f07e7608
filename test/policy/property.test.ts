// checkRegistration and checkCall against the one reference model of the rules (test/reference/model.ts),
// on random policies of one feature at a time: random allow-lists inside 10.0.0.0/24 (so that random
// addresses hit them often), and calling rules with caps on national and international numbers.
// test/reference/reference.test.ts checks the features together against the same model.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicyJson } from '../../src/policy/compile.js';
import { RateTable } from '../../src/rate/index.js';
import {
  type ModelDecision,
  type ModelEntry,
  type ModelPolicy,
  type ModelRules,
  type ModelSource,
  modelCall,
  modelRegistration,
} from '../reference/model.js';

const IDS = ['1', '2', '__proto__', 'constructor'] as const;
const REQUEST_IDS = [...IDS, 'unlisted', 'toString'];

/** The fields the model compares: code, verdict, level and the rule text that decided. */
function view(decision: { allowed: boolean; code: string; scope: 'account' | 'extension' }): ModelDecision {
  const { allowed, code, scope } = decision;
  const matched = 'matched' in decision ? decision.matched : undefined;
  return typeof matched === 'string' ? { allowed, code, scope, matched } : { allowed, code, scope };
}

// ---- registration ----------------------------------------------------------------------------

const BASE = 0x0a000000n; // 10.0.0.0

// Entries within 10.0.0.0/24, each with its bounds worked out from how it was generated.
const entryArb: fc.Arbitrary<ModelEntry> = fc.oneof(
  fc
    .nat(255)
    .map((x) => ({ text: `10.0.0.${x}`, family: 4 as const, lo: BASE + BigInt(x), hi: BASE + BigInt(x) })),
  fc.tuple(fc.nat(255), fc.integer({ min: 24, max: 32 })).map(([x, len]) => {
    const size = 2 ** (32 - len);
    const first = Math.floor(x / size) * size;
    return {
      text: `10.0.0.${first}/${len}`,
      family: 4 as const,
      lo: BASE + BigInt(first),
      hi: BASE + BigInt(first + size - 1),
    };
  }),
  fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => {
    const [lo, hi] = [Math.min(a, b), Math.max(a, b)];
    return {
      text: `10.0.0.${lo}-10.0.0.${hi}`,
      family: 4 as const,
      lo: BASE + BigInt(lo),
      hi: BASE + BigInt(hi),
    };
  }),
);
type GeneratedRegistration = { restrict: boolean; allowFrom?: ModelEntry[] };
const registrationArb: fc.Arbitrary<GeneratedRegistration | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record({ restrict: fc.boolean(), allowFrom: fc.array(entryArb, { maxLength: 4 }) }),
  fc.constant({ restrict: true }),
  fc.constant({ restrict: false }),
);
const sourceArb: fc.Arbitrary<ModelSource> = fc.oneof(
  fc.nat(255).map((x) => ({ text: `10.0.0.${x}`, family: 4 as const, value: BASE + BigInt(x) })),
  fc
    .constantFrom('10.0.0', '10.0.0.256', '010.0.0.1', 'x')
    .map((text) => ({ text, family: 0 as const, value: 0n })),
);

const asRules = (r: GeneratedRegistration | undefined): ModelRules =>
  r === undefined
    ? {}
    : {
        registration:
          r.allowFrom === undefined
            ? { restrict: r.restrict }
            : { restrict: r.restrict, allowFrom: r.allowFrom.map((e) => e.text) },
      };

// ---- calls -------------------------------------------------------------------------------------

// Dialed from the US in national, international and IDD forms, an emergency number and a non-number.
const DIALED = [
  '201 555 0123',
  '+1 613 555 0123',
  '1 876 555 0100',
  '1 900 800 1234',
  '1 800 555 0100',
  '011 44 20 7946 0958',
  '+44 909 879 0000',
  '+49 151 12345678',
  '911',
  'not a number',
];
const SELECTORS = [
  'US',
  'CA',
  'GB',
  'JM',
  'US/toll-free',
  'GB/fixed-line',
  '*/premium-rate',
  '*/mobile',
  '+1876',
  '+44',
  '+1',
];
const DECK = [
  { prefix: '1', rate: '0.01' },
  { prefix: '1876', rate: '0.12' },
  { prefix: '44', rate: '0.02' },
  { prefix: '4420', rate: '0.05' },
  { prefix: '44909', rate: '0.5' },
];
const rates = RateTable.from(DECK);

const callingArb: fc.Arbitrary<NonNullable<ModelRules['calling']>> = fc.record(
  {
    allow: fc.subarray(SELECTORS),
    deny: fc.subarray(SELECTORS, { maxLength: 2 }),
    emergency: fc.constantFrom('allow' as const, 'apply-rules' as const),
  },
  { requiredKeys: [] },
);
const rulesArb: fc.Arbitrary<ModelRules> = fc.record(
  {
    calling: callingArb,
    maxRatePerMinute: fc.constantFrom(null, '0.01', '$0.05', '0.1000'),
    onUnknownRate: fc.constantFrom('allow' as const, 'deny' as const),
  },
  { requiredKeys: [] },
);

describe('property: the compiled policy agrees with the reference model, one feature at a time', () => {
  it('checkRegistration', () => {
    fc.assert(
      fc.property(
        registrationArb,
        fc.dictionary(fc.constantFrom(...IDS), registrationArb),
        fc.array(fc.tuple(fc.constantFrom(...REQUEST_IDS), sourceArb), { minLength: 1, maxLength: 20 }),
        (account, extensions, requests) => {
          const model: ModelPolicy = {
            ...asRules(account),
            extensions: Object.fromEntries(Object.entries(extensions).map(([id, r]) => [id, asRules(r)])),
          };
          const entries = [account, ...Object.values(extensions)].flatMap((r) => r?.allowFrom ?? []);
          const policy = compilePolicyJson(JSON.parse(JSON.stringify(model)));
          for (const [extension, source] of requests) {
            const decision = policy.checkRegistration({ extension, sourceIp: source.text });
            expect(view(decision)).toEqual(modelRegistration(model, entries, extension, source));
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('checkCall', () => {
    fc.assert(
      fc.property(
        rulesArb,
        fc.dictionary(fc.constantFrom(...IDS), rulesArb),
        fc.array(
          fc.tuple(
            fc.constantFrom(...REQUEST_IDS),
            fc.constantFrom(...DIALED),
            fc.constantFrom(undefined, '0.02', '0.05', '0.05000001', '$0.2'),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        (account, extensions, requests) => {
          const model: ModelPolicy = { homeCountry: 'US', ...account, extensions };
          const policy = compilePolicyJson(JSON.parse(JSON.stringify(model)), { rates });
          for (const [extension, dialed, ratePerMinute] of requests) {
            const request =
              ratePerMinute === undefined ? { extension, dialed } : { extension, dialed, ratePerMinute };
            expect(view(policy.checkCall(request))).toEqual(modelCall(model, DECK, request));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
