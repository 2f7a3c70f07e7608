// The edge's production transport end to end: Kamailio asks `sipguard serve --jsonrpc-port` over
// janssonrpcc (JSON-RPC 2.0 in netstrings, one kept-open TCP connection, the SIP transaction
// suspended meanwhile; -A WITH_SIPGUARD_JSONRPC). The same decisions as over HTTP (kamailio.e2e.ts):
// REGISTER and INVITE allowed and denied, and with the service down a 503, except for an emergency
// call. Locally the test skips when a tool is missing; with CI=true a missing tool fails the run.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOMAIN, type Edge, missingTools, poll, randomNet, type SippRun, startEdge } from './edge.js';
import { expectCallDenied, expectServiceDown, invitesTo as invitesOf, sample } from './scenarios.js';

const missing = missingTools(false, true);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
if (missing.length > 0 && !inCi) {
  console.warn(
    `SKIPPING the Kamailio JSON-RPC end-to-end test: missing ${missing.join(', ')}. ` +
      'Install with: apt-get install -y kamailio kamailio-utils-modules kamailio-extra-modules sip-tester',
  );
}

// Phones, by the last octet of their address on the run's /24 (1 is Kamailio, 2 the carrier).
const LISTED = 11;
const STRANGER = 13;

/** How long the counted call lasts before the caller hangs up (sipp -d). */
const HOLD_MS = 5_000;

/**
 * Registrations from LISTED only; calls to the US and Canada, never premium-rate; a $0.05 cap;
 * 101 at most one call at once, so that its calls are counted and their reports matter.
 */
const policy = (net: string) => ({
  homeCountry: 'US',
  registration: { restrict: true, allowFrom: [`${net}.${LISTED}`] },
  calling: { allow: ['US', 'CA'], deny: ['*/premium-rate'] },
  maxRatePerMinute: '$0.0500',
  extensions: { '101': { extensionLimits: { concurrentCalls: 1 } } },
});
/** US and Canada at $0.01, Calgary (+1 403) at $0.09 (above the cap), Jamaica at $0.20. */
const RATES = 'prefix,rate\n1,0.0100\n1403,0.0900\n1876,0.2000\n';

const observed: string[] = [];
const note = (label: string, r: SippRun) =>
  observed.push(
    `${label.padEnd(64)} → ${r.final.status} ${r.final.phrase}${r.reason === undefined ? '' : ` (Reason ${r.reason})`}`,
  );

describe.skipIf(missing.length > 0 && !inCi)('the edge over JSON-RPC (janssonrpcc, netstrings)', () => {
  let edge: Edge;
  const net = randomNet();
  const at = (n: number) => edge.address(n);
  const contactsFrom = async (n: number) =>
    (await edge.ulDump()).filter((c) => c.received.startsWith(`sip:${at(n)}:`));
  const invitesTo = (user: string) => invitesOf(edge, user);
  const decisions = () => edge.serviceEvents.filter((e) => e.event === 'decision');

  beforeAll(async () => {
    if (missing.length > 0) throw new Error(`CI=true and required tools are missing: ${missing.join(', ')}`);
    edge = await startEdge({ net, policy: policy(net), rates: RATES, logDecisions: true, jsonrpc: true });
    // janssonrpcc's I/O process connects once Kamailio is up.
    await poll(
      async () => edge.serviceEvents.some((e) => e.event === 'jsonrpc-connected'),
      (connected) => connected,
      15_000,
    );
  });

  afterAll(async () => {
    if (observed.length > 0) console.log(`\nObserved SIP answers (JSON-RPC):\n${observed.join('\n')}`);
    await edge?.close();
  });

  it('saves an allowed REGISTER with the packet source, decided over the kept-open connection', async () => {
    const r = await edge.register(at(LISTED), '102');
    note(`REGISTER 102 from ${at(LISTED)} (listed)`, r);
    expect(r.final.status).toBe(200);
    expect(r.final.headers.get('x-sipguard-decision')).toBe('allow ip-allowed');
    expect(await contactsFrom(LISTED)).toEqual([expect.objectContaining({ aor: `102@${DOMAIN}` })]);
    expect(decisions().at(-1)).toMatchObject({
      route: 'registration',
      domain: DOMAIN,
      extension: '102',
      sourceIp: at(LISTED),
      code: 'ip-allowed',
    });
    expect(await edge.metrics()).toContain('sipguard_jsonrpc_connections 1\n');
  });

  it('refuses a REGISTER from an unlisted address with 403 Reason ip-not-allowed and saves no contact', async () => {
    const r = await edge.register(at(STRANGER), '103');
    note(`REGISTER 103 from ${at(STRANGER)} (not listed)`, r);
    expect(r.final.status).toBe(403);
    expect(r.reason).toBe('ip-not-allowed');
    expect(await contactsFrom(STRANGER)).toEqual([]);
  });

  it('relays an allowed call to the carrier with the authenticated identity', async () => {
    const r = await edge.invite(at(LISTED), '102', '12025550123');
    note('INVITE 102 → 12025550123 (US, $0.01 ≤ $0.05)', r);
    expect(r.final.status).toBe(200);
    expect(await invitesTo('12025550123')).toEqual([
      expect.objectContaining({ assertedIdentity: `<sip:102@${DOMAIN}>` }),
    ]);
  });

  it.each([
    ['+18765550100', 'area-not-allowed', 'Jamaica with a "+": not an allowed area'],
    ['19005550123', 'area-denied', 'premium-rate, denied'],
    ['14035550100', 'rate-above-cap', 'Calgary at $0.09, above the $0.05 cap'],
  ])('refuses a call to %s with 403 %s, and the carrier never sees it (%s)', async (dialed, code, why) => {
    await expectCallDenied(edge, note, { source: at(LISTED), user: '102', dialed, code, why });
    expect(decisions().at(-1)).toMatchObject({ route: 'call', dialed, code });
  });

  it('counts a call decided over JSON-RPC: the dialog reports its answer and end, which free its place', async () => {
    const events = async (event: string, result: string) =>
      sample(await edge.metrics(), `sipguard_call_events_total{event="${event}",result="${result}"}`);
    // Earlier calls of this file were reported too: count from here.
    const answered = await events('answer', 'answered');
    const settled = await events('end', 'settled');
    const held = edge.inviteHeld(at(LISTED), '101', '12025550140', HOLD_MS);
    // Answered (the carrier has it, and the dialog reported it) before the second call asks.
    await poll(
      () => events('answer', 'answered'),
      (n) => n >= answered + 1,
      10_000,
    );
    const second = await edge.invite(at(LISTED), '101', '12025550141');
    note('INVITE 101 while its one allowed call is in progress', second);
    expect(second.final.status).toBe(403);
    expect(second.reason).toBe('concurrency-limit');
    expect(decisions().at(-1)).toMatchObject({ route: 'call', extension: '101', code: 'concurrency-limit' });
    const first = await held;
    note('INVITE 101, held, then BYE', first);
    expect(first.final.status).toBe(200);
    // The BYE ends the dialog; its report settles the call, and 101 may call again.
    await poll(
      () => events('end', 'settled'),
      (n) => n >= settled + 1,
      10_000,
    );
    const again = await edge.invite(at(LISTED), '101', '12025550142');
    note('INVITE 101 after its call ended', again);
    expect(again.final.status).toBe(200);
  });

  it('with the service down: 503 for registrations and calls, and an emergency call still reaches the carrier', async () => {
    await expectServiceDown(edge, note, at(LISTED), '102');
  });
});
