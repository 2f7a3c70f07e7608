// Issue 21, item 1: call events in the service. /v1/call with a call id goes through the stateful step on
// the service's ledger (reserving when it allows), /v1/call/answer and /v1/call/end record the call's
// life (idempotent, an unknown id harmless), over HTTP and JSON-RPC alike; a ledger that fails denies
// limited calls `ledger-unavailable` and lets emergency calls through; /healthz and /metrics show it.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServeEvent } from '../../src/cli/serve/log.js';
import { encodeNetstring, NetstringReader } from '../../src/cli/serve/netstring.js';
import { createDecisionServer, type DecisionServer } from '../../src/cli/serve/service.js';
import {
  type LedgerHealth,
  parseLedger,
  redactUrl,
  type ServiceLedger,
} from '../../src/cli/serve/service-ledger.js';
import { type AsyncUsageLedger, MemoryLedger } from '../../src/index.js';
import { POLICY_A, policyText, RATES } from '../fixtures/serve-policies.js';
import { closeService } from './serve-process.js';

/** POLICY_A with two concurrent calls and three calls per minute for the account, $1.00 a day, 60 s calls. */
const LIMITED = {
  ...POLICY_A,
  accountLimits: { concurrentCalls: 2, callsPerMinute: 3, spendPerDay: '$1.00' },
  maxCallSeconds: 600,
};

/**
 * A ledger that can be switched off: while `down`, every operation rejects, as the Redis ledger does
 * while Redis is out of reach. Otherwise a MemoryLedger answers.
 */
function switchableLedger(): ServiceLedger & { down: boolean } {
  const memory = new MemoryLedger();
  const guard = <T>(f: () => T): Promise<T> =>
    state.down ? Promise.reject(new Error('Redis is out of reach (test)')) : Promise.resolve(f());
  const ledger: AsyncUsageLedger = {
    begin: (c) => guard(() => memory.begin(c)),
    answer: (e) => guard(() => memory.answer(e)),
    end: (e) => guard(() => memory.end(e)),
    usage: (q) => guard(() => memory.usage(q)),
    reset: (t) => guard(() => memory.reset(t)),
  };
  const state = {
    down: false,
    ledger,
    health: (): LedgerHealth =>
      state.down
        ? { kind: 'redis', state: 'unavailable', url: 'redis://127.0.0.1:1/', lastError: 'test' }
        : { kind: 'redis', state: 'ready', url: 'redis://127.0.0.1:1/' },
    close: async () => {},
  };
  return state;
}

let dir = '';
let service: DecisionServer;
let base = '';
let rpcPort = 0;
let clock = Date.UTC(2024, 5, 3, 10, 0, 0);
const events: ServeEvent[] = [];
const ledger = switchableLedger();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sipguard-calls-'));
  await writeFile(join(dir, 'policy.json'), policyText(LIMITED));
  await writeFile(join(dir, 'rates.csv'), RATES);
  service = await createDecisionServer({
    policyFile: join(dir, 'policy.json'),
    ratesFile: join(dir, 'rates.csv'),
    domain: 'pbx.example',
    ledger,
    jsonrpc: true,
    log: (e) => events.push(e),
    now: () => new Date(clock),
  });
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(service.server.address() as AddressInfo).port}`;
  const rpc = service.jsonrpc;
  if (rpc === undefined) throw new Error('no JSON-RPC listener');
  await new Promise<void>((r) => rpc.server.listen(0, '127.0.0.1', r));
  rpcPort = (rpc.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await closeService(service);
  await rm(dir, { recursive: true, force: true });
});

const call = async (params: Record<string, string>) => {
  const res = await fetch(`${base}/v1/call?${new URLSearchParams(params)}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const event = async (route: 'answer' | 'end', params: Record<string, string>) => {
  const res = await fetch(`${base}/v1/call/${route}?${new URLSearchParams(params)}`, { method: 'POST' });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};
const start = (callId: string, dialed = '+12025550100') => call({ extension: '101', dialed, callId });

/** One JSON-RPC request on a fresh connection, answered with its `result` or `error`. */
function rpc(method: string, params: Record<string, string>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = connect(rpcPort, '127.0.0.1');
    const reader = new NetstringReader(1 << 16);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      const [frame] = reader.push(chunk).frames;
      if (frame === undefined) return;
      socket.end();
      resolve(JSON.parse(frame.toString('utf8')) as Record<string, unknown>);
    });
    socket.write(encodeNetstring(JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })));
  });
}

