// Rule-set test cases: what a policy should decide for given requests, checked against what it does.
import { aggregateError, argumentError, type PolicyErrorCode, type SipguardIssue } from '../errors.js';
import { isInstant, isLedgerKey, MAX_LEDGER_KEY_LENGTH } from '../limits/index.js';
import type { Decision, DecisionCode } from '../policy/decision.js';
import type { CallRequest, Policy, RegistrationRequest } from '../policy/policy.js';
import { parseEffectiveDate } from '../rate/dates.js';
import { describeValue, docsPage, isRecord, pointerSegment, quote } from '../text.js';
import type { RuleCaseResult } from './result.js';
import {
  MAX_REPEAT,
  MAX_SEQUENCE_CALLS,
  MAX_SEQUENCE_STEPS,
  type RuleSequence,
  repeatCallId,
  type SequenceStep,
} from './sequences.js';

/** One expectation: a registration or a call, and whether it should be allowed (and with which code). */
export type RuleCase = {
  readonly name: string;
  readonly expect: 'allow' | 'deny';
  /** When given, the decision's code must match too. */
  readonly code?: DecisionCode;
} & (
  | { readonly register: RegistrationRequest; readonly call?: never }
  | { readonly call: CallRequest; readonly register?: never }
);

/**
 * A cases file: the cases and the sequences, and the policy and rate deck they run against (paths
 * relative to the file).
 */
export interface RuleCasesDocument {
  readonly policy?: string;
  readonly rates?: string;
  readonly cases: readonly RuleCase[];
  readonly sequences: readonly RuleSequence[];
}

export type { RuleCaseResult } from './result.js';

// A Record over the union makes the compiler reject a missing or extra code.
const DECISION_CODES: Readonly<Record<DecisionCode, true>> = {
  unrestricted: true,
  'ip-allowed': true,
  'ip-not-allowed': true,
  'allow-list-empty': true,
  'invalid-ip': true,
  'invalid-request': true,
  emergency: true,
  'area-allowed': true,
  'area-not-allowed': true,
  'area-denied': true,
  'invalid-number': true,
  'rate-within-cap': true,
  'rate-above-cap': true,
  'rate-unknown': true,
  'concurrency-limit': true,
  'velocity-limit': true,
  'repeat-dial-limit': true,
  'spend-limit': true,
  'outside-calling-hours': true,
  'ledger-unavailable': true,
};

const isDecisionCode = (value: unknown): value is DecisionCode =>
  typeof value === 'string' && Object.hasOwn(DECISION_CODES, value);

/**
 * Evaluates every case against `policy`. Each case is validated first, as parseRuleCases does: a
 * malformed one (`"expect": "allowed"`, a `sourceIP` typo, a missing field) is never run and fails
 * with its problems and their paths, so a wrong test cannot pass. Never throws for a case; throws
 * `invalid-argument` when `policy` is not a Policy or `cases` not an array.
 */
export function runCases(policy: Policy, cases: readonly RuleCase[]): RuleCaseResult[] {
  const checks: unknown = policy;
  if (
    typeof checks !== 'object' ||
    checks === null ||
    typeof (checks as Partial<Policy>).checkCall !== 'function'
  ) {
    throw argumentError(`runCases takes a Policy from compilePolicy, got ${describeValue(checks)}`);
  }
  const list: unknown = cases;
  if (!Array.isArray(list)) {
    throw argumentError(
      `runCases takes the cases as an array (parseRuleCases(doc).cases), got ${describeValue(list)}`,
    );
  }
  return list.map((raw: unknown, index): RuleCaseResult => {
    const issues: SipguardIssue<PolicyErrorCode>[] = [];
    const c = readCase(raw, `/${index}`, (path, code, message) => issues.push({ path, code, message }));
    if (c === undefined || issues.length > 0) {
      const name = isRecord(raw) && typeof raw.name === 'string' ? raw.name : `case ${index}`;
      return { outcome: 'malformed', name, passed: false, issues };
    }
    const actual: Decision = c.register ? policy.checkRegistration(c.register) : policy.checkCall(c.call);
    const allowed = c.expect === 'allow';
    const passed = actual.allowed === allowed && (c.code === undefined || actual.code === c.code);
    return {
      outcome: passed ? 'passed' : 'failed',
      name: c.name,
      passed,
      expected: c.code === undefined ? { allowed } : { allowed, code: c.code },
      actual,
    };
  });
}

