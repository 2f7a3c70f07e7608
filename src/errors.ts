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
  | 'empty-rate-deck';

/** Codes for a problem in a policy document (see docs/policy.md). */
export type PolicyErrorCode =
  | 'wrong-type'
  | 'unknown-field'
  | 'missing-field'
  | 'invalid-country'
  | 'invalid-selector'
  | 'invalid-value';

/** Codes of a thrown {@link SipguardError}: one problem, or an aggregate of several. */
export type SipguardErrorCode =
  | IpErrorCode
  | RateErrorCode
  | PolicyErrorCode
  | 'invalid-ip-list'
  | 'invalid-rate-deck'
  | 'invalid-policy'
  | 'invalid-cases';

/** Codes that may appear on one {@link SipguardIssue}. */
export type SipguardIssueCode = IpErrorCode | RateErrorCode | PolicyErrorCode;

/**
 * One configuration problem: plain, JSON-serializable data.
 * `path` is a JSON pointer into the input (`/extensions/101/registration/allowFrom/2`),
 * or `/3` for the fourth entry of a list, or `""` for the input as a whole.
 */
export interface SipguardIssue {
  readonly path: string;
  readonly code: SipguardIssueCode;
  readonly message: string;
  /** The offending input as text, when there is one. */
  readonly input?: string;
  /** 1-based line number, for line-oriented inputs such as a CSV rate deck. */
  readonly line?: number;
}

/**
 * The one error sipguard throws, for configuration it cannot accept.
 * Per-request input (a source address, a dialed string) never throws: it yields a deny.
 * `issues` lists every problem found; it has at least one element.
 */
export class SipguardError extends Error {
  override readonly name = 'SipguardError';
  readonly code: SipguardErrorCode;
  readonly issues: readonly SipguardIssue[];
  /** The offending input of a single-problem error, when there is one. */
  readonly input: string | undefined;

  constructor(code: SipguardErrorCode, message: string, issues: readonly SipguardIssue[], input?: string) {
    super(message);
    this.code = code;
    this.issues = issues;
    this.input = input;
  }
}

/** Builds the error for a single problem, so its one issue and the error agree. */
export function singleIssueError(issue: SipguardIssue): SipguardError {
  return new SipguardError(issue.code, issue.message, [issue], issue.input);
}

/**
 * Builds one error for many problems. The message names the count and quotes the first few,
 * so a log line alone is enough to act on.
 */
export function aggregateError(
  code: SipguardErrorCode,
  what: string,
  issues: readonly SipguardIssue[],
): SipguardError {
  const shown = issues.slice(0, 3).map((i) => `${shortPath(i.path) || '(root)'}: ${i.message}`);
  const more = issues.length > shown.length ? `; and ${issues.length - shown.length} more` : '';
  const noun = issues.length === 1 ? 'problem' : 'problems';
  return new SipguardError(code, `${what}: ${issues.length} ${noun}: ${shown.join('; ')}${more}`, issues);
}

// A path holds document keys, which can be huge: the message shows its start only, so that one hostile
// key cannot flood a log line (the issue keeps the whole path).
function shortPath(path: string): string {
  return path.length > 120 ? `${path.slice(0, 120)}…` : path;
}

/** Escapes one JSON-pointer segment (RFC 6901). */
export function pointerSegment(segment: string | number): string {
  return String(segment).replaceAll('~', '~0').replaceAll('/', '~1');
}
