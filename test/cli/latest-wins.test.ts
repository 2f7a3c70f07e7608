// latestWins: runs never overlap, and the requests made during a run share one follow-up run.
import { describe, expect, it } from 'vitest';
import { latestWins } from '../../src/cli/serve/latest-wins.js';

/** A job whose runs the test finishes by hand, recording when each starts and with which reason. */
function manualJob() {
  const started: string[] = [];
  const finish: (() => void)[] = [];
  let active = 0;
  let maxActive = 0;
  const job = (reason: string) =>
    new Promise<string>((resolve) => {
      started.push(reason);
      active += 1;
      maxActive = Math.max(maxActive, active);
      finish.push(() => {
        active -= 1;
        resolve(`done ${reason}`);
      });
    });
  return { job, started, finish, maxActive: () => maxActive };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('latestWins', () => {
  it('runs at once when idle, and again for a request made after the run ended', async () => {
    const m = manualJob();
    const run = latestWins(m.job);
    const a = run('a');
    m.finish[0]?.();
    expect(await a).toBe('done a');
    const b = run('b');
    m.finish[1]?.();
    expect(await b).toBe('done b');
    expect(m.started).toEqual(['a', 'b']);
  });

  it('shares one follow-up run among the requests made during a run, never overlapping', async () => {
    const m = manualJob();
    const run = latestWins(m.job);
    const a = run('a');
    const b = run('b');
    const c = run('c');
    expect(c).toBe(b);
    expect(m.started).toEqual(['a']);
    m.finish[0]?.();
    expect(await a).toBe('done a');
    await tick();
    expect(m.started).toEqual(['a', 'b']); // the follow-up runs with the first queued reason
    const d = run('d'); // made during the follow-up: a new follow-up after it
    m.finish[1]?.();
    expect(await b).toBe('done b');
    await tick();
    m.finish[2]?.();
    expect(await d).toBe('done d');
    expect(m.started).toEqual(['a', 'b', 'd']);
    expect(m.maxActive()).toBe(1);
  });

  it('runs the follow-up after a run that failed', async () => {
    let calls = 0;
    const run = latestWins(async (reason) => {
      calls += 1;
      if (reason === 'bad') throw new Error('boom');
      return reason;
    });
    const bad = run('bad');
    const next = run('next');
    await expect(bad).rejects.toThrow('boom');
    expect(await next).toBe('next');
    expect(calls).toBe(2);
  });
});
