// How every sipguard message shows input: quoted, shortened to one bound, and with characters that do
// not show (controls, format characters such as a byte order mark or a zero-width space, space-like
// characters other than the space) named by code point, so that a message is short, safe in a log
// line, and says what is really there.

/** The docs pages messages send people to; each is a file of docs/, shipped in the package. */
export const DOCS_PAGES = ['cli.md', 'decisions.md', 'integrations.md'] as const;

/**
 * A docs page as the path it has in a project that installed sipguard: the one place messages and
 * CLI help name the docs, so that what they name exists where the user is.
 */
export function docsPage(page: (typeof DOCS_PAGES)[number]): string {
  return `node_modules/sipguard/docs/${page}`;
}

/** Input longer than this many UTF-16 code units is shown up to the bound, then `…`. */
export const MAX_QUOTED_LENGTH = 64;

// Characters that do not show as themselves: controls (Cc), format characters (Cf), lone surrogates
// (Cs), private use (Co), unassigned code points (Cn), line and paragraph separators, every space
// separator but U+0020 itself, and the default-ignorable code points that are none of these (fillers
// such as U+3164, variation selectors, the combining grapheme joiner). Each is one character class,
// so the tests are linear.
const HIDDEN_CLASS = String.raw`(?! )[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}\p{DI}]`;
const HIDDEN = new RegExp(HIDDEN_CLASS, 'u');
const HIDDEN_ALL = new RegExp(HIDDEN_CLASS, 'gu');
const QUOTED_SPECIAL = new RegExp(String.raw`["\\]|${HIDDEN_CLASS}`, 'u');
const QUOTED_SPECIAL_ALL = new RegExp(String.raw`["\\]|${HIDDEN_CLASS}`, 'gu');

/**
 * The hidden characters people meet most (controls, no-break and other wide spaces, zero-width and
 * bidirectional format characters, fillers and variation selectors, the byte order mark) as the
 * body of a regular-expression class in `\uXXXX` escapes: a subset of those
 * {@link hiddenCharacterProblem} finds, written so that a JSON Schema pattern engine reads it
 * without the `u` flag.
 */
export const COMMON_HIDDEN_CLASS =
  '\\u0000-\\u001F\\u007F-\\u00A0\\u00AD\\u034F\\u061C\\u115F-\\u1160\\u17B4-\\u17B5\\u180B-\\u180F' +
  '\\u2000-\\u200F\\u2028-\\u202F\\u205F-\\u206F\\u3000\\u3164\\uFE00-\\uFE0F\\uFEFF\\uFFA0\\uFFF0-\\uFFF8';

