// D7 and D8 (issue 15): a client that aborts is its own log event, and the header, body and idle
// timeouts hold what the code says, measured on real sockets.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TIMEOUTS, type HttpTimeouts, TIMEOUT_CHECK_MS } from '../../src/cli/serve/http.js';
import type { ServeEvent } from '../../src/cli/serve/log.js';
import { createDecisionServer, type DecisionServer } from '../../src/cli/serve/service.js';
import { POLICY_A, policyText } from '../fixtures/serve-policies.js';
import { closeService } from './serve-process.js';

// Short timeouts so the test is quick; the check interval is the service's own (TIMEOUT_CHECK_MS).
const TIMEOUTS: HttpTimeouts = { headersMs: 1_000, requestMs: 1_500, idleMs: 1_000 };
// Generous on purpose: a loaded machine may run a timer late by a second, never early.
const LATE_MS = 2_000;

let dir = '';
let service: DecisionServer;
let port = 0;
const events: ServeEvent[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sipguard-http-'));
  await writeFile(join(dir, 'policy.json'), policyText(POLICY_A));
  service = await createDecisionServer({
    policyFile: join(dir, 'policy.json'),
    log: (e) => events.push(e),
    timeouts: TIMEOUTS,
  });
  await new Promise<void>((r) => service.server.listen(0, '127.0.0.1', r));
  port = (service.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await closeService(service);
  await rm(dir, { recursive: true, force: true });
});

/** Opens a socket, writes `text`, and resolves with ms from the write to the server's close, and what it sent. */
function heldFor(text: string, after?: (socket: Socket) => void): Promise<{ ms: number; received: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    let started = 0;
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => {
      received += c;
    });
    socket.on('error', reject);
    socket.on('connect', () => {
      started = performance.now();
      socket.write(text);
      after?.(socket);
    });
    socket.on('close', () => resolve({ ms: performance.now() - started, received }));
  });
}

describe('D8: client timeouts', () => {
  it('the defaults are 5 s for headers, 10 s per request, 5 s idle, checked every 250 ms', () => {
    expect(DEFAULT_TIMEOUTS).toEqual({ headersMs: 5_000, requestMs: 10_000, idleMs: 5_000 });
    expect(TIMEOUT_CHECK_MS).toBe(250);
  });

  // Before the fix Node checked the first two every 30 s, so a 5 s timeout held a client ~20 s.
  it('closes a connection whose headers never end after the header timeout', async () => {
    const { ms, received } = await heldFor('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.headersMs - 50);
    expect(ms).toBeLessThan(TIMEOUTS.headersMs + LATE_MS);
    expect(received).toMatch(/^HTTP\/1\.1 408/);
  });

  it('closes a connection that says nothing after the header timeout', async () => {
    const { ms } = await heldFor('');
    expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.headersMs - 50);
    expect(ms).toBeLessThan(TIMEOUTS.headersMs + LATE_MS);
  });

  it('closes a request whose body never ends after the request timeout', async () => {
    const { ms } = await heldFor(
      'POST /v1/registrations/drop HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[{"ext',
    );
    expect(ms).toBeGreaterThanOrEqual(TIMEOUTS.requestMs - 50);
    expect(ms).toBeLessThan(TIMEOUTS.requestMs + LATE_MS);
  });

  it('closes a kept-alive connection left idle after the idle timeout', async () => {
    let answeredAt = 0;
    let closedAt = 0;
    const { received } = await heldFor('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', (socket) => {
      socket.once('data', () => {
        answeredAt = performance.now();
      });
      socket.once('close', () => {
        closedAt = performance.now();
      });
    });
    expect(received).toMatch(/^HTTP\/1\.1 200/);
    // Node 20 waits one second past the Keep-Alive timeout it advertises, so that a client reusing the
    // connection at the last moment is not cut off: the header says 1 s, the close comes at ~2 s.
    expect(received).toContain(`Keep-Alive: timeout=${TIMEOUTS.idleMs / 1000}`);
    const idle = closedAt - answeredAt;
    expect(idle).toBeGreaterThanOrEqual(TIMEOUTS.idleMs - 50);
    expect(idle).toBeLessThan(TIMEOUTS.idleMs + 1_000 + LATE_MS);
  });
});

describe('D7: a client that aborts its request body', () => {
  it('is logged as client-aborted, never as internal-error', async () => {
    events.length = 0;
    await new Promise<void>((resolve) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write(
          'POST /v1/registrations/drop HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n[{"extension":',
        );
        setTimeout(() => socket.destroy(), 100);
      });
      socket.on('close', () => resolve());
    });
    const until = Date.now() + 5_000;
    while (!events.some((e) => e.event === 'client-aborted') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(events).toEqual([{ event: 'client-aborted', route: '/v1/registrations/drop', received: 14 }]);
  });
});

