import { checkJsonText } from './json/check-json.js';

/** A problem with an input file, ready to print: where, and what is wrong. */
export interface FileProblem {
  readonly file: string;
  readonly path: string;
  readonly code: string;
  readonly message: string;
}

/** The file could not be used; `problems` says why, each with its place. */
export class FileError extends Error {
  constructor(readonly problems: readonly FileProblem[]) {
    super(problems.map((p) => `${p.file}${p.path ? ` ${p.path}` : ''}: ${p.message}`).join('\n'));
  }
}

/** Reads a file as text, turning the usual system errors into a sentence a person can act on. */
export async function readTextFile(
  readText: (path: string) => Promise<string>,
  file: string,
): Promise<string> {
  try {
    return await readText(file);
  } catch (e) {
    const code = e instanceof Error && 'code' in e ? String(e.code) : '';
    const why =
      code === 'ENOENT'
        ? 'file not found'
        : code === 'EISDIR'
          ? 'is a directory, not a file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : `cannot read the file (${e instanceof Error ? e.message : String(e)})`;
    throw new FileError([{ file, path: '', code: 'unreadable-file', message: why }]);
  }
}

/**
 * Parses JSON text strictly: a syntax error is reported with its line and column, and duplicate
 * keys are errors (JSON.parse would silently keep the last one).
 */
export function parseJsonText(file: string, text: string): unknown {
  const problems = checkJsonText(text);
  if (problems.length > 0) {
    throw new FileError(
      problems.map((p) => ({
        file,
        path: p.path,
        code: p.kind === 'duplicate-key' ? 'duplicate-key' : 'invalid-json',
        message: `${p.kind === 'duplicate-key' ? '' : 'invalid JSON: '}${p.message} (line ${p.line}, column ${p.column})`,
      })),
    );
  }
  return JSON.parse(text);
}

/** Reads and strictly parses a JSON file. */
export async function readJsonFile(
  readText: (path: string) => Promise<string>,
  file: string,
): Promise<unknown> {
  return parseJsonText(file, await readTextFile(readText, file));
}
