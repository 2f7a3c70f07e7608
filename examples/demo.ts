// `npm start`: compiles the bundled example policy (examples/policy.json) with a small rate deck and
// prints real registration and call decisions, then the policy's findings.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  type CallRequest,
  compilePolicy,
  type Decision,
  RateTable,
  type RegistrationRequest,
} from '../src/index.js';

const doc: unknown = JSON.parse(readFileSync(resolve(import.meta.dirname, 'policy.json'), 'utf8'));
// A carrier deck as the caller would read it from a file: prefix, rate, description.
const rates = RateTable.fromCsv(
  [
    'prefix,rate,description',
    '1,0.0100,NANP',
    '1876,0.1200,Jamaica',
    '44,0.0200,United Kingdom',
    '4420,0.0450,London',
    '44909,0.5000,UK premium rate',
  ].join('\n'),
);
const policy = compilePolicy(doc, { rates });

const show = (what: string, d: Decision) => {
  const verdict = d.allowed ? 'ALLOW' : 'DENY ';
  const extra = [
    d.matched === undefined ? '' : `matched=${JSON.stringify(d.matched)}`,
    d.destination === undefined
      ? ''
      : `to=${d.destination.e164} ${d.destination.country}/${d.destination.type}`,
    d.rate === undefined ? '' : `rate=$${d.rate}`,
    d.cap === undefined ? '' : `cap=$${d.cap}`,
    d.ratePrefix === undefined ? '' : `prefix=${d.ratePrefix}`,
  ]
    .filter(Boolean)
    .join(' ');
  console.log(`${verdict} ${what.padEnd(44)} ${d.code.padEnd(16)} ${d.scope.padEnd(9)} ${extra}`);
  console.log(`       ${d.message}`);
};

console.log('Registrations');
const registrations: RegistrationRequest[] = [
  { extension: '100', sourceIp: '195.168.1.42' },
  { extension: '100', sourceIp: '198.51.100.23' },
  { extension: '101', sourceIp: '203.0.113.7' },
  { extension: '101', sourceIp: '195.168.1.42' },
  { extension: '102', sourceIp: '198.51.100.23' },
  { extension: '100', sourceIp: '195.168.001.42' },
];
for (const r of registrations) show(`ext ${r.extension} from ${r.sourceIp}`, policy.checkRegistration(r));

console.log('\nCalls');
const calls: CallRequest[] = [
  { extension: '100', dialed: '(201) 555-0123' },
  { extension: '100', dialed: '1 876 555 0100' },
  { extension: '100', dialed: '+1 900 800 1234' },
  { extension: '100', dialed: '011 44 20 7946 0958' },
  { extension: '103', dialed: '011 44 20 7946 0958' },
  { extension: '103', dialed: '+44 909 879 0000' },
  { extension: '100', dialed: '+1 613 555 0123', ratePerMinute: '0.0600' },
  { extension: '100', dialed: '1 800 555 0100' },
  { extension: '100', dialed: '911' },
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
