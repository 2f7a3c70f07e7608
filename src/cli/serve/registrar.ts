// The registrar-connector seam: what `sipguard serve` needs from a PBX's registrar to take a policy
// change into effect on registrations already held (list them, remove one). Kamailio's is
// registrar-kamailio.ts; docs/integrations.md sketches what Asterisk and FreeSWITCH ones would call.

/** One contact held by a registrar, as its connector read it. */
export interface RegisteredContact {
  /** The AoR exactly as the registrar names it (what `remove` passes back), e.g. `101@sip.example.test`. */
  readonly aor: string;
  /** The AoR's user: the extension sipguard decides for. */
  readonly user: string;
  /** The AoR's domain (the account's SIP domain), or `undefined` when the registrar keeps none. */
  readonly domain: string | undefined;
  /** The Contact URI as the registrar holds it. */
  readonly contact: string;
  /**
   * The address the REGISTER came from (the packet's source), or `undefined` when the registrar did
   * not store it. Never the Contact's host: the device writes that.
   */
  readonly sourceIp: string | undefined;
}

/** Why a registrar call failed. */
export type RegistrarErrorCode =
  | 'unreachable'
  | 'timeout'
  | 'http-status'
  | 'bad-response'
  | 'rpc-error'
  | 'internal-error';

/** A failed registrar call: a stable code and a sentence naming the registrar and what went wrong. */
export class RegistrarError extends Error {
  override readonly name = 'RegistrarError';
  constructor(
    readonly code: RegistrarErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** What a removal found: the contact was removed, or it was already gone (expired, re-registered). */
export type RemoveOutcome = 'removed' | 'gone';

/** A registrar sipguard can list and remove contacts in. Methods reject only with `RegistrarError`. */
export interface RegistrarConnector {
  /** The kind of registrar, for logs and /healthz: `kamailio`. */
  readonly kind: string;
  /** Where it is reached (a URL), for logs and /healthz. Holds no credentials. */
  readonly target: string;
  /** Every contact the registrar holds now. */
  list(): Promise<readonly RegisteredContact[]>;
  /** Removes one contact (only that contact, not the AoR's others). */
  remove(contact: RegisteredContact): Promise<RemoveOutcome>;
}
