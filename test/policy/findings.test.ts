import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/policy/compile.js';
import { RateTable } from '../../src/rate/index.js';

const rates = RateTable.from([{ prefix: '1', rate: '0.01' }]);

function findingsOf(doc: object, withRates = true): { path: string; code: string; severity: string }[] {
  const policy = compilePolicy({ homeCountry: 'US', ...doc }, withRates ? { rates } : {});
  return policy.findings.map(({ path, code, severity }) => ({ path, code, severity }));
}

describe('policy findings', () => {
  it.each<[string, object, { path: string; code: string; severity: string }[]]>([
    ['a clean policy has none', { registration: { restrict: true, allowFrom: ['192.0.2.0/24'] } }, []],
    [
      'restriction on with an empty list at account level',
      { registration: { restrict: true, allowFrom: [] } },
      [{ path: '/registration', code: 'registration-denies-all', severity: 'warning' }],
    ],
    [
      'restriction on without allowFrom in an extension',
      { extensions: { 7: { registration: { restrict: true } } } },
      [{ path: '/extensions/7/registration', code: 'registration-denies-all', severity: 'warning' }],
    ],
    [
      'a list kept while restrict is false',
      { registration: { restrict: false, allowFrom: ['192.0.2.1'] } },
      [{ path: '/registration/allowFrom', code: 'allow-list-inactive', severity: 'info' }],
    ],
    [
      'an extension registration identical to the account one',
      {
        registration: { restrict: true, allowFrom: ['192.0.2.1'] },
        extensions: { a: { registration: { restrict: true, allowFrom: ['192.0.2.1'] } } },
      },
      [{ path: '/extensions/a/registration', code: 'override-identical', severity: 'info' }],
    ],
    [
      'restrict false in an extension when the account has no restriction',
      { extensions: { a: { registration: { restrict: false } } } },
      [{ path: '/extensions/a/registration', code: 'override-identical', severity: 'info' }],
    ],
    [
      'a reordered list is a different rule (another entry is reported as matched)',
      {
        registration: { restrict: true, allowFrom: ['192.0.2.1', '192.0.2.2'] },
        extensions: { a: { registration: { restrict: true, allowFrom: ['192.0.2.2', '192.0.2.1'] } } },
      },
      [],
    ],
    [
      'identical calling rules, emergency default spelled out',
      { calling: { allow: ['US'] }, extensions: { a: { calling: { allow: ['US'], emergency: 'allow' } } } },
      [{ path: '/extensions/a/calling', code: 'override-identical', severity: 'info' }],
    ],
    [
      'a different calling rule',
      { calling: { allow: ['US'] }, extensions: { a: { calling: { allow: ['CA'] } } } },
      [],
    ],
    [
      'the same cap written differently',
      { maxRatePerMinute: '$0.0500', extensions: { a: { maxRatePerMinute: 0.05 } } },
      [{ path: '/extensions/a/maxRatePerMinute', code: 'override-identical', severity: 'info' }],
    ],
    [
      'no cap where the account has none',
      { extensions: { a: { maxRatePerMinute: null } } },
      [{ path: '/extensions/a/maxRatePerMinute', code: 'override-identical', severity: 'info' }],
    ],
    [
      'a null cap lifting an account cap',
      { maxRatePerMinute: '1', extensions: { a: { maxRatePerMinute: null } } },
      [],
    ],
    ['a cap where the account has none', { extensions: { a: { maxRatePerMinute: '1' } } }, []],
    [
      'onUnknownRate "deny" is the default',
      { extensions: { a: { onUnknownRate: 'deny' } } },
      [{ path: '/extensions/a/onUnknownRate', code: 'override-identical', severity: 'info' }],
    ],
    [
      'the same home country',
      { extensions: { a: { homeCountry: 'US' } } },
      [{ path: '/extensions/a/homeCountry', code: 'override-identical', severity: 'info' }],
    ],
    [
      'IP findings keep their code and get the path of their entry',
      {
        extensions: {
          101: { registration: { restrict: true, allowFrom: ['192.0.2.0/24', '192.0.2.0/255.255.255.0'] } },
        },
      },
      [{ path: '/extensions/101/registration/allowFrom/1', code: 'duplicate-entry', severity: 'info' }],
    ],
    [
      'an allow-everything entry',
      { registration: { restrict: true, allowFrom: ['0.0.0.0/0'] } },
      [{ path: '/registration/allowFrom/0', code: 'allow-everything', severity: 'warning' }],
    ],
  ])('%s', (_reason, doc, expected) => {
    expect(findingsOf(doc)).toEqual(expected);
  });

  it('reports IP findings of a shared list at every place it appears', () => {
    const list = { restrict: true, allowFrom: ['192.0.2.0/24', '192.0.2.7'] };
    expect(
      findingsOf({ extensions: { a: { registration: list }, b: { registration: list } } }).map((f) => f.path),
    ).toEqual(['/extensions/a/registration/allowFrom/1', '/extensions/b/registration/allowFrom/1']);
  });

  it('warns about a cap without a rate deck, at each level that sets one', () => {
    expect(
      findingsOf({ maxRatePerMinute: '0.05', extensions: { a: { maxRatePerMinute: '0.1' } } }, false),
    ).toEqual([
      { path: '/maxRatePerMinute', code: 'cap-without-rate-table', severity: 'warning' },
      { path: '/extensions/a/maxRatePerMinute', code: 'cap-without-rate-table', severity: 'warning' },
    ]);
  });

  it('warns when the account has no home country', () => {
    const policy = compilePolicy({});
    expect(policy.findings.map((f) => [f.path, f.code, f.severity])).toEqual([
      ['/homeCountry', 'home-country-missing', 'warning'],
    ]);
  });

  it('explains each finding in words', () => {
    const [finding] = compilePolicy({
      homeCountry: 'US',
      registration: { restrict: true, allowFrom: [] },
    }).findings;
    expect(finding?.message).toContain('denies all registrations, including your own');
  });
});
