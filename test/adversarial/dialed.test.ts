// Hostile dialed strings: feature codes, pauses, letters, Unicode digits, URI tricks, control
// characters and huge input. Each row gives why it is there and the exact failure code, or, for a
// URI that wraps a number, that it classifies exactly as the bare number does (whose country is
// checked against libphonenumber-js directly, not through sipguard).
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { describe, expect, it } from 'vitest';
import { classifyDialed } from '../../src/phone/index.js';
import { compilePolicy } from '../../src/policy/index.js';

const US = { homeCountry: 'US' } as const;
const MB = 1 << 20;

function outcome(dialed: unknown): string {
  const result = classifyDialed(dialed, US);
  if (!result.ok) return result.code;
  return result.emergency ? `emergency ${result.number}` : `number ${result.e164}`;
}

// [dialed, expected failure code, reason]
const failures: [unknown, string, string][] = [
  ['*67', 'not-a-number', 'caller-ID block feature code alone'],
  ['*67 876 555 0100', 'not-a-number', 'feature code before a number'],
  ['*72', 'not-a-number', 'call-forwarding activation, a toll-fraud classic'],
  ['#31#2125550100', 'not-a-number', 'GSM caller-ID code'],
  ['2125550100#', 'not-a-number', 'trailing pound'],
  ['2125550100,,1234', 'not-a-number', 'pauses then post-dial digits'],
  ['2125550100;1234', 'not-a-number', 'wait then post-dial digits'],
  ['2125550100w1234', 'not-a-number', 'wait character w'],
  ['2125550100p1234', 'not-a-number', 'pause character p'],
  ['1-800-FLOWERS', 'not-a-number', 'vanity letters are not translated'],
  ['2125550100x12', 'not-a-number', 'extension marker'],
  ['+1 212 555 0100 ext. 12', 'not-a-number', 'written extension'],
  ['1+2125550100', 'not-a-number', "'+' not at the start"],
  ['++12125550100', 'not-a-number', "two '+'"],
  ['٢١٢٥٥٥٠١٠٠', 'not-a-number', 'Arabic-Indic digits'],
  ['۲۱۲۵۵۵۰۱۰۰', 'not-a-number', 'Persian digits'],
  ['２１２５５５０１００', 'not-a-number', 'full-width digits'],
  ['+1 212 555 01０0', 'not-a-number', 'one full-width digit'],
  ['＋12125550100', 'not-a-number', 'full-width plus'],
  ['२१२५५५०१००', 'not-a-number', 'Devanagari digits'],
  ['2125550100\u0000', 'not-a-number', 'trailing NUL'],
  ['\u00002125550100', 'not-a-number', 'leading NUL'],
  ['2125550100\n', 'not-a-number', 'trailing newline'],
  ['\t2125550100', 'not-a-number', 'leading tab'],
  ['\u202e0010555212', 'not-a-number', 'right-to-left override'],
  ['212\u200e555\u200f0100', 'not-a-number', 'left-to-right and right-to-left marks are not separators'],
  ['212~555~0100', 'not-a-number', 'a tilde is a wait for dial tone'],
  ['tel:5550100;PHONE-CONTEXT=example.com', 'unmapped-phone-context', 'a domain context no policy maps'],
  ['tel:911;phone-context=example.com', 'unmapped-phone-context', 'even for 911: the domain is not guessed'],
  ['tel:+18765550100;phone-context=+1', 'unsupported-uri', 'a global number with a phone-context'],
  ['tel:5550100;phone-context=+1876;phone-context=+1212', 'unsupported-uri', 'two phone-contexts'],
  ['tel:5550100;phone-context=%2B1876', 'unsupported-uri', 'a percent-encoded phone-context'],
  ['sip:*72@pbx.example.com;user=dialstring', 'unsupported-uri', 'a dial string'],
  ['2125550100\ud800', 'not-a-number', 'lone high surrogate'],
  ['\udc002125550100', 'not-a-number', 'lone low surrogate'],
  ['sip:+1876%35550100@pbx.example.com', 'not-a-number', 'percent-encoded digit is not decoded'],
  ['sip:%2B18765550100@pbx.example.com', 'not-a-number', 'percent-encoded plus'],
  ['tel:+1-876-555-0100%00', 'not-a-number', 'percent-encoded NUL'],
  ['sip:pbx.example.com', 'unsupported-uri', 'SIP URI without a user part'],
  ['http://+18765550100', 'unsupported-uri', 'another scheme'],
  ['javascript:alert(1)', 'unsupported-uri', 'script URI'],
  ['urn:service:sos', 'unsupported-uri', 'emergency service URN'],
  ['sip:@pbx.example.com', 'empty', 'empty user part'],
  ['tel:', 'empty', 'empty tel URI'],
  ['', 'empty', 'empty'],
  ['   ', 'empty', 'spaces only'],
  ['()-.', 'empty', 'separators only'],
  ['+', 'empty', 'a lone plus'],
  ['1'.repeat(21), 'too-long', '21 digits'],
  ['1'.repeat(257), 'too-long', 'over the length bound'],
  ['1'.repeat(MB), 'too-long', '1 MB of digits'],
  [`sip:+1876555010${'0'.repeat(MB)}@x`, 'too-long', '1 MB SIP URI'],
  ['+999 1234 5678', 'unknown-country-code', 'unassigned country code 999'],
  ['011 999 1234 5678', 'unknown-country-code', 'unassigned code after the US international prefix'],
  ['+1 212 555', 'invalid-number', 'too short for NANP'],
  ['+19995550100', 'invalid-number', 'NANP area code 999 belongs to no region'],
  ['011', 'invalid-number', 'an international prefix with nothing after it'],
  ['1'.repeat(20), 'invalid-number', 'exactly 20 digits: within the bound, but no number'],
  [2125550100, 'not-a-number', 'a number, not a string'],
  [null, 'not-a-number', 'null'],
  [['2125550100'], 'not-a-number', 'an array'],
  [{ toString: () => '2125550100' }, 'not-a-number', 'an object whose toString is a number'],
];

