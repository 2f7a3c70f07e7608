// The Kamailio registrar connector against a loopback HTTP server answering as Kamailio 5.6's
// jsonrpcs does (bodies recorded from Debian's 5.6.3 with examples/kamailio/kamailio.cfg). The real
// Kamailio is exercised by test/e2e; this covers the answers a healthy Kamailio rarely gives.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RegistrarError } from '../../src/cli/serve/registrar.js';
import { createKamailioRegistrar, hostOfSipUri, parseDump } from '../../src/cli/serve/registrar-kamailio.js';

/** ul.dump of two AoRs, one with two contacts, one of them without a stored source. */
const DUMP = {
  Domains: [
    {
      Domain: {
        Domain: 'location',
        Size: 1024,
        AoRs: [
          {
            Info: {
              AoR: '101@sip.example.test',
              HashID: 390163277,
              Contacts: [
                {
                  Contact: {
                    Address: 'sip:101@127.0.0.182:5060;transport=UDP',
                    Expires: 60,
                    Received: 'sip:127.0.0.182:5060',
                    Socket: 'udp:127.0.0.181:5999',
                    Ruid: 'uloc-6b0f2d1a-2c76-1',
                  },
                },
                { Contact: { Address: 'sip:101@198.51.100.7:5060', Received: '[not set]' } },
              ],
            },
          },
          {
            Info: {
              AoR: '102@sip.example.test',
              Contacts: [
                {
                  Contact: {
                    Address: 'sip:102@[2001:db8::5]:5062',
                    Received: 'sip:[2001:db8::5]:5062;transport=tcp',
                  },
                },
              ],
            },
          },
        ],
        Stats: { Records: 2, 'Max-Slots': 2 },
      },
    },
  ],
};

describe('parseDump', () => {
  it('reads every contact of the table with its AoR, user, domain and stored source', () => {
    expect(parseDump(DUMP, 'location')).toEqual([
      {
        aor: '101@sip.example.test',
        user: '101',
        domain: 'sip.example.test',
        contact: 'sip:101@127.0.0.182:5060;transport=UDP',
        sourceIp: '127.0.0.182',
      },
      // "[not set]" is usrloc's placeholder: the source is unknown, never taken from the Contact.
      {
        aor: '101@sip.example.test',
        user: '101',
        domain: 'sip.example.test',
        contact: 'sip:101@198.51.100.7:5060',
        sourceIp: undefined,
      },
      {
        aor: '102@sip.example.test',
        user: '102',
        domain: 'sip.example.test',
        contact: 'sip:102@[2001:db8::5]:5062',
        sourceIp: '2001:db8::5',
      },
    ]);
  });

  it('reads an AoR without domain (usrloc use_domain 0) as a user with no domain', () => {
    const dump = {
      Domains: [{ Domain: { Domain: 'location', AoRs: [{ Info: { AoR: '101', Contacts: [] } }] } }],
    };
    expect(parseDump(dump, 'location')).toEqual([]);
    const one = {
      Domains: [
        {
          Domain: {
            Domain: 'location',
            AoRs: [
              {
                Info: {
                  AoR: '101',
                  Contacts: [{ Contact: { Address: 'sip:101@h', Received: 'sip:192.0.2.1' } }],
                },
              },
            ],
          },
        },
      ],
    };
    expect(parseDump(one, 'location')).toEqual([
      { aor: '101', user: '101', domain: undefined, contact: 'sip:101@h', sourceIp: '192.0.2.1' },
    ]);
  });

  it.each([
    [{ Domains: [] }, 'no table of that name'],
    [{}, 'no Domains'],
    [{ Domains: [{ Domain: { Domain: 'location' } }] }, 'a table without AoRs'],
    [
      { Domains: [{ Domain: { Domain: 'location', AoRs: [{ AoR: '101@x' }] } }] },
      'the "brief" form: no contacts to check',
    ],
    [
      {
        Domains: [
          { Domain: { Domain: 'location', AoRs: [{ Info: { AoR: '101@x', Contacts: [{ Contact: {} }] } }] } },
        ],
      },
      'a contact without Address',
    ],
    ['[]', 'not an object'],
  ])('refuses a result of another shape: %j (%s)', (result, _why) => {
    expect(parseDump(result, 'location')).toBeUndefined();
  });

  it('looks only at the named table', () => {
    expect(parseDump(DUMP, 'location_other')).toBeUndefined();
  });
});

