// The forms real devices and people send: RFC 3966 phone-context (global and domain-name), SIP
// user=dialstring, the separators people write, non-ASCII digits and whitespace around the number.
// Expected values are facts about numbering plans and RFCs, stated by hand.
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { classifyDialed, clearDialedCache } from '../../src/phone/classify.js';
import { phoneContextDomain, readPhoneContext } from '../../src/phone/dialed-text.js';
import type { ClassifyDialedOptions, DialedFailureCode } from '../../src/phone/types.js';

beforeEach(() => clearDialedCache());

const IMS = 'ims.mnc008.mcc310.3gppnetwork.org';
const CONTEXTS: ReadonlyMap<string, string> = new Map([
  [IMS, 'US'],
  ['ims.mnc015.mcc234.3gppnetwork.org', 'GB'],
]);

function classify(dialed: string, homeCountry: string, contexts = true): ReturnType<typeof classifyDialed> {
  const options: ClassifyDialedOptions = contexts
    ? { homeCountry, phoneContexts: CONTEXTS }
    : { homeCountry };
  return classifyDialed(dialed, options);
}

describe('phone-context: a global-number context is the prefix', () => {
  it.each([
    ['tel:2125550100;phone-context=+1', 'US', '+12125550100', 'the issue’s tel: form'],
    ['sip:2125550100;phone-context=+1@pbx.example.com;user=phone', 'US', '+12125550100', 'its sip: twin'],
    ['sips:2125550100;phone-context=+1@pbx.example.com;user=phone', 'GB', '+12125550100', 'from abroad'],
    ['tel:79460958;phone-context=+44-20', 'US', '+442079460958', 'a context with an area code and a dash'],
    [
      'tel:020-7946-0958;phone-context=+44',
      'US',
      '+442079460958',
      'the trunk 0 is stripped, as in libphonenumber',
    ],
    ['tel:2125550100;PHONE-CONTEXT=+1', 'US', '+12125550100', 'parameter names are case-insensitive'],
    ['tel:2125550100;ext=12;phone-context=+1', 'US', '+12125550100', 'parameters in any order'],
    ['tel:2125550100;phone-context=+1;isub=7', 'US', '+12125550100', 'an isdn-subaddress after it'],
    ['tel:(212) 555-0100;phone-context=+(1)', 'US', '+12125550100', 'visual separators in both parts'],
  ])('%s from %s → %s (%s)', (dialed, home, e164) => {
    expect(classify(dialed, home)).toMatchObject({ ok: true, emergency: false, e164 });
  });

  it.each([
    ['tel:911;phone-context=+1', 'US', '911', 'the home plan’s own context'],
    ['sip:112;phone-context=+44@pbx.example.com;user=phone', 'GB', '112', 'sip: twin'],
    ['tel:999;phone-context=+44', 'JE', '999', 'Jersey shares +44'],
  ])('%s from %s is the emergency number %s (%s)', (dialed, home, number) => {
    expect(classify(dialed, home)).toEqual({ ok: true, emergency: true, number, country: home });
  });

  it.each([
    ['tel:911;phone-context=+1', 'GB', 'not the home plan: read as +1911, which is no number'],
    ['tel:911;phone-context=+1212', 'US', 'a longer context: read as +1212911'],
    ['tel:999;phone-context=+1', 'US', 'GB’s number in the +1 context'],
  ])('%s from %s is not an emergency call (%s)', (dialed, home) => {
    expect(classify(dialed, home)).toMatchObject({ ok: false, code: 'invalid-number' });
  });

  it('says what the number was read as, quoting the raw text', () => {
    const result = classify('tel:911;phone-context=+1', 'GB');
    expect(result.ok === false && result.message).toMatch(
      /^"tel:911;phone-context=\+1" is read as "\+1911" \(phone-context \+1\): /,
    );
  });
});

