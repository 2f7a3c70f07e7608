// classifyDialed against raw libphonenumber-js `/max`, on every region's example number, in every
// dialing form. Expectations come from libphonenumber-js and its metadata, never from sipguard.

import examples from 'libphonenumber-js/examples.mobile.json';
import {
  type CountryCode,
  getCountries,
  getCountryCallingCode,
  getExampleNumber,
  parsePhoneNumber,
} from 'libphonenumber-js/max';
import maxMetadata from 'libphonenumber-js/max/metadata';
import { describe, expect, it } from 'vitest';
import { classifyDialed } from '../../src/phone/classify.js';
import type { DialedClassification } from '../../src/phone/types.js';

const HOMES: readonly CountryCode[] = ['US', 'CA', 'GB', 'DE', 'FR', 'AU', 'JP', 'BR', 'RU', 'IN'];

function example(region: CountryCode) {
  const number = getExampleNumber(region, examples);
  if (number === undefined) throw new Error(`libphonenumber-js has no example for ${region}`);
  return number;
}

/** What libphonenumber-js /max says about `text` dialed from `home`, in classifyDialed's terms. */
function reference(text: string, home: CountryCode) {
  let parsed: ReturnType<typeof parsePhoneNumber>;
  try {
    parsed = parsePhoneNumber(text, home);
  } catch {
    return { ok: false as const };
  }
  if (parsed === undefined || !parsed.isValid()) return { ok: false as const };
  const type = parsed.getType();
  return {
    ok: true as const,
    e164: parsed.number,
    country: parsed.country ?? (parsed.isNonGeographic() ? '001' : undefined),
    type: type === undefined ? 'unknown' : type.toLowerCase().replaceAll('_', '-'),
  };
}

// libphonenumber-js checks a phone-context with two /g regular expressions through `test()`, whose
// lastIndex survives between calls: after one success the next phone-context parse fails
// (catamphetamine/libphonenumber-js pull request #498). A failed call resets them, so the second of
// two calls is what a fresh parser says.
function referenceWithContext(text: string, home: CountryCode) {
  const first = reference(text, home);
  return first.ok ? first : reference(text, home);
}

function agree(
  actual: DialedClassification,
  text: string,
  home: CountryCode,
  expected: ReturnType<typeof reference> = reference(text, home),
): void {
  if (!expected.ok) {
    expect(actual.ok, `${text} from ${home}: libphonenumber-js says invalid`).toBe(false);
    return;
  }
  expect(actual, `${text} from ${home}`).toEqual({ emergency: false, ...expected });
}

const regions = getCountries();

describe('differential: every region example against libphonenumber-js /max', () => {
  it('covers every region in the metadata', () => {
    expect(regions.length).toBeGreaterThan(240);
  });

  it.each(regions)('%s: international, national and IDD forms agree', (region) => {
    const number = example(region);
    const international = number.formatInternational();
    const national = number.formatNational();
    for (const home of HOMES)
      agree(classifyDialed(international, { homeCountry: home }), international, home);
    agree(classifyDialed(national, { homeCountry: region }), national, region);
    for (const home of HOMES) {
      // libphonenumber-js writes a wait for dial tone as "~" (Russia's "8~10"); a caller dials the
      // digits, and sipguard rejects "~" like every pause character, so compare the dialed digits.
      const idd = (number.format('IDD', { fromCountry: home }) ?? '').replaceAll('~', '');
      // libphonenumber-js gives no IDD form (undefined) when the caller's region shares the calling code.
      if (idd === '') continue;
      agree(classifyDialed(idd, { homeCountry: home }), idd, home);
    }
  });

  it.each(regions)('%s: the E.164 form from its own region agrees', (region) => {
    const e164 = example(region).number;
    agree(classifyDialed(e164, { homeCountry: region }), e164, region);
  });
});

// Every region sharing +1, from a US and from a CA home: a Caribbean number is never domestic.
const nanpRegions = maxMetadata.country_calling_codes['1'] ?? [];

