// An emergency call whose request the service would refuse (an unknown, repeated or empty parameter,
// a bad format) is answered anyway when its extension and dialed number read one way: the service
// refuses what it cannot decide, except emergency calls. Everything else stays refused.
import { rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_ERROR_HEADER } from '../../src/cli/serve/http.js';
import type { ServeEvent } from '../../src/cli/serve/log.js';
import { encodeNetstring, NetstringReader } from '../../src/cli/serve/netstring.js';
import { emergencyCandidate } from '../../src/cli/serve/request.js';
import { createDecisionServer } from '../../src/cli/serve/service.js';
import type { CallRequest } from '../../src/index.js';
import { POLICY_A, policyText } from '../fixtures/serve-policies.js';
import { closeService, listenLocal, policyFolder, poll } from './serve-process.js';

const DOMAIN = 'sip.example.test';

describe('emergencyCandidate', () => {
  const pairs = (query: string) => [...new URLSearchParams(query)];
  it.each([
    ['extension=101&dialed=911&x=1', { extension: '101', dialed: '911' }, 'an unknown parameter is ignored'],
    ['x=1&dialed=911&extension=101', { extension: '101', dialed: '911' }, 'in any order'],
    [
      `extension=101&dialed=911&domain=${DOMAIN}`,
      { extension: '101', dialed: '911' },
      "the service's domain",
    ],
    ['extension=101&dialed=911&rate=&rate=1', { extension: '101', dialed: '911' }, 'a bad rate is ignored'],
    ['extension=101&dialed=911&dialed=911', undefined, 'dialed twice, even the same: one reading only'],
    ['extension=101&extension=102&dialed=911', undefined, 'two extensions: which one calls?'],
    ['dialed=911', undefined, 'no extension'],
    ['extension=101', undefined, 'nothing dialed'],
    ['extension=&dialed=911', undefined, 'an empty extension'],
    ['extension=101&dialed=', undefined, 'an empty dialed number'],
    ['extension=101&dialed=911&domain=other.example', undefined, "another account's domain"],
    ['extension=101&dialed=911&domain=', undefined, 'an empty domain is not this one'],
    [`extension=101&dialed=911&domain=${DOMAIN}&domain=${DOMAIN}`, undefined, 'the domain twice'],
    ['extension=101&dialed=911&Domain=other.example', undefined, 'a domain in another letter case'],
    [`extension=101&dialed=911&DOMAIN=${DOMAIN}`, undefined, "even the service's own, in capitals"],
    ['extension=101&Extension=102&dialed=911', undefined, 'an extension in another letter case'],
    ['extension=101&dialed=911&Dialed=112', undefined, 'a dialed number in another letter case'],
    ['extension=101&dialed=911&extensions=102', { extension: '101', dialed: '911' }, 'another name entirely'],
  ])('%s → %j (%s)', (query, expected, _why) => {
    expect(emergencyCandidate(pairs(query), DOMAIN)).toEqual(expected);
  });

  it.each<[[string, unknown][], CallRequest | undefined, string]>([
    [[['domain', ['other.example']]], undefined, 'a domain that is an array'],
    [[['domain', 5]], undefined, 'a domain that is a number'],
    [[['domain', null]], undefined, 'a domain that is null'],
    [[['domain', { name: DOMAIN }]], undefined, 'a domain that is an object'],
    [[['extension', 102]], undefined, 'a second extension that is a number'],
    [[['rate', 0.05]], { extension: '101', dialed: '911' }, 'a rate that is no string is ignored'],
  ])('with JSON-RPC values, 101 and 911 and %j → %j (%s)', (extra, expected, _why) => {
    const given: [string, unknown][] = [['extension', '101'], ['dialed', '911'], ...extra];
    expect(emergencyCandidate(given, DOMAIN)).toEqual(expected);
  });

  it('takes no domain as this service when it was started without one', () => {
    expect(emergencyCandidate(pairs('extension=101&dialed=911'), undefined)).toEqual({
      extension: '101',
      dialed: '911',
    });
    expect(emergencyCandidate(pairs(`extension=101&dialed=911&domain=${DOMAIN}`), undefined)).toBeUndefined();
  });
});

/** One JSON-RPC request on a new connection; resolves with its answer. */
async function askJsonRpc(port: number, params: unknown): Promise<Record<string, unknown>> {
  const socket = connect(port, '127.0.0.1');
  const reader = new NetstringReader(1024 * 1024);
  const answers: Record<string, unknown>[] = [];
  socket.on('data', (chunk: Buffer) => {
    for (const f of reader.push(chunk).frames) answers.push(JSON.parse(f.toString('utf8')));
  });
  socket.on('error', () => {});
  await new Promise<void>((r) => socket.once('connect', () => r()));
  socket.write(encodeNetstring(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'v1.call', params })));
  await poll(
    async () => answers.length,
    (n) => n >= 1,
  );
  socket.destroy();
  const [answer] = answers;
  if (answer === undefined) throw new Error('no answer');
  return answer;
}

