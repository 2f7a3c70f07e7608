// checkRegistration and checkCall agree with the reference model (model.ts) on random whole policies:
// account rules with extension overrides of any subset of fields, random allow-lists, selectors,
// caps, onUnknownRate and emergency modes, with and without a rate deck, on random requests.
// The smaller per-feature properties live in test/policy/property.test.ts; this one checks the
// features together, where precedence and check order interact.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicyJson } from '../../src/policy/index.js';
import { RateTable } from '../../src/rate/index.js';
import {
  type ModelDecision,
  type ModelPolicy,
  type ModelRules,
  modelCall,
  modelRegistration,
} from './model.js';
import { CAPS, DECK, DIALED, ENTRIES, REQUEST_RATES, SELECTORS, SOURCES } from './tables.js';

const EXTENSION_IDS = ['101', '102', '__proto__', 'constructor'];
const REQUEST_IDS = [...EXTENSION_IDS, '999', 'toString', ''];

const rulesArb: fc.Arbitrary<ModelRules> = fc.record(
  {
    homeCountry: fc.constantFrom('US', 'GB'),
    registration: fc.oneof(
      fc.record({ restrict: fc.boolean() }),
      fc.record({
        restrict: fc.boolean(),
        allowFrom: fc.array(fc.constantFrom(...ENTRIES.map((e) => e.text)), { maxLength: 4 }),
      }),
    ),
    calling: fc.record(
      {
        allow: fc.array(fc.constantFrom(...SELECTORS), { maxLength: 4 }),
        deny: fc.array(fc.constantFrom(...SELECTORS), { maxLength: 3 }),
        emergency: fc.constantFrom('allow' as const, 'apply-rules' as const),
      },
      { requiredKeys: [] },
    ),
    maxRatePerMinute: fc.constantFrom(...CAPS),
    onUnknownRate: fc.constantFrom('deny' as const, 'allow' as const),
  },
  { requiredKeys: [] },
);

const policyArb: fc.Arbitrary<ModelPolicy> = fc
  .tuple(rulesArb, fc.dictionary(fc.constantFrom(...EXTENSION_IDS), rulesArb, { maxKeys: 4 }))
  .map(([account, extensions]) => {
    // fc.dictionary builds with defineProperty, so `__proto__` is an own key as JSON.parse would make it.
    const copy: ModelPolicy = { ...account };
    if (Object.keys(extensions).length > 0) copy.extensions = extensions;
    return copy;
  });

// The document as a caller would hand it over: through JSON text, as a policy file is read.
const asDocument = (policy: ModelPolicy): unknown => JSON.parse(JSON.stringify(policy));

function view(decision: ModelDecision): ModelDecision {
  const { allowed, code, scope, matched } = decision;
  return matched === undefined ? { allowed, code, scope } : { allowed, code, scope, matched };
}

const deckTable = RateTable.from(DECK);

// Each property records the decision codes and scopes it reached and requires, at its end, every one
// it can reach: a generator that stops reaching a branch fails the test instead of passing vacuously.
// `invalid-request` is never reached: every generated request has a string extension.
const REGISTRATION_CODES = ['unrestricted', 'ip-allowed', 'ip-not-allowed', 'allow-list-empty', 'invalid-ip'];
const CALL_CODES = [
  'emergency',
  'unrestricted',
  'area-allowed',
  'area-not-allowed',
  'area-denied',
  'invalid-number',
  'rate-within-cap',
  'rate-above-cap',
  'rate-unknown',
];
const atBothScopes = (codes: readonly string[]) => codes.flatMap((c) => [`${c}/account`, `${c}/extension`]);

/** The required keys that `seen` lacks. */
const missing = (required: readonly string[], seen: ReadonlySet<string>) =>
  required.filter((k) => !seen.has(k));

describe('checkRegistration and checkCall agree with the reference model', () => {
  it('the JSON round trip keeps __proto__ as an extension id', () => {
    const doc = asDocument({ extensions: JSON.parse('{"__proto__": {"homeCountry": "GB"}}') });
    expect(Object.keys((doc as { extensions: object }).extensions)).toEqual(['__proto__']);
  });

  it('on registrations, reaching every registration code at both scopes', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(
        policyArb,
        fc.array(fc.tuple(fc.constantFrom(...REQUEST_IDS), fc.constantFrom(...SOURCES)), {
          minLength: 1,
          maxLength: 12,
        }),
        (policy, requests) => {
          const compiled = compilePolicyJson(asDocument(policy));
          for (const [extension, source] of requests) {
            const actual = compiled.checkRegistration({ extension, sourceIp: source.text });
            seen.add(`${actual.code}/${actual.scope}`);
            expect([extension, source.text, view(actual)]).toEqual([
              extension,
              source.text,
              modelRegistration(policy, ENTRIES, extension, source),
            ]);
          }
        },
      ),
      { numRuns: 300 },
    );
    expect(missing(atBothScopes(REGISTRATION_CODES), seen)).toEqual([]);
  });

  it('on calls, with and without a rate deck and an explicit rate, reaching every call code', () => {
    const seen = new Set<string>();
    const requestArb = fc.record(
      {
        extension: fc.constantFrom(...REQUEST_IDS),
        dialed: fc.constantFrom(...DIALED),
        ratePerMinute: fc.constantFrom(...REQUEST_RATES),
      },
      { requiredKeys: ['extension', 'dialed'] },
    );
    fc.assert(
      fc.property(
        policyArb,
        fc.boolean(),
        fc.array(requestArb, { minLength: 1, maxLength: 12 }),
        (policy, withDeck, requests) => {
          const compiled = compilePolicyJson(asDocument(policy), withDeck ? { rates: deckTable } : {});
          for (const request of requests) {
            const actual = compiled.checkCall(request);
            seen.add(`${actual.code}/${actual.scope}`);
            if ('matched' in actual && actual.matched !== undefined) seen.add(`${actual.code}/matched`);
            expect([request, view(actual)]).toEqual([
              request,
              modelCall(policy, withDeck ? DECK : undefined, request),
            ]);
          }
        },
      ),
      { numRuns: 400 },
    );
    // A call is unrestricted only with no calling rule in force, and then the rule's level is the account's.
    const required = atBothScopes(CALL_CODES).filter((k) => k !== 'unrestricted/extension');
    expect(missing(required, seen)).toEqual([]);
    expect(seen.has('unrestricted/extension')).toBe(false);
    expect(missing(['area-allowed/matched', 'area-denied/matched', 'rate-within-cap/matched'], seen)).toEqual(
      [],
    );
  });
});
