// Rule-set sequences: parsing (every problem with its path) and running a series of timed calls
// through the stateful step, including the night burst that the usage limits are for.
import { describe, expect, it } from 'vitest';
import { parseRuleCases } from '../../src/cases/run-cases.js';
import { type RuleSequence, runSequences } from '../../src/cases/sequences.js';
import { SipguardError } from '../../src/errors.js';
import { compilePolicyJson } from '../../src/policy/compile.js';

const IRSF = '+882 16 1234 5678'; // an international premium range of the kind revenue-share fraud uses
const policy = compilePolicyJson({
  homeCountry: 'US',
  timeZone: 'America/New_York',
  accountLimits: { concurrentCalls: 6, spendPerDay: '$40' },
  extensionLimits: { concurrentCalls: 2, callsPerMinute: 3, callsToSameNumberPerHour: 4 },
  maxCallSeconds: 3600,
  callingHours: { allow: ['mon-fri 07:00-20:00', 'sat 09:00-13:00'] },
  extensions: { 199: { callingHours: null } },
});

function issuesOf(doc: unknown): { path: string; code: string }[] {
  try {
    parseRuleCases(doc);
  } catch (error) {
    if (error instanceof SipguardError) return error.issues.map((i) => ({ path: i.path, code: i.code }));
    throw error;
  }
  return [];
}

