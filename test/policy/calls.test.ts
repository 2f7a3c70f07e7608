import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/policy/compile.js';
import type { CallDecision } from '../../src/policy/decision.js';
import type { CallRequest } from '../../src/policy/policy.js';
import { RateTable } from '../../src/rate/index.js';

const rates = RateTable.from([
  { prefix: '1201', rate: '0.0100' },
  { prefix: '1613', rate: '0.02' },
  { prefix: '1876', rate: '0.12' },
  { prefix: '4420', rate: '0.05' },
  { prefix: '44909', rate: '0.50' },
]);

const policy = compilePolicy(
  {
    homeCountry: 'US',
    calling: { allow: ['US', 'CA'], deny: ['*/premium-rate'] },
    maxRatePerMinute: '$0.0500',
    extensions: {
      103: { calling: { allow: ['US', 'CA', 'GB'] }, maxRatePerMinute: '$0.1000' },
      104: { calling: { allow: ['GB'], emergency: 'apply-rules' } },
      105: { maxRatePerMinute: null },
      106: { onUnknownRate: 'allow' },
      107: { homeCountry: 'GB', calling: { allow: ['GB'] } },
      108: { calling: { deny: ['JM'] }, maxRatePerMinute: null },
      109: { calling: { allow: ['US'], emergency: 'apply-rules' }, maxRatePerMinute: '0.0001' },
    },
  },
  { rates },
);

const US = { e164: '+12015550123', country: 'US', type: 'fixed-line-or-mobile' } as const;
const CA = { e164: '+16135550123', country: 'CA', type: 'fixed-line-or-mobile' } as const;
const JM = { e164: '+18765550100', country: 'JM', type: 'mobile' } as const;
const US_PREMIUM = { e164: '+19008001234', country: 'US', type: 'premium-rate' } as const;
const US_TOLL_FREE = { e164: '+18005550100', country: 'US', type: 'toll-free' } as const;
const GB = { e164: '+442079460958', country: 'GB', type: 'fixed-line' } as const;
const GB_PREMIUM = { e164: '+449098790000', country: 'GB', type: 'premium-rate' } as const;

type Row = [string, CallRequest, Partial<CallDecision>];