type Problem = (path: string, code: PolicyErrorCode, message: string) => void;

function stringField(
  obj: Record<string, unknown>,
  key: string,
  path: string,
  required: boolean,
  problem: Problem,
): string | undefined {
  if (!Object.hasOwn(obj, key)) {
    if (required) problem(path, 'missing-field', `${path || 'the document'} needs a ${quote(key)} string`);
    return undefined;
  }
  const value = obj[key];
  if (typeof value !== 'string') {
    problem(`${path}/${key}`, 'wrong-type', `${quote(key)} must be a string, not ${describeValue(value)}`);
    return undefined;
  }
  return value;
}

function onlyFields(
  obj: Record<string, unknown>,
  allowed: readonly string[],
  path: string,
  problem: Problem,
) {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      problem(
        `${path}/${pointerSegment(key)}`,
        'unknown-field',
        `unknown field ${quote(key)}; expected one of ${allowed.join(', ')}`,
      );
    }
  }
}

// One case at `path`, checked field by field: every problem is reported, then the case, if whole.
function readCase(raw: unknown, path: string, problem: Problem): RuleCase | undefined {
  if (!isRecord(raw)) {
    problem(path, 'wrong-type', `a case must be an object, not ${describeValue(raw)}`);
    return undefined;
  }
  onlyFields(raw, ['name', 'register', 'call', 'expect', 'code'], path, problem);
  const name = stringField(raw, 'name', path, true, problem);
  const expectText = stringField(raw, 'expect', path, true, problem);
  const expect: RuleCase['expect'] | undefined =
    expectText === 'allow' || expectText === 'deny' ? expectText : undefined;
  if (expectText !== undefined && expect === undefined) {
    problem(
      `${path}/expect`,
      'invalid-value',
      `"expect" must be "allow" or "deny", not ${quote(expectText)}`,
    );
  }
  let code: DecisionCode | undefined;
  if (Object.hasOwn(raw, 'code')) {
    if (isDecisionCode(raw.code)) code = raw.code;
    else {
      problem(
        `${path}/code`,
        'invalid-value',
        `${describeValue(raw.code)} is not a decision code (see ${docsPage('decisions.md')})`,
      );
    }
  }
  const hasRegister = Object.hasOwn(raw, 'register');
  const hasCall = Object.hasOwn(raw, 'call');
  if (hasRegister === hasCall) {
    problem(
      path,
      hasRegister ? 'invalid-value' : 'missing-field',
      'a case needs exactly one of "register" or "call"',
    );
    return undefined;
  }
  const requestPath = `${path}/${hasRegister ? 'register' : 'call'}`;
  const request = hasRegister ? raw.register : raw.call;
  if (!isRecord(request)) {
    problem(requestPath, 'wrong-type', `the request must be an object, not ${describeValue(request)}`);
    return undefined;
  }
  const fields = hasRegister ? ['extension', 'sourceIp'] : ['extension', 'dialed', 'ratePerMinute', 'at'];
  onlyFields(request, fields, requestPath, problem);
  const extension = stringField(request, 'extension', requestPath, true, problem);
  // Every field is checked before giving up on the case, so all its problems are reported at once.
  const sourceIp = hasRegister ? stringField(request, 'sourceIp', requestPath, true, problem) : undefined;
  const dialed = hasCall ? stringField(request, 'dialed', requestPath, true, problem) : undefined;
  const ratePerMinute = hasCall
    ? stringField(request, 'ratePerMinute', requestPath, false, problem)
    : undefined;
  // The time of the call, ISO 8601, for a dated deck; checked by the policy like any request's.
  const at = hasCall ? stringField(request, 'at', requestPath, false, problem) : undefined;
  if (name === undefined || extension === undefined || expect === undefined) return undefined;
  const head = code === undefined ? { name, expect } : { name, expect, code };
  if (sourceIp !== undefined) return { ...head, register: { extension, sourceIp } };
  if (dialed === undefined) return undefined;
  return {
    ...head,
    call: {
      extension,
      dialed,
      ...(ratePerMinute === undefined ? {} : { ratePerMinute }),
      ...(at === undefined ? {} : { at }),
    },
  };
}