describe('parseRuleCases: sequences', () => {
  it('reads a sequence with every field, and a document of sequences only', () => {
    const sequence = {
      name: 'burst',
      account: 'acme',
      steps: [
        {
          at: '2024-06-01T03:00:00-04:00',
          call: { extension: '101', dialed: IRSF, ratePerMinute: '0.1' },
          expect: 'deny',
          code: 'outside-calling-hours',
          duration: 30,
          callId: 'x',
          repeat: 3,
          every: 2,
        },
        { at: '2024-06-01T07:01:00Z', end: { callId: 'x#1', billedSeconds: 0 } },
      ],
    };
    // Every field is kept as written: the parsed document equals a deep copy of the input.
    expect(parseRuleCases({ sequences: [sequence] })).toEqual({
      cases: [],
      sequences: [structuredClone(sequence)],
    });
  });

  const step = { at: '2024-06-01T03:00:00Z', call: { extension: '1', dialed: IRSF }, expect: 'allow' };
  it.each<[doc: unknown, expected: { path: string; code: string }[], reason: string]>([
    [{ sequences: {} }, [{ path: '/sequences', code: 'wrong-type' }], 'sequences must be a list'],
    [
      { sequences: [{ name: 's', steps: [] }] },
      [{ path: '/sequences/0/steps', code: 'invalid-value' }],
      'no steps',
    ],
    [
      { sequences: [{ name: 's' }] },
      [{ path: '/sequences/0/steps', code: 'missing-field' }],
      'steps missing',
    ],
    [
      { sequences: [{ name: 's', steps: [{ ...step, at: '2024-06-01 03:00' }] }] },
      [{ path: '/sequences/0/steps/0/at', code: 'invalid-value' }],
      'a time without a zone',
    ],
    [
      { sequences: [{ name: 's', steps: [step, { ...step, at: '2024-06-01T02:59:59Z' }] }] },
      [{ path: '/sequences/0/steps/1/at', code: 'invalid-value' }],
      'steps out of time order',
    ],
    [
      { sequences: [{ name: 's', steps: [{ ...step, repeat: 0, every: -1, duration: 1.5 }] }] },
      [
        { path: '/sequences/0/steps/0/duration', code: 'invalid-value' },
        { path: '/sequences/0/steps/0/repeat', code: 'invalid-value' },
        { path: '/sequences/0/steps/0/every', code: 'invalid-value' },
      ],
      'every bad count, each reported',
    ],
    [
      { sequences: [{ name: 's', steps: [{ ...step, code: 'too-many' }] }] },
      [{ path: '/sequences/0/steps/0/code', code: 'invalid-value' }],
      'an unknown code',
    ],
    [
      { sequences: [{ name: 's', steps: [{ at: step.at, expect: 'allow' }] }] },
      [{ path: '/sequences/0/steps/0', code: 'missing-field' }],
      'neither call nor end',
    ],
    [
      { sequences: [{ name: 's', steps: [step, { at: step.at, end: { callId: 'x' } }] }] },
      [{ path: '/sequences/0/steps/1/end', code: 'missing-field' }],
      'an end without billed seconds',
    ],
    [
      { sequences: [{ name: 's', steps: [{ ...step, hangup: 3 }] }] },
      [{ path: '/sequences/0/steps/0/hangup', code: 'unknown-field' }],
      'a typo is an error, never a skipped check',
    ],
    [{ sequences: [{ steps: [step] }] }, [{ path: '/sequences/0', code: 'missing-field' }], 'no name'],
    [
      { sequences: [{ name: 's', steps: [{ at: step.at, end: { callId: 'x', billedSeconds: 0 } }] }] },
      [{ path: '/sequences/0/steps', code: 'invalid-value' }],
      'only ends: no step has a decision to check, so the sequence could never fail',
    ],
    [
      { sequences: [] },
      [{ path: '/sequences', code: 'invalid-value' }],
      'no sequences and no cases: the file tests nothing',
    ],
    [
      { cases: [], sequences: [] },
      [{ path: '/cases', code: 'invalid-value' }],
      'both lists empty: the file tests nothing',
    ],
    [
      { cases: [] },
      [{ path: '/cases', code: 'invalid-value' }],
      'an empty cases list: the file tests nothing',
    ],
    [
      { cases: [], sequences: [{ name: 's', steps: [step] }] },
      [],
      'no cases, but a sequence: it tests something',
    ],
    [
      { sequences: [{ name: 's', steps: [{ ...step, at: '2024-02-30T03:00:00Z' }] }] },
      [{ path: '/sequences/0/steps/0/at', code: 'invalid-value' }],
      'a day the month does not have (Date.parse rolls it over to 1 March)',
    ],
    [
      { sequences: [{ name: 's', steps: [{ ...step, at: '2023-02-29T03:00:00Z' }] }] },
      [{ path: '/sequences/0/steps/0/at', code: 'invalid-value' }],
      'no 29 February in 2023',
    ],
    [
      { sequences: [{ name: 's', steps: [{ ...step, at: '2024-06-01T24:00:00Z' }] }] },
      [{ path: '/sequences/0/steps/0/at', code: 'invalid-value' }],
      'no hour 24 (Date.parse reads it as the next day)',
    ],
    [
      { sequences: [{ name: 's', steps: [{ ...step, at: '1999-06-01T03:00:00Z' }] }] },
      [{ path: '/sequences/0/steps/0/at', code: 'invalid-value' }],
      'before 2000: a time the ledger refuses, so a deny step would pass for the wrong reason',
    ],
    [
      { sequences: [{ name: 's', account: '', steps: [step] }] },
      [{ path: '/sequences/0/account', code: 'invalid-value' }],
      'an empty account, which the ledger refuses',
    ],
    [
      { sequences: [{ name: 's', account: 'acme\ud800', steps: [step] }] },
      [{ path: '/sequences/0/account', code: 'invalid-value' }],
      'an account with a lone surrogate, which the ledger refuses too',
    ],
    [
      { sequences: [{ name: 's', steps: [{ ...step, callId: 'x\ud800' }] }] },
      [{ path: '/sequences/0/steps/0/callId', code: 'invalid-value' }],
      'a call id with a lone surrogate: every call of the step would be invalid-request',
    ],
    [
      { sequences: [{ name: 's', steps: [{ ...step, callId: 'x'.repeat(255), repeat: 2 }] }] },
      [{ path: '/sequences/0/steps/0/callId', code: 'invalid-value' }],
      'a call id that "#2" takes past 256 characters',
    ],
    [
      {
        sequences: [
          { name: 's', steps: [step, { at: step.at, end: { callId: '\udc00', billedSeconds: 0 } }] },
        ],
      },
      [{ path: '/sequences/0/steps/1/end/callId', code: 'invalid-value' }],
      'an end whose call id the ledger refuses: it would end nothing, silently',
    ],
    [
      {
        sequences: [
          {
            name: 's',
            steps: [
              { ...step, repeat: 2, every: 50 },
              { ...step, at: '2024-06-01T03:00:10Z' },
            ],
          },
        ],
      },
      [{ path: '/sequences/0/steps/1/at', code: 'invalid-value' }],
      "a step before the last repeated call of the step before it (that one's second call is at 03:00:50)",
    ],
    [
      {
        sequences: [
          {
            name: 's',
            steps: [
              { ...step, repeat: 2, every: 50 },
              { ...step, at: '2024-06-01T03:00:50Z' },
            ],
          },
        ],
      },
      [],
      'a step at the time of the last repeated call before it',
    ],
  ])('%j → %j (%s)', (doc, expected) => {
    expect(issuesOf(doc)).toEqual(expected);
  });

  it('takes call ids up to 256 characters, "#<k>" of a repeated step included', () => {
    const steps = [
      { ...step, callId: 'x'.repeat(256) },
      { ...step, callId: 'y'.repeat(254), repeat: 9 },
      { at: step.at, end: { callId: '\u{1F600}'.repeat(128), billedSeconds: 0 } },
    ];
    expect(issuesOf({ sequences: [{ name: 's', steps }] })).toEqual([]);
  });

  it('refuses more than 100,000 calls in one file (each is kept for the report), before any runs', () => {
    const sequences = (n: number) =>
      Array.from({ length: n }, (_, i) => ({ name: `s${i}`, steps: [{ ...step, repeat: 1000, every: 1 }] }));
    expect(issuesOf({ sequences: sequences(100) })).toEqual([]);
    expect(issuesOf({ sequences: sequences(101) })).toEqual([
      { path: '/sequences/100/steps/0', code: 'invalid-value' },
    ]);
  });
});

