import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../src/policy/compile.js';
import type { RegistrationDecisionCode } from '../../src/policy/decision.js';
import type { RegistrationRequest } from '../../src/policy/policy.js';

const OFFICE = { restrict: true, allowFrom: ['198.51.100.0/24'] };
const HOME = { restrict: true, allowFrom: ['203.0.113.7'] };
const OPEN = { restrict: false };
const EMPTY = { restrict: true, allowFrom: [] };
const OPEN_WITH_LIST = { restrict: false, allowFrom: ['203.0.113.7'] };

type Expect = {
  allowed: boolean;
  code: RegistrationDecisionCode;
  scope: 'account' | 'extension';
  matched?: string;
};

describe('registration precedence: the extension replaces the account rule entirely', () => {
  it.each<[string, object | undefined, object | undefined | 'unlisted', string, Expect]>([
    [
      'no rule anywhere',
      undefined,
      undefined,
      '192.0.2.1',
      { allowed: true, code: 'unrestricted', scope: 'account' },
    ],
    [
      'inherit: account list allows',
      OFFICE,
      undefined,
      '198.51.100.9',
      { allowed: true, code: 'ip-allowed', scope: 'account', matched: '198.51.100.0/24' },
    ],
    [
      'inherit: account list denies',
      OFFICE,
      undefined,
      '203.0.113.7',
      { allowed: false, code: 'ip-not-allowed', scope: 'account' },
    ],
    [
      'unlisted extension follows the account',
      OFFICE,
      'unlisted',
      '203.0.113.7',
      { allowed: false, code: 'ip-not-allowed', scope: 'account' },
    ],
    [
      'unlisted extension, account allows',
      OFFICE,
      'unlisted',
      '198.51.100.1',
      { allowed: true, code: 'ip-allowed', scope: 'account', matched: '198.51.100.0/24' },
    ],
    [
      'override with a list: own list allows',
      OFFICE,
      HOME,
      '203.0.113.7',
      { allowed: true, code: 'ip-allowed', scope: 'extension', matched: '203.0.113.7' },
    ],
    [
      'override with a list: lists are not merged',
      OFFICE,
      HOME,
      '198.51.100.9',
      { allowed: false, code: 'ip-not-allowed', scope: 'extension' },
    ],
    [
      'override to unrestricted beats an account list',
      OFFICE,
      OPEN,
      '192.0.2.1',
      { allowed: true, code: 'unrestricted', scope: 'extension' },
    ],
    [
      'override to unrestricted with an inactive list',
      OFFICE,
      OPEN_WITH_LIST,
      '192.0.2.1',
      { allowed: true, code: 'unrestricted', scope: 'extension' },
    ],
    [
      'restriction in the extension only',
      undefined,
      HOME,
      '192.0.2.1',
      { allowed: false, code: 'ip-not-allowed', scope: 'extension' },
    ],
    [
      'account unrestricted explicitly, extension inherits',
      OPEN,
      undefined,
      '192.0.2.1',
      { allowed: true, code: 'unrestricted', scope: 'account' },
    ],
    [
      'account inactive list does not restrict',
      OPEN_WITH_LIST,
      undefined,
      '192.0.2.1',
      { allowed: true, code: 'unrestricted', scope: 'account' },
    ],
    [
      'empty list at account level denies all',
      EMPTY,
      undefined,
      '198.51.100.9',
      { allowed: false, code: 'allow-list-empty', scope: 'account' },
    ],
    [
      'empty list at extension level denies all',
      OFFICE,
      EMPTY,
      '198.51.100.9',
      { allowed: false, code: 'allow-list-empty', scope: 'extension' },
    ],
    [
      'extension list lifts an account empty list',
      EMPTY,
      HOME,
      '203.0.113.7',
      { allowed: true, code: 'ip-allowed', scope: 'extension', matched: '203.0.113.7' },
    ],
    [
      'extension unrestricted lifts an account empty list',
      EMPTY,
      OPEN,
      '203.0.113.7',
      { allowed: true, code: 'unrestricted', scope: 'extension' },
    ],
    [
      'a malformed address is denied under a list',
      OFFICE,
      undefined,
      '198.51.100.09',
      { allowed: false, code: 'invalid-ip', scope: 'account' },
    ],
    [
      'a malformed address is denied even when unrestricted',
      undefined,
      OPEN,
      '1.2.3',
      { allowed: false, code: 'invalid-ip', scope: 'extension' },
    ],
    [
      'a malformed address is denied under an empty list',
      EMPTY,
      undefined,
      'x',
      { allowed: false, code: 'invalid-ip', scope: 'account' },
    ],
  ])('%s', (_reason, account, extension, sourceIp, expected) => {
    const doc: Record<string, unknown> = account === undefined ? {} : { registration: account };
    if (extension !== 'unlisted') {
      doc.extensions = { 101: extension === undefined ? {} : { registration: extension } };
    }
    const policy = compilePolicy(doc);
    const decision = policy.checkRegistration({ extension: '101', sourceIp });
    expect({ ...decision, message: undefined }).toEqual({ ...expected, message: undefined });
    expect(decision.message.length).toBeGreaterThan(10);
  });
});