describe('hostOfSipUri', () => {
  it.each([
    ['sip:127.0.0.182:5060', '127.0.0.182', 'usrloc Received for UDP'],
    ['sip:192.0.2.1', '192.0.2.1', 'no port'],
    ['sip:[2001:db8::5]:5062;transport=tcp', '2001:db8::5', 'IPv6 in brackets, with a parameter'],
    ['sips:198.51.100.1:5061;transport=tls', '198.51.100.1', 'sips'],
    ['sip:101@127.0.0.1:5060', undefined, 'a user part: not a Received URI'],
    ['tel:+12025550123', undefined, 'not sip'],
    ['sip:', undefined, 'no host'],
    ['127.0.0.1:5060', undefined, 'no scheme'],
    ['sip:[::1', undefined, 'an unclosed bracket'],
  ])('%s → %s (%s)', (uri, host, _why) => {
    expect(hostOfSipUri(uri)).toBe(host);
  });
});

describe('createKamailioRegistrar over HTTP', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise<void>((r) => (server === undefined ? r() : server.close(() => r())));
    server = undefined;
  });

  /** A loopback server; `answer` sees each JSON-RPC request and writes the response. */
  async function rpcServer(
    answer: (request: { method: string; params: unknown }, res: ServerResponse, req: IncomingMessage) => void,
  ) {
    const calls: { method: string; params: unknown }[] = [];
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        const request = JSON.parse(body) as { method: string; params: unknown; jsonrpc: string };
        expect(request.jsonrpc).toBe('2.0');
        calls.push({ method: request.method, params: request.params });
        answer(request, res, req);
      });
    });
    await new Promise<void>((r) => server?.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/RPC`;
    return { url, calls };
  }
  const json = (res: ServerResponse, value: unknown, status = 200) => {
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(value));
  };

  it('lists with ul.dump and removes one contact with ul.rm_contact table aor contact', async () => {
    const rpc = await rpcServer((r, res) =>
      json(
        res,
        r.method === 'ul.dump'
          ? { jsonrpc: '2.0', result: DUMP, id: 1 }
          : { jsonrpc: '2.0', result: {}, id: 2 },
      ),
    );
    const registrar = createKamailioRegistrar({ url: rpc.url });
    const contacts = await registrar.list();
    expect(contacts).toHaveLength(3);
    const first = contacts[0];
    if (first === undefined) throw new Error('no contact');
    expect(await registrar.remove(first)).toBe('removed');
    expect(rpc.calls).toEqual([
      { method: 'ul.dump', params: [] },
      {
        method: 'ul.rm_contact',
        params: ['location', '101@sip.example.test', 'sip:101@127.0.0.182:5060;transport=UDP'],
      },
    ]);
    expect(registrar).toMatchObject({ kind: 'kamailio', target: rpc.url });
  });

  it('takes usrloc 404 on removal (AoR or contact already gone) as gone, not as a failure', async () => {
    const rpc = await rpcServer((_r, res) =>
      json(res, { jsonrpc: '2.0', error: { code: 404, message: 'AOR not found' }, id: 1 }),
    );
    const registrar = createKamailioRegistrar({ url: rpc.url });
    expect(
      await registrar.remove({
        aor: '101@x',
        user: '101',
        domain: 'x',
        contact: 'sip:101@h',
        sourceIp: '192.0.2.1',
      }),
    ).toBe('gone');
  });

  async function failure(promise: Promise<unknown>): Promise<RegistrarError> {
    const e = await promise.then(
      () => undefined,
      (error: unknown) => error,
    );
    if (!(e instanceof RegistrarError)) throw new Error(`expected a RegistrarError, got ${String(e)}`);
    return e;
  }

  it.each([
    [
      'rpc-error',
      (res: ServerResponse) =>
        json(res, { jsonrpc: '2.0', error: { code: 500, message: 'Internal error' }, id: 1 }),
      /ul.dump failed: 500 Internal error/,
    ],
    ['http-status', (res: ServerResponse) => json(res, 'Forbidden', 403), /HTTP 403/],
    ['bad-response', (res: ServerResponse) => res.end('<html>not json</html>'), /not JSON/],
    [
      'bad-response',
      (res: ServerResponse) => json(res, { jsonrpc: '2.0', result: { Domains: [] }, id: 1 }),
      /no table "location"/,
    ],
  ])('a list failure is a RegistrarError %s', async (code, answer, message) => {
    const rpc = await rpcServer((_r, res) => answer(res));
    const e = await failure(createKamailioRegistrar({ url: rpc.url }).list());
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('fails with timeout when Kamailio does not answer within the bound', async () => {
    const rpc = await rpcServer(() => {}); // never answers
    const e = await failure(createKamailioRegistrar({ url: rpc.url, timeoutMs: 100 }).list());
    expect(e.code).toBe('timeout');
    expect(e.message).toContain('did not answer ul.dump within 100 ms');
  });

  it('fails with unreachable when nothing listens', async () => {
    const rpc = await rpcServer(() => {});
    await new Promise<void>((r) => server?.close(() => r()));
    server = undefined;
    const e = await failure(createKamailioRegistrar({ url: rpc.url }).list());
    expect(e.code).toBe('unreachable');
    expect(e.message).toContain('ECONNREFUSED');
  });
});
