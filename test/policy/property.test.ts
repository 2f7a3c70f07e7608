// checkRegistration and checkCall against small, obviously-correct reference models written from the
// rules in docs/policy.md, on random policies and requests.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/policy/compile.js';
import { RateTable } from '../../src/rate/index.js';

type Scope = 'account' | 'extension';
const IDS = ['1', '2', '__proto__', 'constructor'] as const;
const REQUEST_IDS = [...IDS, 'unlisted', 'toString'];

// ---- registration ----------------------------------------------------------------------------

// Entries within 10.0.0.0/24 so that random addresses hit them often.
const entryArb = fc.oneof(
  fc.nat(255).map((x) => `10.0.0.${x}`),
  fc.tuple(fc.nat(255), fc.integer({ min: 24, max: 32 })).map(([x, len]) => {
    const size = 2 ** (32 - len);
    return `10.0.0.${Math.floor(x / size) * size}/${len}`;
  }),
  fc.tuple(fc.nat(255), fc.nat(255)).map(([a, b]) => `10.0.0.${Math.min(a, b)}-10.0.0.${Math.max(a, b)}`),
);
type Registration = { restrict: boolean; allowFrom?: string[] };
const registrationArb: fc.Arbitrary<Registration | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.record({ restrict: fc.boolean(), allowFrom: fc.array(entryArb, { maxLength: 4 }) }),
  fc.constant({ restrict: true }),
  fc.constant({ restrict: false }),
);

function ipValue(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = value * 256 + Number(part);
  }
  return value;
}

function entryContains(entry: string, ip: number): boolean {
  if (entry.includes('-')) {
    const [a = '', b = ''] = entry.split('-');
    return (ipValue(a) ?? -1) <= ip && ip <= (ipValue(b) ?? -1);
  }
  const [base = '', len = '32'] = entry.split('/');
  const size = 2 ** (32 - Number(len));
  const first = ipValue(base) ?? -1;
  return first <= ip && ip < first + size;
}

function referenceRegistration(
  account: Registration | undefined,
  extension: Registration | undefined,
  sourceIp: string,
): { allowed: boolean; code: string; scope: Scope; matched?: string } {
  const scope: Scope = extension === undefined ? 'account' : 'extension';
  const rule = extension ?? account;
  const ip = ipValue(sourceIp);
  if (ip === undefined) return { allowed: false, code: 'invalid-ip', scope };
  if (rule === undefined || !rule.restrict) return { allowed: true, code: 'unrestricted', scope };
  const list = rule.allowFrom ?? [];
  if (list.length === 0) return { allowed: false, code: 'allow-list-empty', scope };
  const matched = list.find((entry) => entryContains(entry, ip));
  return matched === undefined
    ? { allowed: false, code: 'ip-not-allowed', scope }
    : { allowed: true, code: 'ip-allowed', scope, matched };
}

// ---- calls -------------------------------------------------------------------------------------

// Destinations whose region and type were read off libphonenumber-js /max directly.
const NUMBERS: Record<string, { e164: string; country: string; type: string } | 'emergency' | 'invalid'> = {
  '201 555 0123': { e164: '+12015550123', country: 'US', type: 'fixed-line-or-mobile' },
  '+1 613 555 0123': { e164: '+16135550123', country: 'CA', type: 'fixed-line-or-mobile' },
  '1 876 555 0100': { e164: '+18765550100', country: 'JM', type: 'mobile' },
  '1 900 800 1234': { e164: '+19008001234', country: 'US', type: 'premium-rate' },
  '1 800 555 0100': { e164: '+18005550100', country: 'US', type: 'toll-free' },
  '011 44 20 7946 0958': { e164: '+442079460958', country: 'GB', type: 'fixed-line' },
  '+44 909 879 0000': { e164: '+449098790000', country: 'GB', type: 'premium-rate' },
  '+49 151 12345678': { e164: '+4915112345678', country: 'DE', type: 'mobile' },
  '911': 'emergency',
  'not a number': 'invalid',
};
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
const DECK: Record<string, string> = { 1: '0.01', 1876: '0.12', 44: '0.02', 4420: '0.05', 44909: '0.5' };
const rates = RateTable.from(Object.entries(DECK).map(([prefix, rate]) => ({ prefix, rate })));

type Calling = { allow?: string[]; deny?: string[]; emergency?: 'allow' | 'apply-rules' };
type Rules = { calling?: Calling; maxRatePerMinute?: string | null; onUnknownRate?: 'allow' | 'deny' };
const callingArb: fc.Arbitrary<Calling> = fc.record(
  {
    allow: fc.subarray(SELECTORS),
    deny: fc.subarray(SELECTORS, { maxLength: 2 }),
    emergency: fc.constantFrom('allow' as const, 'apply-rules' as const),
  },
  { requiredKeys: [] },
);
const rulesArb: fc.Arbitrary<Rules> = fc.record(
  {
    calling: callingArb,
    maxRatePerMinute: fc.constantFrom(null, '0.01', '$0.05', '0.1000'),
    onUnknownRate: fc.constantFrom('allow' as const, 'deny' as const),
  },
  { requiredKeys: [] },
);

