// Writes schema/policy.schema.json from the policy spec: `npx tsx schema/generate.ts`.
// test/policy/shape.test.ts fails when the checked-in file differs from this output.
// The lint wants it formatted: follow with `npx biome format --write schema/policy.schema.json`.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildPolicySchema } from '../src/policy/schema.js';

const out = resolve(import.meta.dirname, 'policy.schema.json');
writeFileSync(out, `${JSON.stringify(buildPolicySchema(), null, 2)}\n`);
console.log(`wrote ${out}`);
