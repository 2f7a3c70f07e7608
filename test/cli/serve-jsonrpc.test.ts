// The JSON-RPC transport (janssonrpcc's JSON-RPC 2.0 in netstrings): requests read strictly, answers
// by id, the very decisions and refusals of the HTTP routes, and a connection closed (never guessed
// at) when its framing breaks or a frame stalls.
import { rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDecider } from '../../src/cli/serve/decide.js';
import { createJsonRpcServer, MAX_FRAME_BYTES, readRequest } from '../../src/cli/serve/jsonrpc.js';
import type { ServeEvent } from '../../src/cli/serve/log.js';
import { MetricRegistry } from '../../src/cli/serve/metrics.js';
import { encodeNetstring, NetstringReader } from '../../src/cli/serve/netstring.js';
import { createDecisionServer, type DecisionServer } from '../../src/cli/serve/service.js';
import { memoryServiceLedger } from '../../src/cli/serve/service-ledger.js';
import { closeService, listenLocal, policyFolder, poll } from './serve-process.js';

const DOMAIN = 'sip.example.test';
const request = (id: unknown, method: string, params: unknown) =>
  JSON.stringify({ jsonrpc: '2.0', id, method, params });

describe('readRequest', () => {
  const frame = (text: string) => Buffer.from(text, 'utf8');
  it.each([
    [request(7, 'v1.call', {}), { kind: 'decide', id: 7, route: 'call' }, 'a call'],
    [
      request('a-1', 'v1.registration', {}),
      { kind: 'decide', id: 'a-1', route: 'registration' },
      'a string id',
    ],
    ['{"jsonrpc":"2.0","method":"v1.call","params":{}}', { kind: 'notification' }, 'no id: a notification'],
    [request(1.5, 'v1.call', {}), { kind: 'refuse', id: null, rpcCode: -32600 }, 'a fractional id'],
    [request(null, 'v1.call', {}), { kind: 'refuse', id: null, rpcCode: -32600 }, 'a null id'],
    [request({}, 'v1.call', {}), { kind: 'refuse', id: null, rpcCode: -32600 }, 'an object id'],
    [request(3, 'v1.drop', {}), { kind: 'refuse', id: 3, rpcCode: -32601 }, 'an unknown method'],
    [request(3, 'toString', {}), { kind: 'refuse', id: 3, rpcCode: -32601 }, 'no inherited name is a method'],
    ['{"jsonrpc":"2.0","id":3,"params":{}}', { kind: 'refuse', id: 3, rpcCode: -32600 }, 'no method'],
    ['{"jsonrpc":"1.0","id":3,"method":"v1.call"}', { kind: 'refuse', id: 3, rpcCode: -32600 }, 'not 2.0'],
    ['{"id":3,"method":"v1.call"}', { kind: 'refuse', id: 3, rpcCode: -32600 }, 'no version'],
    [
      '{"jsonrpc":"2.0","id":3,"method":"v1.call","params":{},"auth":"x"}',
      { kind: 'refuse', id: 3, rpcCode: -32600 },
      'an unknown member',
    ],
    [`[${request(1, 'v1.call', {})}]`, { kind: 'refuse', id: null, rpcCode: -32600 }, 'a batch'],
    ['{"jsonrpc":"2.0",', { kind: 'refuse', id: null, rpcCode: -32700 }, 'not JSON'],
    [
      '{"jsonrpc":"2.0","id":1,"id":2,"method":"v1.call","params":{}}',
      { kind: 'refuse', id: null, rpcCode: -32700 },
      'a duplicate key: one request, one reading',
    ],
  ])('%s → %j (%s)', (text, expected, _why) => {
    expect(readRequest(frame(text))).toMatchObject(expected);
  });

  it('refuses a frame that starts with a byte order mark as a parse error (no decoder drops it)', () => {
    const text = request(7, 'v1.call', {});
    expect(readRequest(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), frame(text)]))).toMatchObject({
      kind: 'refuse',
      id: null,
      rpcCode: -32700,
    });
    expect(readRequest(frame(text))).toMatchObject({ kind: 'decide', id: 7 });
  });

  it('refuses bytes that are not UTF-8 as a parse error', () => {
    expect(readRequest(Buffer.from([0x7b, 0xff, 0x7d]))).toMatchObject({
      kind: 'refuse',
      rpcCode: -32700,
      error: { code: 'invalid-body', message: 'the request is not UTF-8' },
    });
  });
});

