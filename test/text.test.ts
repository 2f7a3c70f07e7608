// The one way sipguard shows input in messages (src/text.ts): quoted, shortened at one bound,
// hidden characters named by code point, with what to do about them.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import packageJson from '../package.json' with { type: 'json' };
import {
  COMMON_HIDDEN_CLASS,
  characterAt,
  DOCS_PAGES,
  docsPage,
  excerpt,
  hiddenCharacterProblem,
  isHidden,
  isRecord,
  MAX_QUOTED_LENGTH,
  nameCharacter,
  pointerSegment,
  quote,
} from '../src/text.js';

describe('isRecord', () => {
  it.each([
    [{}, true, 'an empty object'],
    [JSON.parse('{"a":1}'), true, 'a parsed JSON object'],
    [Object.create(null), true, 'an object without a prototype'],
    [null, false, 'null, whose typeof is object'],
    [[], false, 'an array'],
    ['{}', false, 'text'],
    [42, false, 'a number'],
    [undefined, false, 'nothing'],
  ])('%j → %s (%s)', (value, want) => {
    expect(isRecord(value)).toBe(want);
  });
});

describe('quote', () => {
  it.each([
    ['GB', '"GB"', 'plain text is quoted as is'],
    ['', '""', 'empty'],
    ['say "hi" \\ bye', '"say \\"hi\\" \\\\ bye"', 'quotes and backslashes are escaped, as JSON does'],
    ['\ufeff{"a":1}', '"<U+FEFF>{\\"a\\":1}"', 'a byte order mark is named by code point'],
    ['12\u200b3', '"12<U+200B>3"', 'a zero-width space'],
    ['\u0000x', '"<U+0000>x"', 'NUL'],
    ['a\tb\nc', '"a<U+0009>b<U+000A>c"', 'tab and line feed, like every control'],
    ['1\u00a02', '"1<U+00A0>2"', 'a no-break space'],
    ['a b', '"a b"', 'the space itself shows'],
    ['\u{E0041}', '"<U+E0041>"', 'an astral tag character, whole'],
    ['\ud800', '"<U+D800>"', 'a lone surrogate'],
    ['é１😀', '"é１😀"', 'visible non-ASCII text is kept'],
  ])('%j -> %s (%s)', (text, expected) => {
    expect(quote(text)).toBe(expected);
  });

  it('shortens at one bound, 64 code units, with one kind of ellipsis', () => {
    expect(MAX_QUOTED_LENGTH).toBe(64);
    expect(quote('x'.repeat(64))).toBe(`"${'x'.repeat(64)}"`);
    expect(quote('x'.repeat(65))).toBe(`"${'x'.repeat(64)}…"`);
    expect(quote('x'.repeat(1 << 20)).length).toBe(67);
  });

  it('never cuts a surrogate pair in half', () => {
    expect(quote(`${'x'.repeat(63)}😀tail`)).toBe(`"${'x'.repeat(63)}…"`);
  });

  it('round-trips visible text without quotes or backslashes through JSON.parse', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: MAX_QUOTED_LENGTH }), (text) => {
        if ([...text].some(isHidden)) return;
        expect(JSON.parse(quote(text))).toBe(text);
      }),
    );
  });
});

describe('excerpt', () => {
  it('shortens and names hidden characters, without quotes or escapes', () => {
    expect(excerpt('/extensions/1\u200b/x')).toBe('/extensions/1<U+200B>/x');
    expect(excerpt('/a"b')).toBe('/a"b');
    expect(excerpt('k'.repeat(65))).toBe(`${'k'.repeat(64)}…`);
  });
});

describe('nameCharacter', () => {
  it.each([
    ['x', '"x"'],
    ['"', '"\\""'],
    ['\ufeff', 'U+FEFF BYTE ORDER MARK'],
    ['\u0000', 'U+0000 NULL'],
    ['\u200b', 'U+200B ZERO WIDTH SPACE'],
    ['\u202e', 'U+202E RIGHT-TO-LEFT OVERRIDE'],
    ['\u0001', 'U+0001 (a control character)'],
    ['\ue000', 'U+E000 (a private-use character)'],
    ['\u{E0041}', 'U+E0041 (a format character)'],
    ['\ud800', 'U+D800 (half of a UTF-16 surrogate pair)'],
  ])('%j -> %s', (char, expected) => {
    expect(nameCharacter(char)).toBe(expected);
  });

  it('takes whole code points from text', () => {
    expect(characterAt('a😀', 1)).toBe('😀');
    expect(characterAt('a', 1)).toBe('');
  });
});

