// The calling sipp scenarios (invite.xml, invite-hold.xml) against a sipp stand-in, for what the
// loaded edge showed once: the first INVITE was sent again before its 407 came, and the second 407
// arrived after the authenticated INVITE went out. A late copy of that challenge must be ignored, and
// a 407 to the authenticated INVITE must still fail the call. Loopback only; each run ends within 20 s.
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, run, scenarios } from './edge.js';

// `sipp -v` exits 99 when sipp runs at all; an error means it is not installed.
const missing = spawnSync('sipp', ['-v']).error === undefined ? [] : ['sipp'];
const inCi = process.env.CI === 'true' || process.env.CI === '1';

const HOST = '127.0.0.1';

/** The caller's exit code, running `scenario`, against a stand-in whose late 407 names CSeq `cseq`. */
async function callAgainstLateChallenge(scenario: string, cseq: 1 | 2): Promise<number | null> {
  const standInPort = await freePort('udp4', HOST);
  const standIn = spawn(
    'sipp',
    [
      '-sf',
      join(scenarios, 'late-challenge-uas.xml'),
      '-key',
      'late_cseq',
      String(cseq),
      '-i',
      HOST,
      '-p',
      String(standInPort),
      '-m',
      '1',
      '-nostdin',
      '-timeout',
      '15',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((r) => standIn.once('exit', r));
  try {
    // sipp binds its socket at once; a caller's INVITE before that would only be sent again.
    await new Promise((r) => setTimeout(r, 300));
    const callerPort = await freePort('udp4', HOST);
    return await run(
      'sipp',
      [
        `${HOST}:${standInPort}`,
        '-sf',
        join(scenarios, scenario),
        '-i',
        HOST,
        '-p',
        String(callerPort),
        '-s',
        '101',
        '-au',
        '101',
        '-ap',
        'secret',
        '-key',
        'dialed',
        '+12025550123',
        '-key',
        'from',
        '101',
        '-key',
        'domain',
        'sip.example.test',
        '-d',
        '0',
        '-m',
        '1',
        '-nostdin',
        '-timeout',
        '15',
        '-timeout_error',
      ],
      scenarios,
      20_000,
    );
  } finally {
    if (standIn.exitCode === null && standIn.signalCode === null) standIn.kill('SIGKILL');
    await exited;
  }
}

describe.skipIf(missing.length > 0 && !inCi)('the calling scenarios of the e2e tests', () => {
  it.each([
    {
      scenario: 'invite-hold.xml',
      cseq: 1 as const,
      code: 0,
      why: 'a late copy of the first challenge is ignored',
    },
    {
      scenario: 'invite-hold.xml',
      cseq: 2 as const,
      code: 1,
      why: 'a challenge of the authenticated INVITE fails',
    },
    {
      scenario: 'invite.xml',
      cseq: 1 as const,
      code: 0,
      why: 'a late copy of the first challenge is ignored',
    },
    {
      scenario: 'invite.xml',
      cseq: 2 as const,
      code: 1,
      why: 'a challenge of the authenticated INVITE fails',
    },
  ])('$scenario: $why', async ({ scenario, cseq, code }) => {
    if (missing.length > 0) throw new Error(`missing ${missing.join(', ')} (apt-get install sip-tester)`);
    expect(await callAgainstLateChallenge(scenario, cseq)).toBe(code);
  });
});