/** A client on one connection: sends bytes, collects the answers (netstrings, parsed). */
function client(port: number) {
  const socket: Socket = connect(port, '127.0.0.1');
  const reader = new NetstringReader(1024 * 1024);
  const answers: Record<string, unknown>[] = [];
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    for (const f of reader.push(chunk).frames) answers.push(JSON.parse(f.toString('utf8')));
  });
  socket.on('close', () => {
    closed = true;
  });
  socket.on('error', () => {});
  const connected = new Promise<void>((r) => socket.once('connect', () => r()));
  return {
    socket,
    answers,
    isClosed: () => closed,
    connected,
    send: (bytes: Buffer | string) => socket.write(bytes),
    ask: (text: string) => socket.write(encodeNetstring(text)),
    /** Waits until `n` answers came. */
    answered: (n: number) =>
      poll(
        async () => answers.length,
        (count) => count >= n,
      ),
  };
}

describe('the JSON-RPC listener', { timeout: 60_000 }, () => {
  let service: DecisionServer;
  let httpUrl = '';
  let port = 0;
  let dir = '';
  const events: ServeEvent[] = [];

  beforeAll(async () => {
    const folder = await policyFolder('sipguard-jsonrpc-');
    dir = folder.dir;
    service = await createDecisionServer({
      policyFile: folder.policyFile,
      ratesFile: folder.ratesFile,
      domain: DOMAIN,
      jsonrpc: true,
      log: (e) => events.push(e),
    });
    httpUrl = await listenLocal(service);
    const rpc = service.jsonrpc;
    if (rpc === undefined) throw new Error('no JSON-RPC listener');
    await new Promise<void>((r) => rpc.server.listen(0, '127.0.0.1', r));
    const address = rpc.server.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });
  afterAll(async () => {
    await closeService(service);
    await rm(dir, { recursive: true, force: true });
  });

  // POLICY_A (test/fixtures): registrations from 127.0.0.2; calls to US and CA, no premium; $0.05 cap.
  const cases = [
    ['v1.registration', '/v1/registration', { extension: '101', sourceIp: '127.0.0.2' }],
    ['v1.registration', '/v1/registration', { extension: '101', sourceIp: '127.0.0.9', domain: DOMAIN }],
    ['v1.call', '/v1/call', { extension: '101', dialed: '12025550123' }],
    ['v1.call', '/v1/call', { extension: '101', dialed: '+18765550100' }],
    ['v1.call', '/v1/call', { extension: '101', dialed: '12025550123', rate: '$0.0900' }],
    ['v1.call', '/v1/call', { extension: '101', dialed: '911' }],
  ] as const;

  it('answers each request by its id with the decision HTTP gives for the same parameters', async () => {
    const c = client(port);
    await c.connected;
    // All in one write, so several frames arrive in one chunk.
    c.send(
      Buffer.concat(cases.map(([method, , params], i) => encodeNetstring(request(i + 1, method, params)))),
    );
    await c.answered(cases.length);
    for (const [i, [, path, params]] of cases.entries()) {
      const query = new URLSearchParams(params).toString().replaceAll('+', '%2B');
      const http = await (await fetch(`${httpUrl}${path}?${query}`)).json();
      expect(c.answers.find((a) => a.id === i + 1)).toEqual({ jsonrpc: '2.0', id: i + 1, result: http });
    }
    c.socket.destroy();
  });

  it('reads a frame delivered one byte at a time', async () => {
    const c = client(port);
    await c.connected;
    for (const byte of encodeNetstring(request('slow', 'v1.call', { extension: '101', dialed: '911' }))) {
      c.send(Buffer.from([byte]));
    }
    await c.answered(1);
    expect(c.answers[0]).toMatchObject({ id: 'slow', result: { allowed: true, code: 'emergency' } });
    c.socket.destroy();
  });

  it.each([
    [{ extension: '101' }, 'missing-parameter', 'parameter "sourceIp" is required'],
    [
      { extension: '101', sourceIp: '127.0.0.2', format: 'text' },
      'unknown-parameter',
      'unknown parameter "format"; expected extension, sourceIp, domain',
    ],
    [{ extension: '', sourceIp: '127.0.0.2' }, 'empty-parameter', 'parameter "extension" is empty'],
    [
      { extension: 101, sourceIp: '127.0.0.2' },
      'invalid-parameter',
      'parameter "extension" must be a string',
    ],
    [['101', '127.0.0.2'], 'invalid-parameter', '"params" must be an object of strings'],
    [
      { extension: '101', sourceIp: '127.0.0.2', domain: 'other.example' },
      'unknown-domain',
      'this service decides for domain "sip.example.test", not "other.example"',
    ],
  ])('refuses params %j with -32602 %s, as HTTP refuses them', async (params, code, message) => {
    const c = client(port);
    await c.connected;
    c.ask(request(9, 'v1.registration', params));
    await c.answered(1);
    expect(c.answers[0]).toEqual({
      jsonrpc: '2.0',
      id: 9,
      error: { code: -32602, message, data: { error: code } },
    });
    c.socket.destroy();
  });

  it('gives no answer to a notification, and answers what follows it', async () => {
    const c = client(port);
    await c.connected;
    c.ask('{"jsonrpc":"2.0","method":"v1.call","params":{"extension":"101","dialed":"911"}}');
    c.ask(request(2, 'v1.call', { extension: '101', dialed: '911' }));
    await c.answered(1);
    await new Promise((r) => setTimeout(r, 100));
    expect(c.answers.map((a) => a.id)).toEqual([2]);
    c.socket.destroy();
  });

  it('closes a connection whose framing breaks, logs why and counts it', async () => {
    const c = client(port);
    await c.connected;
    c.ask(request(1, 'v1.call', { extension: '101', dialed: '911' }));
    c.send('5:hello;');
    await poll(
      async () => c.isClosed(),
      (closed) => closed,
    );
    expect(events).toContainEqual(expect.objectContaining({ event: 'jsonrpc-refused', reason: 'no-comma' }));
    expect(await (await fetch(`${httpUrl}/metrics`)).text()).toMatch(
      /^sipguard_refused_requests_total\{code="invalid-frame"\} [1-9]/m,
    );
  });

  it('closes a connection announcing a frame above the bound, before its bytes arrive', async () => {
    const c = client(port);
    await c.connected;
    c.send(`${MAX_FRAME_BYTES + 1}:`);
    await poll(
      async () => c.isClosed(),
      (closed) => closed,
    );
    expect(events).toContainEqual(expect.objectContaining({ event: 'jsonrpc-refused', reason: 'too-long' }));
  });

  it('shows open connections in /metrics and counts its decisions with the HTTP ones', async () => {
    const c = client(port);
    await c.connected;
    await poll(
      async () =>
        (await (await fetch(`${httpUrl}/metrics`)).text()).match(
          /^sipguard_jsonrpc_connections (\d+)$/m,
        )?.[1],
      (n) => n === '1',
    );
    const before = await (await fetch(`${httpUrl}/metrics`)).text();
    const count = (text: string) =>
      Number(text.match(/^sipguard_decisions_total\{route="call",code="emergency"\} (\d+)$/m)?.[1] ?? 0);
    c.ask(request(1, 'v1.call', { extension: '101', dialed: '911' }));
    await c.answered(1);
    expect(count(await (await fetch(`${httpUrl}/metrics`)).text())).toBe(count(before) + 1);
    c.socket.destroy();
  });
});

