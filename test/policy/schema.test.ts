// The shipped JSON Schema against runtime validation on the same documents, with ajv. The schema
// checks shape (types, fields, sizes, text patterns); compilePolicy also checks meaning (does the
// region exist, does the IP entry parse). Rows marked `runtimeOnly` document that gap.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { SipguardError } from '../../src/errors.js';
import { compilePolicyJson } from '../../src/policy/compile.js';
import { EDITOR_KEYWORDS } from '../../src/policy/schema.js';

const schema = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../schema/policy.schema.json'), 'utf8'),
);
// Strict mode refuses unknown keywords, so it is told of the editor ones the schema carries.
const validate = new Ajv({ allErrors: true, strict: true })
  .addVocabulary([...EDITOR_KEYWORDS])
  .compile(schema);

function runtimeAccepts(doc: unknown): boolean {
  try {
    compilePolicyJson(doc);
    return true;
  } catch (error) {
    if (error instanceof SipguardError) return false;
    throw error;
  }
}

const example = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../examples/policy.json'), 'utf8'));

describe('JSON Schema and runtime validation agree', () => {
  it.each<[string, unknown]>([
    ['the bundled example policy', example],
    ['an empty policy', {}],
    [
      'every field',
      {
        homeCountry: 'US',
        registration: { restrict: true, allowFrom: ['192.0.2.0/24', '2001:db8::1'] },
        calling: {
          allow: ['US', 'GB/mobile', '+1876', '001', '*/toll-free'],
          deny: ['*/premium-rate'],
          emergency: 'apply-rules',
        },
        maxRatePerMinute: '$0.0500',
        onUnknownRate: 'allow',
        phoneContexts: { 'ims.mnc008.mcc310.3gppnetwork.org': 'US', 'IMS.example.NET.': 'GB' },
        extensions: { 101: { maxRatePerMinute: null }, ['__proto__']: {} },
      },
    ],
    [
      'caps in every accepted form',
      {
        extensions: {
          a: { maxRatePerMinute: '0.05' },
          b: { maxRatePerMinute: '$.05' },
          c: { maxRatePerMinute: 0.05 },
          d: { maxRatePerMinute: '2' },
          e: { maxRatePerMinute: '0.05000' },
        },
      },
    ],
    [
      'extension ids with a space inside, letters beyond ASCII and one character',
      { extensions: { 'front desk': {}, 'Zürich-1': {}, '7': {} } },
    ],
    ['restrict false with a list', { registration: { restrict: false, allowFrom: ['192.0.2.1'] } }],
    [
      'every usage-limit field',
      {
        timeZone: 'America/New_York',
        accountLimits: { concurrentCalls: 20, callsPerHour: 300, spendPerDay: '$200.00' },
        extensionLimits: {
          concurrentCalls: 2,
          callsPerMinute: 4,
          callsPerHour: 40,
          callsToSameNumberPerHour: 5,
          spendPerDay: 25.5,
        },
        maxCallSeconds: 7200,
        callingHours: { allow: ['mon-fri 07:00-20:00', 'sat,sun 22:00-06:00'] },
        extensions: {
          110: { extensionLimits: { concurrentCalls: null, spendPerDay: null }, callingHours: null },
          111: { callingHours: { timeZone: 'Europe/London', allow: [] } },
        },
      },
    ],
  ])('both accept %s', (_reason, doc) => {
    expect(validate(doc)).toBe(true);
    expect(runtimeAccepts(doc)).toBe(true);
  });

  it.each<[string, unknown]>([
    ['an array', []],
    ['an unknown field', { homecountry: 'US' }],
    ['an unknown field in an extension', { extensions: { 1: { calling: { allow: ['US'], alow: [] } } } }],
    ['a missing restrict', { registration: { allowFrom: [] } }],
    ['a wrong type', { registration: { restrict: 'true' } }],
    ['a lower-case country', { homeCountry: 'us' }],
    ['a selector of the wrong shape', { calling: { allow: ['U.S.'] } }],
    ['a bad emergency mode', { calling: { emergency: 'never' } }],
    ['a cap with 5 decimals', { maxRatePerMinute: '0.00001' }],
    ['a negative cap', { maxRatePerMinute: -1 }],
    ['a cap in exponent form', { maxRatePerMinute: '1e-2' }],
    ['a cap with a leading zero', { maxRatePerMinute: '00.05' }],
    ['a cap with a currency code', { maxRatePerMinute: 'USD 0.05' }],
    ['an empty extension id', { extensions: { '': {} } }],
    ['an extension id ending with a space', { extensions: { '101 ': {} } }],
    ['an extension id starting with a space', { extensions: { ' 101': {} } }],
    ['an extension id with a zero-width space', { extensions: { '10\u200b1': {} } }],
    ['an extension id with a no-break space', { extensions: { 'front\u00a0desk': {} } }],
    ['an extension id starting with a byte order mark', { extensions: { '\ufeff101': {} } }],
    ['an extension id with a tab', { extensions: { '101\t': {} } }],
    ['an extension id with a Hangul filler (renders as nothing)', { extensions: { '101\u3164': {} } }],
    ['an extension id with a variation selector', { extensions: { '101\ufe0f': {} } }],
    ['an extension id with a combining grapheme joiner', { extensions: { '10\u034f1': {} } }],
    ['a bad onUnknownRate', { onUnknownRate: 'sometimes' }],
    ['a phone-context key that is not a domain name', { phoneContexts: { '+1': 'US' } }],
    ['a phone-context mapped to a lower-case region', { phoneContexts: { 'ims.example.net': 'us' } }],
    ['phoneContexts in an extension', { extensions: { 1: { phoneContexts: {} } } }],
    ['a fractional limit', { extensionLimits: { concurrentCalls: 2.5 } }],
    ['a negative limit', { accountLimits: { callsPerMinute: -1 } }],
    ['a limit over its bound', { accountLimits: { callsPerHour: 1_000_001 } }],
    ['a limit as text', { extensionLimits: { concurrentCalls: '2' } }],
    ['a spend limit with 5 decimals', { accountLimits: { spendPerDay: '1.00001' } }],
    ['a limit the account cannot have', { accountLimits: { maxCallSeconds: 60 } }],
    ['accountLimits in an extension', { extensions: { 1: { accountLimits: {} } } }],
    ['a timeZone in an extension', { extensions: { 1: { timeZone: 'UTC' } } }],
    ['a zero maxCallSeconds', { maxCallSeconds: 0 }],
    ['a null maxCallSeconds', { maxCallSeconds: null }],
    ['calling hours without allow', { callingHours: { timeZone: 'UTC' } }],
    ['a calling-hours entry with a day name', { callingHours: { allow: ['monday 08:00-18:00'] } }],
    ['a time zone written as an offset', { timeZone: '+02:00' }],
    ['a region that does not exist', { homeCountry: 'XX' }],
    ['"UK", which is not the ISO code of the United Kingdom', { homeCountry: 'UK' }],
    ['a selector region that does not exist', { calling: { allow: ['ZZ'] } }],
    ['a selector "UK/mobile"', { calling: { deny: ['UK/mobile'] } }],
    ['a number type that does not exist', { calling: { deny: ['*/premium'] } }],
    ['"*" alone, which names no number type', { calling: { allow: ['*'] } }],
    [
      'a phone-context mapped to a region that does not exist',
      { phoneContexts: { 'ims.example.net': 'ZZ' } },
    ],
    ['a region in an extension that does not exist', { extensions: { 1: { homeCountry: 'XX' } } }],
  ])('both reject %s', (_reason, doc) => {
    expect(validate(doc)).toBe(false);
    expect(runtimeAccepts(doc)).toBe(false);
  });

  it('lists as regions exactly the two-letter codes compilePolicy accepts as homeCountry', () => {
    const letters = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
    for (const first of letters) {
      for (const second of letters) {
        const doc = { homeCountry: `${first}${second}` };
        expect(validate(doc), doc.homeCountry).toBe(runtimeAccepts(doc));
      }
    }
  });

  it.each<[string, unknown]>([
    ['an IP entry that does not parse', { registration: { restrict: true, allowFrom: ['10.0.0.256'] } }],
    ['a JSON number cap with no exact decimal form', { maxRatePerMinute: 0.1 + 0.2 }],
    ['a selector prefix with no country calling code', { calling: { allow: ['+999'] } }],
    ['one phone-context domain in two cases', { phoneContexts: { 'a.net': 'US', 'A.net': 'US' } }],
    ['a time zone that does not exist', { timeZone: 'Mars/Olympus_Mons' }],
    ['a calling-hours window hour 25', { callingHours: { allow: ['mon 08:00-25:00'] } }],
    ['an empty calling-hours window', { callingHours: { allow: ['mon 08:00-08:00'] } }],
    ['a day listed twice', { callingHours: { allow: ['mon,mon 08:00-09:00'] } }],
    // The schema's class is the common hidden characters only (it must read without the u flag).
    ['an extension id with a rarer hidden character', { extensions: { '101\ufff9': {} } }],
    ['an extension id with a lone surrogate', { extensions: { '101\ud800': {} } }],
  ])('runtimeOnly: only compilePolicy rejects %s (meaning, not shape)', (_reason, doc) => {
    expect(validate(doc)).toBe(true);
    expect(runtimeAccepts(doc)).toBe(false);
  });
});