async function startService(policy: unknown) {
  const folder = await policyFolder('sipguard-emergency-');
  await writeFile(folder.policyFile, policyText(policy));
  const events: ServeEvent[] = [];
  const service = await createDecisionServer({
    policyFile: folder.policyFile,
    ratesFile: folder.ratesFile,
    domain: DOMAIN,
    jsonrpc: true,
    log: (e) => events.push(e),
  });
  const base = await listenLocal(service);
  const rpc = service.jsonrpc;
  if (rpc === undefined) throw new Error('no JSON-RPC listener');
  await new Promise<void>((r) => rpc.server.listen(0, '127.0.0.1', r));
  const address = rpc.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, header: res.headers.get(REQUEST_ERROR_HEADER), body: await res.text() };
  };
  return { service, events, get, port, dir: folder.dir };
}

// POLICY_A: home country US, emergency calls allowed (the default); 911 is a US emergency number.
describe('an emergency call in a request the service would refuse', { timeout: 30_000 }, () => {
  let started: Awaited<ReturnType<typeof startService>>;
  // What the service answers a well-formed request for the same call, read from the service itself
  // only to compare the two answers: that it is the emergency decision is asserted below.
  let plain = '';

  beforeAll(async () => {
    started = await startService(POLICY_A);
    const r = await started.get('/v1/call?extension=101&dialed=911');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toMatchObject({ allowed: true, code: 'emergency' });
    plain = r.body;
  });
  afterAll(async () => {
    await closeService(started.service);
    await rm(started.dir, { recursive: true, force: true });
  });

  it.each([
    ['extension=101&dialed=911&priority=high', 'unknown-parameter', 'a parameter this route does not take'],
    ['extension=101&dialed=911&rate=', 'empty-parameter', 'an empty rate'],
    ['extension=101&dialed=911&rate=0.01&rate=0.02', 'duplicate-parameter', 'two rates'],
    ['extension=101&dialed=911&callId=a&callId=b', 'duplicate-parameter', 'two call ids'],
    ['extension=101&dialed=911&format=xml', 'invalid-parameter', 'a format the service has not'],
    [`extension=101&dialed=911&domain=${DOMAIN}&x=`, 'unknown-parameter', "with the service's domain"],
  ])('/v1/call?%s is allowed as an emergency call, naming %s (%s)', async (query, code) => {
    const r = await started.get(`/v1/call?${query}`);
    expect(r.status).toBe(200);
    expect(r.header).toBe(code);
    expect(r.body).toBe(plain);
  });

  it('answers a rescued call in text form when asked for text', async () => {
    const r = await started.get('/v1/call?extension=101&dialed=911&priority=high&format=text');
    expect(r).toEqual({ status: 200, header: 'unknown-parameter', body: 'allow emergency\n' });
  });

  // A text client (the Kamailio example) reads anything but "allow " as a deny: a bad format that
  // still asks for text gets text.
  it.each([
    ['format=text&format=text', {}, 'duplicate-parameter', 'text twice'],
    ['format=TEXT', {}, 'invalid-parameter', 'text in capitals'],
    ['format=', { accept: 'text/plain' }, 'empty-parameter', 'an empty format, Accept text/plain'],
    ['format=xml', { accept: 'text/plain' }, 'invalid-parameter', 'an unknown format, Accept text/plain'],
    ['format=json&format=Text', {}, 'duplicate-parameter', 'json and text: text wins, for a 911'],
  ])(
    'answers a rescued call with %s (headers %j) in text, naming %s (%s)',
    async (extra, headers, code, _why) => {
      const r = await started.get(`/v1/call?extension=101&dialed=911&${extra}`, headers);
      expect(r).toEqual({ status: 200, header: code, body: 'allow emergency\n' });
    },
  );

  it.each([
    [
      'format=json&format=json',
      { accept: 'text/plain' },
      'duplicate-parameter',
      'json twice, whatever Accept says',
    ],
    ['format=xml', {}, 'invalid-parameter', 'an unknown format, no Accept'],
    ['format=xml', { accept: 'application/json, text/plain' }, 'invalid-parameter', 'Accept names JSON too'],
  ])(
    'answers a rescued call with %s (headers %j) in JSON, naming %s (%s)',
    async (extra, headers, code, _why) => {
      const r = await started.get(`/v1/call?extension=101&dialed=911&${extra}`, headers);
      expect(r).toEqual({ status: 200, header: code, body: plain });
    },
  );

  it.each([
    ['extension=101&dialed=12025550123&priority=high', 400, 'unknown-parameter', 'not an emergency number'],
    ['extension=101&dialed=911&dialed=911', 400, 'duplicate-parameter', 'dialed twice'],
    ['extension=101&extension=102&dialed=911', 400, 'duplicate-parameter', 'two extensions'],
    ['dialed=911', 400, 'missing-parameter', 'no extension'],
    ['dialed=911&priority=high', 400, 'unknown-parameter', 'no extension, and a stray parameter'],
    ['extension=&dialed=911', 400, 'empty-parameter', 'an empty extension'],
    ['extension=101&dialed=911&domain=other.example&x=1', 400, 'unknown-parameter', 'another domain'],
    ['extension=101&dialed=911&domain=other.example', 404, 'unknown-domain', 'another account entirely'],
    ['extension=101&dialed=911&Domain=other.example', 400, 'unknown-parameter', 'a domain in capitals'],
    ['extension=101&dialed=911&%', 400, 'invalid-encoding', 'a query that does not decode'],
  ])('/v1/call?%s stays refused with %i %s (%s)', async (query, status, code) => {
    const r = await started.get(`/v1/call?${query}`);
    expect(r.status).toBe(status);
    expect(r.header).toBeNull();
    expect(JSON.parse(r.body)).toMatchObject({ error: code });
  });

  it('rescues only calls: a registration with a stray parameter stays refused', async () => {
    const r = await started.get('/v1/registration?extension=101&sourceIp=127.0.0.2&dialed=911');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.body)).toMatchObject({ error: 'unknown-parameter' });
  });

  it.each([
    [{ extension: '101', dialed: '911', rate: 0.05 }, 'a rate that is no string'],
    [{ extension: '101', dialed: '911', priority: 'high' }, 'an unknown parameter'],
  ])('over JSON-RPC, answers %j with the emergency decision (%s)', async (params, _why) => {
    expect(await askJsonRpc(started.port, params)).toEqual({
      jsonrpc: '2.0',
      id: 1,
      result: JSON.parse(plain),
    });
  });

  it.each([
    [{ extension: '101', dialed: 911 }, 'invalid-parameter', 'a dialed number that is no string'],
    [{ extension: 101, dialed: '911' }, 'invalid-parameter', 'an extension that is no string'],
    [{ dialed: '911', x: '1' }, 'unknown-parameter', 'no extension'],
    [
      { extension: '101', dialed: '911', domain: ['other.example'] },
      'invalid-parameter',
      'a domain in an array',
    ],
    [{ extension: '101', dialed: '911', domain: 5 }, 'invalid-parameter', 'a domain that is a number'],
    [{ extension: '101', dialed: '911', domain: null }, 'invalid-parameter', 'a domain that is null'],
    [
      { extension: '101', dialed: '911', Domain: 'other.example' },
      'unknown-parameter',
      'a domain in capitals',
    ],
  ])('over JSON-RPC, still refuses %j with %s (%s)', async (params, code, _why) => {
    expect(await askJsonRpc(started.port, params)).toMatchObject({
      id: 1,
      error: { code: -32602, data: { error: code } },
    });
  });

  it('logs every rescued call and counts it by the code it was refused with, not as a refusal', async () => {
    const metric = async (pattern: RegExp) =>
      Number((await started.get('/metrics')).body.match(pattern)?.[1] ?? 0);
    const rescued = /^sipguard_emergency_despite_refusal_total\{code="empty-parameter"\} (\d+)$/m;
    const refused = /^sipguard_refused_requests_total\{code="empty-parameter"\} (\d+)$/m;
    const before = { rescued: await metric(rescued), refused: await metric(refused) };
    started.events.length = 0;
    expect((await started.get('/v1/call?extension=102&dialed=911&callId=')).status).toBe(200);
    expect(await metric(rescued)).toBe(before.rescued + 1);
    expect(await metric(refused)).toBe(before.refused);
    expect(started.events).toContainEqual(
      expect.objectContaining({
        event: 'emergency-despite-refusal',
        error: 'empty-parameter',
        message: 'parameter "callId" is empty',
        extension: '102',
        dialed: '911',
      }),
    );
  });

  it('cuts a long extension in the log line, as it cuts the message', async () => {
    started.events.length = 0;
    const long = 'e'.repeat(7_000);
    expect((await started.get(`/v1/call?extension=${long}&dialed=911&x=1`)).status).toBe(200);
    const logged = started.events.find((e) => e.event === 'emergency-despite-refusal');
    // 64 code units, then an ellipsis (docs/integrations.md).
    expect(logged).toMatchObject({ extension: `${'e'.repeat(64)}…`, dialed: '911' });
  });
});

describe('under emergency: "apply-rules"', { timeout: 30_000 }, () => {
  let started: Awaited<ReturnType<typeof startService>>;
  beforeAll(async () => {
    started = await startService({ ...POLICY_A, calling: { ...POLICY_A.calling, emergency: 'apply-rules' } });
  });
  afterAll(async () => {
    await closeService(started.service);
    await rm(started.dir, { recursive: true, force: true });
  });

  it('checks a well-formed emergency call like any call, and leaves a malformed one refused', async () => {
    // The policy chose to check emergency numbers against the areas: no call skips that.
    const plain = await started.get('/v1/call?extension=101&dialed=911');
    expect(JSON.parse(plain.body)).toMatchObject({ allowed: true, code: 'area-allowed' });
    const r = await started.get('/v1/call?extension=101&dialed=911&priority=high');
    expect(r.status).toBe(400);
    expect(r.header).toBeNull();
    expect(JSON.parse(r.body)).toMatchObject({ error: 'unknown-parameter' });
  });
});