describe("requests Node's HTTP parser refuses", () => {
  /** The refusals counted so far for `code`, from the service's own /metrics. */
  async function refused(code: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const line = text
      .split('\n')
      .find((l) => l.startsWith(`sipguard_refused_requests_total{code="${code}"} `));
    return line === undefined ? 0 : Number(line.split(' ')[1]);
  }

  it.each<[reason: string, request: string, status: string, code: string]>([
    ['a request line that is not HTTP', 'BLAH\r\n\r\n', '400 Bad Request', 'malformed-request'],
    [
      'two different lengths: request smuggling, refused by the parser',
      'GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n',
      '400 Bad Request',
      'malformed-request',
    ],
    [
      "headers over Node's 16 KiB",
      `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
      '431 Request Header Fields Too Large',
      'headers-too-large',
    ],
  ])('%s: answered in JSON, and counted', async (_reason, request, status, code) => {
    const before = await refused(code);
    const { received } = await heldFor(request);
    const [head = '', body = ''] = received.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe(`HTTP/1.1 ${status}`);
    expect(head).toContain('Content-Type: application/json; charset=utf-8');
    expect(head).toContain('Connection: close');
    expect(head).toContain('X-Content-Type-Options: nosniff');
    expect(head).toContain(`Content-Length: ${Buffer.byteLength(body)}`);
    expect(JSON.parse(body)).toEqual({ error: code, message: expect.any(String) });
    expect(await refused(code)).toBe(before + 1);
  });

  it('answers a header timeout 408 request-timeout in JSON', async () => {
    const { received } = await heldFor('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const [head = '', body = ''] = received.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(JSON.parse(body)).toEqual({
      error: 'request-timeout',
      message: 'the request did not arrive in time',
    });
  });

  it('answers a kept-alive connection whose earlier request was answered', async () => {
    const before = await refused('malformed-request');
    const { received } = await heldFor('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n', (socket) => {
      // The bad request comes once the first answer is in, as a PBX reusing its connection sends it.
      socket.once('data', () => socket.write('BLAH\r\n\r\n'));
    });
    expect(received.match(/HTTP\/1\.1 \d+/g)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 400']);
    expect(received).toContain('{"error":"malformed-request"');
    expect(await refused('malformed-request')).toBe(before + 1);
  });

  // Pipelined: an answer to the bad request could be read as the answer to the first one.
  it.each<[reason: string, first: string]>([
    ['answered at once', 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n'],
    [
      'decided in a worker, still pending',
      'GET /v1/registration?extension=101&sourceIp=203.0.113.7 HTTP/1.1\r\nHost: x\r\n\r\n',
    ],
  ])(
    'only closes the connection after a bad request pipelined behind one %s, and counts it',
    async (_reason, first) => {
      const before = await refused('malformed-request');
      const { received } = await heldFor(`${first}BLAH\r\n\r\n`);
      expect(received).not.toContain('malformed-request');
      expect((received.match(/HTTP\/1\.1 \d+/g) ?? []).length).toBeLessThanOrEqual(1);
      expect(await refused('malformed-request')).toBe(before + 1);
    },
  );

  it('answers 408 in JSON to a request whose body never ends (its own answer had not begun)', async () => {
    const { received } = await heldFor(
      'POST /v1/registrations/drop HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n[{"ext',
    );
    const [head = '', body = ''] = received.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(JSON.parse(body)).toMatchObject({ error: 'request-timeout' });
  });
});

describe('request targets in the absolute form (RFC 9112 section 3.2.2), as sent through a proxy', () => {
  it.each<[reason: string, target: string, status: string, body: RegExp]>([
    ['a route, by its path', 'http://sipguard.example:8080/healthz', '200 OK', /"status"/],
    ['the scheme in capitals', 'HTTP://sipguard.example/healthz', '200 OK', /"status"/],
    [
      'an unknown route is named by its path alone, not the host',
      'http://sipguard.example/nope?x=1',
      '404 Not Found',
      /"no route \\"\/nope\\""/,
    ],
    ['no path at all is the root', 'http://sipguard.example', '404 Not Found', /"no route \\"\/\\""/],
  ])('%s', async (_reason, target, status, body) => {
    const { received } = await heldFor(`GET ${target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    const [head = '', text = ''] = received.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe(`HTTP/1.1 ${status}`);
    expect(text).toMatch(body);
  });
});
