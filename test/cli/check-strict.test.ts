// `sipguard check --strict` on the built binary: warnings fail with exit 5, info findings never do.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const cli = resolve(import.meta.dirname, '../../dist/cli.js');
const fixture = (name: string) => resolve(import.meta.dirname, 'fixtures', name);

function check(...args: string[]) {
  const result = spawnSync(process.execPath, [cli, 'check', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first (npm test does)`);
});

describe('sipguard check --strict', () => {
  it.each([
    ['a warning passes without --strict', ['denies-all-policy.json'], 0],
    ['a warning fails under --strict with its own code', ['denies-all-policy.json', '--strict'], 5],
    ['info findings never fail', ['info-only-policy.json', '--strict'], 0],
    ['a policy with no findings passes', ['policy.json', '--rates', 'rates.csv', '--strict'], 0],
    ['an invalid policy is still 3', ['invalid-policy.json', '--strict'], 3],
  ])('%s', (_reason, [file = '', ...rest], code) => {
    const args = [fixture(file), ...rest.map((a) => (a.endsWith('.csv') ? fixture(a) : a))];
    expect(check(...args).code).toBe(code);
  });

  it('says which findings failed it, in text and JSON', () => {
    const text = check(fixture('denies-all-policy.json'), '--strict');
    expect(text.stdout).toContain('✗');
    expect(text.stdout).toContain('warning /registration registration-denies-all');
    expect(text.stdout).toContain('--strict: 1 warning fails the check');
    const json = JSON.parse(check(fixture('denies-all-policy.json'), '--strict', '--json').stdout) as {
      valid: boolean;
      passed: boolean;
      failedBy: { path: string; code: string; severity: string }[];
    };
    expect(json.valid).toBe(true);
    expect(json.passed).toBe(false);
    expect(json.failedBy).toMatchObject([
      { path: '/registration', code: 'registration-denies-all', severity: 'warning' },
    ]);
  });

  it('passes in JSON with an empty failedBy when only info findings exist', () => {
    const json = JSON.parse(check(fixture('info-only-policy.json'), '--strict', '--json').stdout) as {
      passed: boolean;
      failedBy: unknown[];
      findings: { severity: string }[];
    };
    expect(json).toMatchObject({ passed: true, failedBy: [] });
    expect(json.findings.map((f) => f.severity)).toEqual(['info']);
  });
});
