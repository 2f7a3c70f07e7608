import { safeParseJsonText } from '../index.js';

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

// Strict: bytes that are not UTF-8 are an error, never U+FFFD in a policy key, a case name or a
// query value; a leading byte order mark is kept (the default drops it), for the checks to refuse.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes as text (a file, a request); throws (`ERR_ENCODING_INVALID_ENCODED_DATA`) when they are not UTF-8. */
export function decodeText(bytes: Uint8Array): string {
  return utf8.decode(bytes);
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
            : code === 'ERR_ENCODING_INVALID_ENCODED_DATA'
              ? 'is not UTF-8 text: save it as UTF-8'
              : `cannot read the file (${e instanceof Error ? e.message : String(e)})`;
    throw new FileError([{ file, path: '', code: 'unreadable-file', message: why }]);
  }
}

/**
 * Parses JSON text strictly (the library's `safeParseJsonText`): a syntax error is reported with its
 * line and column, and duplicate keys are errors (JSON.parse would silently keep the last one).
 */
export function parseJsonText(file: string, text: string): unknown {
  const result = safeParseJsonText(text);
  if (result.success) return result.value;
  throw new FileError(
    result.issues.map((issue) => ({
      file,
      path: issue.path,
      code: issue.code,
      message: `${issue.message} (line ${issue.line}, column ${issue.column})`,
    })),
  );
}

/** Reads and strictly parses a JSON file. */
export async function readJsonFile(
  readText: (path: string) => Promise<string>,
  file: string,
): Promise<unknown> {
  return parseJsonText(file, await readTextFile(readText, file));
}
