import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  CACHE_GENERATION_SIZE,
  classifyDialed,
  clearDialedCache,
  MAX_DIALED_LENGTH,
} from '../../src/phone/classify.js';
import { MAX_DIALED_DIGITS } from '../../src/phone/dialed-text.js';
import { homePlan } from '../../src/phone/metadata.js';
import type { ClassifyDialedOptions, DialedFailureCode, NumberType } from '../../src/phone/types.js';

beforeEach(() => clearDialedCache());

type Row = readonly [
  dialed: string,
  home: string,
  e164: string,
  country: string,
  type: NumberType,
  reason: string,
];

// Expected values are facts about the numbering plans, stated by hand (not computed by sipguard).
const dialingForms: readonly Row[] = [
  ['+44 20 7946 0958', 'US', '+442079460958', 'GB', 'fixed-line', 'E.164 with spaces'],
  ['011 44 20 7946 0958', 'US', '+442079460958', 'GB', 'fixed-line', 'US international prefix 011'],
  ['011-44-20-7946-0958', 'CA', '+442079460958', 'GB', 'fixed-line', 'NANP IDD from Canada, dashes'],
  ['1 212 555 0100', 'US', '+12125550100', 'US', 'fixed-line-or-mobile', 'US national with trunk 1'],
  ['212 555 0100', 'US', '+12125550100', 'US', 'fixed-line-or-mobile', 'US national without trunk'],
  ['(212) 555-0100', 'US', '+12125550100', 'US', 'fixed-line-or-mobile', 'parentheses and dash'],
  ['212.555.0100', 'US', '+12125550100', 'US', 'fixed-line-or-mobile', 'dots'],
  ['1 876 555 0100', 'US', '+18765550100', 'JM', 'mobile', 'looks domestic but is Jamaica'],
  ['020 7946 0958', 'GB', '+442079460958', 'GB', 'fixed-line', 'GB national with trunk 0'],
  ['00 1 212 555 0100', 'GB', '+12125550100', 'US', 'fixed-line-or-mobile', 'GB international prefix 00'],
  ['+1 212 555 0100', 'GB', '+12125550100', 'US', 'fixed-line-or-mobile', '+ form from GB'],
  ['030 123456', 'DE', '+4930123456', 'DE', 'fixed-line', 'DE national, Berlin'],
  ['00 44 20 7946 0958', 'DE', '+442079460958', 'GB', 'fixed-line', 'DE international prefix 00'],
  ['01 23 45 67 89', 'FR', '+33123456789', 'FR', 'fixed-line', 'FR national, Paris'],
  ['06 12 34 56 78', 'FR', '+33612345678', 'FR', 'mobile', 'FR mobile'],
  ['00 49 30 123456', 'FR', '+4930123456', 'DE', 'fixed-line', 'FR international prefix 00'],
  ['02 1234 5678', 'AU', '+61212345678', 'AU', 'fixed-line', 'AU national, Sydney'],
  ['0412 345 678', 'AU', '+61412345678', 'AU', 'mobile', 'AU mobile'],
  ['0011 44 20 7946 0958', 'AU', '+442079460958', 'GB', 'fixed-line', 'AU international prefix 0011'],
  ['03-1234-5678', 'JP', '+81312345678', 'JP', 'fixed-line', 'JP national, Tokyo'],
  ['090-1234-5678', 'JP', '+819012345678', 'JP', 'mobile', 'JP mobile'],
  ['010 1 212 555 0100', 'JP', '+12125550100', 'US', 'fixed-line-or-mobile', 'JP international prefix 010'],
  ['1-800-555-0100', 'US', '+18005550100', 'US', 'toll-free', 'NANP toll-free'],
  ['0900 123 4567', 'DE', '+499001234567', 'DE', 'premium-rate', 'DE premium rate 0900'],
  ['tel:+1-201-555-0123', 'GB', '+12015550123', 'US', 'fixed-line-or-mobile', 'tel: URI'],
  [
    'TEL:+1-201-555-0123;ext=12',
    'GB',
    '+12015550123',
    'US',
    'fixed-line-or-mobile',
    'scheme case, ext dropped',
  ],
  ['sip:+442079460958@pbx.example.com;user=phone', 'US', '+442079460958', 'GB', 'fixed-line', 'sip: URI'],
  ['sips:011442079460958@pbx.example.com', 'US', '+442079460958', 'GB', 'fixed-line', 'sips: with IDD'],
  [
    'sip:2125550100;isub=1@pbx',
    'US',
    '+12125550100',
    'US',
    'fixed-line-or-mobile',
    'user-part params dropped',
  ],
];

