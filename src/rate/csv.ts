// Reading the text of a CSV rate deck: lines (CR, LF and CRLF all end one), the delimiter (comma,
// semicolon or tab, detected from the first row unless given), and the fields of one line. Quoted
// fields follow RFC 4180 within a line (`"Korea, Republic of"`, `""` for a quote); a quoted field
// cannot span lines.
import { trimWhere } from '../text.js';

const QUOTE = 34;
const SPACE = 32;
const TAB = 9;
const CR = 13;

/** The delimiters a deck may use. */
export type CsvDelimiter = ',' | ';' | '\t';

/** The delimiters tried, in the order that breaks a tie in their counts. */
export const CSV_DELIMITERS: readonly CsvDelimiter[] = [',', ';', '\t'];

/** The fields of one line, or a message saying why the line is not valid CSV. */
export type SplitLine = { readonly fields: string[] } | { readonly error: string };

/**
 * Calls `visit` with each line of `text` (without its line end) and its 1-based number. CR, LF and
 * CRLF each end a line; a leading UTF-8 byte-order mark, as spreadsheets write it, is skipped.
 */
export function forEachLine(text: string, visit: (line: string, lineNo: number) => void): void {
  // One native split: searching the text line by line with indexOf was many times slower on a large
  // deck held as a rope (V8 re-flattened it), as text built by concatenation is.
  const lines = (text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).split(LINE_END);
  for (let i = 0; i < lines.length; i++) visit(lines[i] ?? '', i + 1);
}

const LINE_END = /\r\n|\r|\n/;

/** The delimiter of a deck whose first row is `line`: the one found most often outside quotes. */
export function detectDelimiter(line: string): CsvDelimiter {
  const counts = [0, 0, 0];
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted) {
      const d = c === 44 ? 0 : c === 59 ? 1 : c === TAB ? 2 : -1;
      if (d >= 0) counts[d] = (counts[d] ?? 0) + 1;
    }
  }
  let best = 0;
  for (let d = 1; d < counts.length; d++) if ((counts[d] ?? 0) > (counts[best] ?? 0)) best = d;
  return CSV_DELIMITERS[best] ?? ',';
}

/**
 * Splits a line (without its line end) on `delimiter`; unquoted fields are trimmed of spaces and
 * tabs (of spaces only when the delimiter is a tab).
 */
export function splitCsvLine(line: string, delimiter: CsvDelimiter = ','): SplitLine {
  const blank = delimiter === '\t' ? isSpace : isBlank;
  // Fast path: most deck lines have no quotes at all.
  if (!line.includes('"')) {
    const fields = line.split(delimiter);
    for (let i = 0; i < fields.length; i++) fields[i] = trimWhere(fields[i] ?? '', blank);
    return { fields };
  }
  const sep = delimiter.charCodeAt(0);
  const fields: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && blank(line.charCodeAt(i))) i++;
    if (i < n && line.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = i + 1;
      let closed = false;
      for (i = from; i < n; i++) {
        if (line.charCodeAt(i) !== QUOTE) continue;
        if (line.charCodeAt(i + 1) === QUOTE) {
          value += line.slice(from, i + 1);
          i++;
          from = i + 1;
          continue;
        }
        value += line.slice(from, i);
        closed = true;
        i++;
        break;
      }
      if (!closed) return { error: `has a quoted field (column ${fields.length + 1}) with no closing quote` };
      while (i < n && blank(line.charCodeAt(i))) i++;
      if (i < n && line.charCodeAt(i) !== sep) {
        return { error: `has text after the closing quote of column ${fields.length + 1}` };
      }
      fields.push(value);
    } else {
      let end = line.indexOf(delimiter, i);
      if (end === -1) end = n;
      const value = trimWhere(line.slice(i, end), blank);
      if (value.includes('"')) return { error: `has a quote inside unquoted column ${fields.length + 1}` };
      fields.push(value);
      i = end;
    }
    if (i >= n) return { fields };
    i++; // the delimiter
  }
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

function isSpace(c: number): boolean {
  return c === SPACE;
}

/** True for a line that holds no row: blank, or a `#` comment. */
export function isSkippedLine(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === SPACE || c === TAB || c === CR) continue;
    return c === 35; // '#'
  }
  return true;
}
