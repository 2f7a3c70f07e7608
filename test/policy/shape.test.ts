import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildPolicySchema } from '../../src/policy/schema.js';
import {
  DOCUMENT_SPEC,
  MAX_ALLOW_FROM_ENTRIES,
  MAX_EXTENSION_ID_LENGTH,
  MAX_EXTENSIONS,
} from '../../src/policy/spec.js';
import { checkShape, type PolicyIssue } from '../../src/policy/validate.js';
import { describeValue } from '../../src/text.js';

function shapeIssues(doc: unknown): { path: string; code: string }[] {
  const issues: PolicyIssue[] = [];
  checkShape(doc, DOCUMENT_SPEC, '', issues);
  return issues.map((i) => ({ path: i.path, code: i.code }));
}

describe('checked-in JSON Schema', () => {
  it('equals the schema generated from the spec (run `npx tsx schema/generate.ts` if this fails)', () => {
    const file = resolve(import.meta.dirname, '../../schema/policy.schema.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(buildPolicySchema());
  });
});

describe('shape walker', () => {
  it.each([
    [{}, [], 'an empty document is a valid shape'],
    [[], [{ path: '', code: 'wrong-type' }], 'an array is not a document'],
    [null, [{ path: '', code: 'wrong-type' }], 'null is not a document'],
    [new Map(), [{ path: '', code: 'wrong-type' }], 'a Map is not a plain object'],
    [
      { homecountry: 'US' },
      [{ path: '/homecountry', code: 'unknown-field' }],
      'a typo in a field name is an error',
    ],
    [{ homeCountry: 1 }, [{ path: '/homeCountry', code: 'wrong-type' }], 'homeCountry must be a string'],
    [
      { homeCountry: 'U'.repeat(101) },
      [{ path: '/homeCountry', code: 'invalid-value' }],
      'over-long strings',
    ],
    [
      { registration: {} },
      [{ path: '/registration/restrict', code: 'missing-field' }],
      'restrict is required',
    ],
    [{ registration: { restrict: 'yes' } }, [{ path: '/registration/restrict', code: 'wrong-type' }], 'bool'],
    [
      { registration: { restrict: true, allowFrom: '1.2.3.4' } },
      [{ path: '/registration/allowFrom', code: 'wrong-type' }],
      'allowFrom must be an array',
    ],
    [
      { registration: { restrict: true, allowFrom: ['1.2.3.4', 5, null] } },
      [
        { path: '/registration/allowFrom/1', code: 'wrong-type' },
        { path: '/registration/allowFrom/2', code: 'wrong-type' },
      ],
      'each non-string entry is reported at its index',
    ],
    [
      // biome-ignore lint/suspicious/noSparseArray: a hole is the point of this row
      { registration: { restrict: true, allowFrom: ['1.2.3.4', , '1.2.3.5'] } },
      [{ path: '/registration/allowFrom/1', code: 'wrong-type' }],
      'a hole in a list is reported, never read through the prototype',
    ],
    [
      { calling: { emergency: 'never' } },
      [{ path: '/calling/emergency', code: 'invalid-value' }],
      'enum value',
    ],
    [{ calling: { emergency: 1 } }, [{ path: '/calling/emergency', code: 'wrong-type' }], 'enum type'],
    [
      { calling: { alow: ['US'] } },
      [{ path: '/calling/alow', code: 'unknown-field' }],
      'typo inside calling',
    ],
    [{ maxRatePerMinute: true }, [{ path: '/maxRatePerMinute', code: 'wrong-type' }], 'cap type'],
    [{ maxRatePerMinute: null }, [], 'null cap is a valid shape'],
    [{ onUnknownRate: 'maybe' }, [{ path: '/onUnknownRate', code: 'invalid-value' }], 'onUnknownRate value'],
    [{ extensions: [] }, [{ path: '/extensions', code: 'wrong-type' }], 'extensions must be an object'],
    [
      { extensions: { 101: 'x' } },
      [{ path: '/extensions/101', code: 'wrong-type' }],
      'extension must be object',
    ],
    [{ extensions: { '': {} } }, [{ path: '/extensions/', code: 'invalid-value' }], 'empty extension id'],
    [
      { extensions: { 'a/b~c': { extensions: {} } } },
      [{ path: '/extensions/a~1b~0c/extensions', code: 'unknown-field' }],
      'extensions do not nest; ids are escaped as JSON-pointer segments',
    ],
    [
      { extensions: { x: { registration: { restrict: true, allowFrom: [1] } } } },
      [{ path: '/extensions/x/registration/allowFrom/0', code: 'wrong-type' }],
      'paths inside extensions',
    ],
  ])('%j -> %j (%s)', (doc, expected, _reason) => {
    expect(shapeIssues(doc)).toEqual(expected);
  });

  it('reports an over-long extension id', () => {
    const id = 'x'.repeat(MAX_EXTENSION_ID_LENGTH + 1);
    expect(shapeIssues({ extensions: { [id]: {} } })).toEqual([
      { path: `/extensions/${id}`, code: 'invalid-value' },
    ]);
    expect(shapeIssues({ extensions: { [id.slice(1)]: {} } })).toEqual([]);
  });

  it('bounds the number of extensions and list entries', () => {
    const many = Object.fromEntries(Array.from({ length: MAX_EXTENSIONS + 1 }, (_, i) => [`e${i}`, {}]));
    expect(shapeIssues({ extensions: many })).toEqual([{ path: '/extensions', code: 'invalid-value' }]);
    const allowFrom = Array.from({ length: MAX_ALLOW_FROM_ENTRIES + 1 }, () => '10.0.0.1');
    expect(shapeIssues({ registration: { restrict: true, allowFrom } })).toEqual([
      { path: '/registration/allowFrom', code: 'invalid-value' },
    ]);
  });

  it('rejects accessor properties instead of running them', () => {
    let ran = false;
    const doc = {};
    Object.defineProperty(doc, 'homeCountry', {
      enumerable: true,
      get() {
        ran = true;
        return 'US';
      },
    });
    expect(shapeIssues(doc)).toEqual([{ path: '/homeCountry', code: 'wrong-type' }]);
    const extensions = {};
    Object.defineProperty(extensions, '7', { enumerable: true, get: () => ({}) });
    expect(shapeIssues({ extensions })).toEqual([{ path: '/extensions/7', code: 'wrong-type' }]);
    expect(ran).toBe(false);
  });

  it('ignores inherited fields: only own properties are read', () => {
    const doc = Object.create({ homeCountry: 1, bogus: true });
    expect(shapeIssues(doc)).toEqual([]);
  });

  it('treats "__proto__", "constructor" and "toString" as field names to reject, not as prototype access', () => {
    const doc = JSON.parse('{"__proto__": {"homeCountry": "US"}, "constructor": 1, "toString": 2}');
    expect(shapeIssues(doc)).toEqual([
      { path: '/__proto__', code: 'unknown-field' },
      { path: '/constructor', code: 'unknown-field' },
      { path: '/toString', code: 'unknown-field' },
    ]);
  });

  it('suggests the intended field for a typo', () => {
    const issues: PolicyIssue[] = [];
    checkShape({ maxRatePerMinut: '$0.01', Calling: {} }, DOCUMENT_SPEC, '', issues);
    expect(issues.map((i) => i.message)).toEqual([
      expect.stringContaining('(did you mean "maxRatePerMinute"?)'),
      expect.stringContaining('(did you mean "calling"?)'),
    ]);
    const far: PolicyIssue[] = [];
    checkShape({ zzz: 1 }, DOCUMENT_SPEC, '', far);
    expect(far[0]?.message).not.toContain('did you mean');
  });

  it('quotes the input and names what was expected', () => {
    const issues: PolicyIssue[] = [];
    checkShape({ registration: { restrict: 'true' } }, DOCUMENT_SPEC, '', issues);
    expect(issues[0]?.message).toBe('expected true or false, got the string "true"');
    expect(issues[0]?.input).toBe('true');
  });
});

describe('message helpers', () => {
  it.each([
    [null, 'null'],
    [[1], 'an array'],
    ['ab', 'the string "ab"'],
    [1.5, 'the number 1.5'],
    [false, 'the boolean false'],
    [{}, 'an object'],
    [new Date(0), 'a Date'],
    [undefined, 'undefined'],
    [1n, 'bigint'],
  ])('describeValue(%s) = %s', (value, expected) => {
    expect(describeValue(value)).toBe(expected);
  });

  it('shortens long quoted input', () => {
    expect(describeValue('a'.repeat(150))).toBe(`the string "${'a'.repeat(64)}…"`);
  });
});
