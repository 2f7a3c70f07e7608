import { readFile } from 'node:fs/promises';

/** Everything the CLI does to the outside world, so tests and `serve` can substitute it. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly readText: (path: string) => Promise<string>;
  /** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
  readonly color: boolean;
}

/** The real process: standard streams and the file system. */
export function processIo(): CliIo {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    readText: (path) => readFile(path, 'utf8'),
    color: Boolean(process.stdout.isTTY) && !noColor,
  };
}

/** Exit codes, as documented in docs/cli.md. */
export const ExitCode = {
  /** Valid / allowed / every case passed. */
  ok: 0,
  /** `test`: at least one case failed. */
  failed: 1,
  /** `eval`: the request was denied. */
  denied: 2,
  /** A policy, deck, cases or registrations file is missing, unreadable or invalid. */
  invalid: 3,
  /** The command line itself is wrong: unknown command or option, missing argument. */
  usage: 4,
} as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
