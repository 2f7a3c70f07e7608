// Takes a policy change into effect on registrations already held: lists the registrar's contacts,
// asks the policy in force about each (user + packet source), removes the ones it no longer allows.
// Runs at start, on every applied policy, and once more `recheckMs` later: a REGISTER the old policy
// allowed just before the swap may be saved after the first sweep listed the table, and the second
// sweep removes it. A failed sweep is retried with backoff; it never throws into the service.
import { latestWins } from './latest-wins.js';
import type { ServeEvent } from './log.js';
import type { MetricRegistry } from './metrics.js';
import type { PolicyHolder } from './policy-holder.js';
import { type RegisteredContact, type RegistrarConnector, RegistrarError } from './registrar.js';

/** When the second sweep after a change runs: longer than Kamailio takes from our answer to save(). */
export const RECHECK_MS = 2_000;
/** First retry delay after a failed sweep; it doubles on each failure in a row, up to the max. */
export const RETRY_FIRST_MS = 250;
/** Longest wait between retries of a failing registrar. */
export const RETRY_MAX_MS = 30_000;

/** What the sweep needs of the policy holder: its applied changes, and decisions by the newest policy. */
export type SweepPolicy = Pick<PolicyHolder, 'onApplied' | 'registrationsToDrop'>;

/** A contact as the policy is asked about it: the registration, and the contact to remove. */
interface HeldContact {
  readonly extension: string;
  readonly sourceIp: string;
  readonly contact: RegisteredContact;
}

/** Options of {@link createRegistrationSweeper}. */
export interface RegistrationSweepOptions {
  readonly connector: RegistrarConnector;
  /** The account's SIP domain: contacts of other domains are not this service's and are left alone. */
  readonly domain: string | undefined;
  readonly holder: SweepPolicy;
  /** Where the sweep's counters and gauges go (`GET /metrics`). */
  readonly metrics: MetricRegistry;
  readonly log: (event: ServeEvent) => void;
  readonly recheckMs?: number | undefined;
  readonly retryFirstMs?: number | undefined;
  readonly retryMaxMs?: number | undefined;
  readonly now?: (() => Date) | undefined;
}

/** Why a sweep failed: the registrar's error, or `no-decision` when the policy could not be asked. */
export type SweepFailureCode = RegistrarError['code'] | 'no-decision';

/** What one sweep did. */
export type SweepOutcome =
  | {
      readonly result: 'ok';
      readonly contacts: number;
      readonly dropped: number;
      readonly gone: number;
      readonly otherDomains: number;
    }
  | {
      readonly result: 'failed';
      readonly code: SweepFailureCode;
      readonly message: string;
      readonly dropped: number;
    };

/** The registrar part of `GET /healthz`. `failing` while the last sweep failed (retrying). */
export interface RegistrarHealth {
  readonly kind: string;
  readonly target: string;
  readonly status: 'pending' | 'ok' | 'failing';
  readonly lastSweep?: {
    readonly at: string;
    readonly reason: string;
    readonly contacts: number;
    readonly dropped: number;
  };
  readonly lastError?: { readonly at: string; readonly code: SweepFailureCode; readonly message: string };
  readonly consecutiveFailures: number;
}

/** A sweeper bound to one registrar and one policy holder. */
export interface RegistrationSweeper {
  /**
   * Follows the holder's applied policies from now on, and sweeps at once (the policy may have
   * changed while the service was down) and once more after `recheckMs`.
   */
  start(): void;
  /** Runs one sweep (after the running one, if any). Never rejects. */
  sweep(reason: string): Promise<SweepOutcome>;
  health(): RegistrarHealth;
  /** Stops following the holder and cancels pending rechecks and retries; a running sweep finishes. */
  close(): void;
}

