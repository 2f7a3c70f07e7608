// Starting `sipguard serve` in tests: the built binary (dist/cli.js, built by `npm test`), or the
// service in this process.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { DecisionServer } from '../../src/cli/serve/service.js';
import { POLICY_A, policyText, RATES } from '../fixtures/serve-policies.js';

export const cli = resolve(import.meta.dirname, '../../dist/cli.js');

/** Throws when the binary has not been built. */
export function requireBuiltCli(): void {
  if (!existsSync(cli)) throw new Error(`${cli} is missing: run "npm run build" first (npm test does)`);
}

/** A running `sipguard serve`: its process, its JSON log lines so far, stderr, and its exit. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly lines: Record<string, unknown>[];
  readonly stderr: () => string;
  readonly exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** Kills (SIGKILL) every child started here that is still running; for afterAll. */
export function killAll(): void {
  for (const child of running)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  running.clear();
}

/**
 * Starts `sipguard serve <args>` and resolves once its first line names the URL. With `readLog`
 * false, standard output is not read after that line (a stalled reader).
 */
export async function startServe(
  args: readonly string[],
  options: { readLog?: boolean } = {},
): Promise<ServeProcess> {
  const child = spawn(process.execPath, [cli, 'serve', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
  });
  running.add(child);
  const lines: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    stderr += c;
  });
  // 'close' comes once standard output has ended, so every line written is in `lines` by then; a
  // test that stops reading gets 'exit', since a paused pipe with data in it never ends.
  const exited = new Promise<number | null>((r) =>
    child.on(options.readLog === false ? 'exit' : 'close', (code) => r(code)),
  );
  const url = await new Promise<string>((resolveUrl, rejectUrl) => {
    const timer = setTimeout(() => rejectUrl(new Error('serve did not start within 20 s')), 20_000);
    const reader = createInterface({ input: child.stdout ?? process.stdin });
    reader.on('line', (line) => {
      const event = JSON.parse(line) as Record<string, unknown>;
      lines.push(event);
      if (event.event === 'listening') {
        clearTimeout(timer);
        if (options.readLog === false) {
          reader.close();
          child.stdout?.pause();
        }
        resolveUrl(String(event.url));
      }
    });
    child.on('exit', () => rejectUrl(new Error(`serve exited before listening: ${stderr}`)));
  });
  return { child, url, lines, stderr: () => stderr, exited };
}

/** Reads until `done` holds, or throws after `ms` with the last value read. */
export async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, ms = 10_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until)
      throw new Error(`condition not met within ${ms} ms; last: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A temporary folder holding POLICY_A as policy.json and RATES as rates.csv. */
export async function policyFolder(
  prefix: string,
): Promise<{ dir: string; policyFile: string; ratesFile: string }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const policyFile = join(dir, 'policy.json');
  const ratesFile = join(dir, 'rates.csv');
  await writeFile(policyFile, policyText(POLICY_A));
  await writeFile(ratesFile, RATES);
  return { dir, policyFile, ratesFile };
}

/** Listens on a free loopback port; resolves with the base URL. */
export async function listenLocal(service: DecisionServer): Promise<string> {
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
}

/** Closes the server, its connections, the registration sweep and the policy holder. */
export async function closeService(service: DecisionServer): Promise<void> {
  service.server.closeAllConnections();
  await new Promise<void>((r) => service.server.close(() => r()));
  await service.close();
}
