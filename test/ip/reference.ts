// Slow, obviously-correct references built on ipaddr.js and bigint arithmetic, independent of src/ip.
import ipaddr from 'ipaddr.js';

/** Strict IPv4 per the issue: exactly four decimal octets, no leading zeros (ipaddr's four-part check). */
export function refIPv4(text: string): bigint | undefined {
  if (!ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  return bytesToBigInt(ipaddr.IPv4.parse(text).toByteArray());
}

/**
 * Strict IPv6: what ipaddr.js accepts, minus zones, minus a non-decimal or leading-zero dotted tail.
 * `::a.b.c.d` is excluded: ipaddr.js reads it as IPv4-mapped, RFC 4291 as IPv4-compatible.
 */
export function refIPv6(text: string): bigint | undefined {
  if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return undefined;
  const tail = text.slice(text.lastIndexOf(':') + 1);
  if (tail.includes('.') && !ipaddr.IPv4.isValidFourPartDecimal(tail)) return undefined;
  return bytesToBigInt(ipaddr.IPv6.parse(text).toByteArray());
}

/** True for the `::a.b.c.d` form that the two references disagree on. */
export function isCompatibleForm(text: string): boolean {
  return text.startsWith('::') && text.lastIndexOf(':') === 1 && text.includes('.');
}

/** A source address as (family, value), IPv4-mapped IPv6 unmapped; undefined if invalid. */
export function refSource(text: string): { family: 4 | 6; value: bigint } | undefined {
  const v4 = refIPv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  if (isCompatibleForm(text)) {
    const tail = refIPv4(text.slice(2));
    return tail === undefined ? undefined : { family: 6, value: tail };
  }
  const v6 = refIPv6(text);
  if (v6 === undefined) return undefined;
  if (v6 >> 32n === 0xffffn) return { family: 4, value: v6 & 0xffffffffn };
  return { family: 6, value: v6 };
}

export function bytesToBigInt(bytes: readonly number[]): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

export function v4Text(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 255n)).join('.');
}

export function v6Groups(value: bigint): number[] {
  const parts: number[] = [];
  for (let s = 112n; s >= 0n; s -= 16n) parts.push(Number((value >> s) & 0xffffn));
  return parts;
}

/** Merges closed intervals into sorted, disjoint, non-adjacent ones (the obvious way). */
export function refMerge(intervals: readonly { lo: bigint; hi: bigint }[]): { lo: bigint; hi: bigint }[] {
  const sorted = [...intervals].sort((a, b) => (a.lo < b.lo ? -1 : a.lo > b.lo ? 1 : 0));
  const out: { lo: bigint; hi: bigint }[] = [];
  for (const { lo, hi } of sorted) {
    const last = out[out.length - 1];
    if (last && lo <= last.hi + 1n) {
      if (hi > last.hi) last.hi = hi;
    } else {
      out.push({ lo, hi });
    }
  }
  return out;
}