// Exact comparison of amounts with at most 8 decimals, as integers of 1e-8 dollars.
function micro(text: string): bigint {
  const [int = '0', frac = ''] = text.replace('$', '').split('.');
  return BigInt(int || '0') * 10n ** 8n + BigInt(`${frac}00000000`.slice(0, 8));
}

function selectorMatches(selector: string, d: { e164: string; country: string; type: string }): boolean {
  if (selector.startsWith('+')) return d.e164.startsWith(selector);
  const [region, type] = selector.split('/');
  return (region === '*' || region === d.country) && (type === undefined || type === d.type);
}

function referenceCall(
  account: Rules,
  extension: Rules | undefined,
  dialed: string,
  ratePerMinute: string | undefined,
) {
  const pick = <K extends keyof Rules>(key: K): { value: Rules[K]; scope: Scope } =>
    extension !== undefined && Object.hasOwn(extension, key)
      ? { value: extension[key], scope: 'extension' }
      : { value: account[key], scope: 'account' };
  const calling = pick('calling');
  const cap = pick('maxRatePerMinute');
  const unknown = pick('onUnknownRate');
  const number = NUMBERS[dialed];
  if (number === undefined || number === 'invalid')
    return { allowed: false, code: 'invalid-number', scope: calling.scope };
  if (number === 'emergency') {
    if (calling.value === undefined || calling.value.emergency !== 'apply-rules') {
      return { allowed: true, code: 'emergency', scope: calling.scope };
    }
  }
  const d = number === 'emergency' ? { e164: '911', country: 'US', type: 'unknown' } : number;
  let matched: string | undefined;
  if (calling.value !== undefined) {
    const denied = (calling.value.deny ?? []).find((s) => selectorMatches(s, d));
    if (denied !== undefined)
      return { allowed: false, code: 'area-denied', scope: calling.scope, matched: denied };
    if (calling.value.allow !== undefined) {
      matched = calling.value.allow.find((s) => selectorMatches(s, d));
      if (matched === undefined) return { allowed: false, code: 'area-not-allowed', scope: calling.scope };
    }
  }
  if (number === 'emergency') return { allowed: true, code: 'area-allowed', scope: calling.scope, matched };
  if (cap.value === undefined || cap.value === null) {
    return calling.value === undefined
      ? { allowed: true, code: 'unrestricted', scope: calling.scope }
      : { allowed: true, code: 'area-allowed', scope: calling.scope, matched };
  }
  let rate = ratePerMinute;
  if (rate === undefined) {
    const digits = d.e164.slice(1);
    const prefix = Object.keys(DECK)
      .filter((p) => digits.startsWith(p))
      .sort((a, b) => b.length - a.length)[0];
    rate = prefix === undefined ? undefined : DECK[prefix];
  }
  if (rate === undefined) {
    const allowed = unknown.value === 'allow';
    return { allowed, code: 'rate-unknown', scope: unknown.value === undefined ? cap.scope : unknown.scope };
  }
  const above = micro(rate) > micro(cap.value);
  return above
    ? { allowed: false, code: 'rate-above-cap', scope: cap.scope }
    : { allowed: true, code: 'rate-within-cap', scope: cap.scope, matched };
}

describe('property: the compiled policy agrees with the reference models', () => {
  it('checkRegistration', () => {
    fc.assert(
      fc.property(
        registrationArb,
        fc.dictionary(fc.constantFrom(...IDS), registrationArb),
        fc.array(
          fc.tuple(
            fc.constantFrom(...REQUEST_IDS),
            fc.oneof(
              fc.nat(255).map((x) => `10.0.0.${x}`),
              fc.constantFrom('10.0.0', '10.0.0.256', '010.0.0.1', 'x'),
            ),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        (account, extensions, requests) => {
          const doc = JSON.parse(
            JSON.stringify({
              ...(account === undefined ? {} : { registration: account }),
              extensions: Object.fromEntries(
                Object.entries(extensions).map(([id, r]) => [id, r === undefined ? {} : { registration: r }]),
              ),
            }),
          );
          const policy = compilePolicy(doc);
          for (const [extension, sourceIp] of requests) {
            const own = Object.hasOwn(extensions, extension) ? extensions[extension] : undefined;
            const decision = policy.checkRegistration({ extension, sourceIp });
            const { message: _m, ...rest } = decision;
            expect(rest).toEqual(referenceRegistration(account, own, sourceIp));
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
            fc.constantFrom(...Object.keys(NUMBERS)),
            fc.constantFrom(undefined, '0.02', '0.05', '0.05000001', '$0.2'),
          ),
          { minLength: 1, maxLength: 20 },
        ),
        (account, extensions, requests) => {
          const doc = JSON.parse(JSON.stringify({ homeCountry: 'US', ...account, extensions }));
          const policy = compilePolicy(doc, { rates });
          for (const [extension, dialed, ratePerMinute] of requests) {
            const own = Object.hasOwn(extensions, extension) ? extensions[extension] : undefined;
            const decision = policy.checkCall({
              extension,
              dialed,
              ...(ratePerMinute === undefined ? {} : { ratePerMinute }),
            });
            const expected = referenceCall(account, own, dialed, ratePerMinute);
            expect({
              allowed: decision.allowed,
              code: decision.code,
              scope: decision.scope,
              matched: 'matched' in decision ? decision.matched : undefined,
            }).toEqual({
              matched: undefined,
              ...expected,
            });
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