describe('phone-context: a domain-name context', () => {
  it.each([
    [`tel:2125550100;phone-context=${IMS}`, 'US', '+12125550100', 'mapped to the home region'],
    [`tel:2125550100;phone-context=${IMS.toUpperCase()}.`, 'US', '+12125550100', 'any case, a final dot'],
    [`sip:2125550100;phone-context=${IMS}@ims.example.net;user=phone`, 'US', '+12125550100', 'sip: twin'],
    [`tel:2125550100;phone-context=${IMS}`, 'GB', '+12125550100', 'read in the mapped region, not at home'],
    [
      'tel:020 7946 0958;phone-context=ims.mnc015.mcc234.3gppnetwork.org',
      'US',
      '+442079460958',
      'a GB network',
    ],
  ])('%s from %s → %s (%s)', (dialed, home, e164) => {
    expect(classify(dialed, home)).toMatchObject({ ok: true, emergency: false, e164 });
  });

  it('reads an emergency number of the mapped region as that region’s emergency call', () => {
    expect(classify(`tel:911;phone-context=${IMS}`, 'GB')).toEqual({
      ok: true,
      emergency: true,
      number: '911',
      country: 'US',
    });
  });

  it.each([
    [`tel:2125550100;phone-context=${IMS}`, false, 'no mapping given'],
    ['tel:2125550100;phone-context=ims.example.org', true, 'a domain the mapping does not list'],
    ['tel:911;phone-context=ims.example.org', true, 'an unmapped context refuses even 911'],
  ])('%s is unmapped-phone-context (%s)', (dialed, contexts) => {
    const result = classify(dialed, 'US', contexts);
    expect(result).toMatchObject({ ok: false, code: 'unmapped-phone-context' });
    expect(result.ok === false && result.message).toContain('phoneContexts does not map');
  });

  it('refuses a domain mapped to something that is not a region', () => {
    const options = { homeCountry: 'US', phoneContexts: new Map([['ims.example.org', 'UK']]) };
    expect(classifyDialed('tel:2125550100;phone-context=ims.example.org', options)).toMatchObject({
      ok: false,
      code: 'invalid-home-country',
      message: expect.stringContaining('maps "ims.example.org" to "UK"'),
    });
  });

  it('ignores a mapping that is not a Map (plain JavaScript callers), so the context stays unmapped', () => {
    const options = { homeCountry: 'US', phoneContexts: { [IMS]: 'US' } } as unknown as ClassifyDialedOptions;
    expect(classifyDialed(`tel:2125550100;phone-context=${IMS}`, options)).toMatchObject({
      code: 'unmapped-phone-context',
    });
  });

  it('says what the number was read as, quoting the raw text', () => {
    const result = classify(`tel:12;phone-context=${IMS}`, 'GB');
    expect(result.ok === false && result.message).toContain(
      `is read as "12" dialed from US (phone-context ${IMS}): `,
    );
  });
});

describe('phone-context and dial strings that are refused', () => {
  const refused: readonly (readonly [string, DialedFailureCode, string, string])[] = [
    [
      'tel:+12125550100;phone-context=+1',
      'unsupported-uri',
      'global number',
      'a global number has no context',
    ],
    ['tel:2125550100;phone-context=', 'unsupported-uri', 'neither', 'an empty context'],
    ['tel:2125550100;phone-context', 'unsupported-uri', 'neither', 'a context without a value'],
    ['tel:2125550100;phone-context=+', 'unsupported-uri', 'neither', 'a + without digits'],
    ['tel:2125550100;phone-context=+1 2', 'unsupported-uri', 'neither', 'a space is no RFC 3966 separator'],
    ['tel:2125550100;phone-context=-ims.example', 'unsupported-uri', 'neither', 'a label starting with -'],
    [
      'tel:2125550100;phone-context=ims.123',
      'unsupported-uri',
      'neither',
      'a top label starting with a digit',
    ],
    ['tel:2125550100;phone-context=ims..example', 'unsupported-uri', 'neither', 'an empty label'],
    ['tel:2125550100;phone-context=+1;phone-context=+1', 'unsupported-uri', 'more than one', 'two contexts'],
    [
      'tel:1234567890123;phone-context=+1234567890',
      'too-long',
      'more than 20',
      'too many digits with the prefix',
    ],
    [
      'sip:*72;phone-context=ims.example.org@pbx;user=dialstring',
      'unsupported-uri',
      'dialstring',
      'RFC 4967',
    ],
    ['sip:2125550100@pbx;USER=DialString', 'unsupported-uri', 'dialstring', 'digits only, any case'],
    ['sip:2125550100@pbx;user=phone;user=dialstring', 'unsupported-uri', 'more than one user', 'two user='],
  ];

  it.each(refused)('%s → %s (%s: %s)', (dialed, code, says) => {
    const result = classify(dialed, 'US');
    expect(result).toMatchObject({ ok: false, code });
    expect(result.ok === false && result.message).toContain(says);
    expect(result.ok === false && result.message).toContain(JSON.stringify(dialed).slice(0, 20));
  });

  it('reads user=phone and other URI parameters after the host as before', () => {
    expect(classify('sip:2125550100@pbx;user=phone?subject=user=dialstring', 'US')).toMatchObject({
      ok: true,
    });
  });
});