describe('a stalled frame', { timeout: 60_000 }, () => {
  it('closes the connection after frameTimeoutMs; frames that complete keep it open', async () => {
    const folder = await policyFolder('sipguard-jsonrpc-timeout-');
    const events: ServeEvent[] = [];
    const service = await createDecisionServer({ policyFile: folder.policyFile, log: () => {} });
    const metrics = new MetricRegistry();
    const short = createJsonRpcServer({
      decider: createDecider(service.holder, { metrics, log: () => {}, ledger: memoryServiceLedger() }),
      log: (e) => events.push(e),
      metrics,
      frameTimeoutMs: 1_000,
    });
    await new Promise<void>((r) => short.server.listen(0, '127.0.0.1', r));
    const address = short.server.address();
    const c = client(typeof address === 'object' && address !== null ? address.port : 0);
    try {
      await c.connected;
      // 12 frames, each sent in two halves 100 ms apart: 1.2 s in all, but never 1 s into one frame.
      for (let i = 0; i < 12; i++) {
        const bytes = encodeNetstring(request(i, 'v1.call', { extension: '101', dialed: '911' }));
        c.send(bytes.subarray(0, 10));
        await new Promise((r) => setTimeout(r, 100));
        c.send(bytes.subarray(10));
      }
      await c.answered(12);
      expect(c.isClosed()).toBe(false);
      c.send('20:{"jsonrpc"');
      await poll(
        async () => c.isClosed(),
        (closed) => closed,
      );
      expect(events).toContainEqual(
        expect.objectContaining({ event: 'jsonrpc-refused', reason: 'frame-timeout' }),
      );
    } finally {
      c.socket.destroy();
      await short.close();
      await closeService(service);
      await rm(folder.dir, { recursive: true, force: true });
    }
  });
});
