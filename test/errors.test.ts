import { describe, expect, it } from 'vitest';
import { aggregateError, formatIssues, SipguardError, singleIssueError } from '../src/errors.js';
import {
  compilePolicy,
  IpAllowList,
  MemoryLedger,
  parseIpEntry,
  parseRate,
  RateTable,
} from '../src/index.js';
import { safeCompilePolicy } from '../src/policy/compile.js';

describe('SipguardError', () => {
  it('carries code, message, issues and input of a single problem', () => {
    const e = singleIssueError({ path: '', code: 'leading-zero', message: 'm', input: '010.1.1.1' });
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(SipguardError);
    expect(e.name).toBe('SipguardError');
    expect(e.code).toBe('leading-zero');
    expect(e.message).toBe('m');
    expect(e.input).toBe('010.1.1.1');
    expect(e.issues).toEqual([{ path: '', code: 'leading-zero', message: 'm', input: '010.1.1.1' }]);
  });

  it('aggregates: counts every problem and quotes the first three with their paths', () => {
    const issues = [1, 2, 3, 4].map((n) => ({
      path: `/${n}`,
      code: 'invalid-address' as const,
      message: `bad ${n}`,
    }));
    const e = aggregateError('invalid-ip-list', 'invalid IP allow-list', issues);
    expect(e.code).toBe('invalid-ip-list');
    expect(e.issues).toHaveLength(4);
    expect(e.message).toBe('invalid IP allow-list: 4 problems: /1: bad 1; /2: bad 2; /3: bad 3; and 1 more');
    expect(e.input).toBeUndefined();
  });

  it('shows an excerpt of a huge path in the message, and keeps the whole path in the issue', () => {
    const path = `/extensions/${'k'.repeat(5000)}`;
    const e = aggregateError('invalid-policy', 'invalid policy', [
      { path, code: 'wrong-type', message: 'x' },
    ]);
    expect(e.message).toBe(`invalid policy: 1 problem: /extensions/${'k'.repeat(52)}…: x`);
    expect(e.issues[0]?.path).toBe(path);
  });

  it('aggregates one problem in the singular and names the root path', () => {
    const e = aggregateError('invalid-policy', 'invalid policy', [
      { path: '', code: 'wrong-type', message: 'x' },
    ]);
    expect(e.message).toBe('invalid policy: 1 problem: (root): x');
  });
});

describe('SipguardError.is and instanceof', () => {
  const error = singleIssueError({ path: '', code: 'leading-zero', message: 'm' });

  it('recognize errors by a Symbol.for brand, as an error from the other build of the package has it', () => {
    // What a CommonJS copy of sipguard makes: another class, the same global brand.
    class OtherBuildError extends Error {}
    Object.defineProperty(OtherBuildError.prototype, Symbol.for('sipguard.SipguardError'), { value: true });
    const foreign = new OtherBuildError('m');
    expect(SipguardError.is(foreign)).toBe(true);
    expect(foreign instanceof SipguardError).toBe(true);
    expect(SipguardError.is(error)).toBe(true);
  });

  it.each<[unknown, string]>([
    [new Error('m'), 'a plain Error'],
    [{ name: 'SipguardError', code: 'leading-zero', issues: [] }, 'a look-alike without the brand'],
    [{ [Symbol.for('sipguard.SipguardError')]: 'yes' }, 'a brand that is not true'],
    [null, 'null'],
    ['SipguardError', 'a string'],
  ])('reject %s (%s)', (value) => {
    expect(SipguardError.is(value)).toBe(false);
    expect(value instanceof SipguardError).toBe(false);
  });

  it('leave instanceof of a subclass to the prototype chain', () => {
    const Base = SipguardError;
    class Narrower extends Base<'leading-zero'> {}
    expect(error instanceof Narrower).toBe(false);
    expect(new Narrower('leading-zero', 'm', []) instanceof Narrower).toBe(true);
  });

  it('keep the brand out of JSON and Object.keys', () => {
    expect(Object.keys(error)).toEqual(['name', 'code', 'issues', 'input']);
  });
});