describe('adversarial dialed strings', () => {
  it.each(failures.map(([dialed, code, reason]) => [reason, code, dialed] as const))(
    '%s → %s',
    (_, code, dialed) => {
      expect(outcome(dialed)).toBe(code);
    },
  );

  // [dialed, the bare number it must classify as, reason]
  const wrapped: [string, string, string][] = [
    [
      'sip:+18765550100@pbx.example.com;user=phone',
      '+18765550100',
      'user=phone with the number in the user part',
    ],
    [
      'sip:+18765550100;isub=1234@pbx.example.com;user=phone;transport=tcp',
      '+18765550100',
      'user parameters',
    ],
    ['SIP:+18765550100@PBX.EXAMPLE.COM', '+18765550100', 'scheme in upper case'],
    ['sips:+442079460958@pbx.example.com', '+442079460958', 'sips'],
    [' tel:+1-876-555-0100', '+18765550100', 'tel URI with separators'],
    ['tel:+1-876-555-0100;ext=12', '+18765550100', 'tel URI parameter after the number'],
    [
      'sip:+18765550100@evil.example.com@pbx.example.com',
      '+18765550100',
      'two @: the user part ends at the first',
    ],
    ['sip:011 44 20 7946 0958@pbx.example.com', '+442079460958', 'international prefix inside a SIP URI'],
    ['(876) 555-0100', '+18765550100', 'national NANP form with separators'],
    [
      'sip:+18765550100;isub=1@pbx.example.com;phone-context=x',
      '+18765550100',
      'phone-context among the host parameters is not a user parameter',
    ],
    [`tel:+18765550100;x=${'a'.repeat(237)}`, '+18765550100', 'exactly 256 characters, the length bound'],
    ['1.876.555.0100', '+18765550100', 'dotted NANP form with the trunk prefix'],
    ['+1/876/555/0100', '+18765550100', 'slashes are separators'],
    ['876．555．0100', '+18765550100', 'full-width full stops are separators'],
    ['876\u2013555\u20130100', '+18765550100', 'en dashes are separators'],
    ['876\u00a0555\u00a00100', '+18765550100', 'no-break spaces are separators'],
    ['8765550100\u200b', '+18765550100', 'a zero-width space is a separator, as in libphonenumber'],
    [
      'sip:5550100;phone-context=+1876@pbx.example.com',
      '+18765550100',
      'a global phone-context is the prefix',
    ],
    ['tel:5550100;phone-context=+1-876', '+18765550100', 'the same on a tel URI'],
  ];

  it.each(wrapped.map(([dialed, bare, reason]) => [reason, dialed, bare] as const))(
    '%s: %j classifies as %s',
    (_, dialed, bare) => {
      const expected = parsePhoneNumberFromString(bare, 'US');
      expect(expected?.number).toBe(bare);
      const result = classifyDialed(dialed, US);
      expect(result).toEqual(classifyDialed(bare, US));
      expect(result).toMatchObject({ ok: true, e164: bare, country: expected?.country });
    },
  );

  // The message names the reason, so that a PBX log says why a call was refused.
  it.each([
    ['*67', 'feature codes'],
    ['2125550100#', 'feature codes'],
    ['2125550100,1', 'pauses and post-dial digits'],
    ['2125550100;1', 'pauses and post-dial digits'],
    ['1-800-FLOWERS', 'the letter "F"'],
    ['2125550100w1', 'the letter "w"'],
    ['1-800-flowers', 'the letter "f"'],
    ['+1876%35550100', 'percent-encoded'],
    ['1+2125550100', '"+" that is not at the start'],
    ['2125550100|', 'not a digit or a separator'],
    ['2125550100@', 'not a digit or a separator'],
    ['2125550100\\', 'not a digit or a separator'],
    ['2125550100`', 'not a digit or a separator'],
    ['2125550100{', 'not a digit or a separator'],
  ])('says why %j is not a number: %s', (dialed, reason) => {
    const result = classifyDialed(dialed, US);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toContain(reason);
  });

  it('reads the home country once, so a getter that changes cannot split one classification', () => {
    let reads = 0;
    const options = {
      get homeCountry() {
        reads++;
        return reads === 1 ? 'US' : 'GB';
      },
    };
    expect(classifyDialed('911', options)).toMatchObject({ ok: true, emergency: true, country: 'US' });
    expect(reads).toBe(1);
  });

  it('never throws on a home country of the wrong type, and never converts it to text', () => {
    let calls = 0;
    const sneaky = {
      toString: () => {
        calls++;
        return 'US';
      },
    };
    for (const homeCountry of [Object.create(null), sneaky, Symbol('US'), 1n, ['US']]) {
      expect(classifyDialed('911', { homeCountry } as never)).toMatchObject({
        ok: false,
        code: 'invalid-home-country',
      });
    }
    expect(calls).toBe(0);
  });

  it('never calls toString, valueOf or Symbol.toPrimitive on a non-string dialed value', () => {
    let calls = 0;
    const count = () => {
      calls++;
      return '911';
    };
    const dialed = { toString: count, valueOf: count, [Symbol.toPrimitive]: count };
    expect(outcome(dialed)).toBe('not-a-number');
    expect(calls).toBe(0);
  });
});