describe('checkCall: invalid → emergency → area → rate, with precedence per field', () => {
  it.each<Row>([
    [
      'a domestic call priced by the deck',
      { extension: '100', dialed: '201 555 0123' },
      {
        allowed: true,
        code: 'rate-within-cap',
        scope: 'account',
        destination: US,
        rate: '0.01',
        cap: '0.05',
        ratePrefix: '1201',
        matched: 'US',
      },
    ],
    [
      'a Canadian number, national form',
      { extension: '100', dialed: '1 (613) 555-0123' },
      {
        allowed: true,
        code: 'rate-within-cap',
        destination: CA,
        rate: '0.02',
        ratePrefix: '1613',
        matched: 'CA',
      },
    ],
    [
      '+1 876 is Jamaica, not the US',
      { extension: '100', dialed: '1 876 555 0100' },
      { allowed: false, code: 'area-not-allowed', scope: 'account', destination: JM },
    ],
    [
      'deny overrides allow',
      { extension: '100', dialed: '+1 900 800 1234' },
      {
        allowed: false,
        code: 'area-denied',
        scope: 'account',
        destination: US_PREMIUM,
        matched: '*/premium-rate',
      },
    ],
    [
      'an unclassifiable string fails closed',
      { extension: '100', dialed: 'call mom' },
      { allowed: false, code: 'invalid-number', scope: 'account' },
    ],
    [
      'a feature code fails closed',
      { extension: '105', dialed: '*97' },
      { allowed: false, code: 'invalid-number' },
    ],
    [
      'the account emergency default',
      { extension: '100', dialed: '911' },
      { allowed: true, code: 'emergency', scope: 'account' },
    ],
    [
      'emergency is never blocked by the cap',
      { extension: '100', dialed: '911', ratePerMinute: '9.99' },
      { allowed: true, code: 'emergency' },
    ],
    [
      'an international call outside the account areas',
      { extension: '100', dialed: '011 44 20 7946 0958' },
      { allowed: false, code: 'area-not-allowed', destination: GB },
    ],
    [
      'an extension calling rule replaces the account rule',
      { extension: '103', dialed: '011 44 20 7946 0958' },
      {
        allowed: true,
        code: 'rate-within-cap',
        scope: 'extension',
        destination: GB,
        rate: '0.05',
        cap: '0.1',
        ratePrefix: '4420',
        matched: 'GB',
      },
    ],
    [
      'the account deny list is not merged into the extension rule; its own cap blocks',
      { extension: '103', dialed: '+44 909 879 0000' },
      {
        allowed: false,
        code: 'rate-above-cap',
        scope: 'extension',
        destination: GB_PREMIUM,
        rate: '0.5',
        cap: '0.1',
        ratePrefix: '44909',
      },
    ],
    [
      'a rate equal to the cap is allowed',
      { extension: '100', dialed: '201 555 0123', ratePerMinute: '$0.050' },
      { allowed: true, code: 'rate-within-cap', rate: '0.05', cap: '0.05' },
    ],
    [
      'exactness: one hundred-millionth above the cap is blocked',
      { extension: '100', dialed: '201 555 0123', ratePerMinute: '0.05000001' },
      { allowed: false, code: 'rate-above-cap', rate: '0.05000001', cap: '0.05' },
    ],
    [
      'an explicit rate wins over the deck',
      { extension: '103', dialed: '+44 909 879 0000', ratePerMinute: '0.0999' },
      { allowed: true, code: 'rate-within-cap', rate: '0.0999', cap: '0.1' },
    ],
    [
      'an invalid explicit rate fails closed under a cap',
      { extension: '106', dialed: '201 555 0123', ratePerMinute: '1e-3' },
      { allowed: false, code: 'rate-unknown', scope: 'account', cap: '0.05' },
    ],
    [
      'a rate unknown to the deck is denied by default, at the level of the cap',
      { extension: '100', dialed: '1 800 555 0100' },
      { allowed: false, code: 'rate-unknown', scope: 'account', destination: US_TOLL_FREE, cap: '0.05' },
    ],
    [
      'onUnknownRate "allow" in the extension',
      { extension: '106', dialed: '1 800 555 0100' },
      { allowed: true, code: 'rate-unknown', scope: 'extension', destination: US_TOLL_FREE, cap: '0.05' },
    ],
    [
      'emergency "apply-rules" checks the emergency number against the areas',
      { extension: '104', dialed: '911' },
      { allowed: false, code: 'area-not-allowed', scope: 'extension' },
    ],
    [
      'emergency "apply-rules" allows when the home country is allowed, cap never applies',
      { extension: '109', dialed: '911' },
      { allowed: true, code: 'area-allowed', scope: 'extension', matched: 'US' },
    ],
    [
      'an extension with its own areas inherits the account cap',
      { extension: '104', dialed: '+44 20 7946 0958' },
      { allowed: true, code: 'rate-within-cap', scope: 'account', rate: '0.05', cap: '0.05', matched: 'GB' },
    ],
    [
      'no cap (null) overrides the account cap: the area decides',
      { extension: '105', dialed: '201 555 0123' },
      { allowed: true, code: 'area-allowed', scope: 'account', destination: US, matched: 'US' },
    ],
    [
      'no cap: an invalid explicit rate is irrelevant',
      { extension: '105', dialed: '201 555 0123', ratePerMinute: 'n/a' },
      { allowed: true, code: 'area-allowed' },
    ],
    [
      'a deny-only rule allows the rest',
      { extension: '108', dialed: '+44 20 7946 0958' },
      { allowed: true, code: 'area-allowed', scope: 'extension', destination: GB },
    ],
    [
      'a deny-only rule blocks its region',
      { extension: '108', dialed: '+1 876 555 0100' },
      { allowed: false, code: 'area-denied', matched: 'JM' },
    ],
    [
      'the extension home country reads national numbers',
      { extension: '107', dialed: '020 7946 0958' },
      { allowed: true, code: 'rate-within-cap', scope: 'account', destination: GB, ratePrefix: '4420' },
    ],
    [
      'the extension home country decides emergency numbers',
      { extension: '107', dialed: '999' },
      { allowed: true, code: 'emergency', scope: 'extension' },
    ],
    [
      '911 is not an emergency number in GB',
      { extension: '107', dialed: '911' },
      { allowed: false, code: 'invalid-number' },
    ],
  ])('%s', (_reason, request, expected) => {
    const decision = policy.checkCall(request);
    expect(decision).toMatchObject(expected);
    expect(decision.message.length).toBeGreaterThan(10);
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
  });

  it('omits fields that do not apply', () => {
    const area = policy.checkCall({ extension: '100', dialed: '1 876 555 0100' });
    expect(Object.keys(area).sort()).toEqual(['allowed', 'code', 'destination', 'message', 'scope']);
    const emergency = policy.checkCall({ extension: '100', dialed: '911' });
    expect(Object.keys(emergency).sort()).toEqual(['allowed', 'code', 'message', 'scope']);
    const explicit = policy.checkCall({ extension: '100', dialed: '201 555 0123', ratePerMinute: '0.06' });
    expect(explicit.code).toBe('rate-above-cap');
    expect('ratePrefix' in explicit).toBe(false);
    expect('matched' in explicit).toBe(false);
  });

  it('names the classifier failure code in the message', () => {
    expect(policy.checkCall({ extension: '100', dialed: '' }).message).toContain('(empty)');
  });
});