describe('hiddenCharacterProblem', () => {
  it('names the first hidden character, where it is and what to do', () => {
    expect(hiddenCharacterProblem('12\u200b3\u00a0')).toBe(
      'contains U+200B ZERO WIDTH SPACE at position 3; it does not show, or shows as a plain space: delete it or type the text again',
    );
  });

  it('says how to save a file without a byte order mark when one starts the text', () => {
    expect(hiddenCharacterProblem('\ufeff{}')).toMatch(
      /^starts with U\+FEFF BYTE ORDER MARK; .* save the file as UTF-8 without a byte order mark$/,
    );
    expect(hiddenCharacterProblem('{}\ufeff')).toMatch(
      /^contains U\+FEFF BYTE ORDER MARK at position 3; .*delete it/,
    );
  });

  it.each([
    ['101\u3164', 'U+3164 HANGUL FILLER', 'a filler letter that renders as nothing'],
    ['101\u115f', 'U+115F HANGUL CHOSEONG FILLER', 'the same at the start of a syllable'],
    ['101\ufe0f', 'U+FE0F VARIATION SELECTOR-16', 'a variation selector after a digit'],
    ['10\u034f1', 'U+034F COMBINING GRAPHEME JOINER', 'a combining mark that shows nothing'],
    ['101\ufe00', 'U+FE00 (a character that renders as nothing)', 'a default-ignorable without a name here'],
    [
      '101\u17b4',
      'U+17B4 (a character that renders as nothing)',
      'a Khmer inherent vowel, default-ignorable',
    ],
  ])('finds %j, a default-ignorable code point: %s (%s)', (text, name) => {
    expect(hiddenCharacterProblem(text)).toContain(`contains ${name} at position`);
  });

  it('takes a braille blank (U+2800) as shown: it is a symbol, not default-ignorable', () => {
    expect(hiddenCharacterProblem('101\u2800')).toBeUndefined();
  });

  it('looks from a position on, and is undefined when everything shows', () => {
    expect(hiddenCharacterProblem('\u200bab\u00a0', 1)).toMatch(
      /^contains U\+00A0 NO-BREAK SPACE at position 4/,
    );
    expect(hiddenCharacterProblem('plain text, (with) spaces')).toBeUndefined();
  });
});

describe('COMMON_HIDDEN_CLASS', () => {
  // Decoded by hand from the class text: each a-b range or single escape.
  const units = [...COMMON_HIDDEN_CLASS.matchAll(/\\u([0-9A-F]{4})(?:-\\u([0-9A-F]{4}))?/g)].flatMap(
    ([, from = '', to]) => {
      const first = Number.parseInt(from, 16);
      const last = to === undefined ? first : Number.parseInt(to, 16);
      return Array.from({ length: last - first + 1 }, (_, i) => first + i);
    },
  );

  it('is nothing but escapes and ranges, which an engine without the u flag reads alike', () => {
    expect(COMMON_HIDDEN_CLASS.replace(/\\u[0-9A-F]{4}(?:-\\u[0-9A-F]{4})?/g, '')).toBe('');
    expect(units).toContain(0x200b);
    expect(units).toContain(0xfeff);
    expect(units).toContain(0x00a0);
  });

  it('holds only characters hiddenCharacterProblem finds, so an editor never refuses more than sipguard', () => {
    const shown = units.filter((unit) => hiddenCharacterProblem(String.fromCharCode(unit)) === undefined);
    expect(shown).toEqual([]);
  });

  it('matches, as a class, exactly its characters', () => {
    const klass = new RegExp(`[${COMMON_HIDDEN_CLASS}]`);
    const listed = new Set(units);
    const wrong: string[] = [];
    for (let unit = 0; unit <= 0xffff; unit++) {
      if (klass.test(String.fromCharCode(unit)) !== listed.has(unit)) wrong.push(unit.toString(16));
    }
    expect(wrong).toEqual([]);
  });
});

describe('pointerSegment', () => {
  it.each([
    ['101', '101', 'plain ids pass through'],
    ['a/b', 'a~1b', 'slash is escaped per RFC 6901'],
    ['a~b', 'a~0b', 'tilde is escaped per RFC 6901'],
    ['~/', '~0~1', 'tilde is escaped before slash so the two do not mix'],
    [3, '3', 'array indexes become decimal text'],
  ])('%s -> %s (%s)', (input, expected, _reason) => {
    expect(pointerSegment(input)).toBe(expected);
  });
});

describe('docsPage', () => {
  it('names, for every page messages cite, a file of docs/ that the package ships', () => {
    expect(packageJson.files).toContain('docs');
    for (const page of DOCS_PAGES) {
      const path = docsPage(page);
      expect(path).toBe(`node_modules/sipguard/docs/${page}`);
      expect(existsSync(resolve(import.meta.dirname, '../docs', page)), page).toBe(true);
    }
  });
});
