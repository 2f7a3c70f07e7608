// Hostile policy documents: prototype keys as ids and fields, accessors, wrong types everywhere, deep
// nesting, cycles, oversized documents and duplicate keys. Each row gives why it is there and the exact
// outcome: the issues ([JSON pointer, code]) of the thrown `invalid-policy` error. Expected issues
// follow docs/policy.md (shape first, then each module's meaning), not the code.
import { describe, expect, it } from 'vitest';
import { SipguardError } from '../../src/errors.js';
import { checkJsonText } from '../../src/json/check-json.js';
import { compilePolicy, compilePolicyJson } from '../../src/policy/index.js';

type Issues = [string, string][];

function issuesOf(doc: unknown): Issues | 'compiled' {
  try {
    compilePolicyJson(doc);
    return 'compiled';
  } catch (error) {
    if (!(error instanceof SipguardError)) throw error;
    expect(error.code).toBe('invalid-policy');
    return error.issues.map((i) => [i.path, i.code]);
  }
}

function nested(depth: number, leaf: unknown): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

// [document, expected issues, reason]; documents given as text go through JSON.parse, as a caller's would.
const documents: [unknown, Issues, string][] = [
  [null, [['', 'wrong-type']], 'null document'],
  [[], [['', 'wrong-type']], 'array document'],
  ['{}', [['', 'wrong-type']], 'a string holding JSON, not parsed'],
  [42, [['', 'wrong-type']], 'a number'],
  [new Map([['homeCountry', 'US']]), [['', 'wrong-type']], 'a Map'],
  [new Date(0), [['', 'wrong-type']], 'a Date'],
  [
    JSON.parse('{"__proto__": {"homeCountry": "US"}}'),
    [['/__proto__', 'unknown-field']],
    '__proto__ as a field',
  ],
  [JSON.parse('{"constructor": {}}'), [['/constructor', 'unknown-field']], 'constructor as a field'],
  [JSON.parse('{"toString": "x"}'), [['/toString', 'unknown-field']], 'toString as a field'],
  [
    JSON.parse('{"registration": {"restrict": true, "__proto__": {"allowFrom": ["0.0.0.0/0"]}}}'),
    [['/registration/__proto__', 'unknown-field']],
    '__proto__ smuggling an allow-everything list',
  ],
  [
    JSON.parse('{"calling": {"__proto__": {"allow": ["*/premium-rate"]}}}'),
    [['/calling/__proto__', 'unknown-field']],
    '__proto__ inside calling',
  ],
  [
    JSON.parse('{"extensions": {"1": {"__proto__": {"maxRatePerMinute": null}}}}'),
    [['/extensions/1/__proto__', 'unknown-field']],
    '__proto__ inside an extension',
  ],
  [{ homeCountry: 1 }, [['/homeCountry', 'wrong-type']], 'number country'],
  [{ homeCountry: ['US'] }, [['/homeCountry', 'wrong-type']], 'array country'],
  [{ homeCountry: 'us' }, [['/homeCountry', 'invalid-country']], 'lower case'],
  [{ homeCountry: 'UK' }, [['/homeCountry', 'invalid-country']], 'UK is not ISO 3166-1'],
  [{ homeCountry: 'ＵＳ' }, [['/homeCountry', 'invalid-country']], 'full-width letters'],
  [{ homeCountry: 'U\u0405' }, [['/homeCountry', 'invalid-country']], 'Cyrillic DZE look-alike of S'],
  [{ homeCountry: 'US\u0000' }, [['/homeCountry', 'invalid-country']], 'trailing NUL'],
  [{ homeCountry: '\ud800' }, [['/homeCountry', 'invalid-country']], 'lone surrogate'],
  [{ homeCountry: 'U'.repeat(1 << 20) }, [['/homeCountry', 'invalid-value']], '1 MB country'],
  [{ registration: [] }, [['/registration', 'wrong-type']], 'array registration'],
  [{ registration: {} }, [['/registration/restrict', 'missing-field']], 'restrict missing'],
  [{ registration: { restrict: 'true' } }, [['/registration/restrict', 'wrong-type']], 'string boolean'],
  [{ registration: { restrict: 1 } }, [['/registration/restrict', 'wrong-type']], 'number boolean'],
  [{ registration: { restrict: null } }, [['/registration/restrict', 'wrong-type']], 'null boolean'],
  [
    { registration: { restrict: true, allowFrom: '1.2.3.4' } },
    [['/registration/allowFrom', 'wrong-type']],
    'a string, not a list',
  ],
  [
    { registration: { restrict: true, allowFrom: [1, null, {}, ['1.2.3.4'], '1.2.3.4'] } },
    [
      ['/registration/allowFrom/0', 'wrong-type'],
      ['/registration/allowFrom/1', 'wrong-type'],
      ['/registration/allowFrom/2', 'wrong-type'],
      ['/registration/allowFrom/3', 'wrong-type'],
    ],
    'wrong item types, each at its index',
  ],
  [
    // biome-ignore lint/suspicious/noSparseArray: a hole is the input under test
    { registration: { restrict: true, allowFrom: [, '1.2.3.4'] } },
    [['/registration/allowFrom/0', 'wrong-type']],
    'a hole in the list',
  ],
  [
    {
      registration: {
        restrict: true,
        allowFrom: ['1.2.3.4', '0177.0.0.1', '１.2.3.4', 'x'.repeat(129), `1.2.3.4${' '.repeat(121)}`],
      },
    },
    [
      ['/registration/allowFrom/1', 'leading-zero'],
      ['/registration/allowFrom/2', 'invalid-address'],
      ['/registration/allowFrom/3', 'invalid-value'],
    ],
    'hostile entries reported by the IP module, one over its 128-character bound by the shape (128 is fine)',
  ],
  [
    { registration: { restrict: true, allowFrom: Array.from({ length: 1001 }, () => '1.2.3.4') } },
    [['/registration/allowFrom', 'invalid-value']],
    'one entry over the list bound',
  ],
  [{ calling: 'US' }, [['/calling', 'wrong-type']], 'string calling'],
  [{ calling: { allow: 'US' } }, [['/calling/allow', 'wrong-type']], 'string allow'],
  [{ calling: { emergency: true } }, [['/calling/emergency', 'wrong-type']], 'boolean emergency'],
  [{ calling: { emergency: 'deny' } }, [['/calling/emergency', 'invalid-value']], 'unknown emergency mode'],
  [
    { calling: { allow: ['ＧＢ', 'GB/Mobile', '+１', '+', '*', 'UK', '+0', '+1876\u0000', '*/*', 'gb'] } },
    [
      ['/calling/allow/0', 'invalid-selector'],
      ['/calling/allow/1', 'invalid-selector'],
      ['/calling/allow/2', 'invalid-selector'],
      ['/calling/allow/3', 'invalid-selector'],
      ['/calling/allow/4', 'invalid-selector'],
      ['/calling/allow/5', 'invalid-selector'],
      ['/calling/allow/6', 'invalid-selector'],
      ['/calling/allow/7', 'invalid-selector'],
      ['/calling/allow/8', 'invalid-selector'],
      ['/calling/allow/9', 'invalid-selector'],
    ],
    'look-alike and malformed selectors',
  ],
  [
    { calling: { allow: nested(10_000, 'US') } },
    [['/calling/allow/0', 'wrong-type']],
    '10 000 nested arrays',
  ],
  [{ $schema: nested(10_000, 'x') }, [['/$schema', 'wrong-type']], 'deep nesting in an ignored field'],
  [{ maxRatePerMinute: true }, [['/maxRatePerMinute', 'wrong-type']], 'boolean cap'],
  [{ maxRatePerMinute: {} }, [['/maxRatePerMinute', 'wrong-type']], 'object cap'],
  [{ maxRatePerMinute: ['0.05'] }, [['/maxRatePerMinute', 'wrong-type']], 'array cap'],
  [{ maxRatePerMinute: '0.00001' }, [['/maxRatePerMinute', 'too-many-decimals']], 'caps have 4 decimals'],
  [{ maxRatePerMinute: -0 }, [['/maxRatePerMinute', 'negative-rate']], 'negative zero cap'],
  [{ maxRatePerMinute: '1e-2' }, [['/maxRatePerMinute', 'invalid-rate']], 'exponent cap'],
  [{ maxRatePerMinute: Number.NaN }, [['/maxRatePerMinute', 'invalid-rate']], 'NaN cap'],
  [{ onUnknownRate: false }, [['/onUnknownRate', 'wrong-type']], 'boolean onUnknownRate'],
  [{ onUnknownRate: 'Allow' }, [['/onUnknownRate', 'invalid-value']], 'case matters'],
  [{ extensions: [] }, [['/extensions', 'wrong-type']], 'array of extensions'],
  [
    { extensions: { 1: null, 2: [], 3: 'x' } },
    [
      ['/extensions/1', 'wrong-type'],
      ['/extensions/2', 'wrong-type'],
      ['/extensions/3', 'wrong-type'],
    ],
    'extension values of the wrong type',
  ],
  [{ extensions: { '': {} } }, [['/extensions/', 'invalid-value']], 'empty extension id'],
  [
    { extensions: { ['x'.repeat(65)]: {} } },
    [[`/extensions/${'x'.repeat(65)}`, 'invalid-value']],
    'id over 64 characters',
  ],
  [
    { extensions: { 'a/b~c': { homeCountry: 'XX' } } },
    [['/extensions/a~1b~0c/homeCountry', 'invalid-country']],
    'id escaped in the pointer',
  ],
  [
    { extensions: { 1: { extensions: {} } } },
    [['/extensions/1/extensions', 'unknown-field']],
    'extensions do not nest',
  ],
  [
    { extensions: Object.fromEntries(Array.from({ length: 10_001 }, (_, i) => [String(i), {}])) },
    [['/extensions', 'invalid-value']],
    'one extension over the bound',
  ],
  [{ homeCountyr: 'US' }, [['/homeCountyr', 'unknown-field']], 'a typo is an error, not ignored'],
];