// Shared calling codes resolve to the exact region. Numbers are libphonenumber's metadata examples.
const sharedCodes: readonly Row[] = [
  ['+7 812 345 6789', 'US', '+78123456789', 'RU', 'fixed-line', '+7 Russia'],
  ['+7 771 000 9998', 'US', '+77710009998', 'KZ', 'mobile', '+7 Kazakhstan'],
  ['+44 1624 756789', 'US', '+441624756789', 'IM', 'fixed-line', '+44 Isle of Man'],
  ['+44 1534 456789', 'US', '+441534456789', 'JE', 'fixed-line', '+44 Jersey'],
  ['+44 1481 256789', 'US', '+441481256789', 'GG', 'fixed-line', '+44 Guernsey'],
  ['+39 06 698 12345', 'US', '+390669812345', 'VA', 'fixed-line', '+39 Vatican'],
  ['+39 06 1234 5678', 'US', '+390612345678', 'IT', 'fixed-line', '+39 Italy (Rome)'],
  ['+47 79 12 34 56', 'US', '+4779123456', 'SJ', 'fixed-line', '+47 Svalbard'],
  ['+47 412 34 567', 'US', '+4741234567', 'NO', 'mobile', '+47 Norway'],
  ['+61 8 9162 1234', 'US', '+61891621234', 'CC', 'fixed-line', '+61 Cocos Islands'],
  ['+61 8 9164 1234', 'US', '+61891641234', 'CX', 'fixed-line', '+61 Christmas Island'],
  ['+262 269 60 1234', 'US', '+262269601234', 'YT', 'fixed-line', '+262 Mayotte'],
  ['+262 692 12 3456', 'US', '+262692123456', 'RE', 'mobile', '+262 Réunion'],
  ['+590 590 27 1234', 'US', '+590590271234', 'BL', 'fixed-line', '+590 Saint Barthélemy'],
  ['+590 690 00 1234', 'US', '+590690001234', 'GP', 'mobile', '+590 Guadeloupe'],
  ['+599 715 1234', 'US', '+5997151234', 'BQ', 'fixed-line', '+599 Caribbean Netherlands'],
  ['+599 9 435 1234', 'US', '+59994351234', 'CW', 'fixed-line', '+599 Curaçao'],
  ['+212 650 123456', 'US', '+212650123456', 'MA', 'mobile', '+212 Morocco'],
  ['+358 18 123456', 'US', '+35818123456', 'AX', 'fixed-line', '+358 Åland'],
  ['+358 41 2345678', 'US', '+358412345678', 'FI', 'mobile', '+358 Finland'],
];

const nonGeographic: readonly Row[] = [
  ['+800 1234 5678', 'US', '+80012345678', '001', 'toll-free', 'UIFN freephone'],
  ['+808 1234 5678', 'GB', '+80812345678', '001', 'shared-cost', 'UISCN shared cost'],
  ['+870 301 234 567', 'US', '+870301234567', '001', 'mobile', 'Inmarsat'],
  ['+878 10 1234 567890', 'US', '+878101234567890', '001', 'voip', 'UPT'],
  ['+881 6 1234 5678', 'US', '+881612345678', '001', 'mobile', 'Global Mobile Satellite System'],
  ['+882 342 1234', 'US', '+8823421234', '001', 'mobile', 'international networks'],
  ['+883 510 012 345', 'US', '+883510012345', '001', 'voip', 'international networks'],
  ['+888 1234 5678 901', 'US', '+88812345678901', '001', 'uan', 'OCHA disaster relief'],
  ['+979 1 2345 6789', 'US', '+979123456789', '001', 'premium-rate', 'UIPRN premium rate'],
  ['011 800 1234 5678', 'US', '+80012345678', '001', 'toll-free', 'non-geographic behind an IDD prefix'],
];

describe('classifyDialed: valid numbers', () => {
  it.each([...dialingForms, ...sharedCodes, ...nonGeographic])(
    '%s from %s → %s %s %s (%s)',
    (dialed, home, e164, country, type) => {
      expect(classifyDialed(dialed, { homeCountry: home })).toEqual({
        ok: true,
        emergency: false,
        e164,
        country,
        type,
      });
    },
  );

  it('returns frozen results, the same object for a repeated number', () => {
    const first = classifyDialed('+44 20 7946 0958', { homeCountry: 'US' });
    const again = classifyDialed('+442079460958', { homeCountry: 'US' });
    expect(Object.isFrozen(first)).toBe(true);
    expect(again).toBe(first);
  });

  it('keys the cache by home country: the same digits differ from US and GB', () => {
    expect(classifyDialed('2125550100', { homeCountry: 'US' })).toMatchObject({ ok: true, country: 'US' });
    expect(classifyDialed('2125550100', { homeCountry: 'GB' })).toMatchObject({ ok: false });
  });
});

