// The Kamailio emergency include: written from sipguard's own table, and the example ships exactly
// what the command writes for US (so the edge and the library cannot drift apart unnoticed).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kamailioEmergencyInclude } from '../../src/cli/kamailio-emergency.js';
import { classifyDialed } from '../../src/index.js';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/cli.js');
const sipguard = (args: string[]) => {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first (npm test does)`);
});

/** The numbers an include lets through, read back from its `case "N":` lines. */
const casesOf = (text: string) => [...text.matchAll(/^\t\tcase "([0-9]+)":$/gm)].map((m) => m[1]);

describe('kamailioEmergencyInclude', () => {
  it.each(['US', 'GB', 'DE', 'AU'])(
    'lists for %s exactly the numbers sipguard classifies as emergency',
    (region) => {
      const include = kamailioEmergencyInclude(region);
      if (!('text' in include)) throw new Error(include.message);
      const numbers = casesOf(include.text);
      expect(numbers.length).toBeGreaterThan(0);
      for (const n of numbers) {
        expect(classifyDialed(n ?? '', { homeCountry: region }), `${n} in ${region}`).toMatchObject({
          ok: true,
          emergency: true,
        });
      }
      expect(include.text).toContain('route[SIPGUARD_EMERGENCY] {');
    },
  );

  it('includes the 112 and 911 that ShortNumberMetadata (and the FCC, for 911) give for the US', () => {
    const include = kamailioEmergencyInclude('US');
    expect('text' in include && casesOf(include.text)).toEqual(['112', '911']);
  });

  it.each([
    ['XX', 'unknown-region', 'not a region'],
    ['us', 'unknown-region', 'region codes are upper case'],
    ['', 'unknown-region', 'empty'],
  ])('refuses %j: %s (%s)', (region, code, _why) => {
    expect(kamailioEmergencyInclude(region)).toMatchObject({ code });
  });

  it('refuses a region sipguard has no emergency numbers for, instead of writing an include that lets none through', () => {
    expect(kamailioEmergencyInclude('KR', () => [])).toMatchObject({
      code: 'no-emergency-numbers',
      message:
        'sipguard has no emergency numbers for KR: an include would let no emergency call through without a decision',
    });
  });

  it('refuses to write anything but digits into Kamailio configuration', () => {
    expect(() => kamailioEmergencyInclude('US', () => ['911', '1"; exit; #'])).toThrow(/is not digits only/);
  });
});

describe('sipguard kamailio-emergency', () => {
  it('writes to standard output what examples/kamailio ships for US', async () => {
    const r = sipguard(['kamailio-emergency', '--region', 'US']);
    expect(r.code).toBe(0);
    expect(`${r.stdout}`).toBe(
      await readFile(resolve(root, 'examples/kamailio/sipguard-emergency.cfg'), 'utf8'),
    );
  });

  it('writes --output whole and says so; exits 3 on an unknown region and 4 without --region', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sipguard-emergency-'));
    try {
      const file = join(dir, 'emergency.cfg');
      const ok = sipguard(['kamailio-emergency', '--region', 'GB', '--output', file]);
      expect(ok.code).toBe(0);
      expect(ok.stdout).toContain(`wrote ${file}`);
      expect(casesOf(await readFile(file, 'utf8'))).toEqual(['112', '999']);
      const unknown = sipguard(['kamailio-emergency', '--region', 'XX', '--json']);
      expect(unknown.code).toBe(3);
      expect(JSON.parse(unknown.stdout)).toMatchObject({ error: 'unknown-region' });
      expect(sipguard(['kamailio-emergency']).code).toBe(4);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
