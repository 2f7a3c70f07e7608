// Splitting one line of a CSV rate deck into fields. Quoted fields follow RFC 4180 within a line
// (`"Korea, Republic of"`, `""` for a quote); a quoted field cannot span lines.

const QUOTE = 34;
const COMMA = 44;
const SPACE = 32;
const TAB = 9;

/** The fields of one line, or a message saying why the line is not valid CSV. */
export type SplitLine = { readonly fields: string[] } | { readonly error: string };

/** Splits a line (without its line break) on commas; unquoted fields are trimmed of spaces and tabs. */
export function splitCsvLine(line: string): SplitLine {
  // Fast path: most deck lines have no quotes at all.
  if (!line.includes('"')) return { fields: line.split(',').map(trimBlanks) };
  const fields: string[] = [];
  const n = line.length;
  let i = 0;
  for (;;) {
    while (i < n && isBlank(line.charCodeAt(i))) i++;
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
      if (!closed) return { error: 'has a quoted field with no closing quote' };
      while (i < n && isBlank(line.charCodeAt(i))) i++;
      if (i < n && line.charCodeAt(i) !== COMMA) {
        return { error: `has text after the closing quote of field ${fields.length + 1}` };
      }
      fields.push(value);
    } else {
      let end = line.indexOf(',', i);
      if (end === -1) end = n;
      const value = trimBlanks(line.slice(i, end));
      if (value.includes('"')) return { error: `has a quote inside unquoted field ${fields.length + 1}` };
      fields.push(value);
      i = end;
    }
    if (i >= n) return { fields };
    i++; // the comma
  }
}

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

function trimBlanks(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isBlank(text.charCodeAt(start))) start++;
  while (end > start && isBlank(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}