describe('runSequences', () => {
  it('catches the night burst from a stolen password, and lets the office work by day', () => {
    const sequences: RuleSequence[] = [
      {
        name: 'night burst',
        steps: [
          // Saturday 2024-06-01 03:00 in New York: outside the hours, every call of the burst refused.
          {
            at: '2024-06-01T03:00:00-04:00',
            call: { extension: '101', dialed: IRSF, ratePerMinute: '0.04' },
            repeat: 20,
            expect: 'deny',
            code: 'outside-calling-hours',
          },
          // 911 at the same time goes through.
          {
            at: '2024-06-01T03:00:30-04:00',
            call: { extension: '101', dialed: '911' },
            expect: 'allow',
            code: 'emergency',
          },
        ],
      },
      {
        name: 'daytime burst',
        steps: [
          // Monday 10:00: two calls in progress, then the third is refused by the extension's limit.
          {
            at: '2024-06-03T10:00:00-04:00',
            call: { extension: '101', dialed: IRSF, ratePerMinute: '0.04' },
            repeat: 2,
            expect: 'allow',
          },
          {
            at: '2024-06-03T10:00:05-04:00',
            call: { extension: '101', dialed: IRSF, ratePerMinute: '0.04' },
            expect: 'deny',
            code: 'concurrency-limit',
          },
          // Short test calls that end on their own: the per-minute limit then the repeat-dial limit.
          {
            at: '2024-06-03T10:01:00-04:00',
            call: { extension: '102', dialed: IRSF, ratePerMinute: '0.04' },
            duration: 5,
            repeat: 3,
            every: 10,
            expect: 'allow',
          },
          {
            at: '2024-06-03T10:01:40-04:00',
            call: { extension: '102', dialed: IRSF, ratePerMinute: '0.04' },
            expect: 'deny',
            code: 'velocity-limit',
          },
          {
            at: '2024-06-03T10:02:00-04:00',
            call: { extension: '102', dialed: IRSF, ratePerMinute: '0.04' },
            duration: 5,
            expect: 'allow',
          },
          {
            at: '2024-06-03T10:02:30-04:00',
            call: { extension: '102', dialed: IRSF, ratePerMinute: '0.04' },
            expect: 'deny',
            code: 'repeat-dial-limit',
          },
          // The account total: 199 has no hours, but the account's $40 a day binds (each reserves $2.40).
          {
            at: '2024-06-03T10:05:00-04:00',
            call: { extension: '199', dialed: '+44 20 7946 0958', ratePerMinute: '0.04' },
            callId: 'uk',
            expect: 'allow',
          },
          { at: '2024-06-03T10:06:00-04:00', end: { callId: 'uk', billedSeconds: 60 } },
        ],
      },
    ];
    const results = runSequences(policy, sequences);
    expect(results.filter((r) => !r.passed)).toEqual([]);
    expect(results).toHaveLength(20 + 1 + 2 + 1 + 3 + 1 + 1 + 1 + 1);
    expect(results[0]?.name).toBe('night burst › step 1 (call 1 of 20)');
    expect(results[3]?.name).toBe('night burst › step 1 (call 4 of 20)');
  });

  it('reports a wrong expectation as a failure with the actual decision', () => {
    const results = runSequences(policy, [
      {
        name: 'wrong',
        steps: [
          { at: '2024-06-01T03:00:00-04:00', call: { extension: '101', dialed: IRSF }, expect: 'allow' },
        ],
      },
    ]);
    expect(results).toEqual([
      expect.objectContaining({
        name: 'wrong › step 1',
        passed: false,
        expected: { allowed: true },
        actual: expect.objectContaining({ code: 'outside-calling-hours' }),
      }),
    ]);
  });

  it('reserves each call in progress at its maximum, so that concurrent calls cannot overshoot the day', () => {
    const uk = { extension: '199', dialed: '+44 20 7946 0958', ratePerMinute: '0.5' };
    const results = runSequences(policy, [
      {
        name: 'spend',
        steps: [
          // $0.50/min × 3600 s reserves $30 of the account's $40; each of these ends after a minute ($0.50).
          { at: '2024-06-03T10:00:00-04:00', call: uk, duration: 60, repeat: 3, every: 120, expect: 'allow' },
          // One call in progress holds $30 more: $31.50 spent or reserved.
          { at: '2024-06-03T11:00:00-04:00', call: uk, expect: 'allow' },
          // A second concurrent call would take the day to $61.50.
          { at: '2024-06-03T11:00:10-04:00', call: uk, expect: 'deny', code: 'spend-limit' },
        ],
      },
    ]);
    expect(results.map((r) => r.passed)).toEqual([true, true, true, true, true]);
    expect(results[4]?.actual).toMatchObject({
      limit: 'accountLimits.spendPerDay',
      counter: '31.5',
      bound: '40',
      reserve: '30',
      day: '2024-06-03',
    });
  });
});
