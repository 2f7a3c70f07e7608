// The fault probe of issue 15 against the built `sipguard serve`, one reproduction per test.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPolicyHolder } from '../../src/cli/serve/policy-holder.js';
import { POLICY_A, POLICY_B, policyText, sha256 } from '../fixtures/serve-policies.js';
import { cli, killAll, policyFolder, poll, requireBuiltCli, startServe } from './serve-process.js';

let dir = '';
let policyFile = '';

beforeAll(requireBuiltCli);
afterAll(killAll);

beforeEach(async () => {
  ({ dir, policyFile } = await policyFolder('sipguard-faults-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const decide = async (url: string, ip = '127.0.0.2') =>
  (await fetch(`${url}/v1/registration?extension=101&sourceIp=${ip}&format=text`)).text();

describe('D1: the log stream closes', () => {
  it('keeps deciding, says so once on standard error, and stops cleanly on SIGTERM', async () => {
    const serve = await startServe([policyFile, '--port', '0', '--log']);
    serve.child.stdout?.destroy(); // as `| head -n1` does after the first line
    for (let i = 0; i < 20; i++) expect(await decide(serve.url)).toBe('allow ip-allowed\n');
    await poll(
      async () => serve.stderr(),
      (text) => text.includes('the log output failed'),
    );
    expect(serve.child.exitCode).toBe(null);
    expect(serve.stderr().trim().split('\n')).toEqual([expect.stringMatching(/log output failed \(EPIPE\)/)]);
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 30_000);
});

describe('D5: the log reader stalls', () => {
  it('exits within the documented bound after SIGTERM however much log waits', async () => {
    const serve = await startServe([policyFile, '--port', '0', '--log'], { readLog: false });
    // Each request logs its 2,000-digit dialed string: 100 requests are about 200 KB of log, far more
    // than a pipe holds (64 KiB), so without a bound on the wait after SIGTERM the process would stay
    // until a reader drained it. (The drop bound itself is tested in serve-log.test.ts.)
    const dialed = '1'.repeat(2_000);
    const batch = Array.from({ length: 4 }, async () => {
      for (let i = 0; i < 25; i++)
        await fetch(`${serve.url}/v1/call?extension=101&dialed=${dialed}&format=text`);
    });
    await Promise.all(batch);
    const stopped = performance.now();
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    // Documented: within STOP_FLUSH_MS (1 s) of the signal; 3 s leaves room for a loaded machine.
    expect(performance.now() - stopped).toBeLessThan(3_000);
  }, 60_000);
});

describe('D6: special files in place of the policy', { timeout: 60_000 }, () => {
  const mkfifo = (path: string): void => {
    execFileSync('mkfifo', [path]);
  };

  it('a FIFO, a device, a directory or a file over the bound fails the reload; reloading goes on working', async () => {
    const events: Record<string, unknown>[] = [];
    const holder = await createPolicyHolder({ policyFile, log: (e) => events.push(e), maxFileBytes: 4096 });
    try {
      const cases: [string, () => Promise<void>, string, RegExp][] = [
        [
          'a FIFO',
          async () => mkfifo(policyFile),
          'not-a-regular-file',
          /is a FIFO \(named pipe\), not a regular file/,
        ],
        [
          'a link to /dev/zero',
          () => symlink('/dev/zero', policyFile),
          'not-a-regular-file',
          /is a character device/,
        ],
        ['a directory', () => mkdir(policyFile), 'not-a-regular-file', /is a directory/],
        [
          'a file over the bound',
          () => writeFile(policyFile, `${' '.repeat(4097)}{}`),
          'file-too-large',
          /is 4099 bytes, more than the 4096-byte bound \(raise it with --max-file-bytes\)/,
        ],
      ];
      for (const [what, make, code, message] of cases) {
        await rm(policyFile, { recursive: true, force: true });
        await make();
        const outcome = await holder.reload(what);
        expect(outcome, what).toEqual({
          result: 'failed',
          problems: [{ file: policyFile, path: '', code, message: expect.stringMatching(message) }],
        });
        expect(holder.health().status).toBe('stale');
        // The last good policy still decides.
        expect((await holder.checkRegistration({ extension: '101', sourceIp: '127.0.0.2' })).code).toBe(
          'ip-allowed',
        );
      }
      await rm(policyFile, { recursive: true, force: true });
      await writeFile(policyFile, policyText(POLICY_B));
      expect(await holder.reload('fixed')).toEqual({
        result: 'applied',
        sha256: sha256(policyText(POLICY_B)),
      });
      expect(holder.health().status).toBe('ok');
      expect(events.filter((e) => e.event === 'reload-failed')).toHaveLength(cases.length);
    } finally {
      await holder.close();
    }
  });

  it('the binary: a FIFO at start is exit 3 at once, not a hang', async () => {
    await rm(policyFile);
    mkfifo(policyFile);
    const started = performance.now();
    const child = spawnSync(process.execPath, [cli, 'serve', policyFile, '--port', '0'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(child.status).toBe(3);
    expect(child.stderr).toContain('is a FIFO (named pipe), not a regular file');
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('the binary: with a FIFO swapped in, reloads fail, answers go on, and SIGTERM ends it', async () => {
    const serve = await startServe([policyFile, '--port', '0']);
    await rm(policyFile);
    mkfifo(policyFile);
    serve.child.kill('SIGHUP');
    await poll(
      async () => (await (await fetch(`${serve.url}/healthz`)).json()) as { status: string },
      (h) => h.status === 'stale',
    );
    expect(await decide(serve.url)).toBe('allow ip-allowed\n');
    const stopped = performance.now();
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(performance.now() - stopped).toBeLessThan(3_000);
  });
});

describe('D4: changes made through a symbolic link', () => {
  it('a ConfigMap-style ..data swap is decided by the new policy, and /healthz names it', async () => {
    const data = (name: string) => join(dir, name);
    await mkdir(data('..2026_01_01_a'));
    await writeFile(data('..2026_01_01_a/policy.json'), policyText(POLICY_A));
    await symlink('..2026_01_01_a', data('..data'));
    const linked = data('linked.json');
    await symlink('..data/policy.json', linked);
    const serve = await startServe([linked, '--port', '0']);
    expect(await decide(serve.url, '127.0.0.4')).toBe('deny ip-not-allowed\n');
    await mkdir(data('..2026_01_01_b'));
    await writeFile(data('..2026_01_01_b/policy.json'), policyText(POLICY_B));
    await symlink('..2026_01_01_b', data('..data_tmp'));
    await rename(data('..data_tmp'), data('..data'));
    await rm(data('..2026_01_01_a'), { recursive: true });
    // POLICY_B allows 127.0.0.4; the swap is seen by a folder event (or at worst the 1 s look).
    await poll(
      () => decide(serve.url, '127.0.0.4'),
      (answer) => answer === 'allow ip-allowed\n',
      15_000,
    );
    const health = (await (await fetch(`${serve.url}/healthz`)).json()) as {
      status: string;
      policy: { sha256: string };
    };
    expect(health).toMatchObject({ status: 'ok', policy: { sha256: sha256(policyText(POLICY_B)) } });
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 30_000);
});

describe('D2: a large policy file', { timeout: 120_000 }, () => {
  /** A valid policy of 10,000 extensions with `perExtension` allow-list entries each. */
  const largePolicy = (perExtension: number, allowed: string) => {
    const extensions: Record<string, unknown> = {};
    for (let e = 0; e < 10_000; e++) {
      const allowFrom = Array.from({ length: perExtension }, (_, i) => `10.${e >> 8}.${e & 255}.${i}`);
      extensions[String(1000 + e)] = { registration: { restrict: true, allowFrom } };
    }
    return JSON.stringify({
      ...POLICY_A,
      registration: { restrict: true, allowFrom: [allowed] },
      extensions,
    });
  };

  it('answers keep coming from the old policy while a new one compiles', async () => {
    await writeFile(policyFile, largePolicy(1, '127.0.0.2'));
    const holder = await createPolicyHolder({ policyFile, log: () => {} });
    try {
      // About 1.5 MB: a second or more to compile, far longer than one answer.
      await writeFile(policyFile, largePolicy(10, '127.0.0.4'));
      let reloaded = false;
      const reloadStarted = performance.now();
      const reload = holder.reload('test').finally(() => {
        reloaded = true;
      });
      const codes = new Set<string>();
      let answers = 0;
      let slowestMs = 0;
      while (!reloaded) {
        const started = performance.now();
        const { code } = await holder.checkRegistration({ extension: '101', sourceIp: '127.0.0.2' });
        if (reloaded) break;
        answers++;
        codes.add(code);
        slowestMs = Math.max(slowestMs, performance.now() - started);
      }
      expect((await reload).result).toBe('applied');
      const reloadMs = performance.now() - reloadStarted;
      // Before, the compile ran on the answering thread: not one answer came while it lasted.
      expect(answers).toBeGreaterThan(10);
      expect(codes).toEqual(new Set(['ip-allowed']));
      // Against the reload's own duration, so machine load scales both sides: an answer held up by
      // the compile would wait for most of it.
      expect(
        slowestMs,
        `slowest answer ${slowestMs.toFixed(1)} ms of a ${reloadMs.toFixed(0)} ms reload`,
      ).toBeLessThan(reloadMs / 2);
      expect((await holder.checkRegistration({ extension: '101', sourceIp: '127.0.0.2' })).code).toBe(
        'ip-not-allowed',
      );
    } finally {
      await holder.close();
    }
  });

  it('the binary: a 50 MB file is refused before it is read, and answers go on', async () => {
    const serve = await startServe([policyFile, '--port', '0']);
    await writeFile(policyFile, `[${'{},'.repeat((50 * 1024 * 1024) / 3)}{}]`);
    serve.child.kill('SIGHUP');
    const health = await poll(
      async () =>
        (await (await fetch(`${serve.url}/healthz`)).json()) as {
          status: string;
          lastReloadError?: { problems: { code: string }[] };
        },
      (h) => h.status === 'stale',
      30_000,
    );
    expect(health.lastReloadError?.problems.map((p) => p.code)).toEqual(['file-too-large']);
    expect(await decide(serve.url)).toBe('allow ip-allowed\n');
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  });
});

describe('a reload when the service stops', () => {
  // A reload under way when the service stopped logged its outcome after 'stopped' (seen once in CI).
  it.each([
    ['the files are unchanged', async () => {}],
    ['the policy file is gone', () => rm(policyFile)],
    ['the policy changed', () => writeFile(policyFile, policyText(POLICY_B))],
  ])('a reload that closing overtakes logs and applies nothing (%s)', async (_what, change) => {
    const events: Record<string, unknown>[] = [];
    const holder = await createPolicyHolder({ policyFile, log: (e) => events.push(e) });
    const before = holder.current().policySha256;
    await change();
    const logged = events.length;
    const reloading = holder.reload('file-changed');
    await holder.close();
    expect(await reloading).toEqual({ result: 'failed', problems: [] });
    expect(events.slice(logged)).toEqual([]);
    expect(holder.current().policySha256).toBe(before);
    // Once closed, a reload is refused at once.
    expect(await holder.reload('signal')).toEqual({ result: 'failed', problems: [] });
    expect(events.slice(logged)).toEqual([]);
  });
});
