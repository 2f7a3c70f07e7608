// `npm run example:api`: the library API on the bundled example (policy.json, rates.csv): prints real
// registration and call decisions, the registrations to drop, then the policy's findings.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type CallRequest,
  compilePolicyJson,
  type Decision,
  RateTable,
  type RegistrationRequest,
} from '../src/index.js';

const doc: unknown = JSON.parse(readFileSync(resolve(import.meta.dirname, 'policy.json'), 'utf8'));
const rates = RateTable.fromCsv(readFileSync(resolve(import.meta.dirname, 'rates.csv'), 'utf8'));
const policy = compilePolicyJson(doc, { rates });

const show = (what: string, d: Decision) => {
  const verdict = d.allowed ? 'ALLOW' : 'DENY ';
  // Each field is read only from the decisions that can carry it.
  const extra = [
    'matched' in d && d.matched !== undefined ? `matched=${JSON.stringify(d.matched)}` : '',
    'destination' in d && d.destination !== undefined
      ? `to=${d.destination.e164} ${d.destination.country}/${d.destination.type}`
      : '',
    'rate' in d ? `rate=$${d.rate}` : '',
    'cap' in d ? `cap=$${d.cap}` : '',
    'ratePrefix' in d && d.ratePrefix !== undefined ? `prefix=${d.ratePrefix}` : '',
  ]
    .filter(Boolean)
    .join(' ');
  console.log(`${verdict} ${what.padEnd(44)} ${d.code.padEnd(16)} ${d.scope.padEnd(9)} ${extra}`);
  console.log(`       ${d.message}`);
};

console.log('Registrations');
const registrations: RegistrationRequest[] = [
  { extension: '100', sourceIp: '198.51.100.20' },
  { extension: '100', sourceIp: '185.220.101.4' },
  { extension: '201', sourceIp: '192.0.2.44' },
  { extension: '201', sourceIp: '198.51.100.20' },
  { extension: '300', sourceIp: '185.220.101.4' },
  { extension: '999', sourceIp: '198.51.100.20' },
  { extension: '100', sourceIp: '198.051.100.20' },
];
for (const r of registrations) show(`ext ${r.extension} from ${r.sourceIp}`, policy.checkRegistration(r));

console.log('\nCalls');
const calls: CallRequest[] = [
  { extension: '100', dialed: '(201) 555-0123' },
  { extension: '100', dialed: '1 876 555 0100' },
  { extension: '100', dialed: '+1 900 800 1234' },
  { extension: '100', dialed: '011 44 20 7946 0958' },
  { extension: '100', dialed: '+44 7400 123456' },
  { extension: '201', dialed: '+49 30 901820' },
  { extension: '300', dialed: '+1 613 555 0123', ratePerMinute: '0.0100' },
  { extension: '300', dialed: '911' },
  { extension: '100', dialed: '*69' },
];
for (const c of calls) {
  const rate = c.ratePerMinute === undefined ? '' : ` @ $${c.ratePerMinute}`;
  show(`ext ${c.extension} dials ${c.dialed}${rate}`, policy.checkCall(c));
}

console.log('\nRegistrations to drop after this policy took effect');
for (const { registration, decision } of policy.registrationsToDrop(registrations)) {
  console.log(`  ext ${registration.extension} from ${registration.sourceIp}: ${decision.code}`);
}

console.log('\nFindings');
for (const f of policy.findings) console.log(`  ${f.severity.padEnd(7)} ${f.path} ${f.code}: ${f.message}`);