describe('readPhoneContext and phoneContextDomain', () => {
  it.each([
    ['+1', { kind: 'global', text: '+1', digits: '1' }],
    ['+44-(20).', { kind: 'global', text: '+44-(20).', digits: '4420' }],
    ['Example.COM.', { kind: 'domain', text: 'Example.COM.', domain: 'example.com' }],
    ['a-1.b2', { kind: 'domain', text: 'a-1.b2', domain: 'a-1.b2' }],
    ['x', { kind: 'domain', text: 'x', domain: 'x' }],
    ['a.', { kind: 'domain', text: 'a.', domain: 'a' }],
  ])('%s → %j', (text, expected) => {
    expect(readPhoneContext(text)).toEqual(expected);
  });

  it.each([
    '',
    '+',
    '+1a',
    '.',
    '..',
    'a..',
    'a..b',
    '-a',
    'a-',
    'a.-b',
    '1a',
    'a.1b',
    'a_b',
    'ä.com',
    'a b',
  ])('%j is not a phone-context', (text) => {
    expect(readPhoneContext(text)).toBeUndefined();
  });

  it('agrees with the RFC 3966 domainname grammar on random labels', () => {
    // The grammar as a regular expression: the slow, obviously correct reference (inputs are short).
    const label = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
    const top = '[A-Za-z](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
    const reference = new RegExp(`^(?:${label}\\.)*${top}\\.?$`);
    const text = fc.string({ unit: fc.constantFrom(...'aZ09-.'), maxLength: 12 });
    fc.assert(
      fc.property(text, (t) => {
        expect(phoneContextDomain(t) !== undefined, t).toBe(reference.test(t));
      }),
      { numRuns: 2000 },
    );
  });
});

describe('separators people write', () => {
  it.each([
    ['030/123 456 7', 'DE', '+49301234567', 'the usual German slash'],
    ['030/1234567', 'DE', '+49301234567', 'a slash alone'],
    ['212\u00a0555\u00a00100', 'US', '+12125550100', 'no-break space'],
    ['212\u2009555\u20090100', 'US', '+12125550100', 'thin space'],
    ['212\u202f555\u202f0100', 'US', '+12125550100', 'narrow no-break space'],
    ['212\u2013555\u20130100', 'US', '+12125550100', 'en dash'],
    ['212\u2014555\u20100100', 'US', '+12125550100', 'em dash, hyphen'],
    ['212\u2212555\u22120100', 'US', '+12125550100', 'minus sign'],
    ['03\u30fc1234\u30fc5678', 'JP', '+81312345678', 'katakana prolonged sound mark'],
    ['03\u30001234\u30005678', 'JP', '+81312345678', 'ideographic space'],
    ['\uff08212\uff09555\uff0d0100', 'US', '+12125550100', 'full-width brackets and hyphen'],
    ['212\uff0e555\uff0f0100', 'US', '+12125550100', 'full-width dot and slash'],
    ['[212] 555 0100', 'US', '+12125550100', 'square brackets'],
    ['212\u00ad555\u200b0100\u2060', 'US', '+12125550100', 'soft hyphen, zero width space, word joiner'],
    ['+44\u00a020\u00a07946\u00a00958', 'US', '+442079460958', 'a no-break space after the +'],
  ])('%j from %s → %s (%s)', (dialed, home, e164) => {
    expect(classify(dialed, home)).toMatchObject({ ok: true, e164 });
  });

  it('a separator in an emergency number changes nothing', () => {
    expect(classify('1\u00a01\u00a02', 'DE')).toEqual({
      ok: true,
      emergency: true,
      number: '112',
      country: 'DE',
    });
    expect(classify('9/1/1', 'US')).toMatchObject({ emergency: true, number: '911' });
  });
});

