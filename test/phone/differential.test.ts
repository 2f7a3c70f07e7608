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
  const parsed = parsePhoneNumber(text, home);
  if (parsed === undefined || !parsed.isValid()) return { ok: false as const };
  const type = parsed.getType();
  return {
    ok: true as const,
    e164: parsed.number,
    country: parsed.country ?? (parsed.isNonGeographic() ? '001' : undefined),
    type: type === undefined ? 'unknown' : type.toLowerCase().replaceAll('_', '-'),
  };
}

function agree(actual: DialedClassification, text: string, home: CountryCode): void {
  const expected = reference(text, home);
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
