// The edge's call reports under a burst: Kamailio queues each counted call's answer and end
// (mqueue) and one rtimer process sends the queue round by round (route[SIPGUARD_REPORTS]). A round
// must send the whole queue: Kamailio cuts a `while` short after `max_while_loops` turns (100 by
// default), which once capped the reports at 100 a round. Both ways of sending them: a new HTTP
// connection per report (the default) and the timer's kept-open one (SIPGUARD_HTTPCON), here beside
// JSON-RPC questions, the recommended production setup. Real parts on loopback: Kamailio, sipp as
// caller and carrier, `sipguard serve` with its memory ledger. Bounded: about 30 s per way on an idle machine.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Edge, missingTools, PASSWORDS, poll, randomNet, scenarios, startEdge } from './edge.js';
import { sample } from './scenarios.js';

const missing = missingTools(false, true);
const inCi = process.env.CI === 'true' || process.env.CI === '1';
if (missing.length > 0 && !inCi) {
  console.warn(`SKIPPING the call-report end-to-end test: missing ${missing.join(', ')}.`);
}

const CALLER = 20;
/** Calls in the burst: each gives two reports (answer, end), so 2 × CALLS are queued in all. */
const CALLS = 200;
/** sipp's rate: the burst takes CALLS / CALL_RATE = 4 s, less than one round. */
const CALL_RATE = 50;
/**
 * One round of the report timer (Kamailio's REPORT_INTERVAL_US). The burst spans at most two rounds
 * even if it runs at half speed, so one round finds at least CALLS reports queued: more than 100.
 */
const ROUND_MS = 10_000;

// Every call counted: an account bound the burst cannot reach.
const POLICY = {
  homeCountry: 'US',
  calling: { allow: ['US', 'CA'] },
  maxRatePerMinute: '$0.0500',
  accountLimits: { concurrentCalls: 10_000 },
};
const SETTLED = 'sipguard_call_events_total{event="end",result="settled"}';
const ANSWERED = 'sipguard_call_events_total{event="answer",result="answered"}';

const WAYS = [
  { way: 'a new HTTP connection per report', jsonrpc: false, reportsKeptOpen: false },
  { way: 'one kept-open HTTP connection, with JSON-RPC questions', jsonrpc: true, reportsKeptOpen: true },
];

describe.skipIf(missing.length > 0 && !inCi).each(WAYS)(
  'call reports over $way: a burst, reported in full',
  ({ jsonrpc, reportsKeptOpen }) => {
    let edge: Edge;

    beforeAll(async () => {
      if (missing.length > 0) throw new Error(`missing ${missing.join(', ')} (apt-get install them)`);
      edge = await startEdge({
        policy: POLICY,
        rates: 'prefix,rate\n1,0.0100\n',
        net: randomNet(),
        defines: ['CHILDREN=2', `REPORT_INTERVAL_US=${ROUND_MS * 1000}`],
        jsonrpc,
        reportsKeptOpen,
      });
    }, 60_000);

    afterAll(async () => {
      await edge?.close();
    });

    it(`settles every one of ${CALLS} calls placed within one round, sending more than 100 reports in a round`, async () => {
      const before = await edge.metrics();
      const caller = edge.address(CALLER);
      const code = await edge.runSipp(
        [
          '-sf',
          join(scenarios, 'invite-hold.xml'),
          '-i',
          caller,
          '-s',
          '101',
          '-au',
          '101',
          '-ap',
          PASSWORDS['101'] ?? '',
          '-key',
          'dialed',
          '+12025550123',
          '-key',
          'from',
          '101',
          '-d',
          '0',
          '-r',
          String(CALL_RATE),
          '-m',
          String(CALLS),
          '-nostdin',
          '-timeout',
          '40',
          '-timeout_error',
        ],
        50_000,
      );
      // sipp exits 0 only when every call got its 200 and the 200 to its BYE.
      expect(code).toBe(0);
      const counted = async () => {
        const now = await edge.metrics();
        return {
          answered: sample(now, ANSWERED) - sample(before, ANSWERED),
          settled: sample(now, SETTLED) - sample(before, SETTLED),
        };
      };
      // The reports go out in the next round or two after the burst.
      const seen = await poll(counted, (c) => c.settled >= CALLS, 2 * ROUND_MS + 20_000, 250);
      expect(seen).toEqual({ answered: CALLS, settled: CALLS });
      // Kamailio logs a `while` it cut short as "runaway while"; the report loop is the only long one.
      expect(edge.kamailioLog()).not.toContain('runaway while');
    }, 90_000);
  },
);
