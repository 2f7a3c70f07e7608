// The public strict JSON reading: parseJsonText / safeParseJsonText against JSON.parse, the reference
// for every text that has no duplicate key.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compilePolicyJson,
  MAX_JSON_DEPTH,
  parseJsonText,
  SipguardError,
  safeParseJsonText,
} from '../../src/index.js';

describe('safeParseJsonText', () => {
  it.each<[string, string]>([
    ['{}', 'an empty object'],
    ['  [1, "two", null, true, {"a": -0.5e3}]  ', 'every kind of value, with space around'],
    ['{"a": {"k": 1}, "b": {"k": 2}}', 'one key in two objects is no duplicate'],
    ['"\\u00e9"', 'a string with an escape'],
  ])('reads %j as JSON.parse does (%s)', (text) => {
    expect(safeParseJsonText(text)).toEqual({ success: true, value: JSON.parse(text) });
  });

  it('reports every duplicate key with its path, line and column', () => {
    const text =
      '{\n  "registration": { "restrict": true, "restrict": false },\n  "homeCountry": "US",\n  "homeCountry": "JM"\n}';
    expect(safeParseJsonText(text)).toEqual({
      success: false,
      issues: [
        {
          path: '/registration/restrict',
          code: 'duplicate-key',
          message: 'duplicate key "restrict": only the last one would count',
          line: 2,
          column: 39,
        },
        {
          path: '/homeCountry',
          code: 'duplicate-key',
          message: 'duplicate key "homeCountry": only the last one would count',
          line: 4,
          column: 3,
        },
      ],
    });
  });

  it.each<[string, number, number, string]>([
    ['{"a": tru}', 1, 7, 'a misspelt literal'],
    ['{"a": 1,}', 1, 9, 'a trailing comma'],
    ['[1]\n[2]', 2, 1, 'text after the value'],
    ['', 1, 1, 'no value at all'],
  ])('reports a syntax error in %j at line %i, column %i (%s)', (text, line, column) => {
    const result = safeParseJsonText(text);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues).toEqual([
      expect.objectContaining({ path: '', code: 'invalid-json', line, column }),
    ]);
    expect(result.issues[0]?.message).toMatch(/^invalid JSON: /);
  });

  it(`refuses nesting deeper than MAX_JSON_DEPTH (${MAX_JSON_DEPTH})`, () => {
    const depth = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    expect(safeParseJsonText(depth(MAX_JSON_DEPTH)).success).toBe(true);
    const deep = safeParseJsonText(depth(MAX_JSON_DEPTH + 1));
    expect(deep).toEqual({ success: false, issues: [expect.objectContaining({ code: 'invalid-json' })] });
  });

  it('answers a value that is not text with an issue, not a throw', () => {
    const notText: unknown = { homeCountry: 'US' };
    expect(safeParseJsonText(notText as string)).toEqual({
      success: false,
      issues: [
        expect.objectContaining({ code: 'invalid-json', message: expect.stringContaining('got object') }),
      ],
    });
  });

  it('agrees with JSON.parse on every JSON value (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), fc.boolean(), (value, pretty) => {
        const text = JSON.stringify(value, null, pretty ? 2 : undefined);
        expect(safeParseJsonText(text)).toEqual({ success: true, value: JSON.parse(text) });
      }),
    );
  });
});

describe('parseJsonText', () => {
  it('returns the value, ready for compilePolicyJson', () => {
    const text = readFileSync(resolve(import.meta.dirname, '../../examples/policy.json'), 'utf8');
    // The example has no duplicate key, so the policy is the one JSON.parse gives.
    const call = { extension: '100', dialed: '+18765550100' };
    expect(compilePolicyJson(parseJsonText(text)).checkCall(call)).toEqual(
      compilePolicyJson(JSON.parse(text)).checkCall(call),
    );
  });

  it('throws one invalid-json-text error with every issue', () => {
    const text = '{"a": 1, "a": 2, "b": {"c": 1, "c": 2}}';
    let thrown: unknown;
    try {
      parseJsonText(text);
    } catch (error) {
      thrown = error;
    }
    expect(SipguardError.is(thrown)).toBe(true);
    if (!SipguardError.is(thrown)) return;
    expect(thrown.code).toBe('invalid-json-text');
    expect(thrown.issues.map((i) => [i.path, i.code])).toEqual([
      ['/a', 'duplicate-key'],
      ['/b/c', 'duplicate-key'],
    ]);
    expect(thrown.message).toContain('invalid JSON text: 2 problems');
  });
});
