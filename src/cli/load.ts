import { dirname, resolve } from 'node:path';
import {
  compilePolicyJson,
  type Policy,
  parseRuleCases,
  type RateDeckCsvOptions,
  RateTable,
  type RuleCasesDocument,
  SipguardError,
} from '../index.js';
import { FileError, type FileProblem, readJsonFile, readTextFile } from './files.js';
import type { CliIo } from './io.js';

/** Turns a configuration error into printable problems that name the file they came from. */
export function problemsOf(file: string, error: SipguardError): FileProblem[] {
  return error.issues.map((issue) => ({
    file,
    path: issue.line === undefined ? issue.path : `line ${issue.line}`,
    code: issue.code,
    message: issue.message,
  }));
}

/** Reads and compiles a rate deck CSV, with the columns and delimiter of `deckOptions` when given. */
export async function loadRates(
  io: CliIo,
  file: string,
  deckOptions?: RateDeckCsvOptions,
): Promise<RateTable> {
  const text = await readTextFile(io.readText, file);
  try {
    return RateTable.fromCsv(text, deckOptions);
  } catch (e) {
    if (e instanceof SipguardError) throw new FileError(problemsOf(file, e));
    throw e;
  }
}

/**
 * Reads and compiles a policy (and its rate deck, when given). Every problem of both files is
 * collected before failing, so one run shows everything to fix.
 */
export async function loadPolicy(
  io: CliIo,
  file: string,
  ratesFile?: string,
  deckOptions?: RateDeckCsvOptions,
): Promise<Policy> {
  const problems: FileProblem[] = [];
  let rates: RateTable | undefined;
  if (ratesFile !== undefined) {
    try {
      rates = await loadRates(io, ratesFile, deckOptions);
    } catch (e) {
      if (!(e instanceof FileError)) throw e;
      problems.push(...e.problems);
    }
  }
  let policy: Policy | undefined;
  try {
    const doc = await readJsonFile(io.readText, file);
    policy = compilePolicyJson(doc, rates === undefined ? {} : { rates });
  } catch (e) {
    if (e instanceof FileError) problems.push(...e.problems);
    else if (e instanceof SipguardError) problems.push(...problemsOf(file, e));
    else throw e;
  }
  if (problems.length > 0 || policy === undefined) throw new FileError(problems);
  return policy;
}

/** A cases file, with its policy and rate deck resolved relative to the file's folder. */
export interface LoadedCases {
  readonly cases: RuleCasesDocument;
  readonly policyFile: string;
  readonly ratesFile: string | undefined;
}

/** Reads and validates a cases file; `policyOverride` (from the command line) wins over its `policy`. */
export async function loadCases(io: CliIo, file: string, policyOverride?: string): Promise<LoadedCases> {
  const doc = await readJsonFile(io.readText, file);
  let cases: RuleCasesDocument;
  try {
    cases = parseRuleCases(doc);
  } catch (e) {
    if (e instanceof SipguardError) throw new FileError(problemsOf(file, e));
    throw e;
  }
  const base = dirname(file);
  const policyFile = policyOverride ?? (cases.policy === undefined ? undefined : resolve(base, cases.policy));
  if (policyFile === undefined) {
    throw new FileError([
      {
        file,
        path: '/policy',
        code: 'missing-field',
        message: 'no policy: add "policy" to the file or pass --policy',
      },
    ]);
  }
  return { cases, policyFile, ratesFile: cases.rates === undefined ? undefined : resolve(base, cases.rates) };
}
