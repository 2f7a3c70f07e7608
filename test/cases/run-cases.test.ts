import { describe, expect, it } from 'vitest';
import { parseRuleCases, type RuleCase, runCases } from '../../src/cases/run-cases.js';
import { SipguardError } from '../../src/errors.js';
import { compilePolicy } from '../../src/policy/compile.js';

const policy = compilePolicy({
  homeCountry: 'US',
  registration: { restrict: true, allowFrom: ['198.51.100.0/24'] },
  calling: { allow: ['US', 'CA'] },
});

function issuesOf(doc: unknown): { path: string; code: string }[] {
  try {
    parseRuleCases(doc);
  } catch (e) {
    if (e instanceof SipguardError) {
      expect(e.code).toBe('invalid-cases');
      return e.issues.map((i) => ({ path: i.path, code: i.code }));
    }
    throw e;
  }
  throw new Error('expected parseRuleCases to throw');
}

describe('runCases', () => {
  const cases: RuleCase[] = [
    { name: 'office registers', register: { extension: '1', sourceIp: '198.51.100.4' }, expect: 'allow' },
    {
      name: 'right verdict, wrong code',
      register: { extension: '1', sourceIp: '192.0.2.1' },
      expect: 'deny',
      code: 'invalid-ip',
    },
    {
      name: 'Jamaica denied',
      call: { extension: '1', dialed: '1 876 555 0100' },
      expect: 'deny',
      code: 'area-not-allowed',
    },
    { name: 'wrong verdict', call: { extension: '1', dialed: '+1 212 555 0100' }, expect: 'deny' },
  ];

  it('passes a case only when the verdict (and the code, when given) match', () => {
    const results = runCases(policy, cases);
    expect(results.map((r) => [r.name, r.passed])).toEqual([
      ['office registers', true],
      ['right verdict, wrong code', false],
      ['Jamaica denied', true],
      ['wrong verdict', false],
    ]);
  });

  it('reports expected and actual decisions', () => {
    const [, wrongCode] = runCases(policy, cases);
    expect(wrongCode?.expected).toEqual({ allowed: false, code: 'invalid-ip' });
    expect(wrongCode?.actual).toMatchObject({ allowed: false, code: 'ip-not-allowed', scope: 'account' });
  });

  it('leaves the code out of the expectation when the case gives none', () => {
    const [office] = runCases(policy, cases);
    expect(office?.expected).toEqual({ allowed: true });
  });
});

describe('parseRuleCases', () => {
  it('accepts a valid document and keeps optional fields only when present', () => {
    const doc = parseRuleCases({
      policy: 'p.json',
      rates: 'r.csv',
      cases: [
        { name: 'a', register: { extension: '1', sourceIp: '1.2.3.4' }, expect: 'allow', code: 'ip-allowed' },
        { name: 'b', call: { extension: '1', dialed: '911' }, expect: 'allow' },
        {
          name: 'c',
          call: { extension: '1', dialed: '+44 20 7946 0958', ratePerMinute: '0.02' },
          expect: 'deny',
        },
      ],
    });
    expect(doc).toEqual({
      policy: 'p.json',
      rates: 'r.csv',
      cases: [
        { name: 'a', expect: 'allow', code: 'ip-allowed', register: { extension: '1', sourceIp: '1.2.3.4' } },
        { name: 'b', expect: 'allow', call: { extension: '1', dialed: '911' } },
        {
          name: 'c',
          expect: 'deny',
          call: { extension: '1', dialed: '+44 20 7946 0958', ratePerMinute: '0.02' },
        },
      ],
      sequences: [],
    });
    // A file that tests nothing is refused (see the sequences table); no optional field appears here.
    const one = { name: 'a', expect: 'allow', call: { extension: '1', dialed: '911' } };
    expect(parseRuleCases({ cases: [one] })).toEqual({ cases: [structuredClone(one)], sequences: [] });
  });

  type Row = [doc: unknown, expected: { path: string; code: string }[], reason: string];
  it.each<Row>([
    [null, [{ path: '', code: 'wrong-type' }], 'not an object'],
    [[], [{ path: '', code: 'wrong-type' }], 'an array is not a document'],
    [{}, [{ path: '', code: 'missing-field' }], 'no cases'],
    [{ cases: {} }, [{ path: '/cases', code: 'wrong-type' }], 'cases is not a list'],
    [
      { cases: [], polcy: 'x' },
      [{ path: '/polcy', code: 'unknown-field' }],
      'a typo is an error, not ignored',
    ],
    [{ policy: 1, cases: [] }, [{ path: '/policy', code: 'wrong-type' }], 'policy path must be a string'],
    [{ cases: ['x'] }, [{ path: '/cases/0', code: 'wrong-type' }], 'a case must be an object'],
    [
      { cases: [{ register: { extension: '1', sourceIp: '1.2.3.4' } }] },
      [
        { path: '/cases/0', code: 'missing-field' },
        { path: '/cases/0', code: 'missing-field' },
      ],
      'name and expect are required',
    ],
    [
      { cases: [{ name: 'a', expect: 'maybe', register: { extension: '1', sourceIp: '1.2.3.4' } }] },
      [{ path: '/cases/0/expect', code: 'invalid-value' }],
      'expect is allow or deny',
    ],
    [
      {
        cases: [
          { name: 'a', expect: 'deny', code: 'nope', register: { extension: '1', sourceIp: '1.2.3.4' } },
        ],
      },
      [{ path: '/cases/0/code', code: 'invalid-value' }],
      'code must be a decision code',
    ],
    [
      {
        cases: [
          { name: 'a', expect: 'deny', code: 'toString', register: { extension: '1', sourceIp: '1.2.3.4' } },
        ],
      },
      [{ path: '/cases/0/code', code: 'invalid-value' }],
      'a prototype property name is not a decision code',
    ],
    [
      { cases: [{ name: 'a', expect: 'deny' }] },
      [{ path: '/cases/0', code: 'missing-field' }],
      'neither register nor call',
    ],
    [
      { cases: [{ name: 'a', expect: 'deny', register: {}, call: {} }] },
      [{ path: '/cases/0', code: 'invalid-value' }],
      'both register and call',
    ],
    [
      { cases: [{ name: 'a', expect: 'deny', call: 'x' }] },
      [{ path: '/cases/0/call', code: 'wrong-type' }],
      'request not an object',
    ],
    [
      { cases: [{ name: 'a', expect: 'deny', call: { extension: '1', dialed: '911', rate: '1' } }] },
      [{ path: '/cases/0/call/rate', code: 'unknown-field' }],
      'unknown request field',
    ],
    [
      { cases: [{ name: 'a', expect: 'deny', register: { extension: '1' } }] },
      [{ path: '/cases/0/register', code: 'missing-field' }],
      'sourceIp required',
    ],
    [
      { cases: [{ name: 'a', expect: 'deny', call: { extension: 1, dialed: 911 } }] },
      [
        { path: '/cases/0/call/extension', code: 'wrong-type' },
        { path: '/cases/0/call/dialed', code: 'wrong-type' },
      ],
      'every wrong type in a case is reported, not just the first',
    ],
    [
      { cases: [{ name: 'a', expect: 'deny', call: { extension: '1', dialed: '911', ratePerMinute: 0.1 } }] },
      [{ path: '/cases/0/call/ratePerMinute', code: 'wrong-type' }],
      'a rate is given as text, never a float',
    ],
  ])('%j -> %j (%s)', (doc, expected) => {
    expect(issuesOf(doc)).toEqual(expected);
  });
});

