// The registration sweep against an in-memory registrar (a connector whose table the test holds):
// what is dropped and kept, the recheck that closes the reload race, retries with backoff, health
// and metrics. Timers are vitest's fake ones: nothing here waits on the clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ServeEvent } from '../../src/cli/serve/log.js';
import { MetricRegistry } from '../../src/cli/serve/metrics.js';
import type { AppliedListener, PolicyVersion } from '../../src/cli/serve/policy-holder.js';
import {
  type RegisteredContact,
  type RegistrarConnector,
  RegistrarError,
} from '../../src/cli/serve/registrar.js';
import { createRegistrationSweeper, type SweepPolicy } from '../../src/cli/serve/registration-sweep.js';
import { compilePolicy, type Policy } from '../../src/index.js';

/** Registrations from 127.0.0.2 only; extension 103 from anywhere. */
const POLICY = compilePolicy({
  homeCountry: 'US',
  registration: { restrict: true, allowFrom: ['127.0.0.2'] },
  extensions: { '103': { registration: { restrict: false } } },
});
const VERSION: PolicyVersion = {
  policySha256: 'abc',
  ratesSha256: undefined,
  loadedAt: '2026-01-01T00:00:00.000Z',
};

/** A policy holder deciding with `policy` (swappable), whose applied changes the test fires. */
function memoryHolder(policy: Policy = POLICY) {
  const listeners = new Set<AppliedListener>();
  const state = { policy, version: VERSION, failNext: false };
  const holder: SweepPolicy = {
    onApplied(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async registrationsToDrop(registrations) {
      if (state.failNext) {
        state.failNext = false;
        throw new Error('the policy worker stopped (exit code 1)');
      }
      return { version: state.version, drop: state.policy.registrationsToDrop(registrations) };
    },
  };
  const apply = () => {
    for (const listener of listeners) void listener(VERSION, state.version);
  };
  return { holder, state, apply, listeners };
}

// `domain` null: an AoR without domain (usrloc use_domain 0).
const contact = (
  user: string,
  sourceIp: string | undefined,
  domain: string | null = 'sip.example.test',
): RegisteredContact => ({
  aor: domain === null ? user : `${user}@${domain}`,
  user,
  domain: domain ?? undefined,
  contact: `sip:${user}@${sourceIp ?? 'unknown'}:5060`,
  sourceIp,
});

/** A registrar holding `table`; `failList`/`failRemove` make the next calls reject. */
function memoryRegistrar(table: RegisteredContact[]) {
  const state = {
    failList: 0,
    failRemove: 0,
    lists: 0,
    removed: [] as string[],
    onList: undefined as (() => void) | undefined,
  };
  const connector: RegistrarConnector = {
    kind: 'kamailio',
    target: 'memory',
    async list() {
      state.lists += 1;
      if (state.failList > 0) {
        state.failList -= 1;
        throw new RegistrarError('unreachable', 'cannot reach Kamailio at memory for ul.dump: ECONNREFUSED');
      }
      const copy = [...table];
      state.onList?.();
      return copy;
    },
    async remove(c) {
      if (state.failRemove > 0) {
        state.failRemove -= 1;
        throw new RegistrarError('rpc-error', 'ul.rm_contact failed: 500');
      }
      const i = table.findIndex((t) => t.contact === c.contact && t.aor === c.aor);
      if (i < 0) return 'gone';
      table.splice(i, 1);
      state.removed.push(c.contact);
      return 'removed';
    },
  };
  return { connector, state, table };
}

let events: ServeEvent[] = [];
let metrics = new MetricRegistry();
let policy = memoryHolder();
beforeEach(() => {
  events = [];
  metrics = new MetricRegistry();
  policy = memoryHolder();
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const sweeperFor = (connector: RegistrarConnector, domain: string | null = 'sip.example.test') =>
  createRegistrationSweeper({
    connector,
    domain: domain ?? undefined,
    holder: policy.holder,
    metrics,
    log: (e) => events.push(e),
    recheckMs: 2_000,
    retryFirstMs: 250,
    retryMaxMs: 1_000,
  });

describe('a sweep', () => {
  it('removes exactly the contacts the policy does not allow, with one log line each', async () => {
    const r = memoryRegistrar([
      contact('101', '127.0.0.2'), // listed: stays
      contact('101', '127.0.0.5'), // same AoR, other source: goes
      contact('102', '198.51.100.7'), // goes
      contact('103', '198.51.100.8'), // extension 103 is unrestricted: stays
      contact('104', undefined), // no stored source: never taken as allowed
    ]);
    const sweeper = sweeperFor(r.connector);
    expect(await sweeper.sweep('file-changed')).toEqual({
      result: 'ok',
      contacts: 5,
      dropped: 3,
      gone: 0,
      otherDomains: 0,
    });
    expect(r.table.map((c) => c.contact)).toEqual(['sip:101@127.0.0.2:5060', 'sip:103@198.51.100.8:5060']);
    const dropped = events.filter((e) => e.event === 'registration-dropped');
    expect(dropped).toEqual([
      expect.objectContaining({
        domain: 'sip.example.test',
        extension: '101',
        contact: 'sip:101@127.0.0.5:5060',
        sourceIp: '127.0.0.5',
        code: 'ip-not-allowed',
        policy: 'abc',
        reason: 'file-changed',
      }),
      expect.objectContaining({ extension: '102', code: 'ip-not-allowed' }),
      expect.objectContaining({ extension: '104', sourceIp: null, code: 'invalid-ip' }),
    ]);
    const text = await metrics.render();
    expect(text).toContain('sipguard_registrations_dropped_total{code="ip-not-allowed"} 2\n');
    expect(text).toContain('sipguard_registrations_dropped_total{code="invalid-ip"} 1\n');
    expect(text).toContain('sipguard_registrar_sweeps_total{result="ok"} 1\n');
    expect(text).toContain('sipguard_registrar_sweeps_total{result="failed"} 0\n');
    expect(text).toContain('sipguard_registrar_up 1\n');
    expect(text).toContain('sipguard_registrar_contacts 5\n');
    expect(sweeper.health()).toMatchObject({
      status: 'ok',
      lastSweep: { reason: 'file-changed', contacts: 5, dropped: 3 },
    });
  });

  it('leaves contacts of other domains alone (another account, not ours to judge)', async () => {
    const r = memoryRegistrar([
      contact('101', '198.51.100.7', 'other.example'),
      contact('101', '198.51.100.7', null),
    ]);
    const result = await sweeperFor(r.connector).sweep('start');
    expect(result).toEqual({ result: 'ok', contacts: 2, dropped: 0, gone: 0, otherDomains: 2 });
    expect(r.table).toHaveLength(2);
  });

  it('compares domains case-insensitively, as SIP does', async () => {
    const r = memoryRegistrar([contact('102', '198.51.100.7', 'SIP.Example.Test')]);
    expect(await sweeperFor(r.connector).sweep('start')).toMatchObject({ dropped: 1 });
  });

  it('with no --domain, judges the AoRs that have no domain only', async () => {
    const r = memoryRegistrar([
      contact('102', '198.51.100.7', null),
      contact('102', '198.51.100.7', 'sip.example.test'),
    ]);
    expect(await sweeperFor(r.connector, null).sweep('start')).toMatchObject({
      dropped: 1,
      otherDomains: 1,
    });
    expect(r.table.map((c) => c.aor)).toEqual(['102@sip.example.test']);
  });

  it('counts a contact already gone (expired or re-registered meanwhile) apart from the dropped ones', async () => {
    const r = memoryRegistrar([contact('102', '198.51.100.7')]);
    r.state.onList = () => r.table.splice(0, 1);
    expect(await sweeperFor(r.connector).sweep('start')).toEqual({
      result: 'ok',
      contacts: 1,
      dropped: 0,
      gone: 1,
      otherDomains: 0,
    });
    expect(events.filter((e) => e.event === 'registration-dropped')).toEqual([]);
  });
});

describe('start and applied policies', () => {
  it('sweeps at start and again after recheckMs, then on each applied policy (twice again)', async () => {
    const r = memoryRegistrar([contact('102', '198.51.100.7')]);
    const sweeper = sweeperFor(r.connector);
    expect(sweeper.health().status).toBe('pending');
    sweeper.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.table).toEqual([]);
    await vi.advanceTimersByTimeAsync(2_000);
    expect(r.state.lists).toBe(2);
    policy.apply();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(r.state.lists).toBe(4);
    expect(events.filter((e) => e.event === 'registrar-sweep').map((e) => e.reason)).toEqual([
      'start',
      'start (recheck)',
      'policy-applied',
      'policy-applied (recheck)',
    ]);
    sweeper.close();
    expect(policy.listeners.size).toBe(0);
  });

  it('sweeps again after recheckMs: a REGISTER the old policy allowed, saved after the first listing, does not survive', async () => {
    const r = memoryRegistrar([]);
    const sweeper = sweeperFor(r.connector);
    sweeper.start();
    await vi.advanceTimersByTimeAsync(2_000);
    r.table.push(contact('102', '198.51.100.7'));
    r.state.lists = 0;
    // The REGISTER was answered under the old policy and is saved just after the first ul.dump.
    r.state.onList = () => {
      r.table.push(contact('101', '127.0.0.9'));
      r.state.onList = undefined;
    };
    policy.apply();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.state.removed).toEqual(['sip:102@198.51.100.7:5060']);
    expect(r.table.map((c) => c.contact)).toEqual(['sip:101@127.0.0.9:5060']);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(r.state.lists).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.state.lists).toBe(2);
    expect(r.table).toEqual([]);
    sweeper.close();
  });

  it('runs overlapping requests one after another, with one shared follow-up', async () => {
    const r = memoryRegistrar([contact('102', '198.51.100.7')]);
    const sweeper = sweeperFor(r.connector);
    const a = sweeper.sweep('a');
    const b = sweeper.sweep('b');
    const c = sweeper.sweep('c');
    expect(b).toBe(c);
    await Promise.all([a, b, c]);
    expect(r.state.lists).toBe(2);
  });

  it('does nothing after close, and close cancels the pending recheck', async () => {
    const r = memoryRegistrar([]);
    const sweeper = sweeperFor(r.connector);
    sweeper.start();
    await vi.advanceTimersByTimeAsync(0);
    sweeper.close();
    await vi.advanceTimersByTimeAsync(10_000);
    policy.apply();
    sweeper.start();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(r.state.lists).toBe(1);
  });
});

