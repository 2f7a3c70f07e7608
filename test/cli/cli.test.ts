// Spawns the built `sipguard` binary (dist/cli.js) on fixture files: `npm test` builds before testing.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const cli = resolve(root, 'dist/cli.js');
const fixture = (name: string) => resolve(import.meta.dirname, 'fixtures', name);

function sipguard(args: string[], env: Record<string, string> = {}, input = '') {
  const result = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    input,
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const json = (text: string): unknown => JSON.parse(text);

beforeAll(() => {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first (npm test does)`);
});

describe('sipguard check', () => {
  it('exits 0 on a valid policy and says so', () => {
    const r = sipguard(['check', fixture('policy.json'), '--rates', fixture('rates.csv')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('policy.json is valid');
  });

  it('exits 3 on an invalid policy and lists every problem with its JSON path', () => {
    const r = sipguard(['check', fixture('invalid-policy.json'), '--json']);
    expect(r.code).toBe(3);
    const out = json(r.stdout) as { valid: boolean; problems: { path: string; code: string }[] };
    expect(out.valid).toBe(false);
    const found = out.problems.map((p) => `${p.path} ${p.code}`);
    expect(found).toContain('/registration/allowFrom/1 leading-zero');
    expect(found).toContain('/registration/allowFrom/2 domain-not-supported');
    expect(found).toContain('/extensions/101/registraton unknown-field');
  });

  it('reports invalid JSON with line and column, and exits 3', () => {
    const r = sipguard(['check', fixture('broken/bad-json.json')]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('invalid JSON: expected true but found "t" (line 3, column 33)');
  });

  it('names a byte order mark before the JSON by code point and says how to save the file', () => {
    const r = sipguard(['check', fixture('broken/bom-policy.json')]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(
      'invalid JSON: expected a value but found U+FEFF BYTE ORDER MARK (some editors write it at the start of a file: save the file as UTF-8 without a byte order mark) (line 1, column 1)',
    );
  });

  it('treats duplicate keys as errors: JSON.parse would silently keep the last', () => {
    const r = sipguard(['check', fixture('broken/duplicate-keys.json'), '--json']);
    expect(r.code).toBe(3);
    const out = json(r.stdout) as { problems: { path: string; code: string }[] };
    expect(out.problems).toEqual([expect.objectContaining({ path: '/homeCountry', code: 'duplicate-key' })]);
  });

  it('refuses a file that is not UTF-8, rather than reading U+FFFD into a key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sipguard-utf8-'));
    try {
      const file = join(dir, 'latin1.json');
      // "10\xff1": a Latin-1 byte in an extension id, which a lenient reader turns into "10\ufffd1".
      writeFileSync(file, Buffer.from('{"homeCountry":"US","extensions":{"10\xff1":{}}}', 'latin1'));
      const r = sipguard(['check', file]);
      expect(r.code).toBe(3);
      expect(r.stdout).toContain('latin1.json unreadable-file: is not UTF-8 text: save it as UTF-8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 3 with a clear message for a missing file', () => {
    const r = sipguard(['check', fixture('no-such-policy.json')]);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('no-such-policy.json unreadable-file: file not found');
  });

  it('reports a bad rate deck row with its line number', () => {
    const r = sipguard([
      'check',
      fixture('policy.json'),
      '--rates',
      fixture('invalid-policy.json'),
      '--json',
    ]);
    expect(r.code).toBe(3);
    const out = json(r.stdout) as { problems: { file: string; path: string }[] };
    expect(out.problems.length).toBeGreaterThan(0);
    expect(
      out.problems.every((p) => p.file.endsWith('invalid-policy.json') && p.path.startsWith('line ')),
    ).toBe(true);
  });
});

describe('sipguard eval', () => {
  it('allows a registration from the extension list and names the entry and level', () => {
    const r = sipguard([
      'eval',
      fixture('policy.json'),
      '--extension',
      '101',
      '--source-ip',
      '203.0.113.7',
      '--json',
    ]);
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toMatchObject({
      allowed: true,
      code: 'ip-allowed',
      scope: 'extension',
      matched: '203.0.113.7',
    });
  });

  it('denies a call to Jamaica from a US account with exit 2', () => {
    const r = sipguard([
      'eval',
      fixture('policy.json'),
      '--extension',
      '100',
      '--dialed',
      '1 876 555 0100',
      '--json',
    ]);
    expect(r.code).toBe(2);
    expect(json(r.stdout)).toMatchObject({
      allowed: false,
      code: 'area-not-allowed',
      scope: 'account',
      destination: { e164: '+18765550100', country: 'JM' },
    });
  });

  it('compares an explicit --rate with the cap', () => {
    const r = sipguard([
      'eval',
      fixture('policy.json'),
      '--extension',
      '100',
      '--dialed',
      '011 44 20 7946 0958',
      '--rate',
      '0.0501',
    ]);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^DENY rate-above-cap \(decided at account level\)/);
    expect(r.stdout).toContain('destination: +442079460958 (GB, fixed-line)');
  });

  it('prints the verdict, reason and matched rule in text form', () => {
    const r = sipguard(['eval', fixture('policy.json'), '--extension', '100', '--source-ip', '203.0.113.15']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ALLOW ip-allowed \(decided at account level\)/);
    expect(r.stdout).toContain('matched rule: 203.0.113.10-203.0.113.20');
  });

  it.each([
    [
      ['--extension', '100'],
      'give exactly one of --source-ip (a registration) or --dialed (a call)',
      'neither request kind',
    ],
    [
      ['--extension', '100', '--source-ip', '1.2.3.4', '--dialed', '911'],
      'give exactly one of',
      'both request kinds',
    ],
    [['--source-ip', '1.2.3.4'], '--extension is required', 'no extension'],
    [
      ['--extension', '1', '--source-ip', '1.2.3.4', '--rate', '0.1'],
      '--rate applies to calls only',
      'rate on a registration',
    ],
    [['--extension', '1', '--bogus'], "Unknown option '--bogus'", 'unknown option'],
  ])('exits 4 on a usage error: %j (%s)', (args, message) => {
    const r = sipguard(['eval', fixture('policy.json'), ...args]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(message);
  });
});

describe('sipguard test', () => {
  it('runs every case and exits 0 when all pass', () => {
    const r = sipguard(['test', fixture('cases.json')]);
    expect(r.stdout.trim().split('\n').at(-1)).toBe('8 passed, 0 failed');
    expect(r.code).toBe(0);
  });

  it('reports a failing case with expected and actual, and exits 1', () => {
    const r = sipguard(['test', fixture('failing-cases.json')]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('✗ wrongly expects Jamaica to be allowed');
    expect(r.stdout).toContain('expected: allow');
    expect(r.stdout).toContain('actual:   deny area-not-allowed');
    expect(r.stdout.trim().split('\n').at(-1)).toBe('1 passed, 1 failed');
  });

  it('gives per-case results in --json', () => {
    const r = sipguard(['test', fixture('failing-cases.json'), '--json']);
    const out = json(r.stdout) as {
      passed: number;
      failed: number;
      results: { name: string; passed: boolean }[];
    };
    expect(out.passed).toBe(1);
    expect(out.failed).toBe(1);
    expect(out.results.map((x) => x.passed)).toEqual([true, false]);
  });

  it('exits 3 when the cases file is invalid', () => {
    const r = sipguard(['test', fixture('policy.json'), '--json']);
    expect(r.code).toBe(3);
    const out = json(r.stdout) as { problems: { code: string }[] };
    expect(out.problems.map((p) => p.code)).toContain('missing-field');
  });

  it('exits 3 when the policy it names is invalid', () => {
    const r = sipguard(['test', fixture('failing-cases.json'), '--policy', fixture('invalid-policy.json')]);
    expect(r.code).toBe(3);
  });
});

describe('sipguard drop', () => {
  it('lists the registrations the policy no longer allows, extra fields passed through', () => {
    const r = sipguard(['drop', fixture('policy.json'), fixture('registrations.json'), '--json']);
    expect(r.code).toBe(0);
    const out = json(r.stdout) as {
      total: number;
      drop: {
        registration: { extension: string; sourceIp: string; contact: string };
        decision: { code: string };
      }[];
    };
    expect(out.total).toBe(4);
    expect(out.drop.map((d) => [d.registration.extension, d.registration.sourceIp, d.decision.code])).toEqual(
      [
        ['100', '192.0.2.50', 'ip-not-allowed'],
        ['101', '198.51.100.7', 'ip-not-allowed'],
      ],
    );
    expect(out.drop[0]?.registration.contact).toBe('sip:100@192.0.2.50:5060');
  });

  it('exits 3 when the registrations file is not a list of registrations', () => {
    const r = sipguard(['drop', fixture('policy.json'), fixture('policy.json')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('expected a JSON list of registrations');
  });
});

describe('sipguard normalize', () => {
  it('shows the range and minimal CIDRs of each entry', () => {
    const r = sipguard(['normalize', '195.168.1.1-195.168.1.6', '195.168.1.0/255.255.255.0', '--json']);
    expect(r.code).toBe(0);
    expect((json(r.stdout) as { entries: unknown }).entries).toEqual([
      expect.objectContaining({
        kind: 'range',
        first: '195.168.1.1',
        last: '195.168.1.6',
        cidrs: ['195.168.1.1/32', '195.168.1.2/31', '195.168.1.4/31', '195.168.1.6/32'],
      }),
      expect.objectContaining({
        kind: 'mask',
        first: '195.168.1.0',
        last: '195.168.1.255',
        cidrs: ['195.168.1.0/24'],
      }),
    ]);
  });

  it('exits 3 and explains an invalid entry', () => {
    const r = sipguard(['normalize', '127.1']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('127.1');
    expect(r.stdout).toContain('error');
  });

  it('warns that 195.168.1.5/24 has host bits set, and says which network it is read as', () => {
    const r = sipguard(['normalize', '195.168.1.5/24']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('195.168.1.0 – 195.168.1.255');
    expect(r.stdout).toContain('warning host-bits-set: entry 0 "195.168.1.5/24" has host bits set');
    const out = json(sipguard(['normalize', '195.168.1.5/24', '--json']).stdout) as {
      entries: { findings: { code: string; severity: string }[] }[];
    };
    expect(out.entries[0]?.findings).toEqual([
      expect.objectContaining({ code: 'host-bits-set', severity: 'warning' }),
    ]);
  });

  it.each<[string[], string[], string]>([
    [['10.0.0.0/25', '10.0.0.128/25'], ['10.0.0.0/24'], 'two adjacent halves are one /24'],
    [
      ['10.0.0.0/24', '10.0.0.5', '10.0.0.200-10.0.1.3'],
      ['10.0.0.0/24', '10.0.1.0/30'],
      'a contained address adds nothing; an overlapping range extends the union',
    ],
    [['192.0.2.9', '192.0.2.8'], ['192.0.2.8/31'], 'two adjacent addresses, out of order'],
    [
      ['2001:db8::/33', '2001:db8:8000::/33', '192.0.2.1'],
      ['192.0.2.1/32', '2001:db8::/32'],
      'IPv4 first, then IPv6, each merged',
    ],
    [['198.51.100.1', '198.51.100.1'], ['198.51.100.1/32'], 'a duplicate once'],
  ])('merges the entries into the minimal CIDRs of their union: %j (%s)', (entries, cidrs) => {
    const r = sipguard(['normalize', ...entries, '--json']);
    expect(r.code).toBe(0);
    expect((json(r.stdout) as { cidrs: string[] }).cidrs).toEqual(cidrs);
    expect(sipguard(['normalize', ...entries]).stdout).toContain(`merged: ${cidrs.join(', ')}`);
  });

  it('shows the overlap and containment findings under the entry they concern', () => {
    const r = sipguard(['normalize', '10.0.0.0/24', '10.0.0.5', '10.0.0.200-10.0.1.3', '--json']);
    const out = json(r.stdout) as { entries: { findings: { code: string }[] }[] };
    expect(out.entries.map((e) => e.findings.map((f) => f.code))).toEqual([
      [],
      ['contained-entry'],
      ['overlapping-entries'],
    ]);
  });

  it('shows no merged list when an entry is invalid: one bad entry rejects the list', () => {
    const r = sipguard(['normalize', '10.0.0.1', '10.0.0.256', '--json']);
    expect(r.code).toBe(3);
    const out = json(r.stdout) as { entries: Record<string, unknown>[]; cidrs?: unknown };
    expect(out.cidrs).toBeUndefined();
    expect(out.entries[0]).not.toHaveProperty('findings');
    expect(out.entries[1]).toHaveProperty('error');
    expect(sipguard(['normalize', '10.0.0.1', '10.0.0.256']).stdout).not.toContain('merged:');
  });
});

describe('"-" is standard input', () => {
  const text = (name: string) => readFileSync(fixture(name), 'utf8');

  it('check reads the policy from standard input', () => {
    const r = sipguard(['check', '-', '--json'], {}, text('policy.json'));
    expect(r.code).toBe(0);
    expect(json(r.stdout)).toEqual(expect.objectContaining({ file: '-', valid: true }));
  });

  it('check reads the rate deck from standard input, and an invalid policy from there is exit 3', () => {
    const r = sipguard(['check', fixture('policy.json'), '--rates', '-'], {}, text('rates.csv'));
    expect(r.code).toBe(0);
    const bad = sipguard(['check', '-', '--json'], {}, '{ "homeCountry": "UK" }');
    expect(bad.code).toBe(3);
    expect(json(bad.stdout)).toEqual(
      expect.objectContaining({ problems: [expect.objectContaining({ file: '-', path: '/homeCountry' })] }),
    );
  });

  it('reads JSON from standard input as strictly as from a file', () => {
    const r = sipguard(['check', '-', '--json'], {}, '{ "homeCountry": "US", "homeCountry": "JM" }');
    expect(r.code).toBe(3);
    expect(json(r.stdout)).toEqual(
      expect.objectContaining({ problems: [expect.objectContaining({ code: 'duplicate-key' })] }),
    );
  });

  it('eval, drop and test read their file from standard input', () => {
    const evaluated = sipguard(
      ['eval', '-', '--extension', '100', '--dialed', '+18765550100', '--json'],
      {},
      text('policy.json'),
    );
    expect(json(evaluated.stdout)).toEqual(expect.objectContaining({ code: 'area-not-allowed' }));
    const dropped = sipguard(['drop', fixture('policy.json'), '-', '--json'], {}, text('registrations.json'));
    expect(dropped.code).toBe(0);
    expect((json(dropped.stdout) as { total: number }).total).toBe(4);
    const tested = sipguard(['test', fixture('cases.json'), '--policy', '-'], {}, text('policy.json'));
    expect(tested.stdout.trim().split('\n').at(-1)).toBe('8 passed, 0 failed');
  });

  it.each<[string[], string]>([
    [['check', '-', '--rates', '-'], 'only one file argument can be "-" (standard input)'],
    [['drop', '-', '-'], 'only one file argument can be "-" (standard input)'],
    [['test', '-', '--policy', '-'], 'only one file argument can be "-" (standard input)'],
    [['serve', '-'], 'serve reloads its files when they change: give file names, not "-"'],
    [['serve', fixture('policy.json'), '--rates', '-'], 'give file names, not "-"'],
    // parseArgs would keep the last value: which one was meant is unknown.
    [
      ['test', fixture('cases.json'), '--policy', 'a.json', '--policy=b.json'],
      'option --policy is given twice ("a.json" and "b.json"); give it once',
    ],
    [
      ['eval', fixture('policy.json'), '--extension', '100', '--dialed', '911', '--extension', '200'],
      'option --extension is given twice ("100" and "200")',
    ],
    [['serve', fixture('policy.json'), '--port', '0', '--port', '0'], 'option --port is given twice'],
  ])('%j is a usage error', (args, message) => {
    const r = sipguard(args, {}, '{}');
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(message);
  });
});

describe('usage errors with --json', () => {
  it.each<[string[], string]>([
    [['check', fixture('policy.json'), '--bogus', '--json'], "Unknown option '--bogus'"],
    [['check', '--json'], 'expected one policy file, got 0 argument(s)'],
    [['eval', fixture('policy.json'), '--json', '--extension', '1'], 'give exactly one of --source-ip'],
    [['chek', '--json'], 'unknown command "chek" (did you mean "check"?)'],
    [['normalize', '--json'], 'expected at least one allow-list entry'],
  ])('%j prints one JSON error on standard output and exits 4', (args, message) => {
    const r = sipguard(args);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('');
    const out = json(r.stdout) as { error: string; problems: { code: string; message: string }[] };
    expect(out.error).toBe('usage');
    expect(out.problems).toEqual([
      expect.objectContaining({ code: 'usage', message: expect.stringContaining(message) }),
    ]);
  });

  it("names the command's usage line, as the text error does", () => {
    const out = json(sipguard(['drop', '--json']).stdout) as { usage?: string };
    expect(out.usage).toBe('sipguard drop <policy.json> <registrations.json> [--json]');
  });

  it('has the same shape as the other JSON errors: error and problems with file, path, code, message', () => {
    const usage = json(sipguard(['drop', '--json']).stdout) as { problems: object[] };
    const input = json(
      sipguard(['drop', fixture('policy.json'), fixture('policy.json'), '--json']).stdout,
    ) as {
      error: string;
      problems: object[];
    };
    expect(input.error).toBe('invalid-input');
    expect(Object.keys(usage.problems[0] ?? {}).sort()).toEqual(Object.keys(input.problems[0] ?? {}).sort());
  });

  it('takes a flag given twice as given once: it means the same', () => {
    const once = sipguard(['check', fixture('policy.json'), '--json']);
    const twice = sipguard(['check', fixture('policy.json'), '--json', '--json']);
    expect(twice.code).toBe(once.code);
    expect(twice.stdout).toBe(once.stdout);
    expect(() => json(twice.stdout)).not.toThrow();
  });

  it('stays text without --json, and "--json" after "--" is not the option', () => {
    const r = sipguard(['normalize', '--bogus']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('usage: sipguard normalize');
    expect(r.stdout).toBe('');
    const after = sipguard(['normalize', '--', '--json']);
    expect(after.code).toBe(3);
    expect(after.stdout).toContain('--json');
  });
});

describe('sipguard help, version and colour', () => {
  it('prints the command list with --help and exits 0', () => {
    const r = sipguard(['--help']);
    expect(r.code).toBe(0);
    for (const command of ['check', 'eval', 'test', 'drop', 'normalize'])
      expect(r.stdout).toContain(`sipguard ${command}`);
  });

  it('prints help for one command', () => {
    const r = sipguard(['eval', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('sipguard eval <policy.json> --extension');
  });

  it('exits 4 with no command or an unknown command', () => {
    expect(sipguard([]).code).toBe(4);
    const r = sipguard(['frobnicate']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('unknown command "frobnicate"');
    expect(r.stderr).not.toContain('did you mean');
  });

  it.each([
    ['chek', 'check'],
    ['Eval', 'eval'],
    ['nromalize', 'normalize'],
  ])('suggests the command meant by %s', (typo, meant) => {
    const r = sipguard([typo]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`unknown command "${typo}" (did you mean "${meant}"?)`);
  });

  it('prints the package version', () => {
    expect(sipguard(['--version']).stdout.trim()).toBe('0.1.0');
  });

  it('never colours output that is not a terminal', () => {
    const r = sipguard(['check', fixture('invalid-policy.json')], { NO_COLOR: '' });
    expect(r.stdout).not.toContain('\u001b[');
  });
});

describe('output into a closed pipe (issue 15, D9: `sipguard eval … | head -c1`)', () => {
  /** Runs the binary with its standard output closed before it writes, as after `head` exited. */
  function intoClosedPipe(args: string[]): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, [cli, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    return new Promise((r) => child.on('close', (code) => r({ code, stderr })));
  }

  it.each([
    [['eval', fixture('policy.json'), '--extension', '100', '--dialed', '12025550123'], 'the issue'],
    [['eval', fixture('policy.json'), '--extension', '100', '--dialed', '19005550123', '--json'], 'a deny'],
    [['check', fixture('policy.json'), '--json'], 'check'],
    [['test', fixture('cases.json')], 'test'],
    [['drop', fixture('policy.json'), fixture('registrations.json')], 'drop'],
    [['normalize', '10.0.0.0/8'], 'normalize'],
    [['--help'], 'help'],
  ])('%j ends quietly with exit 141 (%s)', async (args) => {
    const { code, stderr } = await intoClosedPipe(args);
    expect(stderr).toBe('');
    expect(code).toBe(141);
  });
});
