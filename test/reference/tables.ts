// Fixed tables the reference properties draw from. Address bounds are written out by hand (so the
// model never parses an address); numbers are E.164 strings whose region and type the model asks
// libphonenumber-js for directly.
import type { ModelDeckRow, ModelEntry, ModelSource } from './model.js';

const v4 = (a: number, b: number, c: number, d: number) => BigInt(((a * 256 + b) * 256 + c) * 256 + d);
const DB8 = 0x20010db8n << 96n;

export const ENTRIES: readonly ModelEntry[] = [
  { text: '192.0.2.0/24', family: 4, lo: v4(192, 0, 2, 0), hi: v4(192, 0, 2, 255) },
  { text: '192.0.2.7', family: 4, lo: v4(192, 0, 2, 7), hi: v4(192, 0, 2, 7) },
  { text: '192.0.2.4/30', family: 4, lo: v4(192, 0, 2, 4), hi: v4(192, 0, 2, 7) },
  { text: '198.51.100.0-198.51.100.127', family: 4, lo: v4(198, 51, 100, 0), hi: v4(198, 51, 100, 127) },
  {
    text: '198.51.100.100 - 198.51.100.200',
    family: 4,
    lo: v4(198, 51, 100, 100),
    hi: v4(198, 51, 100, 200),
  },
  { text: '10.0.0.0/255.0.0.0', family: 4, lo: v4(10, 0, 0, 0), hi: v4(10, 255, 255, 255) },
  { text: '::ffff:203.0.113.0/120', family: 4, lo: v4(203, 0, 113, 0), hi: v4(203, 0, 113, 255) },
  { text: '0.0.0.0/0', family: 4, lo: 0n, hi: v4(255, 255, 255, 255) },
  { text: '2001:db8::/32', family: 6, lo: DB8, hi: DB8 + (1n << 96n) - 1n },
  { text: '2001:db8::1', family: 6, lo: DB8 + 1n, hi: DB8 + 1n },
  { text: '2001:db8:0:1::/64', family: 6, lo: DB8 + (1n << 64n), hi: DB8 + (2n << 64n) - 1n },
  { text: '::/0', family: 6, lo: 0n, hi: (1n << 128n) - 1n },
];

export const SOURCES: readonly ModelSource[] = [
  { text: '192.0.2.7', family: 4, value: v4(192, 0, 2, 7) },
  { text: '192.0.2.5', family: 4, value: v4(192, 0, 2, 5) },
  { text: '192.0.2.200', family: 4, value: v4(192, 0, 2, 200) },
  { text: '198.51.100.110', family: 4, value: v4(198, 51, 100, 110) },
  { text: '198.51.100.150', family: 4, value: v4(198, 51, 100, 150) },
  { text: '10.20.30.40', family: 4, value: v4(10, 20, 30, 40) },
  { text: '203.0.113.9', family: 4, value: v4(203, 0, 113, 9) },
  { text: '::ffff:192.0.2.7', family: 4, value: v4(192, 0, 2, 7) },
  { text: '::FFFF:cb00:7109', family: 4, value: v4(203, 0, 113, 9) },
  { text: '8.8.8.8', family: 4, value: v4(8, 8, 8, 8) },
  { text: '2001:db8::1', family: 6, value: DB8 + 1n },
  { text: '2001:DB8:0:1::5', family: 6, value: DB8 + (1n << 64n) + 5n },
  { text: '2001:db8:ffff::', family: 6, value: DB8 + (0xffffn << 80n) },
  { text: '2001:dead::1', family: 6, value: (0x2001deadn << 96n) + 1n },
  { text: '::c000:207', family: 6, value: v4(192, 0, 2, 7) },
  { text: '0177.0.0.1', family: 0, value: 0n },
  { text: '192.0.2.7:5060', family: 0, value: 0n },
  { text: '[2001:db8::1]', family: 0, value: 0n },
  { text: 'fe80::1%eth0', family: 0, value: 0n },
  { text: '１９２.0.2.7', family: 0, value: 0n },
  { text: '', family: 0, value: 0n },
];

/** Dialed strings: E.164 numbers of several regions and types, emergency numbers, and non-numbers. */
export const DIALED: readonly string[] = [
  '+12125550100',
  '+19005550100',
  '+18005550100',
  '+16135550100',
  '+18765550100',
  '+442079460958',
  '+447911123456',
  '+449098790000',
  '+33612345678',
  '+4915123456789',
  '+80012345678',
  '+61412345678',
  '+882341234567',
  '+5215512345678',
  '911',
  '999',
  '112',
  '*67',
];

export const SELECTORS: readonly string[] = [
  'US',
  'CA',
  'GB',
  'GG',
  'JM',
  'FR',
  '001',
  'GB/mobile',
  'GG/mobile',
  'US/toll-free',
  'US/unknown',
  'GB/unknown',
  '*/premium-rate',
  '*/mobile',
  '*/unknown',
  '+1876',
  '+44',
  '+1',
  '+4420',
  '+800',
];

export const CAPS: readonly (string | null)[] = [null, '0.05', '$0.1', '0.0100', '1', '0', '$0.0200'];

/** Request rates: valid ones around the caps, and ones that are not amounts. */
export const REQUEST_RATES: readonly string[] = [
  '0.05',
  '0.0500001',
  '$0.04999999',
  '0.1',
  '0.010',
  '0',
  '2',
  '0.123456789',
  '-0.01',
  '1e-2',
  'abc',
  '',
];

export const DECK: readonly ModelDeckRow[] = [
  { prefix: '1', rate: '0.01' },
  { prefix: '1900', rate: '1.50' },
  { prefix: '1876', rate: '0.12' },
  { prefix: '44', rate: '0.02' },
  { prefix: '447', rate: '0.10' },
  { prefix: '4420', rate: '0.015' },
  { prefix: '33', rate: '0.05' },
  { prefix: '33612', rate: '0.0500001' },
];