describe('classifyDialed: emergency numbers', () => {
  it.each([
    ['911', 'US', 'NANP 911'],
    ['112', 'US', '112 is routed in the US'],
    ['9-1-1', 'US', 'separators are stripped'],
    ['tel:911', 'US', 'tel: URI'],
    ['sip:911@pbx.example.com', 'CA', 'sip: URI'],
    ['999', 'GB', 'UK 999'],
    ['112', 'GB', 'UK 112'],
    ['000', 'AU', 'Australia 000'],
    ['110', 'JP', 'Japan police'],
    ['119', 'JP', 'Japan fire and ambulance'],
    ['110', 'DE', 'Germany police'],
    ['15', 'FR', 'France SAMU'],
    ['111', 'NZ', 'New Zealand'],
  ])('%s from %s is an emergency call (%s)', (dialed, home) => {
    const digits = dialed
      .replace(/^(tel:|sip:)/, '')
      .replace(/@.*$/, '')
      .replaceAll('-', '');
    expect(classifyDialed(dialed, { homeCountry: home })).toEqual({
      ok: true,
      emergency: true,
      number: digits,
      country: home,
    });
  });

  it.each([
    ['+911', 'US', 'a + makes it international'],
    ['011 911', 'US', 'behind the IDD prefix'],
    ['999', 'US', "GB's number from a US home"],
    ['1911', 'US', 'trunk prefix added'],
    ['911 1', 'US', 'a digit more'],
  ])('%s from %s is not an emergency call (%s)', (dialed, home) => {
    expect(classifyDialed(dialed, { homeCountry: home })).toMatchObject({ ok: false });
  });
});

describe('classifyDialed: failures', () => {
  const failures: readonly (readonly [unknown, string, DialedFailureCode, string])[] = [
    ['', 'US', 'empty', 'empty string'],
    ['   ', 'US', 'empty', 'separators only'],
    ['+', 'US', 'empty', 'a plus and no digits'],
    ['tel:', 'US', 'empty', 'URI without a number'],
    ['1'.repeat(MAX_DIALED_DIGITS + 1), 'US', 'too-long', 'too many digits'],
    [`+${'1'.repeat(MAX_DIALED_LENGTH)}`, 'US', 'too-long', 'too many characters'],
    [`${' '.repeat(MAX_DIALED_LENGTH)}1`, 'US', 'too-long', 'length is bounded before scanning'],
    ['1-800-FLOWERS', 'US', 'not-a-number', 'vanity letters are not translated'],
    ['*72', 'US', 'not-a-number', 'feature code'],
    ['#31#2125550100', 'US', 'not-a-number', 'caller-ID feature code'],
    ['2125550100,123', 'US', 'not-a-number', 'pause and post-dial digits'],
    ['2125550100w123', 'US', 'not-a-number', 'wait character'],
    ['tel:%2B12125550100', 'US', 'not-a-number', 'percent-encoding is not decoded'],
    ['1+2125550100', 'US', 'not-a-number', 'a + in the middle'],
    ['++12125550100', 'US', 'not-a-number', 'two plus signs'],
    ['212\t555\t0100', 'US', 'not-a-number', 'tabs are not separators'],
    ['２１２５５５０１００', 'US', 'not-a-number', 'full-width digits'],
    ['sip:alice@example.com', 'US', 'not-a-number', 'a SIP user name is not a number'],
    [42, 'US', 'not-a-number', 'not a string'],
    [null, 'US', 'not-a-number', 'null'],
    [undefined, 'US', 'not-a-number', 'undefined'],
    ['212', 'US', 'invalid-number', 'too short'],
    ['+1 555 0100', 'US', 'invalid-number', 'not a NANP number'],
    ['+44 20 1234', 'US', 'invalid-number', 'too short for GB'],
    ['+882 1234 5678 9', 'US', 'invalid-number', 'non-geographic but not in use'],
    ['0110 44 20 7946 0958', 'US', 'invalid-number', 'IDD followed by 0 stays national (as libphonenumber)'],
    ['+999 1234 5678', 'US', 'unknown-country-code', 'no country uses +999'],
    ['+0 1234 5678', 'US', 'unknown-country-code', 'calling codes never start with 0'],
    ['011 999 1234 5678', 'US', 'unknown-country-code', 'unknown code behind the IDD prefix'],
    ['mailto:someone@example.com', 'US', 'unsupported-uri', 'other scheme'],
    ['urn:service:sos', 'US', 'unsupported-uri', 'emergency URN is not interpreted'],
    ['sip:pbx.example.com', 'US', 'unsupported-uri', 'sip: URI without a user part'],
    [
      'tel:7946-0958;phone-context=ims.example.net',
      'US',
      'unmapped-phone-context',
      'domain context unmapped',
    ],
    [':2125550100', 'US', 'unsupported-uri', 'empty scheme'],
    ['+442079460958', 'XX', 'invalid-home-country', 'unknown region'],
    ['+442079460958', 'us', 'invalid-home-country', 'lower case'],
    ['+442079460958', '001', 'invalid-home-country', 'non-geographic is no home'],
    ['+442079460958', 'UK', 'invalid-home-country', 'UK is not ISO 3166-1'],
  ];

  it.each(failures)('%j from %s → %s (%s)', (dialed, home, code) => {
    const result = classifyDialed(dialed, { homeCountry: home });
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
  });

  it('quotes the input in the message', () => {
    const result = classifyDialed('1-800-FLOWERS', { homeCountry: 'US' });
    expect(result).toMatchObject({ ok: false, message: expect.stringContaining('"1-800-FLOWERS"') });
  });

  it('truncates long input in messages', () => {
    const result = classifyDialed('1'.repeat(30) + 'x'.repeat(100), { homeCountry: 'US' });
    expect(result).toMatchObject({ ok: false, code: 'too-long' });
    if (!result.ok) expect(result.message.length).toBeLessThan(120);
  });

  it.each<readonly [unknown, string]>([
    [undefined, 'no options'],
    [null, 'null options'],
    ['US', 'a string instead of options'],
    [{}, 'no homeCountry'],
    [{ homeCountry: 1 }, 'a number'],
  ])('invalid options %j → invalid-home-country (%s)', (options) => {
    // Deliberately wrong options, as plain JavaScript callers may pass them.
    expect(classifyDialed('+442079460958', options as ClassifyDialedOptions)).toMatchObject({
      ok: false,
      code: 'invalid-home-country',
    });
  });
});