describe('adversarial policy documents', () => {
  it.each(documents.map(([doc, issues, reason]) => [reason, issues, doc] as const))(
    '%s',
    (_, issues, doc) => {
      expect(issuesOf(doc)).toEqual(issues);
    },
  );

  it('accepts __proto__, constructor and other prototype names as plain extension ids', () => {
    const doc = JSON.parse(`{
      "registration": { "restrict": true, "allowFrom": ["192.0.2.0/24"] },
      "extensions": {
        "__proto__": { "registration": { "restrict": false } },
        "constructor": { "registration": { "restrict": true, "allowFrom": ["198.51.100.7"] } },
        "hasOwnProperty": { "registration": { "restrict": true, "allowFrom": [] } }
      }
    }`);
    const policy = compilePolicy(doc);
    const code = (extension: string, sourceIp: string) => {
      const d = policy.checkRegistration({ extension, sourceIp });
      return `${d.code}/${d.scope}`;
    };
    expect(code('__proto__', '203.0.113.1')).toBe('unrestricted/extension');
    expect(code('constructor', '198.51.100.7')).toBe('ip-allowed/extension');
    expect(code('constructor', '192.0.2.1')).toBe('ip-not-allowed/extension');
    expect(code('hasOwnProperty', '192.0.2.1')).toBe('allow-list-empty/extension');
    // Names that exist only on Object.prototype are not extensions: the account rule applies.
    for (const id of ['toString', 'valueOf', '__defineGetter__', 'prototype']) {
      expect(code(id, '192.0.2.1')).toBe('ip-allowed/account');
      expect(code(id, '203.0.113.1')).toBe('ip-not-allowed/account');
    }
    // Nothing leaked onto the shared prototype.
    expect(({} as Record<string, unknown>).registration).toBeUndefined();
  });

  it('ignores inherited fields: a polluted prototype cannot add rules', () => {
    const inherited = Object.create({ registration: { restrict: false }, homeCountry: 'US' }) as object;
    const policy = compilePolicy(
      Object.assign(inherited, { registration: { restrict: true, allowFrom: ['192.0.2.0/24'] } }),
    );
    expect(policy.checkRegistration({ extension: '1', sourceIp: '203.0.113.1' }).code).toBe('ip-not-allowed');
    // homeCountry was only inherited, so calls cannot be read.
    expect(policy.checkCall({ extension: '1', dialed: '+12125550100' }).code).toBe('invalid-number');
  });

  it('refuses accessors at every level without running them', () => {
    let runs = 0;
    const getter = (value: unknown) => ({
      get() {
        runs++;
        return value;
      },
      enumerable: true,
    });
    const top = Object.defineProperty({}, 'homeCountry', getter('US'));
    const registration = Object.defineProperty({ restrict: true }, 'allowFrom', getter(['0.0.0.0/0']));
    const list = Object.defineProperty(['192.0.2.1', 'placeholder'], 1, getter('0.0.0.0/0'));
    const extensions = Object.defineProperty({}, '101', getter({}));
    expect(issuesOf(top)).toEqual([['/homeCountry', 'wrong-type']]);
    expect(issuesOf({ registration })).toEqual([['/registration/allowFrom', 'wrong-type']]);
    expect(issuesOf({ registration: { restrict: true, allowFrom: list } })).toEqual([
      ['/registration/allowFrom/1', 'wrong-type'],
    ]);
    expect(issuesOf({ extensions })).toEqual([['/extensions/101', 'wrong-type']]);
    expect(runs).toBe(0);
  });

  it('does not follow cycles', () => {
    const doc: Record<string, unknown> = { homeCountry: 'US' };
    doc.extensions = { 1: doc };
    expect(issuesOf(doc)).toEqual([['/extensions/1/extensions', 'unknown-field']]);
  });

  it('never calls toString or valueOf on values of the wrong type', () => {
    let calls = 0;
    const sneaky = {
      toString: () => {
        calls++;
        return 'US';
      },
      valueOf: () => {
        calls++;
        return 0.05;
      },
    };
    expect(issuesOf({ homeCountry: sneaky, maxRatePerMinute: sneaky, onUnknownRate: sneaky })).toEqual([
      ['/homeCountry', 'wrong-type'],
      ['/maxRatePerMinute', 'wrong-type'],
      ['/onUnknownRate', 'wrong-type'],
    ]);
    expect(calls).toBe(0);
  });

  it('quotes huge inputs briefly: the error stays small whatever the document', () => {
    const big = 'x'.repeat(1 << 20);
    let error: unknown;
    try {
      compilePolicyJson({ [big]: 1, homeCountry: big, extensions: { 1: { calling: { allow: [big] } } } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SipguardError);
    expect((error as SipguardError).message.length).toBeLessThan(2000);
  });
});

describe('duplicate keys, which JSON.parse hides, are found in the text', () => {
  // [text, expected duplicate paths, reason]
  const texts: [string, string[], string][] = [
    [
      '{"registration": {"restrict": true, "restrict": false}}',
      ['/registration/restrict'],
      'last one would win',
    ],
    ['{"homeCountry": "US", "homeCountry": "JM"}', ['/homeCountry'], 'top level'],
    ['{"extensions": {"101": {}, "101": {"maxRatePerMinute": null}}}', ['/extensions/101'], 'extension id'],
    ['{"a": 1, "\\u0061": 2}', ['/a'], 'an escaped spelling of the same key'],
    ['{"__proto__": 1, "__proto__": 2}', ['/__proto__'], '__proto__ twice'],
    ['{"a": {"k": 1}, "b": {"k": 1}}', [], 'the same key in different objects is fine'],
  ];
  it.each(texts.map(([text, paths, reason]) => [reason, text, paths] as const))('%s', (_, text, paths) => {
    const problems = checkJsonText(text);
    expect(problems.every((p) => p.kind === 'duplicate-key')).toBe(true);
    expect(problems.map((p) => p.path)).toEqual(paths);
  });

  it('refuses nesting deeper than its limit without exhausting the stack', () => {
    const problems = checkJsonText('['.repeat(100_000));
    expect(problems.map((p) => p.kind)).toEqual(['too-deep']);
  });
});
