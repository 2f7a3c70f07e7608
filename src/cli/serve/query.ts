// Query strings of `sipguard serve`, read by RFC 3986 alone. Form decoding (URLSearchParams) reads a
// raw `+` as a space, so `dialed=+6592344706` became " 6592344706", a national US number: the same
// request meant two things. Here a raw `+` is refused, so no reading of a request can differ from the
// reading of its correctly encoded twin.

import { characterAt, nameCharacter, quote } from '../../text.js';
import { decodeText } from '../files.js';

/** A query that cannot be read without guessing. */
export interface QueryError {
  readonly name: string;
  /** The whole sentence, naming the parameter (or its name, when that is what cannot be read). */
  readonly message: string;
}

/** The (name, value) pairs in order, or why the query is refused. */
export type QueryResult =
  | { readonly ok: true; readonly pairs: readonly (readonly [string, string])[] }
  | { readonly ok: false; readonly error: QueryError };

// Characters RFC 3986 allows raw in a query (unreserved, sub-delims, ":", "@", "/", "?"), less "&"
// (it separates pairs), "+" (ambiguous, above) and "%" (it starts an escape). A name never holds "=":
// the first one ends it.
const RAW = new Uint8Array(128);
for (const c of "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$'()*,;=:@/?")
  RAW[c.charCodeAt(0)] = 1;

const hexValue = (c: number): number =>
  c >= 48 && c <= 57 ? c - 48 : c >= 65 && c <= 70 ? c - 55 : c >= 97 && c <= 102 ? c - 87 : -1;

/** `text` percent-decoded as UTF-8, or a sentence saying what is wrong with it. */
function decodeComponent(text: string): string | { problem: string } {
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 37) escaped = true;
    else if (c === 43) {
      return { problem: 'has a raw "+": write %2B for a plus (form decoders read a raw + as a space)' };
    } else if (c >= 128 || RAW[c] !== 1) {
      return { problem: `has the character ${nameCharacter(characterAt(text, i))} raw: percent-encode it` };
    }
  }
  if (!escaped) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 37) {
      bytes.push(c);
      continue;
    }
    const high = hexValue(text.charCodeAt(i + 1));
    const low = hexValue(text.charCodeAt(i + 2));
    if (high < 0 || low < 0) {
      return { problem: `has "%" not followed by two hex digits (${quote(text.slice(i, i + 3))})` };
    }
    bytes.push(high * 16 + low);
    i += 2;
  }
  try {
    // Strict, and a leading U+FEFF is kept: a value is never decided without a character it was sent with.
    return decodeText(new Uint8Array(bytes));
  } catch {
    return { problem: 'has percent-escapes that are not UTF-8' };
  }
}

/**
 * Splits `query` (the text after `?`) on `&` and the first `=` of each pair, and percent-decodes names
 * and values (RFC 3986 section 2.1, UTF-8). Empty pairs (`a=1&&b=2`) are skipped.
 */
export function decodeQuery(query: string): QueryResult {
  const pairs: (readonly [string, string])[] = [];
  if (query === '') return { ok: true, pairs };
  for (const part of query.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const name = decodeComponent(rawName);
    if (typeof name !== 'string') {
      return {
        ok: false,
        error: { name: rawName, message: `parameter name ${quote(rawName)} ${name.problem}` },
      };
    }
    const value = decodeComponent(eq < 0 ? '' : part.slice(eq + 1));
    if (typeof value !== 'string') {
      return { ok: false, error: { name, message: `parameter ${quote(name)} ${value.problem}` } };
    }
    pairs.push([name, value]);
  }
  return { ok: true, pairs };
}