describe('runCases on cases that were never parsed (raw JSON)', () => {
  // Each row is a case a wrong test would let pass: a deny it would read, or a deny it would cause.
  it.each<[string, unknown, { path: string; code: string }[]]>([
    [
      '"expect": "allowed" is not read as deny',
      { name: 'typo in expect', register: { extension: '1', sourceIp: '192.0.2.1' }, expect: 'allowed' },
      [{ path: '/0/expect', code: 'invalid-value' }],
    ],
    [
      'a sourceIP typo is not run as an invalid-ip deny',
      { name: 'typo in a field', register: { extension: '1', sourceIP: '192.0.2.1' }, expect: 'deny' },
      [
        { path: '/0/register/sourceIP', code: 'unknown-field' },
        { path: '/0/register', code: 'missing-field' },
      ],
    ],
    [
      'an unknown decision code',
      {
        name: 'bad code',
        register: { extension: '1', sourceIp: '192.0.2.1' },
        expect: 'deny',
        code: 'ip-denied',
      },
      [{ path: '/0/code', code: 'invalid-value' }],
    ],
    ['a case that is not an object', 'deny everything', [{ path: '/0', code: 'wrong-type' }]],
    [
      'both register and call',
      { name: 'both', register: {}, call: {}, expect: 'deny' },
      [{ path: '/0', code: 'invalid-value' }],
    ],
  ])('%s: reported as malformed, with the path, and never run', (_reason, raw, issues) => {
    const [result] = runCases(policy, [raw as RuleCase]);
    expect(result).toMatchObject({ outcome: 'malformed', passed: false });
    expect(result?.actual).toBeUndefined();
    expect(result?.issues?.map((i) => ({ path: i.path, code: i.code }))).toEqual(issues);
  });

  it('names a malformed case by its name, or by its index without one', () => {
    const results = runCases(policy, [
      { name: 'fine', register: { extension: '1', sourceIp: '198.51.100.4' }, expect: 'allow' },
      { expect: 'allow' } as unknown as RuleCase,
    ]);
    expect(results.map((r) => [r.name, r.outcome])).toEqual([
      ['fine', 'passed'],
      ['case 1', 'malformed'],
    ]);
  });

  it('runs the well-formed cases beside malformed ones, with outcomes passed and failed', () => {
    const results = runCases(policy, [
      { name: 'ok', register: { extension: '1', sourceIp: '198.51.100.4' }, expect: 'allow' },
      { name: 'wrong', register: { extension: '1', sourceIp: '198.51.100.4' }, expect: 'deny' },
      { name: 'bad', register: { extension: '1' }, expect: 'deny' } as unknown as RuleCase,
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['passed', 'failed', 'malformed']);
  });

  it('passes a call case`s ISO time on to the policy', () => {
    const [result] = parseRuleCases({
      cases: [
        { name: 't', call: { extension: '1', dialed: '+12015550123', at: '2026-07-01' }, expect: 'allow' },
      ],
    }).cases;
    expect(result?.call).toEqual({ extension: '1', dialed: '+12015550123', at: '2026-07-01' });
  });
});
