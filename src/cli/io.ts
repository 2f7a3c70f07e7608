import { readFile } from 'node:fs/promises';
import { decodeText } from './files.js';

/** The file argument that means standard input, as in `cat -` (docs/cli.md). */
export const STDIN = '-';

/** Everything the CLI does to the outside world, so tests and `serve` can substitute it. */
export interface CliIo {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Reads a file as UTF-8 text; {@link STDIN} reads standard input to its end. */
  readonly readText: (path: string) => Promise<string>;
  /** Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org). */
  readonly color: boolean;
}

/** The process's standard streams and file system, and whether standard output was lost. */
export interface ProcessIo extends CliIo {
  /** True once a write to standard output failed (its reader went away): later output is dropped. */
  readonly outputClosed: () => boolean;
}

/**
 * The real process: standard streams and the file system. A failed write to standard output (EPIPE
 * when `| head` has exited) marks the output closed and calls `onOutputClosed` once; it never throws
 * or prints a stack trace. Errors on standard error are ignored: there is nowhere left to say them.
 */
export function processIo(onOutputClosed: () => void): ProcessIo {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '';
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    onOutputClosed();
  };
  // Listeners are added on first use, so `serve`, which writes its log through its own bounded
  // writer, is not ended by this one.
  let guarded = false;
  const write = (text: string) => {
    if (closed) return;
    if (!guarded) {
      guarded = true;
      process.stdout.on('error', close);
    }
    try {
      process.stdout.write(`${text}\n`);
    } catch {
      close();
    }
  };
  process.stderr.on('error', () => {});
  return {
    out: write,
    err: (text) => {
      try {
        process.stderr.write(`${text}\n`);
      } catch {
        // Standard error is gone too; nothing can be said.
      }
    },
    readText: async (path) => decodeText(path === STDIN ? await readStdin() : await readFile(path)),
    color: Boolean(process.stdout.isTTY) && !noColor,
    outputClosed: () => closed,
  };
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
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
  /** `check --strict`: the policy is valid but has at least one warning. */
  warnings: 5,
  /** Standard output was closed before everything was written (128 + SIGPIPE, as a shell reports it). */
  outputClosed: 141,
} as const;

/** One of the documented exit codes. */
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