describe('adversarial calls through a policy', () => {
  const policy = compilePolicy({
    homeCountry: 'US',
    calling: { allow: ['US'], deny: ['*/premium-rate'] },
    maxRatePerMinute: '$0.05',
    onUnknownRate: 'allow',
  });

  // [request, expected decision code, allowed, reason]
  const calls: [Record<string, unknown>, string, boolean, string][] = [
    [{ extension: '1', dialed: '*67' }, 'invalid-number', false, 'feature code'],
    [{ extension: '1', dialed: '911' }, 'emergency', true, 'emergency is always allowed by default'],
    [{ extension: '1', dialed: '9 1 1' }, 'emergency', true, 'emergency with separators'],
    [{ extension: '1', dialed: '+911' }, 'invalid-number', false, "'+911' is no emergency number"],
    [{ extension: '1', dialed: '911#' }, 'invalid-number', false, 'emergency with a feature suffix'],
    [{ extension: '1', dialed: '９１１' }, 'invalid-number', false, 'full-width emergency digits'],
    [
      { extension: '1', dialed: 'sip:+18765550100@h;user=phone' },
      'area-not-allowed',
      false,
      'Jamaica in a SIP URI',
    ],
    [{ extension: '1', dialed: 'sip:+1876%35550100@h' }, 'invalid-number', false, 'percent-encoding'],
    [{ extension: '1', dialed: '+1 900 555 0100' }, 'area-denied', false, 'US premium rate'],
    [
      { extension: '1', dialed: '+1 212 555 0100', ratePerMinute: '0.06' },
      'rate-above-cap',
      false,
      'above the cap',
    ],
    [
      { extension: '1', dialed: '+1 212 555 0100', ratePerMinute: '0.05' },
      'rate-within-cap',
      true,
      'at the cap',
    ],
    [
      { extension: '1', dialed: '+1 212 555 0100', ratePerMinute: '0.050000001' },
      'rate-unknown',
      false,
      'too many decimals in the request',
    ],
    [
      { extension: '1', dialed: '+1 212 555 0100', ratePerMinute: '-0' },
      'rate-unknown',
      false,
      'negative zero rate',
    ],
    [
      { extension: '1', dialed: '+1 212 555 0100', ratePerMinute: '1e-9' },
      'rate-unknown',
      false,
      'exponent rate',
    ],
    [
      { extension: '1', dialed: '+1 212 555 0100', ratePerMinute: null },
      'rate-unknown',
      false,
      'null rate is not "no rate"',
    ],
    [
      { extension: '1', dialed: '+1 212 555 0100', ratePerMinute: 0.01 },
      'rate-within-cap',
      true,
      'a JSON number rate',
    ],
    [
      { extension: '1', dialed: '+1 212 555 0100', ratePerMinute: 0.1 + 0.2 },
      'rate-unknown',
      false,
      'a float with 17 decimals',
    ],
    [
      { extension: '1', dialed: '+1 212 555 0100', ratePerMinute: 'x'.repeat(MB) },
      'rate-unknown',
      false,
      '1 MB rate',
    ],
    [
      { extension: '1', dialed: '+1 212 555 0100' },
      'rate-unknown',
      true,
      'no rate known, onUnknownRate allow',
    ],
    [{ extension: '1', dialed: 2125550100 }, 'invalid-number', false, 'dialed as a number'],
    [{ extension: '1' }, 'invalid-number', false, 'no dialed field'],
    [{ extension: 1, dialed: '911' }, 'invalid-request', false, 'extension as a number'],
    [{ dialed: '911' }, 'invalid-request', false, 'no extension'],
  ];

  it.each(calls.map(([request, code, allowed, reason]) => [reason, code, allowed, request] as const))(
    '%s → %s',
    (_, code, allowed, request) => {
      const decision = policy.checkCall(request as never);
      expect([decision.code, decision.allowed]).toEqual([code, allowed]);
    },
  );

  it('denies non-object requests', () => {
    for (const request of [null, undefined, 0, '911', ['1', '911']]) {
      expect(policy.checkCall(request as never).code).toBe('invalid-request');
    }
  });
});
