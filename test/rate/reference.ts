// Shared by the rate-deck tests: a slow, obviously correct longest-prefix lookup and digit strings.
import fc from 'fast-check';

/** The index of the longest prefix that starts `e164` (optional `+`, then digits only), or -1. */
export function scanLookup(prefixes: readonly string[], e164: string): number {
  const digits = e164.startsWith('+') ? e164.slice(1) : e164;
  if (!/^[0-9]+$/.test(digits)) return -1;
  let best = -1;
  prefixes.forEach((prefix, index) => {
    if (digits.startsWith(prefix) && (best === -1 || prefix.length > (prefixes[best] ?? '').length)) {
      best = index;
    }
  });
  return best;
}

/** Strings of ASCII digits of `min` to `max` characters. */
export const digitString = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