describe('still refused: non-ASCII digits, tildes, control characters', () => {
  it.each([
    ['２１２５５５０１００', 'U+FF12', 'full-width digits'],
    ['٢١٢٥٥٥٠١٠٠', 'U+0662', 'Arabic-Indic digits'],
    ['۲۱۲۵۵۵۰۱۰۰', 'U+06F2', 'Extended Arabic-Indic digits'],
    ['२१२५५५०१००', 'U+0968', 'Devanagari digits'],
    ['＋1 212 555 0100', 'U+FF0B', 'a full-width plus'],
    ['\ud835\udfd0125550100', 'U+1D7D0', 'a mathematical bold digit (outside the BMP)'],
  ])('%s is not-a-number, naming %s and why (%s)', (dialed, codePoint) => {
    const result = classify(dialed, 'US');
    expect(result).toMatchObject({ ok: false, code: 'not-a-number' });
    expect(result.ok === false && result.message).toContain(codePoint);
    expect(result.ok === false && result.message).toContain('a switch may not read');
  });

  it.each([
    ['212~555~0100', '"~"'],
    ['212\u223c555', '"∼"'],
    ['212\uff5e555', '"～"'],
  ])('%j: a tilde is a wait for dial tone, refused like every pause', (dialed, shown) => {
    expect(classify(dialed, 'US')).toMatchObject({
      ok: false,
      code: 'not-a-number',
      message: expect.stringContaining(`contains ${shown}: a wait for dial tone`),
    });
  });

  it.each([
    ['x212 555 0100', 'a letter', 'the letter "x"'],
    ['212\u2028555', 'a line separator', 'U+2028'],
    ['212\u00b7555', 'a middle dot', 'U+00B7'],
  ])('%j is refused (%s)', (dialed, _reason, says) => {
    expect(classify(dialed, 'US')).toMatchObject({ ok: false, message: expect.stringContaining(says) });
  });
});

// Decision: spaces (ASCII and Unicode) are separators anywhere, so around the number too; control
// characters (tab, CR, LF, …) are refused anywhere, also around the number: a dialed number with a
// line break points at a framing or header-injection problem upstream, which a guard must not hide.
describe('whitespace around the number', () => {
  it.each([
    [' 2125550100 ', 'spaces'],
    ['\u00a02125550100\u3000', 'Unicode spaces'],
    [' tel:2125550100', 'a space before a URI scheme'],
    ['tel: 2125550100 ', 'spaces inside the tel: number'],
  ])('%j is accepted (%s)', (dialed) => {
    expect(classify(dialed, 'US')).toMatchObject({ ok: true, e164: '+12125550100' });
  });

  it.each([
    ['2125550100\n', 'U+000A', 'a final line feed'],
    ['2125550100\r\n', 'U+000D', 'CR LF'],
    ['\t2125550100', 'U+0009', 'a leading tab'],
    ['911\n', 'U+000A', 'even an emergency number'],
    ['2125550100\u0085', 'U+0085', 'next line (C1)'],
  ])('%j is not-a-number naming %s (%s)', (dialed, codePoint) => {
    expect(classify(dialed, 'US')).toMatchObject({
      ok: false,
      code: 'not-a-number',
      message: expect.stringContaining(`control character ${codePoint}`),
    });
  });

  it.each(['\t', ' \n '])('%j alone is not "empty": a control character is refused as such', (dialed) => {
    expect(classify(dialed, 'US')).toMatchObject({ ok: false, code: 'not-a-number' });
  });
});

describe('112 or 911 from a region whose data does not list it', () => {
  it.each([
    ['112', 'NZ', '111'],
    ['911', 'GB', '112, 999'],
    ['112', 'JP', '110, 119'],
  ])(
    '%s from %s is not emergency, and the message names the region’s numbers (%s)',
    (dialed, home, numbers) => {
      const result = classify(dialed, home);
      expect(result).toMatchObject({ ok: false, code: 'invalid-number' });
      expect(result.ok === false && result.message).toContain(`whose emergency numbers are ${numbers}`);
    },
  );

  it('names no list for a region without emergency data', () => {
    const result = classify('112', 'GN');
    expect(result.ok === false && result.message).toContain('the emergency-number data has none for GN');
  });
});