describe('call starts', () => {
  it('refuses HEAD on /v1/call (405, Allow: GET): a probe or link checker never holds a reservation', async () => {
    const query = new URLSearchParams({ extension: '101', dialed: '+12025550100', callId: 'h-1' });
    const head = await fetch(`${base}/v1/call?${query}`, { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect(head.headers.get('allow')).toBe('GET');
    const usage = await ledger.ledger.usage({ account: 'pbx.example', at: clock, day: 0 });
    expect(usage.account.concurrentCalls).toBe(0);
    // HEAD stays where a request changes nothing.
    expect((await fetch(`${base}/healthz`, { method: 'HEAD' })).status).toBe(200);
  });

  it('reserves an allowed call with a call id, and refuses the third concurrent one', async () => {
    const first = await start('c-1');
    expect(first.status).toBe(200);
    // $0.0100 a minute (the deck) for 600 s: 0.10 reserved.
    expect(first.body).toMatchObject({
      allowed: true,
      code: 'rate-within-cap',
      reservation: { reserved: '0.1', duplicate: false },
    });
    const again = await start('c-1');
    expect(again.body).toMatchObject({ allowed: true, reservation: { duplicate: true } });
    expect((await start('c-2')).body).toMatchObject({ allowed: true });
    const third = await start('c-3');
    expect(third.body).toMatchObject({
      allowed: false,
      code: 'concurrency-limit',
      limit: 'accountLimits.concurrentCalls',
    });
  });

  it('frees the slot when a call ends, settles it from the billed seconds, and ignores a repeat', async () => {
    expect(await event('answer', { callId: 'c-1' })).toEqual({
      status: 200,
      body: { callId: 'c-1', status: 'answered' },
    });
    expect((await event('answer', { callId: 'c-1' })).body).toEqual({ callId: 'c-1', status: 'ignored' });
    // 120 s at $0.0100 a minute: $0.02, 20,000 micro-dollars.
    const ended = await event('end', { callId: 'c-1', billedSeconds: '120' });
    expect(ended).toEqual({ status: 200, body: { callId: 'c-1', status: 'settled', costMicros: 20_000 } });
    expect((await event('end', { callId: 'c-1', billedSeconds: '120' })).body).toEqual({
      callId: 'c-1',
      status: 'ignored',
    });
    // The minute's third call: the slot c-1 held is free again.
    expect((await start('c-4')).body).toMatchObject({ allowed: true });
    // And the fourth in the same minute is over callsPerMinute (3), whichever slot is free.
    await event('end', { callId: 'c-2', billedSeconds: '0' });
    expect((await start('c-5')).body).toMatchObject({ allowed: false, code: 'velocity-limit' });
    clock += 60_000;
  });

  it('keeps an event for an unknown call id harmlessly, and a later start of that id is not placed', async () => {
    expect((await event('end', { callId: 'never-began', billedSeconds: '5' })).body).toEqual({
      callId: 'never-began',
      status: 'pending',
    });
    expect((await start('never-began')).body).toMatchObject({ allowed: false, code: 'invalid-request' });
  });

  it('reads events strictly', async () => {
    const cases: [Record<string, string>, number, string, string][] = [
      [{ callId: 'x' }, 400, 'missing-parameter', 'an end needs its billed seconds'],
      [{ callId: 'x', billedSeconds: '-1' }, 400, 'invalid-parameter', 'negative seconds'],
      [{ callId: 'x', billedSeconds: '1.5' }, 400, 'invalid-parameter', 'a fraction'],
      [{ callId: 'x', billedSeconds: '604801' }, 400, 'invalid-parameter', 'over MAX_BILLED_SECONDS'],
      [{ callId: 'x', billedSeconds: '007' }, 400, 'invalid-parameter', 'a leading zero'],
      [{ callId: 'x'.repeat(257), billedSeconds: '1' }, 400, 'invalid-parameter', 'a call id over 256'],
      [
        { callId: 'x', billedSeconds: '1', domain: 'other.example' },
        404,
        'unknown-domain',
        'another account',
      ],
      [{ callId: 'x', billedSeconds: '1', seconds: '1' }, 400, 'unknown-parameter', 'a typo'],
    ];
    for (const [params, status, code, why] of cases) {
      const answer = await event('end', params);
      expect({ why, status: answer.status, code: answer.body.error }).toEqual({ why, status, code });
    }
    const get = await fetch(`${base}/v1/call/end?callId=x&billedSeconds=1`);
    expect(get.status).toBe(405);
  });

  it('refuses a call without a call id while the policy counts calls', async () => {
    const answer = await call({ extension: '101', dialed: '+12025550100' });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBe('missing-parameter');
    expect(String(answer.body.message)).toContain('callId');
    // A call checkCall denies needs no id: its decision does not depend on any counter.
    expect((await call({ extension: '101', dialed: '+18765550100' })).body).toMatchObject({
      allowed: false,
      code: 'area-not-allowed',
    });
  });

  it('denies a call with a bad call id invalid-request where it would be counted, and never an emergency call', async () => {
    const long = 'x'.repeat(257);
    const counted = await call({ extension: '101', dialed: '+12025550100', callId: long });
    expect(counted.status).toBe(200);
    expect(counted.body).toMatchObject({ allowed: false, code: 'invalid-request' });
    expect(String(counted.body.message)).toContain('callId must be a string of 1 to 256 characters');
    // An emergency call needs no call id, so a bad one cannot refuse it.
    expect((await call({ extension: '101', dialed: '911', callId: long })).body).toMatchObject({
      allowed: true,
      code: 'emergency',
    });
  });

  // JSON can carry half of a surrogate pair, which a UTF-8 store (Redis) would turn into U+FFFD:
  // two such ids would be one call there, and the second a free duplicate of the first.
  it('refuses call ids with a lone surrogate over JSON-RPC, in a start and in an event', async () => {
    for (const callId of ['\ud800X', '\udbffX']) {
      const started = await rpc('v1.call', { extension: '101', dialed: '+12025550100', callId });
      expect(started.result).toMatchObject({ allowed: false, code: 'invalid-request' });
      expect(String((started.result as Record<string, unknown>).message)).toContain(
        'callId has half of a UTF-16 surrogate pair',
      );
    }
    expect(
      (await rpc('v1.call', { extension: '101', dialed: '911', callId: '\ud800X' })).result,
    ).toMatchObject({
      allowed: true,
      code: 'emergency',
    });
    const end = await rpc('v1.call.end', { callId: '\ud800X', billedSeconds: '1' });
    expect(end.error).toEqual({
      code: -32602,
      message: 'callId has half of a UTF-16 surrogate pair, which is not text',
      data: { error: 'invalid-parameter' },
    });
  });

  it('answers the same over JSON-RPC', async () => {
    clock += 60_000;
    const started = await rpc('v1.call', { extension: '101', dialed: '+12025550100', callId: 'r-1' });
    expect(started.result).toMatchObject({ allowed: true, reservation: { reserved: '0.1' } });
    expect((await rpc('v1.call.answer', { callId: 'r-1' })).result).toEqual({
      callId: 'r-1',
      status: 'answered',
    });
    expect((await rpc('v1.call.end', { callId: 'r-1', billedSeconds: '60' })).result).toEqual({
      callId: 'r-1',
      status: 'settled',
      costMicros: 10_000,
    });
    const bad = await rpc('v1.call.end', { callId: 'r-1' });
    expect(bad.error).toMatchObject({ code: -32602, data: { error: 'missing-parameter' } });
  });
});

describe('a ledger out of reach', () => {
  it('denies limited calls ledger-unavailable, lets emergency calls through, refuses events with 503, and recovers', async () => {
    clock += 60_000;
    ledger.down = true;
    try {
      const limited = await start('d-1');
      expect(limited.body).toMatchObject({ allowed: false, code: 'ledger-unavailable' });
      expect((await call({ extension: '101', dialed: '911', callId: 'd-911' })).body).toMatchObject({
        allowed: true,
        code: 'emergency',
      });
      const end = await event('end', { callId: 'c-4', billedSeconds: '3' });
      expect(end.status).toBe(503);
      expect(end.body.error).toBe('ledger-unavailable');
      const rpcEnd = await rpc('v1.call.end', { callId: 'c-4', billedSeconds: '3' });
      expect(rpcEnd.error).toMatchObject({ code: -32000, data: { error: 'ledger-unavailable' } });
      const health = (await (await fetch(`${base}/healthz`)).json()) as Record<string, unknown>;
      expect(health.ledger).toMatchObject({ kind: 'redis', state: 'unavailable' });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toContain('sipguard_ledger_up 0');
      expect(metrics).toContain('sipguard_call_events_total{event="end",result="unavailable"} 2');
      expect(metrics).toContain('sipguard_decisions_total{route="call",code="ledger-unavailable"} 1');
    } finally {
      ledger.down = false;
    }
    // The retried end settles once the ledger is back, and calls are counted again.
    expect((await event('end', { callId: 'c-4', billedSeconds: '3' })).body).toMatchObject({
      status: 'settled',
    });
    expect((await start('d-2')).body).toMatchObject({ allowed: true });
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('sipguard_ledger_up 1');
    expect(metrics).toMatch(/sipguard_call_events_total\{event="answer",result="answered"\} 2/);
    expect(events.filter((e) => e.event === 'call-event-failed')).toHaveLength(2);
  });

  it("keeps the counters across a policy reload (the ledger is not the worker's)", async () => {
    // d-2 is in progress and c-4 ended; with concurrentCalls 1, a second call is refused.
    await writeFile(
      join(dir, 'policy.json'),
      policyText({ ...LIMITED, accountLimits: { concurrentCalls: 1 } }),
    );
    expect((await service.reload('test')).result).toBe('applied');
    expect((await start('d-3')).body).toMatchObject({ allowed: false, code: 'concurrency-limit' });
  });
});

describe('--ledger', () => {
  it.each([
    ['memory', { kind: 'memory' }],
    ['redis://127.0.0.1:6390', { kind: 'redis', url: 'redis://127.0.0.1:6390' }],
    [
      'rediss://user:secret@cache.example:6380/2',
      { kind: 'redis', url: 'rediss://user:secret@cache.example:6380/2' },
    ],
    ['Memory', undefined],
    ['http://127.0.0.1:6379', undefined],
    ['redis://', undefined],
    ['127.0.0.1:6379', undefined],
  ])('%s', (text, expected) => {
    expect(parseLedger(text)).toEqual(expected);
  });

  it('never shows the credentials of the Redis URL', () => {
    expect(redactUrl('redis://user:secret@127.0.0.1:6390/1')).toBe('redis://127.0.0.1:6390/1');
  });
});
