// The body of `POST /v1/registrations/drop`: a JSON list of held registrations, read strictly.
import type { RegistrationRequest } from '../../index.js';
import { FileError, type FileProblem, parseJsonText } from '../files.js';

/** The name problems give for the body. */
export const BODY_FILE = '(request body)';

/** The registrations of a body, or why it is refused (an `invalid-body` answer). */
export type DropBody =
  | { readonly ok: true; readonly registrations: readonly RegistrationRequest[] }
  | { readonly ok: false; readonly message: string; readonly problems?: readonly FileProblem[] };

const isRegistration = (item: unknown): item is RegistrationRequest => {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return false;
  // Own properties only: an inherited `extension` (say, on Object.prototype) is not the item's.
  if (!Object.hasOwn(item, 'extension') || !Object.hasOwn(item, 'sourceIp')) return false;
  const { extension, sourceIp } = item as { extension?: unknown; sourceIp?: unknown };
  return typeof extension === 'string' && typeof sourceIp === 'string';
};

/**
 * The registrations of a parsed JSON value (a list of objects with `extension` and `sourceIp`
 * strings; other fields pass through), or one problem per item that is not one, named after `file`.
 * The `drop` command reads its file with it too.
 */
export function readRegistrations(
  raw: unknown,
  file: string,
): { readonly registrations: RegistrationRequest[]; readonly problems: FileProblem[] } {
  if (!Array.isArray(raw)) {
    return {
      registrations: [],
      problems: [{ file, path: '', code: 'wrong-type', message: 'expected a JSON list of registrations' }],
    };
  }
  const problems: FileProblem[] = [];
  const registrations: RegistrationRequest[] = [];
  raw.forEach((item: unknown, i) => {
    if (isRegistration(item)) registrations.push(item);
    else {
      problems.push({
        file,
        path: `/${i}`,
        code: 'wrong-type',
        message: 'a registration must be an object with "extension" and "sourceIp" strings',
      });
    }
  });
  return { registrations, problems };
}

/** Reads the body: strict JSON (duplicate keys are errors), a list of `{ extension, sourceIp }` objects. */
export function parseDropBody(text: string): DropBody {
  let raw: unknown;
  try {
    raw = parseJsonText(BODY_FILE, text);
  } catch (e) {
    if (!(e instanceof FileError)) throw e;
    return { ok: false, message: 'the body is not valid JSON', problems: e.problems };
  }
  if (!Array.isArray(raw)) return { ok: false, message: 'expected a JSON list of registrations' };
  const { registrations, problems } = readRegistrations(raw, BODY_FILE);
  if (problems.length > 0) {
    return { ok: false, message: `${problems.length} registration(s) are malformed`, problems };
  }
  return { ok: true, registrations };
}
