// How the phone area builds a failed classification.
import type { DialedFailure, DialedFailureCode } from './types.js';

/** A frozen failure with its code and message. */
export function fail(code: DialedFailureCode, message: string): DialedFailure {
  return Object.freeze({ ok: false, code, message });
}