describe('checkRegistration', () => {
  const policy = compilePolicy({
    registration: { restrict: true, allowFrom: ['10.0.0.0/8', '10.1.0.0/16', '2001:db8::/32'] },
  });

  it('names the first entry in input order that contains the address', () => {
    expect(policy.checkRegistration({ extension: '1', sourceIp: '10.1.2.3' })).toMatchObject({
      code: 'ip-allowed',
      matched: '10.0.0.0/8',
    });
  });

  it('handles IPv6 and IPv4-mapped IPv6 sources', () => {
    expect(policy.checkRegistration({ extension: '1', sourceIp: '2001:db8::5' })).toMatchObject({
      code: 'ip-allowed',
      matched: '2001:db8::/32',
    });
    expect(policy.checkRegistration({ extension: '1', sourceIp: '::ffff:10.9.9.9' })).toMatchObject({
      code: 'ip-allowed',
      matched: '10.0.0.0/8',
    });
    expect(policy.checkRegistration({ extension: '1', sourceIp: '2001:db9::1' }).code).toBe('ip-not-allowed');
  });

  it.each<[unknown, string, string]>([
    [{ extension: '1', sourceIp: 17 }, 'invalid-ip', 'a non-string address'],
    [{ extension: '1' }, 'invalid-ip', 'a missing address'],
    [{ extension: 1, sourceIp: '10.0.0.1' }, 'invalid-request', 'a non-string extension'],
    [{ sourceIp: '10.0.0.1' }, 'invalid-request', 'a missing extension'],
    [null, 'invalid-request', 'no request at all'],
    ['10.0.0.1', 'invalid-request', 'a string instead of a request'],
  ])('never throws: %j -> %s (%s)', (request, code) => {
    // Deliberately wrong request shapes, as untyped callers may send them.
    const decision = policy.checkRegistration(request as RegistrationRequest);
    expect(decision.allowed).toBe(false);
    expect(decision.code).toBe(code);
  });

  it('returns plain JSON-serializable, frozen decisions', () => {
    const decision = policy.checkRegistration({ extension: '1', sourceIp: '10.0.0.1' });
    expect(JSON.parse(JSON.stringify(decision))).toEqual(decision);
    expect(Object.isFrozen(decision)).toBe(true);
    expect(Object.isFrozen(policy)).toBe(true);
    expect(Object.isFrozen(policy.findings)).toBe(true);
  });

  it('quotes the matching entry and the level in messages', () => {
    expect(policy.checkRegistration({ extension: '1', sourceIp: '10.0.0.1' }).message).toBe(
      `the source address is in the account's registration allow-list (entry "10.0.0.0/8")`,
    );
    expect(policy.checkRegistration({ extension: '1', sourceIp: '11.0.0.1' }).message).toBe(
      "the source address is not in the account's registration allow-list (3 entries)",
    );
  });
});

describe('extension ids are data, never prototype keys', () => {
  const doc = JSON.parse(`{
    "registration": { "restrict": true, "allowFrom": ["198.51.100.0/24"] },
    "extensions": {
      "__proto__": { "registration": { "restrict": true, "allowFrom": ["203.0.113.1"] } },
      "constructor": { "registration": { "restrict": true, "allowFrom": ["203.0.113.2"] } },
      "toString": { "registration": { "restrict": false } }
    }
  }`);
  const policy = compilePolicy(doc);

  it.each([
    ['__proto__', '203.0.113.1', 'ip-allowed', 'extension'],
    ['__proto__', '198.51.100.1', 'ip-not-allowed', 'extension'],
    ['constructor', '203.0.113.2', 'ip-allowed', 'extension'],
    ['constructor', '203.0.113.1', 'ip-not-allowed', 'extension'],
    ['toString', '192.0.2.1', 'unrestricted', 'extension'],
    ['hasOwnProperty', '198.51.100.1', 'ip-allowed', 'account'],
    ['valueOf', '203.0.113.1', 'ip-not-allowed', 'account'],
  ])('%s from %s -> %s (%s)', (extension, sourceIp, code, scope) => {
    const decision = policy.checkRegistration({ extension, sourceIp });
    expect([decision.code, decision.scope]).toEqual([code, scope]);
  });

  it('validates such ids like any other', () => {
    const bad = JSON.parse('{"extensions": {"__proto__": {"homeCountry": "XX"}}}');
    expect(() => compilePolicy(bad)).toThrowError(/\/extensions\/__proto__\/homeCountry/);
  });
});

describe('registrationsToDrop', () => {
  const policy = compilePolicy({
    registration: { restrict: true, allowFrom: ['198.51.100.0/24'] },
    extensions: { 200: { registration: { restrict: false } } },
  });

  it('returns, in input order, the held registrations no longer allowed, passing extra fields through', () => {
    const held = [
      { extension: '100', sourceIp: '198.51.100.4', contact: 'sip:100@198.51.100.4' },
      { extension: '100', sourceIp: '203.0.113.9', contact: 'sip:100@203.0.113.9', expires: 3600 },
      { extension: '200', sourceIp: '203.0.113.9', contact: 'sip:200@203.0.113.9' },
      { extension: '300', sourceIp: 'bogus', contact: 'sip:300@bogus' },
    ];
    const drop = policy.registrationsToDrop(held);
    expect(drop.map((d) => d.registration)).toEqual([held[1], held[3]]);
    expect(drop[0]?.registration).toBe(held[1]);
    expect(drop.map((d) => d.decision.code)).toEqual(['ip-not-allowed', 'invalid-ip']);
  });

  it('accepts any iterable and returns nothing when all are allowed', () => {
    function* held() {
      yield { extension: '200', sourceIp: '192.0.2.1' };
    }
    expect(policy.registrationsToDrop(held())).toEqual([]);
  });
});

describe('README usage example', () => {
  it('gives the decision the README shows', () => {
    const policy = compilePolicy({
      homeCountry: 'US',
      registration: { restrict: true, allowFrom: ['195.168.1.0/24'] },
      extensions: { '101': { registration: { restrict: true, allowFrom: ['203.0.113.7'] } } },
    });
    expect(policy.checkRegistration({ extension: '101', sourceIp: '195.168.1.20' })).toEqual({
      allowed: false,
      code: 'ip-not-allowed',
      scope: 'extension',
      message: "the source address is not in this extension's registration allow-list (1 entry)",
    });
  });
});
