import { describe, expect, it } from 'vitest';
import { SipguardError } from '../../src/errors.js';
import { compilePolicy, compilePolicyJson } from '../../src/policy/compile.js';

function issuesOf(doc: unknown): { path: string; code: string }[] {
  try {
    compilePolicyJson(doc);
  } catch (error) {
    if (!(error instanceof SipguardError)) throw error;
    expect(error.code).toBe('invalid-policy');
    return error.issues.map((i) => ({ path: i.path, code: i.code }));
  }
  return [];
}

const reg = (allowFrom: unknown[]) => ({ registration: { restrict: true, allowFrom } });

describe('compilePolicy validation: every error code with its path', () => {
  it.each([
    ['a string document', 'policy', [{ path: '', code: 'wrong-type' }]],
    [
      'an unknown top-level field',
      { homeCountry: 'US', maxRate: '$1' },
      [{ path: '/maxRate', code: 'unknown-field' }],
    ],
    [
      'restrict missing',
      { registration: { allowFrom: [] } },
      [{ path: '/registration/restrict', code: 'missing-field' }],
    ],
    [
      'an unknown region as homeCountry',
      { homeCountry: 'XX' },
      [{ path: '/homeCountry', code: 'invalid-country' }],
    ],
    ['a lower-case homeCountry', { homeCountry: 'us' }, [{ path: '/homeCountry', code: 'invalid-country' }]],
    [
      'an invalid homeCountry in an extension',
      { extensions: { 7: { homeCountry: 'UK' } } },
      [{ path: '/extensions/7/homeCountry', code: 'invalid-country' }],
    ],
    [
      'an unknown region selector',
      { calling: { allow: ['UK'] } },
      [{ path: '/calling/allow/0', code: 'invalid-selector' }],
    ],
    [
      'an unknown number type selector',
      { calling: { deny: ['US', '*/premium'] } },
      [{ path: '/calling/deny/1', code: 'invalid-selector' }],
    ],
    [
      'a bad emergency value',
      { calling: { emergency: 'deny' } },
      [{ path: '/calling/emergency', code: 'invalid-value' }],
    ],
    ['a bad onUnknownRate', { onUnknownRate: 'block' }, [{ path: '/onUnknownRate', code: 'invalid-value' }]],
    [
      'a phone-context key that is not a domain name',
      { phoneContexts: { '+1': 'US', 'a..b': 'US' } },
      [
        { path: '/phoneContexts/+1', code: 'invalid-value' },
        { path: '/phoneContexts/a..b', code: 'invalid-value' },
      ],
    ],
    [
      'one domain twice, in two cases',
      { phoneContexts: { 'ims.example.net': 'US', 'IMS.Example.NET.': 'US' } },
      [{ path: '/phoneContexts/IMS.Example.NET.', code: 'invalid-value' }],
    ],
    [
      'a phone-context mapped to an unknown region',
      { phoneContexts: { 'ims.example.net': 'UK' } },
      [{ path: '/phoneContexts/ims.example.net', code: 'invalid-country' }],
    ],
    [
      'a phone-context mapped to a non-string',
      { phoneContexts: { 'ims.example.net': 1 } },
      [{ path: '/phoneContexts/ims.example.net', code: 'wrong-type' }],
    ],
    [
      'phoneContexts in an extension (it is account-wide)',
      { extensions: { 7: { phoneContexts: {} } } },
      [{ path: '/extensions/7/phoneContexts', code: 'unknown-field' }],
    ],
    [
      'a domain name over 253 characters',
      { phoneContexts: { [`${'a'.repeat(250)}.net`]: 'US' } },
      [{ path: `/phoneContexts/${'a'.repeat(250)}.net`, code: 'invalid-value' }],
    ],
    [
      'an IP with a leading zero',
      reg(['10.0.0.1', '010.0.0.2']),
      [{ path: '/registration/allowFrom/1', code: 'leading-zero' }],
    ],
    [
      'a prefix length over 32',
      reg(['10.0.0.0/33']),
      [{ path: '/registration/allowFrom/0', code: 'invalid-prefix-length' }],
    ],
    [
      'a reversed range',
      reg(['10.0.0.9-10.0.0.1']),
      [{ path: '/registration/allowFrom/0', code: 'range-reversed' }],
    ],
    [
      'a host name',
      reg(['pbx.example.com']),
      [{ path: '/registration/allowFrom/0', code: 'domain-not-supported' }],
    ],
    ['an empty entry', reg(['']), [{ path: '/registration/allowFrom/0', code: 'empty-entry' }]],
    [
      'a cap with 5 decimals',
      { maxRatePerMinute: '$0.00001' },
      [{ path: '/maxRatePerMinute', code: 'too-many-decimals' }],
    ],
    ['a negative cap', { maxRatePerMinute: '-0.01' }, [{ path: '/maxRatePerMinute', code: 'negative-rate' }]],
    [
      'a cap in exponent form',
      { maxRatePerMinute: '1e-2' },
      [{ path: '/maxRatePerMinute', code: 'invalid-rate' }],
    ],
    [
      'a JSON number cap with no exact decimal',
      { maxRatePerMinute: 1e-7 },
      [{ path: '/maxRatePerMinute', code: 'invalid-rate' }],
    ],
    [
      'a cap in another currency',
      { maxRatePerMinute: '€0.05' },
      [{ path: '/maxRatePerMinute', code: 'invalid-rate' }],
    ],
    [
      'a cap of the wrong type',
      { maxRatePerMinute: [] },
      [{ path: '/maxRatePerMinute', code: 'wrong-type' }],
    ],
    [
      'a non-string entry next to an invalid one keeps both indexes right',
      reg(['10.0.0.1', 5, '010.0.0.2']),
      [
        { path: '/registration/allowFrom/1', code: 'wrong-type' },
        { path: '/registration/allowFrom/2', code: 'leading-zero' },
      ],
    ],
    [
      'a non-string selector is reported once, by the shape check',
      { calling: { allow: [1, 'ZZ'] } },
      [
        { path: '/calling/allow/0', code: 'wrong-type' },
        { path: '/calling/allow/1', code: 'invalid-selector' },
      ],
    ],
  ])('%s', (_reason, doc, expected) => {
    expect(issuesOf(doc)).toEqual(expected);
  });

  it('accepts every valid form of each field', () => {
    const policy = compilePolicy({
      homeCountry: 'GB',
      registration: { restrict: false, allowFrom: ['2001:db8::/32', '192.0.2.0/255.255.255.0'] },
      calling: {
        allow: ['GB', 'IE/mobile', '+353', '001'],
        deny: ['*/premium-rate'],
        emergency: 'apply-rules',
      },
      maxRatePerMinute: 0.05,
      onUnknownRate: 'allow',
      extensions: { a: { maxRatePerMinute: null }, b: { maxRatePerMinute: '$.5' } },
    });
    expect(policy.checkRegistration({ extension: 'a', sourceIp: '198.51.100.1' }).code).toBe('unrestricted');
  });

  it('collects every problem of the account and of every extension in one error, ordered by path', () => {
    const doc = {
      homeCountry: 'XX',
      registrations: {},
      calling: { allow: ['UK'] },
      extensions: {
        10: { registration: { restrict: true, allowFrom: ['1.2.3.4/40'] }, maxRatePerMinute: '0.12345' },
        2: { registration: { restrict: 'yes' }, onUnknownRate: 1 },
      },
    };
    expect(issuesOf(doc)).toEqual([
      { path: '/calling/allow/0', code: 'invalid-selector' },
      { path: '/extensions/2/onUnknownRate', code: 'wrong-type' },
      { path: '/extensions/2/registration/restrict', code: 'wrong-type' },
      { path: '/extensions/10/maxRatePerMinute', code: 'too-many-decimals' },
      { path: '/extensions/10/registration/allowFrom/0', code: 'invalid-prefix-length' },
      { path: '/homeCountry', code: 'invalid-country' },
      { path: '/registrations', code: 'unknown-field' },
    ]);
  });

  it('reports each problem of a calling rule once, at its path: shape by the spec, selectors by phone', () => {
    const calling = {
      allow: ['US', 'XX', 7],
      deny: ['*/cellular', '+1876'],
      emergency: 'never',
      extra: 1,
      'a/b': 2,
    };
    expect(issuesOf({ extensions: { 101: { calling } } })).toEqual([
      { path: '/extensions/101/calling/allow/1', code: 'invalid-selector' },
      { path: '/extensions/101/calling/allow/2', code: 'wrong-type' },
      { path: '/extensions/101/calling/a~1b', code: 'unknown-field' },
      { path: '/extensions/101/calling/deny/0', code: 'invalid-selector' },
      { path: '/extensions/101/calling/emergency', code: 'invalid-value' },
      { path: '/extensions/101/calling/extra', code: 'unknown-field' },
    ]);
  });

  it('bounds selectors and IP entries once, by the bound their owner states', () => {
    expect(issuesOf({ calling: { allow: ['x'.repeat(65), 'x'.repeat(64)] } })).toEqual([
      { path: '/calling/allow/0', code: 'invalid-value' },
      { path: '/calling/allow/1', code: 'invalid-selector' },
    ]);
    expect(issuesOf(reg(['x'.repeat(129), `1.2.3.4${' '.repeat(121)}`]))).toEqual([
      { path: '/registration/allowFrom/0', code: 'invalid-value' },
    ]);
  });

  it('reports IP entries at their own index when an earlier item of the list has the wrong type', () => {
    expect(issuesOf(reg([7, '1.2.3', null, '010.0.0.1']))).toEqual([
      { path: '/registration/allowFrom/0', code: 'wrong-type' },
      { path: '/registration/allowFrom/1', code: 'invalid-address' },
      { path: '/registration/allowFrom/2', code: 'wrong-type' },
      { path: '/registration/allowFrom/3', code: 'leading-zero' },
    ]);
  });

  it.each<[unknown, RegExp, string]>([
    [null, /^expected an object, got null$/, 'calling is null'],
    [['GB'], /got an array$/, 'calling is an array'],
    ['GB', /got the string "GB"$/, 'calling is a string'],
    [7, /got the number 7$/, 'calling is a number'],
    [{ allow: null }, /^expected an array of strings, got null$/, 'allow is null'],
    [{ deny: [['GB']] }, /^expected a string, got an array$/, 'a selector is an array'],
    [{ deny: [7] }, /got the number 7$/, 'a selector is a number'],
    [
      { emergency: 'never' },
      /^"never" is not one of "allow", "apply-rules"$/,
      'emergency is an unknown word',
    ],
  ])('a calling rule of the wrong shape says what was found: %j', (calling, message) => {
    let issues: readonly { message: string }[] = [];
    try {
      compilePolicyJson({ calling });
    } catch (error) {
      if (error instanceof SipguardError) issues = error.issues;
    }
    expect(issues.map((i) => i.message)).toEqual([expect.stringMatching(message)]);
  });

  it('reports an invalid list at every place it appears, though it is parsed once', () => {
    const bad = { registration: { restrict: true, allowFrom: ['1.2.3'] } };
    expect(issuesOf({ ...bad, extensions: { x: bad, y: bad } })).toEqual([
      { path: '/extensions/x/registration/allowFrom/0', code: 'invalid-address' },
      { path: '/extensions/y/registration/allowFrom/0', code: 'invalid-address' },
      { path: '/registration/allowFrom/0', code: 'invalid-address' },
    ]);
  });

  it('throws one SipguardError whose message counts the problems and quotes the first', () => {
    expect(() => compilePolicyJson({ homeCountry: 'XX', onUnknownRate: 'x' })).toThrowError(
      /^invalid policy: 2 problems: \/homeCountry: "XX" is not/,
    );
  });

  // An extension id no request carries would leave the account's rules in force without a word.
  it.each([
    ['100\u200b', 'contains U+200B ZERO WIDTH SPACE at position 4', 'a zero-width space pasted after it'],
    ['\ufeff100', 'starts with U+FEFF BYTE ORDER MARK', 'a byte order mark'],
    ['100\t', 'contains U+0009 CHARACTER TABULATION at position 4', 'a tab'],
    [' 100', 'starts with a space', 'a leading space'],
    ['100 ', 'ends with a space', 'a trailing space'],
  ])('the extension id %j is invalid-value: %s (%s)', (id, message) => {
    let thrown: unknown;
    try {
      compilePolicy({ extensions: { [id]: { calling: { allow: ['US'] } } } });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(SipguardError);
    const issues = (thrown as SipguardError).issues;
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: `/extensions/${id}`, code: 'invalid-value', input: id });
    expect(issues[0]?.message).toContain(message);
  });

  it('accepts extension ids with inner spaces and any visible characters', () => {
    const policy = compilePolicy({ extensions: { 'sales desk': {}, 'ü-100': {}, '+1/2': {} } });
    expect(policy.checkRegistration({ extension: 'sales desk', sourceIp: '192.0.2.1' }).allowed).toBe(true);
  });

  it('escapes extension ids in paths (RFC 6901)', () => {
    expect(issuesOf({ extensions: { 'sales/1~a': { homeCountry: 'XX' } } })).toEqual([
      { path: '/extensions/sales~11~0a/homeCountry', code: 'invalid-country' },
    ]);
  });

  it('does not look at inherited properties of the document', () => {
    const doc = Object.create({ registration: { restrict: true, allowFrom: [] } });
    const policy = compilePolicy(doc);
    expect(policy.checkRegistration({ extension: '1', sourceIp: '192.0.2.1' }).code).toBe('unrestricted');
  });
});
