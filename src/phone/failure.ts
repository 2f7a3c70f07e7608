// How the phone area builds a failed classification.
import type { DialedFailure, DialedFailureCode } from './types.js';

/** A frozen failure with its code and message. */
export function fail(code: DialedFailureCode, message: string): DialedFailure {
  return Object.freeze({ ok: false, code, message });
}

/** Quotes dialed input for a message, shortened so that one input cannot flood a log line. */
export function quote(text: string): string {
  return JSON.stringify(text.length > 48 ? `${text.slice(0, 48)}…` : text);
}
