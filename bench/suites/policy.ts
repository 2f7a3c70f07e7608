// Policies: the cost the policy layer adds on top of the modules it composes. checkRegistration on a
// policy with 1k extensions against a bare IpAllowList.probe (the floor) and a naive evaluator that
// resolves precedence from the document per request and matches with cidr-matcher; checkCall against
// classifyDialed alone on the same numbers; and compilePolicy on 1k extensions.
import { createRequire } from 'node:module';
import { IpAllowList } from '../../src/ip/index.js';
import { classifyDialed } from '../../src/phone/index.js';
import { compilePolicy } from '../../src/policy/index.js';
import { RateTable } from '../../src/rate/index.js';
import { type BenchGroup, type BenchSuite, prng } from '../harness.js';

type CidrMatcher = { contains(ip: string): boolean };
const CidrMatcherClass = createRequire(import.meta.url)('cidr-matcher') as new (
  cidrs: string[],
) => CidrMatcher;

const EXTENSIONS = 1_000;
const LIST_SIZE = 100;
const QUERIES = 1_024;

type Registration = { restrict: boolean; allowFrom: string[] };
type Doc = {
  homeCountry: 'US';
  registration: Registration;
  extensions: Record<string, { registration?: Registration }>;
};

function buildDoc(): Doc {
  const random = prng(7);
  const list = (n: number) =>
    Array.from({ length: n }, () => `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.0/24`);
  const extensions: Doc['extensions'] = {};
  for (let i = 0; i < EXTENSIONS; i++) {
    // Every fourth extension has its own list; the rest inherit the account's.
    extensions[String(1000 + i)] =
      i % 4 === 0 ? { registration: { restrict: true, allowFrom: list(LIST_SIZE) } } : {};
  }
  return { homeCountry: 'US', registration: { restrict: true, allowFrom: list(LIST_SIZE) }, extensions };
}

function registrationGroups(): BenchGroup[] {
  const doc = buildDoc();
  const policy = compilePolicy(doc);
  const random = prng(11);
  const requests = Array.from({ length: QUERIES }, () => ({
    extension: String(1000 + Math.floor(random() * (EXTENSIONS + 50))), // some unlisted
    sourceIp: `10.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}`,
  }));
  const accountList = IpAllowList.from(doc.registration.allowFrom);
  const matchers = new Map<Registration, CidrMatcher>();
  const matcherFor = (r: Registration) => {
    let m = matchers.get(r);
    if (m === undefined) {
      m = new CidrMatcherClass(r.allowFrom);
      matchers.set(r, m);
    }
    return m;
  };
  return [
    {
      name: `checkRegistration, ${EXTENSIONS} extensions, ${LIST_SIZE}-entry lists`,
      subject: 'sipguard policy.checkRegistration',
      tasks: [
        {
          name: 'sipguard policy.checkRegistration',
          batch: QUERIES,
          run: () => {
            let allowed = 0;
            for (const r of requests) if (policy.checkRegistration(r).allowed) allowed++;
            return allowed;
          },
        },
        {
          name: 'floor: IpAllowList.probe on one list, no precedence',
          batch: QUERIES,
          run: () => {
            let allowed = 0;
            for (const r of requests) if (accountList.probe(r.sourceIp) >= 0) allowed++;
            return allowed;
          },
        },
        {
          name: 'naive: precedence from the document per request + cidr-matcher',
          batch: QUERIES,
          run: () => {
            let allowed = 0;
            for (const r of requests) {
              const own = Object.hasOwn(doc.extensions, r.extension)
                ? doc.extensions[r.extension]
                : undefined;
              const rule = own?.registration ?? doc.registration;
              if (!rule.restrict || matcherFor(rule).contains(r.sourceIp)) allowed++;
            }
            return allowed;
          },
        },
      ],
    },
  ];
}

function callGroups(): BenchGroup[] {
  const rates = RateTable.from([
    { prefix: '1', rate: '0.01' },
    { prefix: '1876', rate: '0.12' },
    { prefix: '44', rate: '0.02' },
    { prefix: '4420', rate: '0.05' },
    { prefix: '44909', rate: '0.5' },
  ]);
  const policy = compilePolicy(
    {
      homeCountry: 'US',
      calling: { allow: ['US', 'CA', 'GB'], deny: ['*/premium-rate', '+1876'] },
      maxRatePerMinute: '$0.0500',
      extensions: { 103: { maxRatePerMinute: '$0.1000' } },
    },
    { rates },
  );
  const numbers = [
    '(201) 555-0123',
    '1 876 555 0100',
    '+1 900 800 1234',
    '011 44 20 7946 0958',
    '+44 909 879 0000',
    '+1 613 555 0123',
    '911',
    '1 800 555 0100',
  ];
  const requests = Array.from({ length: QUERIES }, (_, i) => ({
    extension: i % 3 === 0 ? '103' : '100',
    dialed: numbers[i % numbers.length] ?? '911',
  }));
  const options = { homeCountry: 'US' };
  return [
    {
      name: 'checkCall, 8 repeated numbers (classification cache warm)',
      subject: 'sipguard policy.checkCall',
      tasks: [
        {
          name: 'sipguard policy.checkCall',
          batch: QUERIES,
          run: () => {
            let allowed = 0;
            for (const r of requests) if (policy.checkCall(r).allowed) allowed++;
            return allowed;
          },
        },
        {
          name: 'classifyDialed alone (the floor)',
          batch: QUERIES,
          run: () => {
            let ok = 0;
            for (const r of requests) if (classifyDialed(r.dialed, options).ok) ok++;
            return ok;
          },
        },
      ],
    },
  ];
}

function compileGroups(): BenchGroup[] {
  const doc = buildDoc();
  return [
    {
      name: `compilePolicy, ${EXTENSIONS} extensions (${EXTENSIONS / 4 + 1} lists of ${LIST_SIZE})`,
      subject: 'sipguard compilePolicy',
      slow: true,
      tasks: [{ name: 'sipguard compilePolicy', batch: 1, run: () => compilePolicy(doc) }],
    },
  ];
}

/** The policy suite. */
export const policySuite: BenchSuite = {
  name: 'policy',
  groups: () => [...registrationGroups(), ...callGroups(), ...compileGroups()],
};
