// Checks both end-to-end files make, over HTTP (kamailio.e2e.ts) and over JSON-RPC
// (kamailio-jsonrpc.e2e.ts): the transport must not change what the phone and the carrier see.
// Also the service's metrics as the e2e files read them.
import { expect } from 'vitest';
import { DOMAIN, type Edge, type SippRun } from './edge.js';

/** Records one SIP answer for the file's "observed" table. */
export type Note = (label: string, r: SippRun) => void;

/** The value of one sample line of a Prometheus text exposition, 0 when absent. */
export function sample(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.slice(line.length + 1));
}

/** The INVITEs the carrier received for `user`. */
export const invitesTo = async (edge: Edge, user: string) =>
  (await edge.carrierInvites()).filter((i) => i.requestUser === user);

/** `user` at `source` calls `dialed`, which the policy denies: 403 with `code`, never relayed. */
export async function expectCallDenied(
  edge: Edge,
  note: Note,
  call: { source: string; user: string; dialed: string; code: string; why: string },
): Promise<void> {
  const r = await edge.invite(call.source, call.user, call.dialed);
  note(`INVITE ${call.user} → ${call.dialed} (${call.why})`, r);
  expect(r.final.status).toBe(403);
  expect(r.reason).toBe(call.code);
  expect(await invitesTo(edge, call.dialed)).toEqual([]);
}

/**
 * Stops the service, then `user` at `source` registers and calls: 503 `service-unavailable` and
 * nothing relayed, except an emergency call, which reaches the carrier with the caller's identity.
 */
export async function expectServiceDown(edge: Edge, note: Note, source: string, user: string): Promise<void> {
  expect(await edge.stopService()).toBe(0);
  const reg = await edge.register(source, user);
  note(`REGISTER ${user}, service stopped`, reg);
  expect(reg.final.status).toBe(503);
  expect(reg.reason).toBe('service-unavailable');
  const call = await edge.invite(source, user, '12025550177');
  note(`INVITE ${user} → 12025550177, service stopped`, call);
  expect(call.final.status).toBe(503);
  expect(call.reason).toBe('service-unavailable');
  expect(await invitesTo(edge, '12025550177')).toEqual([]);
  const emergency = await edge.invite(source, user, '911');
  note(`INVITE ${user} → 911, service stopped`, emergency);
  expect(emergency.final.status).toBe(200);
  expect(await invitesTo(edge, '911')).toEqual([
    expect.objectContaining({ assertedIdentity: `<sip:${user}@${DOMAIN}>` }),
  ]);
}
