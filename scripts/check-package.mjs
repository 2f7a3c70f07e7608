// Packaging checks run by `npm test` after the build: publint, attw on the packed tarball,
// and a smoke test that installs the tarball where the source tree cannot be seen.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Each smoke file calls real functions through both entry points and fails loudly on a wrong answer.
const SMOKE_ESM = `
import assert from 'node:assert/strict';
import { emergencyNumbersOf, IpAllowList, SipguardError } from 'sipguard';
import { parseIpEntry } from 'sipguard/ip';
assert.deepEqual(emergencyNumbersOf('GB'), ['112', '999']);
const entry = parseIpEntry('195.168.1.0/255.255.255.0');
assert.deepEqual(entry, { source: '195.168.1.0/255.255.255.0', kind: 'mask', family: 4, first: '195.168.1.0', last: '195.168.1.255' });
assert.throws(() => parseIpEntry('010.1.1.1'), (e) => e instanceof SipguardError && e.code === 'leading-zero');
const list = IpAllowList.from(['195.168.1.1-195.168.1.100', '2001:db8::/32']);
assert.equal(list.has('195.168.1.42'), true);
assert.equal(list.has('::ffff:195.168.1.42'), true);
assert.equal(list.has('195.168.1.101'), false);
assert.equal(list.has('2001:db8::1'), true);
console.log('esm ok');
`;
const SMOKE_CJS = `
const assert = require('node:assert/strict');
const { emergencyNumbersOf, IpAllowList, SipguardError } = require('sipguard');
assert.deepEqual(emergencyNumbersOf('AU'), ['000', '106', '112']);
const { parseIpEntry } = require('sipguard/ip');
const entry = parseIpEntry('2001:DB8::1 - 2001:db8::ff');
assert.deepEqual([entry.kind, entry.family, entry.first, entry.last], ['range', 6, '2001:db8::1', '2001:db8::ff']);
assert.throws(() => parseIpEntry('pbx.example.com'), (e) => e instanceof SipguardError && e.code === 'domain-not-supported');
const list = IpAllowList.from(['195.168.1.0/24']);
assert.equal(list.has('195.168.1.200'), true);
assert.equal(list.has('195.168.2.1'), false);
assert.equal(list.probe('195.168.1.1:5060'), -2);
console.log('cjs ok');
`;

const root = resolve(import.meta.dirname, '..');
const run = (cmd, args, cwd = root) => {
  console.log(`$ ${cmd} ${args.join(' ')}`);
  execFileSync(cmd, args, { cwd, stdio: 'inherit' });
};

run('npx', ['publint', '--strict']);

const work = mkdtempSync(join(tmpdir(), 'sipguard-pack-'));
try {
  run('npm', ['pack', '--pack-destination', work, '--silent']);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  if (!tarball) throw new Error('npm pack produced no tarball');
  const tgz = join(work, tarball);

  run('npx', ['attw', tgz, '--profile', 'node16']);

  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'smoke', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--silent', tgz], app);

  writeFileSync(join(app, 'smoke.mjs'), SMOKE_ESM);
  writeFileSync(join(app, 'smoke.cjs'), SMOKE_CJS);
  run('node', ['smoke.mjs'], app);
  run('node', ['smoke.cjs'], app);
  console.log('package checks passed');
} finally {
  rmSync(work, { recursive: true, force: true });
}