describe('checkCall without calling rules or deck', () => {
  it.each<[string, object, CallRequest, Partial<CallDecision>]>([
    [
      'no rule and no cap',
      { homeCountry: 'US' },
      { extension: '1', dialed: '+44 20 7946 0958' },
      { allowed: true, code: 'unrestricted', scope: 'account', destination: GB },
    ],
    [
      'no rule: emergency',
      { homeCountry: 'US' },
      { extension: '1', dialed: '911' },
      { allowed: true, code: 'emergency', scope: 'account' },
    ],
    [
      'a cap alone, explicit rate',
      { homeCountry: 'US', maxRatePerMinute: 0.05 },
      { extension: '1', dialed: '+44 20 7946 0958', ratePerMinute: '0.01' },
      { allowed: true, code: 'rate-within-cap', cap: '0.05', rate: '0.01' },
    ],
    [
      'a cap alone without a deck: unknown rate',
      { homeCountry: 'US', maxRatePerMinute: '$1' },
      { extension: '1', dialed: '+44 20 7946 0958' },
      { allowed: false, code: 'rate-unknown', cap: '1' },
    ],
    [
      'onUnknownRate "allow" set at account level',
      {
        homeCountry: 'US',
        maxRatePerMinute: '$1',
        onUnknownRate: 'allow',
        extensions: { 1: { maxRatePerMinute: '2' } },
      },
      { extension: '1', dialed: '+44 20 7946 0958' },
      { allowed: true, code: 'rate-unknown', scope: 'account', cap: '2' },
    ],
    [
      'no home country anywhere',
      { calling: { allow: ['GB'] } },
      { extension: '1', dialed: '+44 20 7946 0958' },
      { allowed: false, code: 'invalid-number', scope: 'account' },
    ],
    [
      'home country only in the extension',
      { extensions: { 1: { homeCountry: 'GB' } } },
      { extension: '1', dialed: '020 7946 0958' },
      { allowed: true, code: 'unrestricted', destination: GB },
    ],
  ])('%s', (_reason, doc, request, expected) => {
    expect(compilePolicy(doc).checkCall(request)).toMatchObject(expected);
  });

  it.each<[unknown, string]>([
    [{ extension: '1', dialed: 17 }, 'invalid-number'],
    [{ extension: '1' }, 'invalid-number'],
    [{ dialed: '911' }, 'invalid-request'],
    [undefined, 'invalid-request'],
  ])('never throws on a malformed request: %j -> %s', (request, code) => {
    const decision = compilePolicy({ homeCountry: 'US' }).checkCall(request as CallRequest);
    expect([decision.allowed, decision.code]).toEqual([false, code]);
  });
});