describe('formatIssues and safeCompilePolicy', () => {
  it('prints every issue, one line each, with path, line and column where known', () => {
    expect(
      formatIssues([
        { path: '', code: 'wrong-type', message: 'a policy must be an object' },
        { path: '/lines/4/rate', line: 4, column: 3, code: 'invalid-rate', message: 'bad' },
        { path: '/calling/allow/0', code: 'invalid-selector', message: 'no such region' },
      ]),
    ).toBe(
      [
        '(root) wrong-type: a policy must be an object',
        '/lines/4/rate (line 4, column 3) invalid-rate: bad',
        '/calling/allow/0 invalid-selector: no such region',
      ].join('\n'),
    );
  });

  it('safeCompilePolicy returns every problem instead of "and N more"', () => {
    const bad = {
      homeCountry: 'UK',
      registration: { restrict: 'yes', allowFrom: ['10.0.0.256', '1.2.3.4/33'] },
      maxRatePerMinute: 'cheap',
    };
    const result = safeCompilePolicy(bad);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues.map((i) => i.path).sort()).toEqual(
      [
        '/homeCountry',
        '/maxRatePerMinute',
        '/registration/allowFrom/0',
        '/registration/allowFrom/1',
        '/registration/restrict',
      ].sort(),
    );
    const ok = safeCompilePolicy({ homeCountry: 'US' });
    expect(ok.success && typeof ok.policy.checkCall).toBe('function');
  });

  it('safeCompilePolicy reports a wrong options argument as an issue', () => {
    const result = safeCompilePolicy({ homeCountry: 'US' }, { rates: 'deck.csv' } as never);
    expect(result).toMatchObject({ success: false, issues: [{ code: 'invalid-argument' }] });
  });
});

// An option the API does not have, or a value of the wrong kind, is the caller's mistake: never
// silently no option (a misspelt `rates` left every call unpriced; `strict: "yes"` parsed leniently).
describe('options: every public API refuses a misspelt name or a wrong-typed value', () => {
  const deck = RateTable.fromCsv('prefix,rate\n1,0.0100\n');
  it.each<[string, () => unknown, string]>([
    [
      'IpAllowList.from, strict as text',
      () => IpAllowList.from(['192.0.2.5/24'], { strict: 'yes' } as never),
      'IpAllowList.from option strict must be true or false, got the string "yes"',
    ],
    [
      'IpAllowList.from, a misspelt name',
      () => IpAllowList.from(['192.0.2.5/24'], { stict: true } as never),
      'IpAllowList.from has no option "stict"; its options are strict',
    ],
    [
      'parseIpEntry, strict as a number',
      () => parseIpEntry('192.0.2.5', { strict: 1 } as never),
      'parseIpEntry option strict must be true or false, got the number 1',
    ],
    [
      'parseIpEntry, options that are not an object',
      () => parseIpEntry('192.0.2.5', 'strict' as never),
      'parseIpEntry options must be an object such as { strict }, got the string "strict"',
    ],
    [
      'compilePolicy, rate for rates',
      () => compilePolicy({ homeCountry: 'US' }, { rate: deck } as never),
      'compilePolicy has no option "rate"; its options are rates',
    ],
    [
      'parseRate, a misspelt maxDecimals',
      () => parseRate('0.12345', { maxdecimals: 2 } as never),
      'parseRate has no option "maxdecimals"; its options are maxDecimals',
    ],
    [
      'parseRate, options that are not an object',
      () => parseRate('0.1', 'x' as never),
      'parseRate options must be an object such as { maxDecimals }, got the string "x"',
    ],
    [
      'MemoryLedger, a misspelt maxCalls',
      () => new MemoryLedger({ maxCals: 5 } as never),
      'MemoryLedger has no option "maxCals"; its options are maxCalls, maxAccounts',
    ],
    [
      'RateTable.fromCsv, a misspelt rateColumn',
      () => RateTable.fromCsv('prefix,rate\n1,0.1\n', { rateColum: 0 } as never),
      'fromCsv has no option "rateColum"',
    ],
  ])('%s', (_reason, call, message) => {
    let thrown: unknown;
    try {
      call();
    } catch (error) {
      thrown = error;
    }
    expect(SipguardError.is(thrown) && thrown.code).toBe('invalid-argument');
    expect(thrown instanceof Error && thrown.message).toContain(`invalid argument: ${message}`);
  });

  it('takes the options it has, and none at all', () => {
    expect(IpAllowList.from(['192.0.2.0/24'], { strict: true }).has('192.0.2.5')).toBe(true);
    expect(parseRate('0.12', { maxDecimals: 2 }).toString()).toBe('0.12');
    expect(new MemoryLedger({ maxCalls: 5, maxAccounts: 5 }).size.accounts).toBe(0);
    expect(compilePolicy({ homeCountry: 'US' }, { rates: deck }).findings).toEqual([]);
    expect(compilePolicy({ homeCountry: 'US' }, {}).findings).toEqual([]);
  });
});