// Unicode names (or the usual alias, for controls) of the hidden characters people meet in pasted
// text and files; the others are named by their category.
const NAMES: ReadonlyMap<number, string> = new Map([
  [0x00, 'NULL'],
  [0x09, 'CHARACTER TABULATION'],
  [0x0a, 'LINE FEED'],
  [0x0b, 'LINE TABULATION'],
  [0x0c, 'FORM FEED'],
  [0x0d, 'CARRIAGE RETURN'],
  [0x1b, 'ESCAPE'],
  [0x7f, 'DELETE'],
  [0x85, 'NEXT LINE'],
  [0xa0, 'NO-BREAK SPACE'],
  [0xad, 'SOFT HYPHEN'],
  [0x180e, 'MONGOLIAN VOWEL SEPARATOR'],
  [0x2000, 'EN QUAD'],
  [0x2001, 'EM QUAD'],
  [0x2002, 'EN SPACE'],
  [0x2003, 'EM SPACE'],
  [0x2004, 'THREE-PER-EM SPACE'],
  [0x2005, 'FOUR-PER-EM SPACE'],
  [0x2006, 'SIX-PER-EM SPACE'],
  [0x2007, 'FIGURE SPACE'],
  [0x2008, 'PUNCTUATION SPACE'],
  [0x2009, 'THIN SPACE'],
  [0x200a, 'HAIR SPACE'],
  [0x200b, 'ZERO WIDTH SPACE'],
  [0x200c, 'ZERO WIDTH NON-JOINER'],
  [0x200d, 'ZERO WIDTH JOINER'],
  [0x200e, 'LEFT-TO-RIGHT MARK'],
  [0x200f, 'RIGHT-TO-LEFT MARK'],
  [0x2028, 'LINE SEPARATOR'],
  [0x2029, 'PARAGRAPH SEPARATOR'],
  [0x202a, 'LEFT-TO-RIGHT EMBEDDING'],
  [0x202b, 'RIGHT-TO-LEFT EMBEDDING'],
  [0x202c, 'POP DIRECTIONAL FORMATTING'],
  [0x202d, 'LEFT-TO-RIGHT OVERRIDE'],
  [0x202e, 'RIGHT-TO-LEFT OVERRIDE'],
  [0x202f, 'NARROW NO-BREAK SPACE'],
  [0x205f, 'MEDIUM MATHEMATICAL SPACE'],
  [0x2060, 'WORD JOINER'],
  [0x2066, 'LEFT-TO-RIGHT ISOLATE'],
  [0x2067, 'RIGHT-TO-LEFT ISOLATE'],
  [0x2068, 'FIRST STRONG ISOLATE'],
  [0x2069, 'POP DIRECTIONAL ISOLATE'],
  [0x3000, 'IDEOGRAPHIC SPACE'],
  [0xfeff, 'BYTE ORDER MARK'],
  // Default-ignorable letters and marks: they render as nothing, and are used to spoof names.
  [0x034f, 'COMBINING GRAPHEME JOINER'],
  [0x115f, 'HANGUL CHOSEONG FILLER'],
  [0x1160, 'HANGUL JUNGSEONG FILLER'],
  [0x3164, 'HANGUL FILLER'],
  [0xfe0f, 'VARIATION SELECTOR-16'],
  [0xffa0, 'HALFWIDTH HANGUL FILLER'],
]);

const CATEGORIES: readonly (readonly [RegExp, string])[] = [
  [/\p{Cc}/u, 'a control character'],
  [/\p{Cf}/u, 'a format character'],
  [/\p{Cs}/u, 'half of a UTF-16 surrogate pair'],
  [/\p{Co}/u, 'a private-use character'],
  [/\p{Cn}/u, 'an unassigned code point'],
  [/\p{Zs}|\p{Zl}|\p{Zp}/u, 'a space character'],
];

function codePointLabel(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The code point of a character as Unicode writes it: `U+0663`. */
export function codePointOf(char: string): string {
  return codePointLabel(char.codePointAt(0) ?? 0);
}

// How a hidden character appears inside quoted text: its code point in angle brackets.
function hiddenMark(char: string): string {
  return `<${codePointLabel(char.codePointAt(0) ?? 0)}>`;
}

function escapeQuoted(char: string): string {
  return char === '"' || char === '\\' ? `\\${char}` : hiddenMark(char);
}

// Where to cut text of more than MAX_QUOTED_LENGTH code units: never between the halves of a pair.
function cutAt(text: string): number {
  const end = MAX_QUOTED_LENGTH;
  const last = text.charCodeAt(end - 1);
  return last >= 0xd800 && last <= 0xdbff ? end - 1 : end;
}

function shorten(text: string): { readonly head: string; readonly cut: boolean } {
  return text.length > MAX_QUOTED_LENGTH
    ? { head: text.slice(0, cutAt(text)), cut: true }
    : { head: text, cut: false };
}

/**
 * Quotes input for a message: `"…"`, with `"` and `\` escaped, hidden characters shown as their code
 * point (`"<U+FEFF>{"`), and text past {@link MAX_QUOTED_LENGTH} cut off with `…`.
 */
export function quote(text: string): string {
  const { head, cut } = shorten(text);
  const body = QUOTED_SPECIAL.test(head) ? head.replace(QUOTED_SPECIAL_ALL, escapeQuoted) : head;
  return cut ? `"${body}…"` : `"${body}"`;
}

/** As {@link quote}, without the quotes and escapes: for text set off otherwise, such as a JSON pointer. */
export function excerpt(text: string): string {
  const { head, cut } = shorten(text);
  const body = HIDDEN.test(head) ? head.replace(HIDDEN_ALL, hiddenMark) : head;
  return cut ? `${body}…` : body;
}

/** True for an object that is neither null nor an array: a parsed JSON object, whose members are then read one by one. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for a plain JSON-like object (not an array, Map, Date, …). */
export function isPlainObject(value: unknown): value is object {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.prototype.toString.call(value) === '[object Object]'
  );
}