describe('checkCall with RFC 3966 phone-contexts', () => {
  const IMS = 'ims.mnc008.mcc310.3gppnetwork.org';
  const withContexts = compilePolicy({
    homeCountry: 'US',
    calling: { allow: ['US', 'GB'] },
    phoneContexts: { [IMS.toUpperCase()]: 'US' },
    extensions: { 7: { homeCountry: 'GB' } },
  });

  it.each<Row>([
    [
      'a global-number context',
      { extension: '1', dialed: 'tel:2015550123;phone-context=+1' },
      { allowed: true, code: 'area-allowed', destination: US },
    ],
    [
      'the sip: twin, from a GB extension',
      { extension: '7', dialed: 'sip:2015550123;phone-context=+1@pbx.example.com;user=phone' },
      { allowed: true, code: 'area-allowed', destination: US },
    ],
    [
      'a mapped domain context, keys matched case-insensitively',
      { extension: '1', dialed: `tel:2015550123;phone-context=${IMS}` },
      { allowed: true, code: 'area-allowed', destination: US },
    ],
    [
      'the mapping is account-wide: it applies to an extension with another home country',
      { extension: '7', dialed: `tel:2015550123;phone-context=${IMS}` },
      { allowed: true, code: 'area-allowed', destination: US },
    ],
    [
      '911 in the home plan’s global context is an emergency call',
      { extension: '1', dialed: 'tel:911;phone-context=+1' },
      { allowed: true, code: 'emergency' },
    ],
    [
      'an unmapped domain context is denied',
      { extension: '1', dialed: 'tel:2015550123;phone-context=ims.example.org' },
      { allowed: false, code: 'invalid-number' },
    ],
    [
      'a dial string is denied',
      { extension: '1', dialed: 'sip:2015550123@pbx.example.com;user=dialstring' },
      { allowed: false, code: 'invalid-number' },
    ],
  ])('%s', (_reason, request, expected) => {
    expect(withContexts.checkCall(request)).toMatchObject(expected);
  });

  it('names the raw text, the classifier code and the number it was read as in a denial', () => {
    const unmapped = withContexts.checkCall({
      extension: '1',
      dialed: 'tel:2015550123;phone-context=ims.example.org',
    });
    expect(unmapped.message).toContain('"tel:2015550123;phone-context=ims.example.org"');
    expect(unmapped.message).toContain('(unmapped-phone-context)');
    const misread = withContexts.checkCall({ extension: '7', dialed: 'tel:911;phone-context=+1' });
    expect(misread.message).toContain('"tel:911;phone-context=+1" is read as "+1911"');
  });

  it('without phoneContexts, every domain context is refused', () => {
    const decision = compilePolicy({ homeCountry: 'US' }).checkCall({
      extension: '1',
      dialed: `tel:2015550123;phone-context=${IMS}`,
    });
    expect(decision).toMatchObject({ allowed: false, code: 'invalid-number' });
    expect(decision.message).toContain('(unmapped-phone-context)');
  });
});

