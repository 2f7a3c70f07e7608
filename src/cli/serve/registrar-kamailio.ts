// A registrar connector for Kamailio: JSON-RPC 2.0 over HTTP to its `jsonrpcs` module (served by
// `xhttp`, see examples/kamailio/kamailio.cfg). `ul.dump` lists the location table; `ul.rm_contact`
// removes one contact of an AoR. Kamailio stores the REGISTER's packet source as "Received" when
// the config sets registrar's `received_avp`, which is what the sweep checks.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isRecord } from '../../text.js';
import { type RegisteredContact, type RegistrarConnector, RegistrarError } from './registrar.js';

/** Options of {@link createKamailioRegistrar}. */
export interface KamailioRegistrarOptions {
  /** The JSON-RPC endpoint, e.g. `http://127.0.0.1:5071/RPC`. */
  readonly url: string;
  /** The usrloc table (registrar domain) holding the contacts. */
  readonly table?: string | undefined;
  /** How long one RPC may take before it fails with `timeout`. */
  readonly timeoutMs?: number | undefined;
}

/** The usrloc table of Kamailio's default config and of the example. */
export const DEFAULT_LOCATION_TABLE = 'location';
/** One RPC call's time bound. */
export const KAMAILIO_RPC_TIMEOUT_MS = 2_000;
/** An `ul.dump` answer above this many bytes is refused (about 100,000 contacts). */
export const MAX_RPC_RESPONSE_BYTES = 64 * 1024 * 1024;

/** usrloc's placeholder for a field it did not store. */
const NOT_SET = '[not set]';