describe('failures', () => {
  it('are logged, shown in health and metrics, and retried with doubling backoff until the registrar answers', async () => {
    const r = memoryRegistrar([contact('102', '198.51.100.7')]);
    r.state.failList = 4;
    const sweeper = sweeperFor(r.connector);
    expect(await sweeper.sweep('file-changed')).toEqual({
      result: 'failed',
      code: 'unreachable',
      message: 'cannot reach Kamailio at memory for ul.dump: ECONNREFUSED',
      dropped: 0,
    });
    expect(sweeper.health()).toMatchObject({
      status: 'failing',
      consecutiveFailures: 1,
      lastError: { code: 'unreachable' },
    });
    expect(await metrics.render()).toContain('sipguard_registrar_up 0\n');
    // Retries at +250, +500, +1000 and then the 1000 ms cap.
    const retryIn = () => events.filter((e) => e.event === 'registrar-error').map((e) => e.retryInMs);
    await vi.advanceTimersByTimeAsync(249);
    expect(r.state.lists).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.state.lists).toBe(2);
    await vi.advanceTimersByTimeAsync(500);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(retryIn()).toEqual([250, 500, 1_000, 1_000]);
    expect(r.table).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r.state.lists).toBe(5);
    expect(r.table).toEqual([]);
    expect(sweeper.health()).toMatchObject({
      status: 'ok',
      consecutiveFailures: 0,
      lastSweep: { reason: 'retry', dropped: 1 },
    });
    const text = await metrics.render();
    expect(text).toContain('sipguard_registrar_sweeps_total{result="ok"} 1\n');
    expect(text).toContain('sipguard_registrar_sweeps_total{result="failed"} 4\n');
    expect(text).toContain('sipguard_registrations_dropped_total{code="ip-not-allowed"} 1\n');
    expect(text).toContain('sipguard_registrar_contacts 1\n');
    sweeper.close();
  });

  it('a failed removal fails the sweep but the other contacts are still removed', async () => {
    const r = memoryRegistrar([contact('102', '198.51.100.7'), contact('104', '198.51.100.9')]);
    r.state.failRemove = 1;
    const sweeper = sweeperFor(r.connector);
    expect(await sweeper.sweep('start')).toMatchObject({ result: 'failed', code: 'rpc-error', dropped: 1 });
    expect(r.table.map((c) => c.user)).toEqual(['102']);
    await vi.advanceTimersByTimeAsync(250);
    expect(r.table).toEqual([]);
    sweeper.close();
  });

  it('a policy that cannot decide (its worker stopped) fails the sweep as no-decision and removes nothing', async () => {
    const r = memoryRegistrar([contact('102', '198.51.100.7')]);
    policy.state.failNext = true;
    const sweeper = sweeperFor(r.connector);
    expect(await sweeper.sweep('start')).toEqual({
      result: 'failed',
      code: 'no-decision',
      message: 'the policy could not decide on the contacts: the policy worker stopped (exit code 1)',
      dropped: 0,
    });
    expect(r.table).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(r.table).toEqual([]);
    sweeper.close();
  });

  it('a connector that throws something else is reported as internal-error, never thrown on', async () => {
    const connector: RegistrarConnector = {
      kind: 'kamailio',
      target: 'broken',
      list: () => Promise.reject(new TypeError('boom')),
      remove: () => Promise.resolve('gone'),
    };
    const sweeper = sweeperFor(connector);
    expect(await sweeper.sweep('start')).toMatchObject({
      result: 'failed',
      code: 'internal-error',
      message: 'registrar connector failed: boom',
    });
    sweeper.close();
  });
});