describe('NANP: every region under +1', () => {
  it('lists the NANP regions from the metadata', () => {
    expect(nanpRegions).toContain('JM');
    expect(nanpRegions.length).toBeGreaterThan(20);
  });

  for (const home of ['US', 'CA'] as const) {
    it.each(nanpRegions)(`%s dialed from ${home} in every form`, (region) => {
      const number = example(region as CountryCode);
      expect(getCountryCallingCode(region as CountryCode)).toBe('1');
      const national = number.nationalNumber;
      const expectedCountry = reference(number.number, 'US').country;
      for (const dialed of [national, `1${national}`, `+1${national}`, `011 1 ${national}`]) {
        const result = classifyDialed(dialed, { homeCountry: home });
        expect(result, `${dialed} from ${home}`).toMatchObject({
          ok: true,
          e164: number.number,
          country: expectedCountry,
        });
        if (region !== home && expectedCountry === region) {
          expect(result, `${dialed} must not look domestic`).not.toMatchObject({ country: home });
        }
      }
    });
  }

  it('Caribbean and territory examples resolve to their own region, not US', () => {
    for (const region of ['JM', 'DO', 'BS', 'PR', 'VI', 'GU', 'AS', 'TT', 'BB']) {
      const number = example(region as CountryCode);
      expect(classifyDialed(number.nationalNumber, { homeCountry: 'US' })).toMatchObject({ country: region });
    }
  });
});

// The forms the issue added, over every region's example. The references are libphonenumber-js on
// the same text, or on the text libphonenumber defines it by: a sip: user part is a tel: URI (RFC 3261
// 19.1.6); a domain-name context is ignored by libphonenumber, so the local number is read in the
// region the policy maps the domain to; libphonenumber-js does not know U+2009, U+202F and the other
// typographic spaces, which sipguard accepts as spaces, so those compare with an ASCII space.
const DOMAIN = 'ims.example.net';

// Accepted separators: libphonenumber-js's own, then the spaces it does not know.
const LIBPHONENUMBER_SEPARATORS = [
  '\u00a0',
  '\u2010',
  '\u2013',
  '\u2015',
  '\u2212',
  '\u30fc',
  '\u3000',
  '/',
  '\uff0d',
];
const SPACES_ONLY_SIPGUARD_ACCEPTS = ['\u2009', '\u202f', '\u2007', '\u205f'];

describe('differential: RFC 3966 phone-context over every region', () => {
  it.each(regions)('%s: tel: with a global-number context, and its sip: twin', (region) => {
    const number = example(region);
    const nsn = number.nationalNumber;
    const national = number.formatNational();
    const cc = number.countryCallingCode;
    for (const home of HOMES) {
      for (const local of [nsn, national]) {
        const tel = `tel:${local};phone-context=+${cc}`;
        const expected = referenceWithContext(tel, home);
        agree(classifyDialed(tel, { homeCountry: home }), tel, home, expected);
        const sip = `sip:${local};phone-context=+${cc}@pbx.example.com;user=phone`;
        agree(classifyDialed(sip, { homeCountry: home }), sip, home, expected);
      }
    }
  });

  it.each(regions)('%s: tel: with a domain-name context mapped to the region', (region) => {
    const national = example(region).formatNational();
    const phoneContexts = new Map([[DOMAIN, region]]);
    const tel = `tel:${national};phone-context=${DOMAIN}`;
    for (const home of ['US', 'GB'] as const) {
      agree(
        classifyDialed(tel, { homeCountry: home, phoneContexts }),
        tel,
        home,
        reference(national, region),
      );
    }
    expect(classifyDialed(tel, { homeCountry: region })).toMatchObject({
      ok: false,
      code: 'unmapped-phone-context',
    });
  });
});

describe('differential: separators over every region', () => {
  it.each(regions.map((region, index) => [region, index] as const))(
    '%s: spaces replaced by Unicode spaces, dashes and slashes',
    (region, index) => {
      const number = example(region);
      // A different separator for each region, so that every one meets many numbering plans.
      const own = LIBPHONENUMBER_SEPARATORS[index % LIBPHONENUMBER_SEPARATORS.length] ?? ' ';
      const extra = SPACES_ONLY_SIPGUARD_ACCEPTS[index % SPACES_ONLY_SIPGUARD_ACCEPTS.length] ?? ' ';
      for (const [text, home] of [
        [number.formatNational(), region],
        [number.formatInternational(), 'US'],
      ] as const) {
        const withOwn = text.replaceAll(' ', own);
        agree(classifyDialed(withOwn, { homeCountry: home }), withOwn, home);
        const withExtra = text.replaceAll(' ', extra);
        agree(classifyDialed(withExtra, { homeCountry: home }), withExtra, home, reference(text, home));
      }
    },
  );
});
