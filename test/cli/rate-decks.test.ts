// `--rates-columns`, `--rates-delimiter` and `--at` on the built `sipguard` binary, over the carrier
// deck fixtures of test/rate (npm test builds before testing).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/cli.js');
const policy = resolve(import.meta.dirname, 'fixtures', 'policy.json');
const deck = (name: string) => resolve(root, 'test/rate/fixtures', name);

function sipguard(args: string[]) {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first (npm test does)`);
});

describe('sipguard check with carrier decks', () => {
  it.each([
    ['semicolons, dated rows and billing increments, found from the header', 'wholesale-semicolon.csv'],
    ['commas with quoted "Jamaica, Mobile" and a connection fee column', 'carrier-comma.csv'],
    ['tabs and CR-only line ends', 'retail-tab.tsv'],
  ])('loads %s without options', (_reason, file) => {
    const r = sipguard(['check', policy, '--rates', deck(file)]);
    expect(r.stdout).toContain('policy.json is valid');
    expect(r.code).toBe(0);
  });

  it('needs --rates-columns for a header it cannot read, and names what is missing without it', () => {
    const without = sipguard(['check', policy, '--rates', deck('named-columns.csv')]);
    expect(without.code).toBe(3);
    expect(without.stdout).toContain('names no prefix column');
    const given = sipguard([
      'check',
      policy,
      '--rates',
      deck('named-columns.csv'),
      '--rates-columns',
      'prefix=Numbers,rate=USD per min,effective-date=4',
    ]);
    expect(given.stdout).toContain('policy.json is valid');
    expect(given.code).toBe(0);
  });

  it('takes the delimiter when given: a semicolon deck read as commas has one field a line', () => {
    const r = sipguard([
      'check',
      policy,
      '--rates',
      deck('wholesale-semicolon.csv'),
      '--rates-delimiter',
      ',',
    ]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('line 2 has 1 field; the rate is read from column 2');
  });

  it.each([
    ['an unknown role', ['--rates-columns', 'dial=2'], '--rates-columns takes role=column pairs'],
    ['a pair without a column', ['--rates-columns', 'prefix='], 'not "prefix="'],
    ['column 0 (numbers count from 1, as messages do)', ['--rates-columns', 'prefix=0'], 'count from 1'],
    ['a role given twice', ['--rates-columns', 'rate=2,rate=3'], 'names the rate column twice'],
    ['an unknown delimiter', ['--rates-delimiter', '|'], '--rates-delimiter must be ",", ";" or "tab"'],
  ])('is a usage error (exit 4): %s', (_reason, args, message) => {
    const r = sipguard(['check', policy, '--rates', deck('named-columns.csv'), ...args]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(message);
  });

  it('is a usage error to give deck options without a deck', () => {
    const r = sipguard(['check', policy, '--rates-delimiter', 'tab']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('apply to a deck given with --rates');
  });
});

describe('sipguard eval --at on a dated deck', () => {
  // carrier-comma.csv: Korea (82) is 0.0120 from 2026-01-01 and 0.0110 from 2026-03-01; the cap is 0.0115.
  const evalAt = (at: string) =>
    sipguard([
      'eval',
      resolve(import.meta.dirname, 'fixtures', 'capped-policy.json'),
      '--extension',
      '100',
      '--dialed',
      '+82221234567',
      '--json',
      '--rates',
      deck('carrier-comma.csv'),
      '--at',
      at,
    ]);

  it.each([
    [
      'before the March change the January row is above the cap',
      '2026-02-28T23:59:59Z',
      2,
      'rate-above-cap',
      '0.012',
    ],
    ['from the March change the lower row is in force', '2026-03-01', 0, 'rate-within-cap', '0.011'],
    [
      'an offset is honoured: 01:00+02:00 on March 1 is still February in UTC',
      '2026-03-01T01:00:00+02:00',
      2,
      'rate-above-cap',
      '0.012',
    ],
  ])('%s', (_reason, at, code, decision, rate) => {
    const r = evalAt(at);
    expect(JSON.parse(r.stdout)).toMatchObject({ code: decision, rate, ratePrefix: '82' });
    expect(r.code).toBe(code);
  });

  it('an impossible --at denies with rate-unknown and names it', () => {
    const r = evalAt('2026-02-30');
    expect(r.code).toBe(2);
    const decision = JSON.parse(r.stdout) as { code: string; message: string };
    expect(decision.code).toBe('rate-unknown');
    expect(decision.message).toContain('"2026-02-30"');
  });
});
