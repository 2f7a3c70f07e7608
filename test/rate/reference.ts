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

/**
 * `count` distinct prefixes of `minLength` to `maxLength` digits (the first 1-9) and, with `nested`,
 * for every fourth one of its own prefixes too. Seeded, so a failure repeats; fast-check's own
 * strings stay far shorter than the decks of tens of thousands of prefixes this makes.
 */
export function seededDeck(
  seed: number,
  count: number,
  { minLength, maxLength, nested }: { minLength: number; maxLength: number; nested: boolean },
): string[] {
  let state = seed >>> 0;
  const next = (below: number) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return Math.floor((state / 2 ** 32) * below);
  };
  const prefixes = new Set<string>();
  while (prefixes.size < count) {
    let prefix = String(1 + next(9));
    const length = minLength + next(maxLength - minLength + 1);
    while (prefix.length < length) prefix += String(next(10));
    prefixes.add(prefix);
    if (nested && prefixes.size % 4 === 0) prefixes.add(prefix.slice(0, 1 + next(prefix.length)));
  }
  return [...prefixes];
}
