// The cache by dialed text, in front of the cache by digits: a repeated string returns the result
// classified first, but only for the home country it was classified from. Results must equal an
// uncached classification whatever the order of calls.
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { CACHE_GENERATION_SIZE, classifyDialed, clearDialedCache } from '../../src/phone/classify.js';

beforeEach(() => clearDialedCache());

const US = { homeCountry: 'US' } as const;
const GB = { homeCountry: 'GB' } as const;

describe('classifyDialed cache by dialed text', () => {
  it.each([
    ['(212) 555-0100', 'a valid national number'],
    ['911', 'an emergency number'],
    ['911a', 'a failure (a letter)'],
    ['sip:+12125550100@pbx.example.com', 'a SIP URI'],
  ])('returns the same frozen result for repeated %j (%s)', (dialed) => {
    const first = classifyDialed(dialed, US);
    expect(Object.isFrozen(first)).toBe(true);
    expect(classifyDialed(dialed, US)).toBe(first);
  });

  it('never serves one home country the result of another for the same text', () => {
    // 2125550100 is a New York number dialed from the US, and no valid number dialed from GB;
    // 999 is the emergency number of GB only.
    for (let round = 0; round < 3; round++) {
      expect(classifyDialed('2125550100', US)).toMatchObject({ ok: true, country: 'US' });
      expect(classifyDialed('2125550100', GB)).toMatchObject({ ok: false, code: 'invalid-number' });
      expect(classifyDialed('999', GB)).toMatchObject({ ok: true, emergency: true, country: 'GB' });
      expect(classifyDialed('999', US)).not.toMatchObject({ emergency: true });
    }
  });

  it('recalls and promotes a text found in the previous generation', () => {
    const first = classifyDialed('+44 20 7946 0958', US);
    for (let i = 0; i < CACHE_GENERATION_SIZE; i++) {
      classifyDialed(`+1 212 555 ${String(i).padStart(4, '0')}`, US);
    }
    expect(classifyDialed('+44 20 7946 0958', US)).toBe(first);
    for (let i = 0; i < CACHE_GENERATION_SIZE; i++) {
      classifyDialed(`+1 213 555 ${String(i).padStart(4, '0')}`, US);
    }
    // Promoted into the current generation above, so it survived this turnover too.
    expect(classifyDialed('+44 20 7946 0958', US)).toBe(first);
  });

  it('gives the result of an uncached classification, in any order of calls', () => {
    const text = fc.constantFrom(
      '911',
      '999',
      '112',
      '(212) 555-0100',
      '2125550100',
      '020 7946 0958',
      '+44 20 7946 0958',
      '011 44 20 7946 0958',
      '00 44 20 7946 0958',
      'tel:+12125550100',
      '1-900-555-0100',
      '12#',
    );
    const home = fc.constantFrom('US', 'GB', 'FR');
    fc.assert(
      fc.property(fc.array(fc.tuple(text, home), { minLength: 1, maxLength: 30 }), (calls) => {
        clearDialedCache();
        const cached = calls.map(([dialed, homeCountry]) => classifyDialed(dialed, { homeCountry }));
        const fresh = calls.map(([dialed, homeCountry]) => {
          clearDialedCache();
          return classifyDialed(dialed, { homeCountry });
        });
        // A failure's message quotes the spelling first classified (the cache by digits is shared
        // between spellings, as before the text cache): compare failures by code.
        const shape = (r: ReturnType<typeof classifyDialed>) => (r.ok ? r : { ok: false, code: r.code });
        expect(cached.map(shape)).toEqual(fresh.map(shape));
      }),
      { numRuns: 200 },
    );
  });
});

describe('classifyDialed cache and phoneContexts', () => {
  const text = 'tel:2125550100;phone-context=ims.example.net';
  const toUs = new Map([['ims.example.net', 'US']]);
  const toGb = new Map([['ims.example.net', 'GB']]);

  it('never serves a domain-context result to a caller with another mapping, or none', () => {
    for (let round = 0; round < 3; round++) {
      expect(classifyDialed(text, { homeCountry: 'US', phoneContexts: toUs })).toMatchObject({ ok: true });
      // 2125550100 is no GB number.
      expect(classifyDialed(text, { homeCountry: 'US', phoneContexts: toGb })).toMatchObject({ ok: false });
      expect(classifyDialed(text, US)).toMatchObject({ ok: false, code: 'unmapped-phone-context' });
    }
  });

  it('serves the cached result to the same mapping, and any text without a domain context to every caller', () => {
    const first = classifyDialed(text, { homeCountry: 'US', phoneContexts: toUs });
    expect(classifyDialed(text, { homeCountry: 'US', phoneContexts: toUs })).toBe(first);
    const plain = classifyDialed('tel:2125550100;phone-context=+1', US);
    expect(
      classifyDialed('tel:2125550100;phone-context=+1', { homeCountry: 'US', phoneContexts: toGb }),
    ).toBe(plain);
  });
});

describe('classifyDialed cache by digits', () => {
  it('gives a failure message that fits every spelling of the same digits, not the first one seen', () => {
    // +999 is no country calling code; both spellings reduce to the same digits and share one result.
    const spaced = classifyDialed('+999 1234 5678', US);
    const compact = classifyDialed('+99912345678', US);
    expect(spaced).toMatchObject({ ok: false, code: 'unknown-country-code' });
    expect(compact).toBe(spaced);
    expect(compact.ok === false && compact.message).toBe(
      'the number "+99912345678" does not start with a known country calling code',
    );
  });
});
