// What a failed classification says. Codes are the contract; messages are for the person reading a
// decision, so each row pins the one fact the message must state about that input.

import { describe, expect, it } from 'vitest';
import { classifyDialed, clearDialedCache } from '../../src/phone/classify.js';
import type { ClassifyDialedOptions } from '../../src/phone/types.js';

function message(dialed: unknown, homeCountry: unknown = 'US'): string {
  clearDialedCache();
  // Hostile options on purpose: classifyDialed takes any value and never throws.
  const result = classifyDialed(dialed, { homeCountry } as unknown as ClassifyDialedOptions);
  if (result.ok) throw new Error(`${String(dialed)} unexpectedly classified`);
  return result.message;
}

describe('classifyDialed failure messages', () => {
  it.each([
    ['A', 'the letter "A"', 'first upper-case letter'],
    ['Z', 'the letter "Z"', 'last upper-case letter'],
    ['a', 'the letter "a"', 'first lower-case letter'],
    ['z', 'the letter "z"', 'last lower-case letter'],
    ['*', 'feature codes', 'star starts a feature code'],
    ['#', 'feature codes', 'hash ends a feature code'],
    [',', 'pauses', 'a comma is a pause'],
    [';', 'pauses', 'a semicolon is post-dial'],
    ['%', 'percent-encoded', 'percent-encoding is not decoded'],
    ['+', 'not at the start', 'a plus after a digit'],
    ['@', 'not a digit or a separator', 'any other character'],
    ['\\', 'not a digit or a separator', 'after "Z" and "[" (a separator)'],
    ['`', 'not a digit or a separator', 'the character before "a"'],
    ['{', 'not a digit or a separator', 'the character after "z"'],
  ])('"212 555 01%s0" mentions %s (%s)', (char, expected) => {
    expect(message(`212 555 01${char}0`)).toContain(expected);
  });

  it.each([
    ['', 'is empty', 'nothing at all'],
    ['   ', 'is empty', 'only spaces'],
    ['- ( )', 'has no digits', 'separators without digits'],
    ['+', 'has no digits', 'a lone plus'],
  ])('%j: %s (%s)', (dialed, expected) => {
    expect(message(dialed)).toContain(expected);
  });

  it.each([
    [null, 'got null'],
    [42, 'got number'],
    [undefined, 'got undefined'],
  ])('a non-string dialed (%j) says what it got', (dialed, expected) => {
    expect(message(dialed)).toContain(expected);
  });

  it.each([
    [null, '(null)'],
    [44, '(number)'],
    ['gb', '"gb"'],
  ])('a bad home country (%j) is named as %s', (home, expected) => {
    expect(message('2125550100', home)).toContain(`home country ${expected}`);
  });

  it('quotes input of exactly 64 characters whole and truncates 65, as every message does', () => {
    const sixty4 = `+${'1'.repeat(63)}`;
    expect(message(`${sixty4}x`)).toContain(`"${sixty4}…"`);
    const exact = `${'a'.repeat(64)}`;
    expect(message(exact)).toContain(`"${exact}"`);
  });

  it('names the region a number is invalid for, or none when no region claims it', () => {
    // Too short to be parsed at all: the message names the home country it was dialed from.
    expect(message('+44 1')).toContain('dialed from US');
    // +33 belongs to France alone, so an invalid +33 number is invalid for FR.
    expect(message('+33 12')).toContain('(+3312) is not a valid telephone number for FR');
    // No NANP region has national numbers starting with 0: no region to name.
    expect(message('+1 011 555 0100')).toMatch(/\(\+10115550100\) is not a valid telephone number$/);
  });
});