// Why a step's call id is no ledger key: as given, or with the `#<repeat>` its last repetition gets.
function callIdMessage(callId: string, repeat: number): string {
  const suffix = repeat === 1 ? '' : ` with "#${repeat}" appended`;
  return `"callId"${suffix} must be 1 to ${MAX_LEDGER_KEY_LENGTH} characters with no lone surrogate, not ${describeValue(callId)}`;
}

/**
 * Validates a parsed cases document. Throws one `SipguardError` (`invalid-cases`) listing every
 * problem with its JSON path; unknown fields are errors, so a typo cannot silently skip a check.
 */
export function parseRuleCases(doc: unknown): RuleCasesDocument {
  const issues: SipguardIssue<PolicyErrorCode>[] = [];
  const problem: Problem = (path, code, message) => issues.push({ path, code, message });
  if (!isRecord(doc)) {
    problem('', 'wrong-type', `a cases document must be an object, not ${describeValue(doc)}`);
    throw aggregateError('invalid-cases', 'invalid cases document', issues);
  }
  onlyFields(doc, ['policy', 'rates', 'cases', 'sequences'], '', problem);
  const policy = stringField(doc, 'policy', '', false, problem);
  const rates = stringField(doc, 'rates', '', false, problem);
  const cases: RuleCase[] = [];
  const rawCases = doc.cases;
  const sequences = Object.hasOwn(doc, 'sequences') ? readSequences(doc.sequences) : [];
  if (!Object.hasOwn(doc, 'cases')) {
    if (!Object.hasOwn(doc, 'sequences')) problem('', 'missing-field', 'the document needs a "cases" list');
  } else if (!Array.isArray(rawCases))
    problem('/cases', 'wrong-type', `"cases" must be a list, not ${describeValue(rawCases)}`);
  else {
    rawCases.forEach((raw: unknown, index) => {
      const c = readCase(raw, `/cases/${index}`, problem);
      if (c !== undefined) cases.push(c);
    });
  }
  // A file that checks nothing would pass every time: a rule-set test that cannot fail.
  const noCases = !Array.isArray(rawCases) || rawCases.length === 0;
  const noSequences = !Array.isArray(doc.sequences) || doc.sequences.length === 0;
  if (issues.length === 0 && noCases && noSequences) {
    problem(
      Object.hasOwn(doc, 'cases') ? '/cases' : '/sequences',
      'invalid-value',
      'the document tests nothing: it needs at least one case or sequence',
    );
  }
  if (issues.length > 0) throw aggregateError('invalid-cases', 'invalid cases document', issues);
  return {
    ...(policy === undefined ? {} : { policy }),
    ...(rates === undefined ? {} : { rates }),
    cases,
    sequences,
  };

  function callRequest(request: unknown, path: string): CallRequest | undefined {
    if (!isRecord(request)) {
      problem(path, 'wrong-type', `the request must be an object, not ${describeValue(request)}`);
      return undefined;
    }
    onlyFields(request, ['extension', 'dialed', 'ratePerMinute'], path, problem);
    const extension = stringField(request, 'extension', path, true, problem);
    const dialed = stringField(request, 'dialed', path, true, problem);
    const ratePerMinute = stringField(request, 'ratePerMinute', path, false, problem);
    if (extension === undefined || dialed === undefined) return undefined;
    return ratePerMinute === undefined ? { extension, dialed } : { extension, dialed, ratePerMinute };
  }

  function count(obj: Record<string, unknown>, key: string, path: string, min: number, max: number) {
    if (!Object.hasOwn(obj, key)) return undefined;
    const value = obj[key];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      problem(
        `${path}/${key}`,
        'invalid-value',
        `"${key}" must be an integer from ${min} to ${max}, not ${describeValue(value)}`,
      );
      return undefined;
    }
    return value;
  }

  function readSequences(raw: unknown): RuleSequence[] {
    const found: RuleSequence[] = [];
    let calls = 0;
    if (!Array.isArray(raw)) {
      problem('/sequences', 'wrong-type', `"sequences" must be a list, not ${describeValue(raw)}`);
      return found;
    }
    raw.forEach((rawSequence: unknown, s) => {
      const path = `/sequences/${s}`;
      if (!isRecord(rawSequence)) {
        problem(path, 'wrong-type', `a sequence must be an object, not ${describeValue(rawSequence)}`);
        return;
      }
      onlyFields(rawSequence, ['name', 'account', 'steps'], path, problem);
      const name = stringField(rawSequence, 'name', path, true, problem);
      const account = stringField(rawSequence, 'account', path, false, problem);
      if (account !== undefined && !isLedgerKey(account)) {
        problem(
          `${path}/account`,
          'invalid-value',
          `"account" must be 1 to ${MAX_LEDGER_KEY_LENGTH} characters with no lone surrogate, not ${describeValue(account)}`,
        );
      }
      const rawSteps = rawSequence.steps;
      if (!Array.isArray(rawSteps) || rawSteps.length === 0 || rawSteps.length > MAX_SEQUENCE_STEPS) {
        problem(
          `${path}/steps`,
          Object.hasOwn(rawSequence, 'steps') ? 'invalid-value' : 'missing-field',
          `"steps" must be a list of 1 to ${MAX_SEQUENCE_STEPS} steps`,
        );
        return;
      }
      const steps: SequenceStep[] = [];
      let previous = Number.NEGATIVE_INFINITY;
      rawSteps.forEach((rawStep: unknown, i) => {
        const stepPath = `${path}/steps/${i}`;
        if (!isRecord(rawStep)) {
          problem(stepPath, 'wrong-type', `a step must be an object, not ${describeValue(rawStep)}`);
          return;
        }
        const at = stringField(rawStep, 'at', stepPath, true, problem);
        let time: number | undefined;
        if (at !== undefined) {
          // The shape here, the calendar (no 30 February, no 24:00) by the deck's strict date reader.
          const parsed = ISO_INSTANT.test(at)
            ? parseEffectiveDate(at)
            : `${JSON.stringify(at)} is not an ISO 8601 time with a zone, such as "2024-06-01T03:00:00Z"`;
          if (typeof parsed === 'string') {
            problem(`${stepPath}/at`, 'invalid-value', parsed);
          } else if (!isInstant(parsed)) {
            problem(`${stepPath}/at`, 'invalid-value', `${JSON.stringify(at)} is not between 2000 and 2200`);
          } else if (parsed < previous) {
            problem(
              `${stepPath}/at`,
              'invalid-value',
              `${JSON.stringify(at)} is earlier than the step before it (or its last repeated call); steps run in time order`,
            );
          } else time = parsed;
        }
        if (Object.hasOwn(rawStep, 'end')) {
          onlyFields(rawStep, ['at', 'end'], stepPath, problem);
          const end = rawStep.end;
          if (!isRecord(end)) {
            problem(`${stepPath}/end`, 'wrong-type', `"end" must be an object, not ${describeValue(end)}`);
            return;
          }
          onlyFields(end, ['callId', 'billedSeconds'], `${stepPath}/end`, problem);
          const callId = stringField(end, 'callId', `${stepPath}/end`, true, problem);
          if (callId !== undefined && !isLedgerKey(callId)) {
            problem(`${stepPath}/end/callId`, 'invalid-value', callIdMessage(callId, 1));
          }
          const billedSeconds = count(end, 'billedSeconds', `${stepPath}/end`, 0, 604_800);
          if (!Object.hasOwn(end, 'billedSeconds'))
            problem(`${stepPath}/end`, 'missing-field', '"end" needs "billedSeconds"');
          if (time !== undefined) previous = time;
          if (at !== undefined && callId !== undefined && billedSeconds !== undefined) {
            steps.push({ at, end: { callId, billedSeconds } });
          }
          return;
        }
        onlyFields(
          rawStep,
          ['at', 'call', 'expect', 'code', 'duration', 'callId', 'repeat', 'every'],
          stepPath,
          problem,
        );
        const call = Object.hasOwn(rawStep, 'call')
          ? callRequest(rawStep.call, `${stepPath}/call`)
          : undefined;
        if (!Object.hasOwn(rawStep, 'call'))
          problem(stepPath, 'missing-field', 'a step needs "call" or "end"');
        const expectText = stringField(rawStep, 'expect', stepPath, true, problem);
        const expect = expectText === 'allow' || expectText === 'deny' ? expectText : undefined;
        if (expectText !== undefined && expect === undefined) {
          problem(
            `${stepPath}/expect`,
            'invalid-value',
            `"expect" must be "allow" or "deny", not ${JSON.stringify(expectText)}`,
          );
        }
        let code: DecisionCode | undefined;
        if (Object.hasOwn(rawStep, 'code')) {
          if (isDecisionCode(rawStep.code)) code = rawStep.code;
          else
            problem(
              `${stepPath}/code`,
              'invalid-value',
              `${describeValue(rawStep.code)} is not a decision code (see ${docsPage('decisions.md')})`,
            );
        }
        const duration = count(rawStep, 'duration', stepPath, 0, 86_400);
        const repeat = count(rawStep, 'repeat', stepPath, 1, MAX_REPEAT);
        const every = count(rawStep, 'every', stepPath, 0, 86_400);
        const callId = stringField(rawStep, 'callId', stepPath, false, problem);
        // Every id the step places must be a ledger key, the last repetition's `#<repeat>` included.
        if (callId !== undefined && !isLedgerKey(repeatCallId(callId, repeat ?? 1, repeat ?? 1))) {
          problem(`${stepPath}/callId`, 'invalid-value', callIdMessage(callId, repeat ?? 1));
        }
        // The next step comes after this one's last call, not only its first.
        if (time !== undefined) previous = time + ((repeat ?? 1) - 1) * (every ?? 0) * 1000;
        calls += repeat ?? 1;
        if (calls > MAX_SEQUENCE_CALLS && calls - (repeat ?? 1) <= MAX_SEQUENCE_CALLS) {
          problem(
            stepPath,
            'invalid-value',
            `the sequences place more than ${MAX_SEQUENCE_CALLS} calls in all (counting each repeat); split the file`,
          );
        }
        if (at === undefined || call === undefined || expect === undefined) return;
        steps.push({
          at,
          call,
          expect,
          ...(code === undefined ? {} : { code }),
          ...(duration === undefined ? {} : { duration }),
          ...(callId === undefined ? {} : { callId }),
          ...(repeat === undefined ? {} : { repeat }),
          ...(every === undefined ? {} : { every }),
        });
      });
      // Only ends, no call: nothing in the sequence has an expected decision to check.
      if (rawSteps.every((step: unknown) => isRecord(step) && Object.hasOwn(step, 'end'))) {
        problem(
          `${path}/steps`,
          'invalid-value',
          'a sequence needs at least one call step; it has only ends',
        );
      }
      if (name !== undefined) found.push({ name, ...(account === undefined ? {} : { account }), steps });
    });
    return found;
  }
}

// An instant with a zone, to the second or millisecond: "2024-06-01T03:00:00Z", "…+02:00".
const ISO_INSTANT =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,3})?)?(?:Z|[+-][0-9]{2}:[0-9]{2})$/;