/** Creates a sweeper; it does nothing until `start` or `sweep` is called. */
export function createRegistrationSweeper(options: RegistrationSweepOptions): RegistrationSweeper {
  const { connector, holder, log, metrics } = options;
  const domain = options.domain?.toLowerCase();
  const recheckMs = options.recheckMs ?? RECHECK_MS;
  const retryFirstMs = options.retryFirstMs ?? RETRY_FIRST_MS;
  const retryMaxMs = options.retryMaxMs ?? RETRY_MAX_MS;
  const now = options.now ?? (() => new Date());

  let status: RegistrarHealth['status'] = 'pending';
  let lastSweep: RegistrarHealth['lastSweep'];
  let lastError: RegistrarHealth['lastError'];
  let consecutiveFailures = 0;
  let contactsHeld = 0;
  let recheckTimer: NodeJS.Timeout | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let unsubscribe: (() => void) | undefined;
  let closed = false;

  const dropped = metrics.counter(
    'sipguard_registrations_dropped_total',
    'Contacts removed from the registrar because the policy in force no longer allows them, by decision code.',
    ['code'],
  );
  const sweeps = metrics.counter('sipguard_registrar_sweeps_total', 'Registration sweeps, by result.', [
    'result',
  ]);
  // Both series exist from the start, so that a rate() over them is defined before the first failure.
  sweeps.inc(['ok'], 0);
  sweeps.inc(['failed'], 0);
  metrics.gauge(
    'sipguard_registrar_up',
    '1 when the last sweep succeeded, 0 when it failed or none ran yet.',
    () => (status === 'ok' ? 1 : 0),
  );
  metrics.gauge(
    'sipguard_registrar_contacts',
    'Contacts the registrar held at the last successful sweep.',
    () => contactsHeld,
  );

  async function sweepOnce(reason: string): Promise<SweepOutcome> {
    if (retryTimer !== undefined) {
      clearTimeout(retryTimer);
      retryTimer = undefined;
    }
    const started = performance.now();
    let droppedNow = 0;
    let gone = 0;
    let failure: { code: SweepFailureCode; message: string } | undefined;
    let contacts: readonly RegisteredContact[] = [];
    try {
      contacts = await connector.list();
    } catch (e) {
      failure = asRegistrarError(e);
    }
    const ours: HeldContact[] = [];
    for (const contact of contacts) {
      if (contact.domain?.toLowerCase() !== domain) continue;
      // A contact whose source was not stored is checked as an empty address: never allowed.
      ours.push({ extension: contact.user, sourceIp: contact.sourceIp ?? '', contact });
    }
    // The newest policy decides, whichever change started this sweep: a contact saved while it was
    // loading is in this listing, so it is checked against the policy in force now.
    let toDrop: Awaited<ReturnType<typeof holder.registrationsToDrop<HeldContact>>> | undefined;
    if (ours.length > 0) {
      try {
        toDrop = await holder.registrationsToDrop(ours);
      } catch (e) {
        failure ??= {
          code: 'no-decision',
          message: `the policy could not decide on the contacts: ${e instanceof Error ? e.message : String(e)}`,
        };
      }
    }
    for (const { registration, decision } of toDrop?.drop ?? []) {
      const c = registration.contact;
      try {
        const outcome = await connector.remove(c);
        if (outcome === 'gone') {
          gone += 1;
          continue;
        }
        droppedNow += 1;
        dropped.inc([decision.code]);
        log({
          event: 'registration-dropped',
          registrar: connector.kind,
          domain: c.domain ?? null,
          extension: c.user,
          contact: c.contact,
          sourceIp: c.sourceIp ?? null,
          code: decision.code,
          scope: decision.scope,
          policy: toDrop?.version.policySha256,
          reason,
        });
      } catch (e) {
        failure ??= asRegistrarError(e);
      }
    }
    const ms = Math.round((performance.now() - started) * 10) / 10;
    const at = now().toISOString();
    if (failure === undefined) {
      status = 'ok';
      consecutiveFailures = 0;
      sweeps.inc(['ok']);
      contactsHeld = contacts.length;
      lastSweep = { at, reason, contacts: contacts.length, dropped: droppedNow };
      const otherDomains = contacts.length - ours.length;
      log({
        event: 'registrar-sweep',
        registrar: connector.kind,
        reason,
        contacts: contacts.length,
        dropped: droppedNow,
        gone,
        otherDomains,
        ms,
      });
      return { result: 'ok', contacts: contacts.length, dropped: droppedNow, gone, otherDomains };
    }
    status = 'failing';
    consecutiveFailures += 1;
    sweeps.inc(['failed']);
    lastError = { at, code: failure.code, message: failure.message };
    const retryInMs = Math.min(retryMaxMs, retryFirstMs * 2 ** (consecutiveFailures - 1));
    log({
      event: 'registrar-error',
      registrar: connector.kind,
      reason,
      code: failure.code,
      message: failure.message,
      dropped: droppedNow,
      consecutiveFailures,
      retryInMs,
    });
    if (!closed) {
      retryTimer = setTimeout(() => {
        retryTimer = undefined;
        void sweep('retry');
      }, retryInMs);
      retryTimer.unref();
    }
    return { result: 'failed', code: failure.code, message: failure.message, dropped: droppedNow };
  }

  // Sweeps never overlap; requests during one share a follow-up that sees the policy in force then.
  const sweep = latestWins(sweepOnce);

  /** Sweeps now and once more after `recheckMs` (one pending recheck, pushed back by each change). */
  function sweepAndRecheck(reason: string): void {
    if (closed) return;
    void sweep(reason);
    if (recheckTimer !== undefined) clearTimeout(recheckTimer);
    recheckTimer = setTimeout(() => {
      recheckTimer = undefined;
      void sweep(`${reason} (recheck)`);
    }, recheckMs);
    recheckTimer.unref();
  }

  return {
    start() {
      if (closed || unsubscribe !== undefined) return;
      unsubscribe = holder.onApplied(() => sweepAndRecheck('policy-applied'));
      sweepAndRecheck('start');
    },
    sweep,
    health() {
      const base = { kind: connector.kind, target: connector.target, status, consecutiveFailures };
      return {
        ...base,
        ...(lastSweep === undefined ? {} : { lastSweep }),
        ...(lastError === undefined ? {} : { lastError }),
      };
    },
    close() {
      closed = true;
      unsubscribe?.();
      if (recheckTimer !== undefined) clearTimeout(recheckTimer);
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      recheckTimer = undefined;
      retryTimer = undefined;
    },
  };
}

// A connector rejects only with RegistrarError; anything else is a bug, reported, never thrown on.
function asRegistrarError(e: unknown): RegistrarError {
  if (e instanceof RegistrarError) return e;
  return new RegistrarError(
    'internal-error',
    `registrar connector failed: ${e instanceof Error ? e.message : String(e)}`,
  );
}