describe('checkCall with a dated carrier deck', () => {
  // Shaped like test/rate/fixtures/wholesale-semicolon.csv: UK mobile drops to 0.0190 on 2026-04-15,
  // Jamaica mobile rises above the cap on 2026-07-01, Sierra Leone mobile starts on 2026-09-01.
  const deck = RateTable.fromCsv(
    [
      'Destination;Prefix;Rate;Effective Date;Billing Increment;Connection Fee',
      'United Kingdom - Mobile;447;0.0210;2026-01-01;1/1;',
      'United Kingdom - Mobile;447;0.0190;2026-04-15;1/1;',
      'Jamaica - Mobile;1876;0.0150;2026-01-01;60/60;0.0100',
      'Jamaica - Mobile;1876;0.1750;2026-07-01;60/60;0.0100',
    ].join('\r\n'),
  );
  const dated = compilePolicy(
    { homeCountry: 'US', maxRatePerMinute: '0.0500', extensions: { 106: { onUnknownRate: 'allow' } } },
    { rates: deck },
  );
  const march = Date.UTC(2026, 2, 1);
  const august = new Date(Date.UTC(2026, 7, 1));

  it.each<Row>([
    [
      'the row in force at the call time decides (before the change)',
      { extension: '100', dialed: '+18765550100', at: march },
      {
        allowed: true,
        code: 'rate-within-cap',
        rate: '0.015',
        ratePrefix: '1876',
        rateEffectiveFrom: '2026-01-01T00:00:00.000Z',
        billingIncrement: { initialSeconds: 60, incrementSeconds: 60 },
        connectionFee: '0.01',
      },
    ],
    [
      'a later row takes over on its date (a Date is accepted)',
      { extension: '100', dialed: '+18765550100', at: august },
      {
        allowed: false,
        code: 'rate-above-cap',
        rate: '0.175',
        rateEffectiveFrom: '2026-07-01T00:00:00.000Z',
      },
    ],
    [
      'the connection fee is shown but not added to the per-minute rate (0.0150 + 0.0100 fee, cap 0.05)',
      { extension: '100', dialed: '+18765550100', at: Date.UTC(2026, 5, 30, 23, 59, 59, 999) },
      { allowed: true, code: 'rate-within-cap', rate: '0.015', connectionFee: '0.01' },
    ],
    [
      'a row with no fee carries no connectionFee',
      { extension: '100', dialed: '+447911123456', at: Date.UTC(2026, 3, 15) },
      {
        allowed: true,
        code: 'rate-within-cap',
        rate: '0.019',
        rateEffectiveFrom: '2026-04-15T00:00:00.000Z',
      },
    ],
    [
      'before the first row of a prefix the rate is unknown',
      { extension: '100', dialed: '+447911123456', at: Date.UTC(2025, 11, 31) },
      { allowed: false, code: 'rate-unknown' },
    ],
    [
      'without a time a dated deck cannot be read: denied',
      { extension: '100', dialed: '+447911123456' },
      { allowed: false, code: 'rate-unknown' },
    ],
    [
      'onUnknownRate "allow" does not let a missing time through',
      { extension: '106', dialed: '+447911123456' },
      { allowed: false, code: 'rate-unknown' },
    ],
    [
      'an invalid time is denied',
      { extension: '100', dialed: '+447911123456', at: Number.NaN },
      { allowed: false, code: 'rate-unknown' },
    ],
  ])('%s', (_reason, request, expected) => {
    expect(dated.checkCall(request)).toMatchObject(expected);
  });

  it('says what was shown but not compared, and why a missing time denies', () => {
    const fee = dated.checkCall({ extension: '100', dialed: '+18765550100', at: march });
    expect(fee.message).toBe(
      'the rate to +18765550100 is $0.015/min (from rate-deck prefix 1876 in force since 2026-01-01T00:00:00.000Z), within the cap of $0.05 (billed 60/60, connection fee $0.01; not compared with the cap)',
    );
    const noTime = dated.checkCall({ extension: '106', dialed: '+447911123456' });
    expect(noTime.message).toContain(
      "the rate deck has effective dates and the request's time (at) is missing",
    );
    const badTime = dated.checkCall({ extension: '100', dialed: '+447911123456', at: '2026-31-01' });
    expect(badTime.message).toContain(
      'not a time (the string "2026-31-01"; give a Date, milliseconds or ISO 8601 text)',
    );
  });

  it('an undated deck ignores the time and carries no date fields', () => {
    const decision = policy.checkCall({ extension: '100', dialed: '201 555 0123', at: Number.NaN });
    expect(decision).toMatchObject({ code: 'rate-within-cap', ratePrefix: '1201' });
    expect(
      'rateEffectiveFrom' in decision || 'billingIncrement' in decision || 'connectionFee' in decision,
    ).toBe(false);
  });
});
