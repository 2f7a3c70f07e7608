// The account's SIP domain in the decision service: queries carry the realm Kamailio authenticated,
// and a service answers only for its own (`--domain`); the registrar hooks of createDecisionServer.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRegistrar } from '../../src/cli/serve.js';
import { createDecisionServer, type DecisionServer, type ServeEvent } from '../../src/cli/serve-server.js';
import { POLICY_A, POLICY_B, policyText, RATES, sha256 } from '../fixtures/serve-policies.js';

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
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
  const get = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    return { status: res.status, body: await res.text(), type: res.headers.get('content-type') ?? '' };
  };
  return { service, events, get };
}

async function stop(service: DecisionServer) {
  service.server.closeAllConnections();
  await new Promise<void>((r) => service.server.close(() => r()));
}

describe('--domain', () => {
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

describe('registrar hooks of createDecisionServer', () => {
  it('calls onApplied for an applied reload only, shows registrar health and serves metrics lines', async () => {
    const applied: string[] = [];
    const health = {
      kind: 'kamailio',
      target: 'http://127.0.0.1:1/RPC',
      status: 'ok' as const,
      consecutiveFailures: 0,
    };
    const s = await start('sip.example.test', {
      onApplied: (reason) => applied.push(reason),
      registrarHealth: () => health,
      metricsText: () => 'sipguard_registrar_up{registrar="kamailio"} 1\n',
    });
    try {
      expect(await s.service.reload('unchanged-file')).toEqual({
        result: 'unchanged',
        sha256: sha256(policyText(POLICY_A)),
      });
      await writeFile(policyFile, policyText(POLICY_B));
      await s.service.reload('SIGHUP');
      await writeFile(policyFile, '{ "homeCountry": "USA" }');
      await s.service.reload('broken-file');
      expect(applied).toEqual(['SIGHUP']);
      expect(s.service.policyInForce().sha256).toBe(sha256(policyText(POLICY_B)));
      expect(JSON.parse((await s.get('/healthz')).body).registrar).toEqual(health);
      const m = await s.get('/metrics');
      expect(m.status).toBe(200);
      expect(m.type).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(m.body).toBe('sipguard_registrar_up{registrar="kamailio"} 1\n');
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