describe('classifyDialed: robustness', () => {
  it('never throws and always returns one of the three shapes', () => {
    const homes = ['US', 'CA', 'GB', 'DE', 'FR', 'AU', 'JP', 'XX', ''];
    const dialChars = fc.constantFrom(...'0123456789+-.() *#,;:@abcw%');
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.string({ unit: dialChars, maxLength: 30 }), fc.anything()),
        fc.constantFrom(...homes),
        (dialed, home) => {
          const result = classifyDialed(dialed, { homeCountry: home });
          if (result.ok && result.emergency) expect(result.country).toBe(home);
          else if (result.ok) expect(result.e164).toMatch(/^\+[1-9][0-9]{1,14}$/);
          else expect(typeof result.message).toBe('string');
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('separators do not change the result', () => {
    // ASCII, libphonenumber's Unicode punctuation, and the other Unicode spaces (docs/calling-areas.md).
    const separators = fc.constantFrom(
      ...' -./()[]\u00a0\u00ad\u1680\u2000\u2005\u200a\u200b\u2010\u2015\u202f\u205f\u2060\u2212\u3000\u30fc\uff08\uff09\uff0d\uff0e\uff0f\uff3b\uff3d',
    );
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.array(separators, { maxLength: 2 }))),
        (parts) => {
          const digits = parts.map(([d]) => d).join('');
          const spaced = parts.map(([d, seps]) => `${seps.join('')}${d}`).join('');
          clearDialedCache();
          const plain = classifyDialed(`+44${digits}`, { homeCountry: 'US' });
          clearDialedCache();
          const withSeparators = classifyDialed(`+44${spaced}`, { homeCountry: 'US' });
          if (plain.ok) expect(withSeparators).toEqual(plain);
          else expect(withSeparators).toMatchObject({ ok: false, code: plain.code });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('keeps results correct across cache generations', () => {
    const first = classifyDialed('+442079460958', { homeCountry: 'US' });
    for (let i = 0; i < CACHE_GENERATION_SIZE * 2 + 10; i++) {
      classifyDialed(`+1212555${String(i % 10000).padStart(4, '0')}`, { homeCountry: 'US' });
    }
    const later = classifyDialed('+442079460958', { homeCountry: 'US' });
    expect(later).toEqual(first);
  });

  it('promotes an entry found in the previous generation', () => {
    const first = classifyDialed('+442079460958', { homeCountry: 'US' });
    for (let i = 0; i < CACHE_GENERATION_SIZE; i++) {
      classifyDialed(`+1212555${String(i).padStart(4, '0')}`, { homeCountry: 'US' });
    }
    // `first` is now in the previous generation: recalled and promoted, still the same object.
    expect(classifyDialed('+442079460958', { homeCountry: 'US' })).toBe(first);
  });

  it('computes one home plan per region and reuses it', () => {
    expect(homePlan('GB')).toBe(homePlan('GB'));
    expect(homePlan('ZZ')).toBeUndefined();
    expect(homePlan(7)).toBeUndefined();
  });
});
