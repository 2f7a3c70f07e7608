// Strict JSON reading for the public API: the text a caller read from a file becomes a value, or
// issues with line, column and path. `JSON.parse` alone keeps the last of two keys silently.
import { aggregateError, type JsonErrorCode, type SipguardIssue } from '../errors.js';
import { checkJsonText } from './check-json.js';

/** The result of {@link safeParseJsonText}: the value, or every issue, as valibot's `safeParse`. */
export type SafeParseJsonTextResult =
  | { readonly success: true; readonly value: unknown }
  | { readonly success: false; readonly issues: readonly SipguardIssue<JsonErrorCode>[] };

/**
 * Parses JSON text (RFC 8259) strictly: a syntax error, or nesting deeper than `MAX_JSON_DEPTH`, is
 * an `invalid-json` issue at its line and column; every duplicate key is a `duplicate-key` issue at
 * its line, column and JSON path. Never throws.
 */
export function safeParseJsonText(text: string): SafeParseJsonTextResult {
  if (typeof text !== 'string') {
    return {
      success: false,
      issues: [
        { path: '', code: 'invalid-json', message: `expected JSON text (a string), got ${typeof text}` },
      ],
    };
  }
  const problems = checkJsonText(text);
  if (problems.length === 0) return { success: true, value: JSON.parse(text) };
  return {
    success: false,
    issues: problems.map((p) => ({
      path: p.path,
      code: p.kind === 'duplicate-key' ? 'duplicate-key' : 'invalid-json',
      message: p.kind === 'duplicate-key' ? p.message : `invalid JSON: ${p.message}`,
      line: p.line,
      column: p.column,
    })),
  };
}

/**
 * {@link safeParseJsonText} that returns the value, or throws one `invalid-json-text` error listing
 * every issue. Read a policy with it before `compilePolicyJson`, not with `JSON.parse`.
 */
export function parseJsonText(text: string): unknown {
  const result = safeParseJsonText(text);
  if (result.success) return result.value;
  throw aggregateError('invalid-json-text', 'invalid JSON text', result.issues);
}
