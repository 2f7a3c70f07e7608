// The decision service: in process through createDecisionServer, and as the real `sipguard serve`
// binary (dist/cli.js, built by `npm test`) on a free loopback port.
import { spawn } from 'node:child_process';
import { rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FileError } from '../../src/cli/files.js';
import { MAX_BODY_BYTES } from '../../src/cli/serve/http.js';
import type { ServeEvent } from '../../src/cli/serve/log.js';
import { parsePort } from '../../src/cli/serve/run-serve.js';
import { createDecisionServer, type DecisionServer } from '../../src/cli/serve/service.js';
import { INVALID_POLICY, POLICY_A, POLICY_B, policyText, RATES, sha256 } from '../fixtures/serve-policies.js';
import {
  cli,
  closeService,
  killAll,
  listenLocal,
  policyFolder,
  poll,
  requireBuiltCli,
  startServe,
} from './serve-process.js';

let dir = '';
let policyFile = '';
let ratesFile = '';

beforeEach(async () => {
  ({ dir, policyFile, ratesFile } = await policyFolder('sipguard-serve-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('createDecisionServer (in process)', { timeout: 30_000 }, () => {
  let service: DecisionServer;
  let base = '';
  let events: ServeEvent[] = [];

  beforeEach(async () => {
    events = [];
    service = await createDecisionServer({
      policyFile,
      ratesFile,
      logDecisions: true,
      log: (e) => events.push(e),
    });
    base = await listenLocal(service);
  });

  afterEach(async () => {
    await closeService(service);
  });

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${base}${path}`, { headers });
    return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text(), res };
  };

  // Expected answers follow from POLICY_A and RATES by reading them, not from running the code.
  it.each([
    ['/v1/registration?extension=101&sourceIp=127.0.0.2', 'allow ip-allowed', 'the only listed address'],
    [
      '/v1/registration?extension=101&sourceIp=127.0.0.3',
      'deny ip-not-allowed',
      'a neighbour of the listed address',
    ],
    [
      '/v1/registration?extension=101&sourceIp=127.0.0.300',
      'deny invalid-ip',
      'a malformed address is a deny, not a 400',
    ],
    ['/v1/call?extension=101&dialed=12025550123', 'allow rate-within-cap', 'US at $0.01 under a $0.05 cap'],
    [
      '/v1/call?extension=101&dialed=%2B12025550123',
      'allow rate-within-cap',
      'a URL-encoded + reaches the policy',
    ],
    [
      '/v1/call?extension=101&dialed=18765550100',
      'deny area-not-allowed',
      'Jamaica shares +1 but is not allowed',
    ],
    ['/v1/call?extension=101&dialed=19005550123', 'deny area-denied', '1-900 is premium-rate'],
    ['/v1/call?extension=101&dialed=911', 'allow emergency', 'emergency is allowed before any rule'],
    [
      '/v1/call?extension=101&dialed=12025550123&rate=0.06',
      'deny rate-above-cap',
      'the given rate wins over the deck',
    ],
    ['/v1/call?extension=101&dialed=hello', 'deny invalid-number', 'unreadable numbers are denied'],
  ])('%s answers "%s" (%s)', async (path, line) => {
    const text = await get(`${path}&format=text`);
    expect(text.status).toBe(200);
    expect(text.type).toMatch(/^text\/plain/);
    expect(text.body).toBe(`${line}\n`);
    const accept = await get(path, { Accept: 'text/plain' });
    expect(accept.body).toBe(`${line}\n`);
    const json = await get(path);
    expect(json.type).toMatch(/^application\/json/);
    const decision = JSON.parse(json.body) as { allowed: boolean; code: string };
    expect(`${decision.allowed ? 'allow' : 'deny'} ${decision.code}`).toBe(line);
  });

  it('answers JSON when Accept names JSON too, or format=json overrides Accept', async () => {
    const path = '/v1/registration?extension=101&sourceIp=127.0.0.2';
    expect((await get(path, { Accept: 'text/plain, application/json' })).type).toMatch(/^application\/json/);
    expect((await get(`${path}&format=json`, { Accept: 'text/plain' })).type).toMatch(/^application\/json/);
  });

  // RFC 9110: media types are case-insensitive, and q=0 means "not acceptable".
  it.each([
    ['TEXT/PLAIN', /^text\/plain/, 'upper case names text/plain'],
    ['text/plain; charset=utf-8', /^text\/plain/, 'with a parameter'],
    ['text/plain;q=0', /^application\/json/, 'q=0: text is not acceptable'],
    ['application/json;q=0, text/plain', /^text\/plain/, 'q=0 takes JSON out'],
    ['text/plain;q=0.5, application/json;q=0.9', /^application\/json/, 'both acceptable: JSON'],
    ['*/*', /^application\/json/, 'a wildcard names no type: JSON'],
  ])('Accept %j answers %s (%s)', async (accept, type) => {
    const path = '/v1/registration?extension=101&sourceIp=127.0.0.2';
    expect((await get(path, { Accept: accept })).type).toMatch(type);
  });

  it('refuses a query that does not decode in the form it asked for (format=text)', async () => {
    const r = await get('/v1/call?extension=101&dialed=+12025550123&format=text');
    expect(r.status).toBe(400);
    expect(r.type).toMatch(/^text\/plain/);
    expect(r.body).toMatch(/^error invalid-encoding: parameter "dialed" has a raw "\+"/);
  });

  it('names a parameter name that does not decode once', async () => {
    const r = await get('/v1/call?extension=101&dialed=911&%&format=text');
    expect(r.status).toBe(400);
    expect(r.body).toBe(
      'error invalid-encoding: parameter name "%" has "%" not followed by two hex digits ("%")\n',
    );
  });

  it.each([
    ['/v1/registration?extension=101', 400, 'missing-parameter', 'sourceIp is required'],
    [
      '/v1/registration?extension=101&sourceIp=127.0.0.2&sourceIp=127.0.0.3',
      400,
      'duplicate-parameter',
      'never pick one of two',
    ],
    ['/v1/registration?extension=101&sourceip=127.0.0.2', 400, 'unknown-parameter', 'a typo is not ignored'],
    [
      '/v1/registration?extension=&sourceIp=127.0.0.2',
      400,
      'empty-parameter',
      'an empty From user is malformed',
    ],
    [
      '/v1/call?extension=101&dialed=12025550123&format=xml',
      400,
      'invalid-parameter',
      'only text or json (an emergency call would be answered: serve-emergency.test.ts)',
    ],
    ['/v1/call?extension=101', 400, 'missing-parameter', 'dialed is required'],
    ['/healthz?verbose=1', 400, 'unknown-parameter', 'healthz takes no parameters'],
    ['/v1/registrations', 404, 'not-found', 'no such route'],
    ['/__proto__', 404, 'not-found', 'object keys are not routes'],
  ])('%s is refused with %i %s (%s)', async (path, status, code) => {
    const json = await get(path);
    expect(json.status).toBe(status);
    expect((JSON.parse(json.body) as { error: string }).error).toBe(code);
  });

  it('refuses in text form with a line that never starts with "allow"', async () => {
    const r = await get('/v1/registration?extension=101&format=text');
    expect(r.status).toBe(400);
    expect(r.body).toBe('error missing-parameter: parameter "sourceIp" is required\n');
  });

  it('answers 405 with Allow for a wrong method on a known route', async () => {
    const post = await fetch(`${base}/v1/registration?extension=101&sourceIp=127.0.0.2`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    const headCall = await fetch(`${base}/v1/call?extension=101&dialed=%2B12025550100`, { method: 'HEAD' });
    expect(headCall.status).toBe(405);
    expect(headCall.headers.get('allow')).toBe('GET');
    const getDrop = await get('/v1/registrations/drop');
    expect(getDrop.status).toBe(405);
    expect(getDrop.res.headers.get('allow')).toBe('POST');
  });

  it('refuses a drop body that is not UTF-8 (400 invalid-body), rather than reading U+FFFD', async () => {
    const res = await fetch(`${base}/v1/registrations/drop`, {
      method: 'POST',
      body: new Uint8Array([0x5b, 0xff, 0x5d]),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: 'invalid-body',
      message: 'the request body is not UTF-8',
    });
  });

  it('lists the registrations to drop, in input order, with their decisions', async () => {
    const held = [
      { extension: '101', sourceIp: '127.0.0.2', contact: 'sip:101@127.0.0.2' },
      { extension: '102', sourceIp: '127.0.0.9' },
      { extension: '103', sourceIp: 'not-an-ip' },
    ];
    const res = await fetch(`${base}/v1/registrations/drop`, { method: 'POST', body: JSON.stringify(held) });
    expect(res.status).toBe(200);
    const out = (await res.json()) as {
      total: number;
      drop: { registration: { extension: string }; decision: { code: string } }[];
    };
    expect(out.total).toBe(3);
    expect(out.drop.map((d) => `${d.registration.extension} ${d.decision.code}`)).toEqual([
      '102 ip-not-allowed',
      '103 invalid-ip',
    ]);
  });

  it.each([
    ['[{"extension":"1","sourceIp":"127.0.0.2",', 'truncated JSON'],
    ['[{"extension":"1","extension":"2","sourceIp":"127.0.0.2"}]', 'a duplicate key would hide one value'],
    ['{"extension":"1","sourceIp":"127.0.0.2"}', 'an object, not a list'],
    ['[{"extension":1,"sourceIp":"127.0.0.2"}]', 'a number extension'],
    ['[null]', 'null is no registration'],
  ])('refuses a drop body %s with 400 invalid-body (%s)', async (body) => {
    const res = await fetch(`${base}/v1/registrations/drop`, { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid-body');
  });

  it('refuses a body declared larger than the bound with 413, before reading it', async () => {
    const { status, body } = await rawPost(base, { 'Content-Length': String(MAX_BODY_BYTES + 1) }, '[');
    expect(status).toBe(413);
    expect(JSON.parse(body)).toMatchObject({ error: 'body-too-large' });
  });

  it('refuses a chunked body that grows past the bound with 413', async () => {
    const chunk = `[${'"x",'.repeat(1024)}`;
    const big = chunk.repeat(Math.ceil((MAX_BODY_BYTES + 1) / chunk.length));
    const { status } = await rawPost(base, { 'Transfer-Encoding': 'chunked' }, big);
    expect(status).toBe(413);
  });

  it('reports the policy hash and load time in /healthz', async () => {
    const r = await get('/healthz');
    expect(r.status).toBe(200);
    const health = JSON.parse(r.body) as { status: string; policy: { sha256: string; loadedAt: string } };
    expect(health.status).toBe('ok');
    expect(health.policy.sha256).toBe(sha256(policyText(POLICY_A)));
    expect(Number.isNaN(Date.parse(health.policy.loadedAt))).toBe(false);
    expect(JSON.parse(r.body)).toMatchObject({ rates: { sha256: sha256(RATES) } });
  });

  it('applies a changed policy on reload', async () => {
    await writeFile(policyFile, policyText(POLICY_B));
    const outcome = await service.reload('test');
    expect(outcome).toEqual({ result: 'applied', sha256: sha256(policyText(POLICY_B)) });
    expect((await get('/v1/registration?extension=101&sourceIp=127.0.0.2&format=text')).body).toBe(
      'deny ip-not-allowed\n',
    );
    expect((await get('/v1/registration?extension=101&sourceIp=127.0.0.4&format=text')).body).toBe(
      'allow ip-allowed\n',
    );
    expect(events.some((e) => e.event === 'reload' && e.result === 'applied')).toBe(true);
  });

  it('never applies a policy that does not compile: old decisions stay, /healthz and the log say why', async () => {
    await writeFile(policyFile, INVALID_POLICY);
    const outcome = await service.reload('test');
    expect(outcome.result).toBe('failed');
    expect((await get('/v1/registration?extension=101&sourceIp=127.0.0.2&format=text')).body).toBe(
      'allow ip-allowed\n',
    );
    const health = JSON.parse((await get('/healthz')).body) as {
      status: string;
      policy: { sha256: string };
      lastReloadError: { problems: { path: string; code: string }[] };
    };
    expect(health.status).toBe('stale');
    expect(health.policy.sha256).toBe(sha256(policyText(POLICY_A)));
    expect(health.lastReloadError.problems).toContainEqual(
      expect.objectContaining({ path: '/registration/allowFrom/0', code: 'leading-zero' }),
    );
    const failed = events.filter((e) => e.event === 'reload-failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]?.keeping).toBe(sha256(policyText(POLICY_A)));

    // A missing file is a failed reload too, not a service without a policy.
    await rm(policyFile);
    expect((await service.reload('test')).result).toBe('failed');
    expect((await get('/v1/call?extension=101&dialed=19005550123&format=text')).body).toBe(
      'deny area-denied\n',
    );

    // Fixing the file clears the error.
    await writeFile(policyFile, policyText(POLICY_A));
    expect(await service.reload('test')).toEqual({
      result: 'unchanged',
      sha256: sha256(policyText(POLICY_A)),
    });
    expect(JSON.parse((await get('/healthz')).body)).not.toHaveProperty('lastReloadError');
  });

  it('keeps the old policy when only the rate deck turns invalid', async () => {
    await writeFile(ratesFile, 'prefix,rate\n1,abc\n');
    expect((await service.reload('test')).result).toBe('failed');
    expect((await get('/v1/call?extension=101&dialed=12025550123&format=text')).body).toBe(
      'allow rate-within-cap\n',
    );
  });

  it('runs overlapping reloads one after another, and the last write wins', async () => {
    await writeFile(policyFile, policyText(POLICY_B));
    const first = service.reload('a');
    const second = service.reload('b');
    const third = service.reload('c');
    expect(third).toBe(second);
    await Promise.all([first, second]);
    expect(service.health().policy.sha256).toBe(sha256(policyText(POLICY_B)));
  });

  it('tells onApplied subscribers after the new policy is in force, never for unchanged or failed reloads', async () => {
    const seen: string[] = [];
    const decidedInListener: string[] = [];
    service.holder.onApplied(async (previous, next) => {
      seen.push(`${previous.policySha256} -> ${next.policySha256}`);
      decidedInListener.push(
        (await service.holder.checkRegistration({ extension: '101', sourceIp: '127.0.0.4' })).code,
      );
    });
    const unsubscribe = service.holder.onApplied(() => {
      throw new Error('listener bug');
    });
    await writeFile(policyFile, policyText(POLICY_B));
    await service.reload('test');
    unsubscribe();
    await service.reload('test'); // unchanged
    await writeFile(policyFile, INVALID_POLICY);
    await service.reload('test'); // failed
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toEqual([`${sha256(policyText(POLICY_A))} -> ${sha256(policyText(POLICY_B))}`]);
    // POLICY_B allows 127.0.0.4 (POLICY_A does not): the listener already sees the new policy.
    expect(decidedInListener).toEqual(['ip-allowed']);
    expect(events.filter((e) => e.event === 'applied-listener-failed')).toEqual([
      expect.objectContaining({ message: 'listener bug' }),
    ]);
  });

  it('logs one JSON-ready event per decision with --log', async () => {
    await get('/v1/call?extension=101&dialed=911&format=text');
    expect(events.at(-1)).toMatchObject({
      event: 'decision',
      route: 'call',
      dialed: '911',
      code: 'emergency',
    });
  });
});

describe('createDecisionServer with an invalid initial policy', () => {
  it('throws FileError: a service with no good policy must not start', async () => {
    await writeFile(policyFile, INVALID_POLICY);
    await expect(createDecisionServer({ policyFile, log: () => {} })).rejects.toBeInstanceOf(FileError);
  });
});

describe('parsePort', () => {
  it.each([
    ['0', 0],
    ['8099', 8099],
    ['65535', 65535],
    ['65536', undefined],
    ['-1', undefined],
    ['80a', undefined],
    ['', undefined],
    ['1e3', undefined],
  ])('%j → %j', (text, port) => {
    expect(parsePort(text)).toBe(port);
  });
});

/** POSTs to /v1/registrations/drop with raw headers; resolves with the status and body. */
function rawPost(
  base: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: string }> {
  return new Promise((resolvePost, rejectPost) => {
    const req = httpRequest(`${base}/v1/registrations/drop`, { method: 'POST', headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolvePost({ status: res.statusCode ?? 0, body: text }));
    });
    // The server may close the connection once it has answered; the answer is what counts.
    req.on('error', (e) => rejectPost(e));
    req.write(body);
    if (headers['Content-Length'] === undefined) req.end();
  });
}

describe('sipguard serve (the built binary)', () => {
  beforeAll(requireBuiltCli);
  afterAll(killAll);
  const start = startServe;

  it('decides, reloads on file change and on SIGHUP, keeps the last good policy, and stops on SIGTERM', async () => {
    const { child, exited, url, lines } = await start([
      policyFile,
      '--rates',
      ratesFile,
      '--port',
      '0',
      '--log',
    ]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:[0-9]+$/);
    const decide = async (ip: string) =>
      (await fetch(`${url}/v1/registration?extension=101&sourceIp=${ip}&format=text`)).text();
    const health = async () =>
      (await (await fetch(`${url}/healthz`)).json()) as { status: string; policy: { sha256: string } };
    expect(await decide('127.0.0.2')).toBe('allow ip-allowed\n');

    // Rewrite the file: the watcher reloads it.
    await writeFile(policyFile, policyText(POLICY_B));
    await poll(health, (h) => h.policy.sha256 === sha256(policyText(POLICY_B)));
    expect(await decide('127.0.0.2')).toBe('deny ip-not-allowed\n');

    // An invalid policy is not applied: B still decides, and /healthz says why.
    await writeFile(policyFile, INVALID_POLICY);
    await poll(health, (h) => h.status === 'stale');
    expect((await health()).policy.sha256).toBe(sha256(policyText(POLICY_B)));
    expect(await decide('127.0.0.4')).toBe('allow ip-allowed\n');
    expect(await decide('127.0.0.2')).toBe('deny ip-not-allowed\n');
    expect(lines.some((l) => l.event === 'reload-failed')).toBe(true);

    // SIGHUP reloads as well (here: back to A, written while the watcher might also fire).
    await writeFile(policyFile, policyText(POLICY_A));
    child.kill('SIGHUP');
    await poll(health, (h) => h.status === 'ok' && h.policy.sha256 === sha256(policyText(POLICY_A)));
    expect(await decide('127.0.0.2')).toBe('allow ip-allowed\n');
    expect(lines.some((l) => l.event === 'decision' && l.code === 'ip-allowed')).toBe(true);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(lines.at(-1)).toMatchObject({ event: 'stopped', signal: 'SIGTERM' });
  }, 30_000);

  it('exits 3 and does not listen when the initial policy is invalid', async () => {
    await writeFile(policyFile, INVALID_POLICY);
    const child = spawn(process.execPath, [cli, 'serve', policyFile, '--port', '0'], { stdio: 'pipe' });
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      out += c.toString();
    });
    const code = await new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    expect(code).toBe(3);
    expect(out).toContain('leading-zero');
    expect(out).not.toContain('listening');
  }, 15_000);

  it('exits 4 on a bad --port', async () => {
    const child = spawn(process.execPath, [cli, 'serve', policyFile, '--port', 'http'], { stdio: 'ignore' });
    expect(await new Promise<number | null>((r) => child.on('exit', (c) => r(c)))).toBe(4);
  }, 15_000);
});
