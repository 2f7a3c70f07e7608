import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkJsonText, MAX_JSON_DEPTH } from '../../src/json/check-json.js';

describe('checkJsonText: syntax errors are located by line and column', () => {
  it.each([
    ['{"a":}', 1, 6, 'expected a value but found "}"', 'a value is missing after the colon'],
    ['{"a":1,}', 1, 8, 'expected a double-quoted property name but found "}"', 'trailing comma in an object'],
    ['[1 2]', 1, 4, "expected ',' or ']' but found \"2\"", 'missing comma in an array'],
    ['{"a" 1}', 1, 6, 'expected \':\' after a property name but found "1"', 'missing colon'],
    ['', 1, 1, 'expected a value but found the end of the text', 'empty text'],
    ['{\n  "a": tru\n}', 2, 8, 'expected true but found "t"', 'misspelt literal on the second line'],
    ['{"a": 01}', 1, 7, 'numbers may not have leading zeros', 'leading zero'],
    ['{"a": "x', 1, 9, 'unterminated string', 'string runs to the end'],
    ['{"a": "\\q"}', 1, 8, 'invalid escape \\q', 'unknown escape'],
    ['{"a": "\\u12G4"}', 1, 8, 'a \\u escape needs four hex digits', 'bad unicode escape'],
    ['{"a": "x\ny"}', 1, 9, 'control characters must be escaped inside strings', 'raw newline in a string'],
    ['{} x', 1, 4, 'unexpected text after the JSON value', 'trailing garbage'],
    ['-', 1, 2, 'a number needs digits', 'lone minus'],
    ['1.', 1, 3, 'a number needs digits after the decimal point', 'dangling decimal point'],
    ['1e', 1, 3, 'a number needs digits in its exponent', 'dangling exponent'],
    ['{"a":1 "b":2}', 1, 8, "expected ',' or '}' but found \"\\\"\"", 'missing comma in an object'],
  ])('%j -> line %i col %i: %s (%s)', (text, line, column, message) => {
    expect(checkJsonText(text)).toEqual([{ kind: 'syntax', message, line, column, path: '' }]);
  });

  it('accepts every valid form, including escapes, exponents and nested empties', () => {
    const text = '{"a":[1,-0.5e+3,2E-2,true,false,null,"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"],"b":{},"c":[]}';
    expect(checkJsonText(text)).toEqual([]);
  });
});

describe('checkJsonText: duplicate keys', () => {
  it('reports each duplicate with its path and position, also in nested objects', () => {
    const text = '{\n "registration": {"restrict": true, "restrict": false},\n "x": 1, "x": 2\n}';
    expect(checkJsonText(text)).toEqual([
      {
        kind: 'duplicate-key',
        message: 'duplicate key "restrict": only the last one would count',
        line: 2,
        column: 37,
        path: '/registration/restrict',
      },
      {
        kind: 'duplicate-key',
        message: 'duplicate key "x": only the last one would count',
        line: 3,
        column: 10,
        path: '/x',
      },
    ]);
  });

  it('compares decoded keys, so an escaped spelling is the same key, and escapes paths per RFC 6901', () => {
    expect(checkJsonText('[{"a/b": 1, "a\\u002fb": 2}]')).toEqual([
      {
        kind: 'duplicate-key',
        message: 'duplicate key "a/b": only the last one would count',
        line: 1,
        column: 13,
        path: '/0/a~1b',
      },
    ]);
  });

  it('does not mistake the same key in sibling objects for a duplicate', () => {
    expect(checkJsonText('{"a": {"k": 1}, "b": {"k": 2}}')).toEqual([]);
  });
});

describe('checkJsonText: depth bound', () => {
  // Levels are containers: `[[]]` is 2 deep, and so is `{"a":{"a":1}}`, whose innermost value is no level.
  const arrays = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
  const objects = (n: number) => `${'{"a":'.repeat(n - 1)}{"a":1}${'}'.repeat(n - 1)}`;
  it.each([
    ['empty arrays', arrays],
    ['objects holding a number', objects],
  ])(`accepts exactly ${MAX_JSON_DEPTH} levels of %s and refuses one more`, (_what, nest) => {
    expect(checkJsonText(nest(MAX_JSON_DEPTH))).toEqual([]);
    const [problem] = checkJsonText(nest(MAX_JSON_DEPTH + 1));
    expect(problem?.kind).toBe('too-deep');
    expect(problem?.message).toContain(`nesting deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('reports the opening bracket of the level too many', () => {
    const [problem] = checkJsonText(arrays(MAX_JSON_DEPTH + 1));
    expect(problem?.column).toBe(MAX_JSON_DEPTH + 1);
  });
});

describe('checkJsonText agrees with JSON.parse', () => {
  const parses = (text: string) => {
    try {
      JSON.parse(text);
      return true;
    } catch {
      return false;
    }
  };
  const syntaxOk = (text: string) => !checkJsonText(text).some((p) => p.kind !== 'duplicate-key');

  it('on serialized random JSON values (always valid)', () => {
    fc.assert(
      fc.property(fc.json({ depthSize: 'small' }), (text) => {
        expect(syntaxOk(text)).toBe(true);
      }),
    );
  });

  it('on random JSON text with one character deleted, replaced or inserted', () => {
    const mutated = fc
      .tuple(
        fc.json({ depthSize: 'small' }),
        fc.nat(),
        fc.constantFrom('del', 'rep', 'ins'),
        fc.constantFrom(...',:{}[]"\\ 0123e.-tfn\n'),
      )
      .map(([text, n, op, ch]) => {
        const i = text.length === 0 ? 0 : n % text.length;
        if (op === 'del') return text.slice(0, i) + text.slice(i + 1);
        if (op === 'rep') return text.slice(0, i) + ch + text.slice(i + 1);
        return text.slice(0, i) + ch + text.slice(i);
      });
    fc.assert(
      fc.property(mutated, (text) => {
        expect(syntaxOk(text)).toBe(parses(text));
      }),
      { numRuns: 2000 },
    );
  });
});
