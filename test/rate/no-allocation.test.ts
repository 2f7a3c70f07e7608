// RateTable.lookupIndex allocates nothing: millions of lookups must not trigger a single minor
// garbage collection (test/ip/no-allocation.test.ts holds the control showing the count can fail).
import { describe, expect, it } from 'vitest';
import { RateTable } from '../../src/rate/index.js';
import { minorGcsDuring, noted } from '../gc-count.js';
import { seededDeck } from './reference.js';

// One allocated 16-byte object per call would be 80 MB over 5 million calls: several minor GCs.
const CALLS = 5_000_000;

// Seeded decks of prefixes of 5-9 digits: 60k make over 11^5 trie nodes (five lead digits, the
// unrolled path); 300 make a shorter lead.
function deck(count: number): { table: RateTable; prefixes: string[] } {
  const prefixes = seededDeck(12_345, count, { minLength: 5, maxLength: 9, nested: false });
  return { table: RateTable.from(prefixes.map((prefix) => ({ prefix, rate: '0.01' }))), prefixes };
}

// Hits (deck prefixes extended), numbers of 1-4 digits (shorter than the lead), malformed ones,
// numbers without `+`, and numbers of up to 15 digits.
function numbersFor(prefixes: readonly string[]): string[] {
  return Array.from({ length: 1024 }, (_, i) => {
    const digits = String(1_000_000_007 * (i + 1)).slice(0, 4 + (i % 12));
    switch (i % 6) {
      case 0:
        return `+${prefixes[i % prefixes.length]}${i}`;
      case 1:
        return `+${digits.slice(0, 1 + (i % 4))}`;
      case 2:
        return `+${digits}x`;
      case 3:
        return digits;
      default:
        return `+${digits}`;
    }
  });
}

// Up to 3 s per test beside two CPU-bound processes on the 2-core machine: vitest.config.ts's
// testTimeout (60 s) covers it.
describe('rate lookups allocate nothing', () => {
  it.for([
    [60_000, 'a large deck'],
    [300, 'a small deck'],
  ] as const)('RateTable.lookupIndex on %i prefixes (%s)', ([count], { task }) => {
    const { table, prefixes } = deck(count);
    const numbers = numbersFor(prefixes);
    const { found, minorGcs } = noted(
      task.meta,
      minorGcsDuring(numbers, CALLS, (e164) => table.lookupIndex(e164)),
    );
    expect(found).toBeGreaterThan(0);
    expect(found).toBeLessThan(CALLS);
    expect(minorGcs).toBe(0);
  });
});
