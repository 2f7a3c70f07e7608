import { describeValue, excerpt, quote } from './text.js';

/** Codes for a problem in one IP allow-list entry (see docs/ip-allow-lists.md). */
export type IpErrorCode =
  | 'empty-entry'
  | 'too-long'
  | 'domain-not-supported'
  | 'invalid-address'
  | 'leading-zero'
  | 'invalid-prefix-length'
  | 'non-contiguous-mask'
  | 'mask-on-ipv6'
  | 'range-reversed'
  | 'range-mixed-family'
  | 'zone-not-allowed'
  | 'host-bits-set';

/** Codes for a problem in a money amount or a rate deck (see docs/rates.md). */
export type RateErrorCode =
  | 'invalid-rate'
  | 'negative-rate'
  | 'too-many-decimals'
  | 'rate-too-large'
  | 'invalid-prefix'
  | 'duplicate-prefix'
  | 'invalid-row'
  | 'missing-column'
  | 'ambiguous-column'
  | 'invalid-date'
  | 'invalid-billing-increment'
  | 'empty-rate-deck';

/** Codes for a problem in a policy document (see docs/policy.md). */
export type PolicyErrorCode =
  | 'wrong-type'
  | 'unknown-field'
  | 'missing-field'
  | 'invalid-country'
  | 'invalid-selector'
  | 'invalid-time-zone'
  | 'invalid-calling-hours'
  | 'invalid-value';

/** Codes for a problem in JSON text (see docs/errors.md): a syntax error, or a duplicate key. */
export type JsonErrorCode = 'invalid-json' | 'duplicate-key';

/** Code for a public function called with an argument of the wrong type, or an option out of range. */
export type ArgumentErrorCode = 'invalid-argument';

/** Codes of an error that stands for several problems, one issue each. */
export type AggregateErrorCode =
  | 'invalid-ip-list'
  | 'invalid-rate-deck'
  | 'invalid-policy'
  | 'invalid-cases'
  | 'invalid-json-text';

/** Codes that may appear on one {@link SipguardIssue}. */
export type SipguardIssueCode =
  | IpErrorCode
  | RateErrorCode
  | PolicyErrorCode
  | JsonErrorCode
  | ArgumentErrorCode;

/** Codes of a thrown {@link SipguardError}: one problem (the issue's own code), or an aggregate of several. */
export type SipguardErrorCode = SipguardIssueCode | AggregateErrorCode;

/**
 * The codes the issues of an error with code `C` can have: IP entry codes in an `invalid-ip-list`,
 * deck codes in an `invalid-rate-deck`, document, IP and money codes in an `invalid-policy`, JSON
 * codes in an `invalid-json-text`; a single-problem error's one issue has the error's own code.
 */
export type SipguardIssueCodeOf<C extends SipguardErrorCode> = C extends 'invalid-ip-list'
  ? IpErrorCode
  : C extends 'invalid-rate-deck'
    ? RateErrorCode | 'wrong-type'
    : C extends 'invalid-policy'
      ? IpErrorCode | RateErrorCode | PolicyErrorCode
      : C extends 'invalid-cases'
        ? PolicyErrorCode
        : C extends 'invalid-json-text'
          ? JsonErrorCode
          : C;

/**
 * One configuration problem: plain, JSON-serializable data.
 * `path` is a JSON pointer into the input (`/extensions/101/registration/allowFrom/2`),
 * or `/3` for the fourth entry of a list, or `""` for the input as a whole.
 */
export interface SipguardIssue<C extends SipguardIssueCode = SipguardIssueCode> {
  readonly path: string;
  readonly code: C;
  readonly message: string;
  /** The offending input as text, when there is one. */
  readonly input?: string;
  /** 1-based line number, for text inputs: a CSV rate deck, JSON text. */
  readonly line?: number;
  /** 1-based column: the field of a CSV rate deck, or the character of a JSON text. */
  readonly column?: number;
}

/**
 * Every issue as one line for a person, in order: its path (`(root)` for the document itself), line
 * and column where known, code and message. Unlike an error's message, nothing is left out.
 */
export function formatIssues(issues: readonly SipguardIssue[]): string {
  return issues
    .map((issue) => {
      const where = [
        ...(issue.line === undefined ? [] : [`line ${issue.line}`]),
        ...(issue.column === undefined ? [] : [`column ${issue.column}`]),
      ];
      const at = `${excerpt(issue.path) || '(root)'}${where.length === 0 ? '' : ` (${where.join(', ')})`}`;
      return `${at} ${issue.code}: ${issue.message}`;
    })
    .join('\n');
}

/** A {@link SipguardError} with code `C`, whose issues have the codes an error of that code can carry. */
export interface SipguardErrorOf<C extends SipguardErrorCode> extends Error {
  readonly name: 'SipguardError';
  readonly code: C;
  /** Every problem found; at least one. */
  readonly issues: readonly SipguardIssue<SipguardIssueCodeOf<C>>[];
  /** The offending input of a single-problem error, when there is one. */
  readonly input: string | undefined;
}