/** Connects to Kamailio's jsonrpcs over HTTP. Makes no request until `list` or `remove` is called. */
export function createKamailioRegistrar(options: KamailioRegistrarOptions): RegistrarConnector {
  const url = options.url;
  const table = options.table ?? DEFAULT_LOCATION_TABLE;
  const timeoutMs = options.timeoutMs ?? KAMAILIO_RPC_TIMEOUT_MS;
  let id = 0;

  async function call(method: string, params: readonly string[]): Promise<RpcAnswer> {
    id += 1;
    const body = JSON.stringify({ jsonrpc: '2.0', method, params, id });
    const { status, text } = await post(url, body, timeoutMs, method);
    if (status !== 200) {
      throw new RegistrarError(
        'http-status',
        `Kamailio at ${url} answered ${method} with HTTP ${status}: ${text.slice(0, 200)}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new RegistrarError(
        'bad-response',
        `Kamailio at ${url} answered ${method} with text that is not JSON`,
      );
    }
    if (!isRecord(parsed)) {
      throw new RegistrarError(
        'bad-response',
        `Kamailio at ${url} answered ${method} with no JSON-RPC object`,
      );
    }
    const error = parsed.error;
    if (isRecord(error)) {
      return {
        ok: false,
        code: typeof error.code === 'number' ? error.code : 0,
        message: String(error.message),
      };
    }
    return { ok: true, result: parsed.result };
  }

  return {
    kind: 'kamailio',
    target: url,
    async list() {
      const answer = await call('ul.dump', []);
      if (!answer.ok) {
        throw new RegistrarError(
          'rpc-error',
          `Kamailio at ${url}: ul.dump failed: ${answer.code} ${answer.message}`,
        );
      }
      const contacts = parseDump(answer.result, table);
      if (contacts === undefined) {
        throw new RegistrarError(
          'bad-response',
          `Kamailio at ${url}: ul.dump has no table "${table}" in the expected form (Domains[].Domain.AoRs[].Info.Contacts[].Contact)`,
        );
      }
      return contacts;
    },
    async remove(contact) {
      const answer = await call('ul.rm_contact', [table, contact.aor, contact.contact]);
      if (answer.ok) return 'removed';
      // usrloc answers 404 when the AoR or the contact is no longer there: nothing left to remove.
      if (answer.code === 404) return 'gone';
      throw new RegistrarError(
        'rpc-error',
        `Kamailio at ${url}: ul.rm_contact ${contact.aor} ${contact.contact} failed: ${answer.code} ${answer.message}`,
      );
    },
  };
}

/**
 * POSTs `body` on a connection of its own, closed after the answer. Kamailio's xhttp closes the
 * connection after each reply (set_reply_close in the example), so a pooled keep-alive connection
 * would race its close; RPCs are rare (one sweep per policy change), so a connection each costs nothing.
 */
function post(
  url: string,
  body: string,
  timeoutMs: number,
  method: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        agent: false,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
          Connection: 'close',
        },
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RPC_RESPONSE_BYTES) {
            res.destroy();
            reject(
              new RegistrarError(
                'bad-response',
                `Kamailio at ${url} answered ${method} with more than ${MAX_RPC_RESPONSE_BYTES} bytes`,
              ),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', (e) => reject(failure(e)));
      },
    );
    const failure = (e: unknown): RegistrarError => {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
      return new RegistrarError(
        timedOut ? 'timeout' : 'unreachable',
        timedOut
          ? `Kamailio at ${url} did not answer ${method} within ${timeoutMs} ms`
          : `cannot reach Kamailio at ${url} for ${method}: ${causeOf(e)}`,
      );
    };
    req.on('error', (e) => reject(failure(e)));
    req.end(body);
  });
}

type RpcAnswer =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly code: number; readonly message: string };

const causeOf = (e: unknown): string =>
  e instanceof Error && 'code' in e ? String(e.code) : e instanceof Error ? e.message : String(e);

/**
 * The contacts of `table` in an `ul.dump` result, or `undefined` when the result does not have
 * Kamailio 5.x's shape. An AoR is `user@domain` with usrloc's `use_domain`, else just `user`.
 */
export function parseDump(result: unknown, table: string): RegisteredContact[] | undefined {
  if (!isRecord(result) || !Array.isArray(result.Domains)) return undefined;
  const domain = result.Domains.map((d: unknown) => (isRecord(d) ? d.Domain : undefined)).find(
    (d): d is Record<string, unknown> => isRecord(d) && d.Domain === table,
  );
  if (domain === undefined || !Array.isArray(domain.AoRs)) return undefined;
  const contacts: RegisteredContact[] = [];
  for (const entry of domain.AoRs) {
    const info = isRecord(entry) ? entry.Info : undefined;
    if (!isRecord(info) || typeof info.AoR !== 'string' || !Array.isArray(info.Contacts)) return undefined;
    const aor = info.AoR;
    const at = aor.lastIndexOf('@');
    const user = at < 0 ? aor : aor.slice(0, at);
    const aorDomain = at < 0 ? undefined : aor.slice(at + 1);
    for (const item of info.Contacts) {
      const c = isRecord(item) ? item.Contact : undefined;
      if (!isRecord(c) || typeof c.Address !== 'string') return undefined;
      const received = typeof c.Received === 'string' && c.Received !== NOT_SET ? c.Received : undefined;
      contacts.push({
        aor,
        user,
        domain: aorDomain,
        contact: c.Address,
        sourceIp: received === undefined ? undefined : hostOfSipUri(received),
      });
    }
  }
  return contacts;
}

/**
 * The host of a `sip:`/`sips:` URI without user part, as usrloc writes "Received"
 * (`sip:192.0.2.1:5060`, `sip:[2001:db8::1]:5060;transport=tcp`); brackets removed. `undefined`
 * for anything else, so that a contact whose source cannot be read is never taken as allowed.
 */
export function hostOfSipUri(uri: string): string | undefined {
  const match = /^sips?:(?:\[([0-9A-Fa-f:.]+)\]|([^:;@[\]]+))(?::[0-9]{1,5})?(?:;.*)?$/.exec(uri);
  if (match === null) return undefined;
  return match[1] ?? match[2];
}
