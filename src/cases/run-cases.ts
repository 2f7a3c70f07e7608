// Rule-set test cases: what a policy should decide for given requests, checked against what it does.
import { aggregateError, argumentError, type PolicyErrorCode, type SipguardIssue } from '../errors.js';
import type { Decision, DecisionCode } from '../policy/decision.js';
import type { CallRequest, Policy, RegistrationRequest } from '../policy/policy.js';
import { describeValue, pointerSegment, quote } from '../text.js';

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

/** A cases file: the cases, and the policy and rate deck they run against (paths relative to the file). */
export interface RuleCasesDocument {
  readonly policy?: string;
  readonly rates?: string;
  readonly cases: readonly RuleCase[];
}

/** The outcome of one case. */
export interface RuleCaseResult {
  readonly name: string;
  readonly passed: boolean;
  readonly expected: { readonly allowed: boolean; readonly code?: DecisionCode };
  readonly actual: Decision;
}

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
};

const isDecisionCode = (value: unknown): value is DecisionCode =>
  typeof value === 'string' && Object.hasOwn(DECISION_CODES, value);

/** Evaluates every case against `policy`. Never throws; a case passes when allowed (and code, if given) match. */
export function runCases(policy: Policy, cases: readonly RuleCase[]): RuleCaseResult[] {
  const checks: unknown = policy;
  if (
    typeof checks !== 'object' ||
    checks === null ||
    typeof (checks as Partial<Policy>).checkCall !== 'function'
  ) {
    throw argumentError(`runCases takes a Policy from compilePolicy, got ${describeValue(checks)}`);
  }
  if (!Array.isArray(cases)) {
    throw argumentError(
      `runCases takes the cases as an array (parseRuleCases(doc).cases), got ${describeValue(cases)}`,
    );
  }
  return cases.map((c) => {
    const actual: Decision = c.register ? policy.checkRegistration(c.register) : policy.checkCall(c.call);
    const allowed = c.expect === 'allow';
    const passed = actual.allowed === allowed && (c.code === undefined || actual.code === c.code);
    return {
      name: c.name,
      passed,
      expected: c.code === undefined ? { allowed } : { allowed, code: c.code },
      actual,
    };
  });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Validates a parsed cases document. Throws one `SipguardError` (`invalid-cases`) listing every
 * problem with its JSON path; unknown fields are errors, so a typo cannot silently skip a check.
 */
export function parseRuleCases(doc: unknown): RuleCasesDocument {
  const issues: SipguardIssue<PolicyErrorCode>[] = [];
  const problem = (path: string, code: PolicyErrorCode, message: string) =>
    issues.push({ path, code, message });

  const stringField = (
    obj: Record<string, unknown>,
    key: string,
    path: string,
    required: boolean,
  ): string | undefined => {
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
  };
  const onlyFields = (obj: Record<string, unknown>, allowed: readonly string[], path: string) => {
    for (const key of Object.keys(obj)) {
      if (!allowed.includes(key)) {
        problem(
          `${path}/${pointerSegment(key)}`,
          'unknown-field',
          `unknown field ${quote(key)}; expected one of ${allowed.join(', ')}`,
        );
      }
    }
  };

  if (!isObject(doc)) {
    problem('', 'wrong-type', `a cases document must be an object, not ${describeValue(doc)}`);
    throw aggregateError('invalid-cases', 'invalid cases document', issues);
  }
  onlyFields(doc, ['policy', 'rates', 'cases'], '');
  const policy = stringField(doc, 'policy', '', false);
  const rates = stringField(doc, 'rates', '', false);
  const cases: RuleCase[] = [];
  const rawCases = doc.cases;
  if (!Object.hasOwn(doc, 'cases')) problem('', 'missing-field', 'the document needs a "cases" list');
  else if (!Array.isArray(rawCases))
    problem('/cases', 'wrong-type', `"cases" must be a list, not ${describeValue(rawCases)}`);
  else {
    rawCases.forEach((raw: unknown, index) => {
      const path = `/cases/${index}`;
      if (!isObject(raw)) {
        problem(path, 'wrong-type', `a case must be an object, not ${describeValue(raw)}`);
        return;
      }
      onlyFields(raw, ['name', 'register', 'call', 'expect', 'code'], path);
      const name = stringField(raw, 'name', path, true);
      const expectText = stringField(raw, 'expect', path, true);
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
        else
          problem(
            `${path}/code`,
            'invalid-value',
            `${describeValue(raw.code)} is not a decision code (see docs/decisions.md)`,
          );
      }
      const hasRegister = Object.hasOwn(raw, 'register');
      const hasCall = Object.hasOwn(raw, 'call');
      if (hasRegister === hasCall) {
        problem(
          path,
          hasRegister ? 'invalid-value' : 'missing-field',
          'a case needs exactly one of "register" or "call"',
        );
        return;
      }
      const requestPath = `${path}/${hasRegister ? 'register' : 'call'}`;
      const request = hasRegister ? raw.register : raw.call;
      if (!isObject(request)) {
        problem(requestPath, 'wrong-type', `the request must be an object, not ${describeValue(request)}`);
        return;
      }
      const fields = hasRegister ? ['extension', 'sourceIp'] : ['extension', 'dialed', 'ratePerMinute'];
      onlyFields(request, fields, requestPath);
      const extension = stringField(request, 'extension', requestPath, true);
      // Every field is checked before giving up on the case, so all its problems are reported at once.
      const sourceIp = hasRegister ? stringField(request, 'sourceIp', requestPath, true) : undefined;
      const dialed = hasCall ? stringField(request, 'dialed', requestPath, true) : undefined;
      const ratePerMinute = hasCall ? stringField(request, 'ratePerMinute', requestPath, false) : undefined;
      if (name === undefined || extension === undefined || expect === undefined) return;
      const head = code === undefined ? { name, expect } : { name, expect, code };
      if (sourceIp !== undefined) cases.push({ ...head, register: { extension, sourceIp } });
      if (dialed !== undefined) {
        cases.push({
          ...head,
          call: ratePerMinute === undefined ? { extension, dialed } : { extension, dialed, ratePerMinute },
        });
      }
    });
  }
  if (issues.length > 0) throw aggregateError('invalid-cases', 'invalid cases document', issues);
  return { ...(policy === undefined ? {} : { policy }), ...(rates === undefined ? {} : { rates }), cases };
}
