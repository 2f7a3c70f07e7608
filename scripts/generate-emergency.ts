// Writes src/phone/emergency-table.ts from the vendored libphonenumber short-number metadata:
// `npm run generate:emergency`. test/phone/emergency-table.test.ts fails when the committed file
// differs from this output. Reads only files in the repository; no network.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateEmergencyTable } from './emergency/table.js';

const data = resolve(import.meta.dirname, 'data/libphonenumber');
const out = resolve(import.meta.dirname, '../src/phone/emergency-table.ts');
const source = generateEmergencyTable(
  readFileSync(resolve(data, 'ShortNumberMetadata.xml'), 'utf8'),
  readFileSync(resolve(data, 'README.md'), 'utf8'),
);
writeFileSync(out, source);
console.log(`wrote ${out}`);
