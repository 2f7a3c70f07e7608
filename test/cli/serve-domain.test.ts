// The account's SIP domain in the decision service: queries carry the realm Kamailio authenticated,
// and a service answers only for its own (`--domain`); a registrar given to createDecisionServer
// follows the policy holder (start, applied reloads) and shows in /healthz and /metrics.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ServeEvent } from '../../src/cli/serve/log.js';
import type { RegisteredContact, RegistrarConnector } from '../../src/cli/serve/registrar.js';
import { parseRegistrar } from '../../src/cli/serve/run-serve.js';
import { createDecisionServer, type DecisionServer } from '../../src/cli/serve/service.js';
import { POLICY_A, POLICY_B, policyText, RATES, sha256 } from '../fixtures/serve-policies.js';
import { closeService, listenLocal, poll } from './serve-process.js';

let dir = '';
let policyFile = '';

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sipguard-domain-'));
  policyFile = join(dir, 'policy.json');
  await writeFile(policyFile, policyText(POLICY_A));
  await writeFile(join(dir, 'rates.csv'), RATES);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function start(
  domain: string | undefined,
  extra: Partial<Parameters<typeof createDecisionServer>[0]> = {},
) {
  const events: ServeEvent[] = [];
  const service = await createDecisionServer({
    policyFile,
    ratesFile: join(dir, 'rates.csv'),
    domain,
    logDecisions: true,
    log: (e) => events.push(e),
    ...extra,
  });
  const base = await listenLocal(service);
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
  };
  return { service, events, get };
}

const stop = (service: DecisionServer) => closeService(service);

describe('--domain', { timeout: 30_000 }, () => {
  // POLICY_A allows registrations from 127.0.0.2 only.
  it.each([
    ['sip.example.test', '&domain=sip.example.test', 200, 'allow ip-allowed', 'its own domain'],
    ['sip.example.test', '', 200, 'allow ip-allowed', 'no domain in the query: the one account'],
    ['sip.example.test', '&domain=other.example', 404, 'error unknown-domain:', 'another account'],
    [
      'sip.example.test',
      '&domain=SIP.EXAMPLE.TEST',
      404,
      'error unknown-domain:',
      'compared exactly, as Kamailio sends the realm',
    ],
    [
      'sip.example.test',
      '&domain=%EF%BB%BFsip.example.test',
      404,
      'error unknown-domain:',
      'a leading byte order mark is part of the value, as over JSON-RPC (a decoder drops it by default)',
    ],
    [
      undefined,
      '&domain=sip.example.test',
      404,
      'error unknown-domain:',
      'a service without --domain holds no domain',
    ],
    [undefined, '', 200, 'allow ip-allowed', 'a service without --domain, query without: as before'],
  ])('service %s, query%s → %i %s (%s)', async (domain, query, status, start_, _why) => {
    const s = await start(domain);
    try {
      const r = await s.get(`/v1/registration?extension=101&sourceIp=127.0.0.2${query}&format=text`);
      expect(r.status).toBe(status);
      expect(r.body.startsWith(start_)).toBe(true);
    } finally {
      await stop(s.service);
    }
  });

  it('applies to calls too, and names both domains in the refusal', async () => {
    const s = await start('sip.example.test');
    try {
      const r = await s.get('/v1/call?domain=evil.example&extension=101&dialed=12025550123');
      expect(r.status).toBe(404);
      expect(JSON.parse(r.body)).toEqual({
        error: 'unknown-domain',
        message: 'this service decides for domain "sip.example.test", not "evil.example"',
      });
    } finally {
      await stop(s.service);
    }
  });

  it('logs the domain with each decision', async () => {
    const s = await start('sip.example.test');
    try {
      await s.get('/v1/call?domain=sip.example.test&extension=101&dialed=12025550123');
      expect(s.events.filter((e) => e.event === 'decision')).toEqual([
        expect.objectContaining({
          route: 'call',
          domain: 'sip.example.test',
          extension: '101',
          code: 'rate-within-cap',
        }),
      ]);
    } finally {
      await stop(s.service);
    }
  });
});

/** A registrar whose table the test holds; removes what it is asked to. */
function memoryRegistrar(table: RegisteredContact[]): RegistrarConnector {
  return {
    kind: 'kamailio',
    target: 'http://127.0.0.1:1/RPC',
    list: async () => [...table],
    async remove(c) {
      const i = table.indexOf(c);
      const at = i >= 0 ? i : table.findIndex((t) => t.contact === c.contact && t.aor === c.aor);
      if (at < 0) return 'gone';
      table.splice(at, 1);
      return 'removed';
    },
  };
}