/** Names a value's JSON type for messages, quoting short scalars. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return `the string ${quote(value)}`;
    case 'number':
      return `the number ${String(value)}`;
    case 'boolean':
      return `the boolean ${String(value)}`;
    case 'object':
      return isPlainObject(value) ? 'an object' : `a ${Object.prototype.toString.call(value).slice(8, -1)}`;
    default:
      return typeof value;
  }
}

/** Escapes one JSON-pointer segment (RFC 6901). */
export function pointerSegment(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}

/** The character (a whole code point, both halves of a surrogate pair) that starts at `index`. */
export function characterAt(text: string, index: number): string {
  const codePoint = text.codePointAt(index);
  return codePoint === undefined ? '' : String.fromCodePoint(codePoint);
}

/** True for a character that does not show as itself (see the top of this file). */
export function isHidden(char: string): boolean {
  return HIDDEN.test(char);
}

/**
 * Names one character (a code point) for a message: `"x"` when it shows, else its code point and
 * name, `U+FEFF BYTE ORDER MARK`, or category, `U+E000 (a private-use character)`.
 */
export function nameCharacter(char: string): string {
  if (!isHidden(char)) return quote(char);
  const codePoint = char.codePointAt(0) ?? 0;
  const name = NAMES.get(codePoint);
  if (name !== undefined) return `${codePointLabel(codePoint)} ${name}`;
  const category =
    CATEGORIES.find(([pattern]) => pattern.test(char))?.[1] ?? 'a character that renders as nothing';
  return `${codePointLabel(codePoint)} (${category})`;
}

/** What to do about hidden character `char`, found at the start of a text or within it. */
export function hiddenCharacterAdvice(char: string, atStart: boolean): string {
  return char === '\ufeff' && atStart
    ? 'some editors write it at the start of a file: save the file as UTF-8 without a byte order mark'
    : 'it does not show, or shows as a plain space: delete it or type the text again';
}

/**
 * When `text` holds a hidden character at `from` or after: a reason naming the first one, where it
 * is and what to do, for a message that quotes `text` before it. Undefined when every character shows.
 */
export function hiddenCharacterProblem(text: string, from = 0): string | undefined {
  HIDDEN_ALL.lastIndex = from;
  const match = HIDDEN_ALL.exec(text);
  if (match === null) return undefined;
  const char = match[0];
  const where = match.index === 0 ? 'starts with' : 'contains';
  const position = match.index === 0 ? '' : ` at position ${match.index + 1}`;
  return `${where} ${nameCharacter(char)}${position}; ${hiddenCharacterAdvice(char, match.index === 0)}`;
}

// Edit distance, to suggest the intended name for a typo.
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(
        Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost),
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** ` (did you mean "x"?)` for the known name closest to a typo (case, or at most two edits), else ''. */
export function suggestion(key: string, known: readonly string[]): string {
  const lower = key.toLowerCase();
  // The distance is at least the difference in length: skipping those keeps a huge key linear.
  const best = known.find(
    (k) =>
      k.toLowerCase() === lower ||
      (Math.abs(k.length - lower.length) <= 2 && distance(k.toLowerCase(), lower) <= 2),
  );
  return best === undefined ? '' : ` (did you mean ${quote(best)}?)`;
}

/** `text` without the characters at either end for which `trimmed` holds (given UTF-16 code units). */
export function trimWhere(text: string, trimmed: (code: number) => boolean): string {
  let start = 0;
  let end = text.length;
  while (start < end && trimmed(text.charCodeAt(start))) start++;
  while (end > start && trimmed(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
