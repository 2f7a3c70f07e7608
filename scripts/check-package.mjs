// Packaging checks run by `npm test` after the build: publint, attw on the packed tarball,
// and a smoke test that installs the tarball where the source tree cannot be seen.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// Each smoke file calls real functions through both entry points and fails loudly on a wrong answer.
const SMOKE_ESM = `
import assert from 'node:assert/strict';
import { SipguardError } from 'sipguard';
import * as ip from 'sipguard/ip';
const e = new SipguardError('invalid-address', 'x', []);
assert.equal(e.code, 'invalid-address');
assert.equal(typeof ip.SipguardError, 'function');
console.log('esm ok');
`;
const SMOKE_CJS = `
const assert = require('node:assert/strict');
const { SipguardError } = require('sipguard');
const ip = require('sipguard/ip');
const e = new SipguardError('invalid-address', 'x', []);
assert.equal(e.code, 'invalid-address');
assert.equal(typeof ip.SipguardError, 'function');
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