const held = (user: string, sourceIp: string): RegisteredContact => ({
  aor: `${user}@sip.example.test`,
  user,
  domain: 'sip.example.test',
  contact: `sip:${user}@${sourceIp}:5060`,
  sourceIp,
});

describe('a registrar in createDecisionServer', { timeout: 60_000 }, () => {
  it('sweeps at start and after each applied reload (never an unchanged or failed one), shown in /healthz and /metrics', async () => {
    // POLICY_A allows 127.0.0.2, POLICY_B 127.0.0.4.
    const table = [held('101', '127.0.0.2'), held('102', '127.0.0.3')];
    const s = await start('sip.example.test', { registrar: memoryRegistrar(table) });
    try {
      expect(JSON.parse((await s.get('/healthz')).body).registrar).toEqual({
        kind: 'kamailio',
        target: 'http://127.0.0.1:1/RPC',
        status: 'pending',
        consecutiveFailures: 0,
      });
      s.service.registrar?.start();
      await poll(
        async () => table.map((c) => c.user),
        (users) => users.join() === '101',
      );
      expect(await s.service.reload('unchanged-file')).toEqual({
        result: 'unchanged',
        sha256: sha256(policyText(POLICY_A)),
      });
      await writeFile(policyFile, '{ "homeCountry": "USA" }');
      await s.service.reload('broken-file');
      expect(table.map((c) => c.user)).toEqual(['101']);
      const appliedSweeps = () =>
        s.events.filter((e) => e.event === 'registrar-sweep' && e.reason === 'policy-applied').length;
      expect(appliedSweeps()).toBe(0);
      await writeFile(policyFile, policyText(POLICY_B));
      await s.service.reload('SIGHUP');
      await poll(
        async () => table.map((c) => c.user),
        (users) => users.length === 0,
      );
      const dropped = s.events.filter((e) => e.event === 'registration-dropped');
      expect(dropped.map((e) => [e.extension, e.policy])).toEqual([
        ['102', sha256(policyText(POLICY_A))],
        ['101', sha256(policyText(POLICY_B))],
      ]);
      await poll(
        async () => appliedSweeps(),
        (n) => n === 1,
      );
      expect(JSON.parse((await s.get('/healthz')).body).registrar).toMatchObject({
        status: 'ok',
        consecutiveFailures: 0,
        lastSweep: { contacts: expect.any(Number) },
      });
      const m = await s.get('/metrics');
      expect(m.status).toBe(200);
      expect(m.body).toContain('sipguard_registrations_dropped_total{code="ip-not-allowed"} 2\n');
      expect(m.body).toContain('sipguard_registrar_up 1\n');
    } finally {
      await stop(s.service);
    }
  });

  it('has no registrar lines without one', async () => {
    const s = await start('sip.example.test');
    try {
      expect(s.service.registrar).toBeUndefined();
      expect(JSON.parse((await s.get('/healthz')).body)).not.toHaveProperty('registrar');
      expect((await s.get('/metrics')).body).not.toContain('sipguard_registrar');
    } finally {
      await stop(s.service);
    }
  });
});

describe('parseRegistrar', () => {
  it.each([
    [
      'kamailio:http://127.0.0.1:5071/RPC',
      { kind: 'kamailio', url: 'http://127.0.0.1:5071/RPC' },
      'the example',
    ],
    ['kamailio:https://[::1]:5071/RPC', { kind: 'kamailio', url: 'https://[::1]:5071/RPC' }, 'IPv6, https'],
    ['asterisk:http://127.0.0.1:8088/ari', undefined, 'no such connector (yet)'],
    ['http://127.0.0.1:5071/RPC', undefined, 'the kind is required'],
    ['kamailio:', undefined, 'no URL'],
    ['kamailio:ftp://127.0.0.1/RPC', undefined, 'not HTTP'],
    ['kamailio:http://admin:secret@127.0.0.1:5071/RPC', undefined, 'credentials would show in /healthz'],
    ['kamailio:127.0.0.1:5071', undefined, 'not a URL with a scheme we speak'],
  ])('%s → %j (%s)', (text, expected, _why) => {
    expect(parseRegistrar(text)).toEqual(expected);
  });
});