/**
 * The one error sipguard throws, for configuration it cannot accept or an argument of the wrong type.
 * Per-request input (a source address, a dialed string) never throws: it yields a deny.
 * A union over the codes, so `switch (error.code)` narrows the codes of `error.issues`.
 */
export type SipguardError<C extends SipguardErrorCode = SipguardErrorCode> = C extends SipguardErrorCode
  ? SipguardErrorOf<C>
  : never;

/** The `SipguardError` value: construct, recognize (`SipguardError.is`, `instanceof`). */
export interface SipguardErrorConstructor {
  new <C extends SipguardErrorCode>(
    code: C,
    message: string,
    issues: readonly SipguardIssue<SipguardIssueCodeOf<C>>[],
    input?: string,
  ): SipguardError<C>;
  readonly prototype: SipguardError;
  /**
   * True for an error thrown by any copy of sipguard: the ESM and the CommonJS builds of one package
   * are two classes, so this reads a `Symbol.for` brand rather than the prototype chain.
   */
  is(value: unknown): value is SipguardError;
  /** `instanceof SipguardError` is {@link SipguardErrorConstructor.is}, so it holds across builds too. */
  [Symbol.hasInstance](value: unknown): value is SipguardError;
}

// Shared by every copy of sipguard loaded in one process (Symbol.for is global to the realm).
const BRAND = Symbol.for('sipguard.SipguardError');

function isSipguardError(value: unknown): value is SipguardError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}

// A class expression named SipguardError, so `error.constructor.name` and stack traces say so.
const SipguardErrorClass = class SipguardError extends Error {
  override readonly name = 'SipguardError';
  readonly code: SipguardErrorCode;
  readonly issues: readonly SipguardIssue[];
  readonly input: string | undefined;

  constructor(code: SipguardErrorCode, message: string, issues: readonly SipguardIssue[], input?: string) {
    super(message);
    this.code = code;
    this.issues = issues;
    this.input = input;
  }

  static is(value: unknown): value is SipguardError {
    return isSipguardError(value);
  }
};
Object.defineProperty(SipguardErrorClass.prototype, BRAND, { value: true });
// `instanceof SipguardError` reads the brand; a subclass keeps the ordinary prototype-chain test.
Object.defineProperty(SipguardErrorClass, Symbol.hasInstance, {
  value(this: unknown, value: unknown): boolean {
    return this === SipguardErrorClass
      ? isSipguardError(value)
      : Function.prototype[Symbol.hasInstance].call(this, value);
  },
});

// The class's own types cannot say that `code` decides the issue codes; the interface does.
export const SipguardError = SipguardErrorClass as unknown as SipguardErrorConstructor;

/** Builds the error for a single problem, so its one issue and the error agree. */
export function singleIssueError<C extends SipguardIssueCode>(issue: SipguardIssue<C>): SipguardError<C> {
  return new SipguardError<C>(
    issue.code,
    issue.message,
    [issue as SipguardIssue<SipguardIssueCodeOf<C>>],
    issue.input,
  );
}

/** Builds the error for a call with a wrong argument: `what` names the argument and what was given. */
export function argumentError(what: string): SipguardError<'invalid-argument'> {
  return singleIssueError({ path: '', code: 'invalid-argument', message: `invalid argument: ${what}` });
}

/**
 * Checks an options argument: undefined, or an object whose own fields are all `known` ones, so that
 * a misspelt option (`{ rate }` for `{ rates }`) is an error rather than silently no option. The
 * caller checks each value. Throws `invalid-argument`.
 */
export function checkOptionNames(
  api: string,
  options: unknown,
  known: readonly string[],
): asserts options is object | undefined {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw argumentError(
      `${api} options must be an object such as { ${known.join(', ')} }, got ${describeValue(options)}`,
    );
  }
  for (const name of Object.keys(options)) {
    if (!known.includes(name)) {
      throw argumentError(`${api} has no option ${quote(name)}; its options are ${known.join(', ')}`);
    }
  }
}

/**
 * Builds one error for many problems. The message names the count and quotes the first few,
 * so a log line alone is enough to act on.
 */
export function aggregateError<C extends AggregateErrorCode>(
  code: C,
  what: string,
  issues: readonly SipguardIssue<SipguardIssueCodeOf<C>>[],
): SipguardError<C> {
  // A path holds document keys, which can be huge: the message shows an excerpt, so that one hostile
  // key cannot flood a log line (the issue keeps the whole path).
  const shown = issues.slice(0, 3).map((i) => `${excerpt(i.path) || '(root)'}: ${i.message}`);
  const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '';
  const noun = issues.length === 1 ? 'problem' : 'problems';
  return new SipguardError(code, `${what}: ${issues.length} ${noun}: ${shown.join('; ')}${more}`, issues);
}
