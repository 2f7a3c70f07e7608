// D1 and D5 (issue 15): a log reader that stalls or goes away never stops decisions or grows memory.
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createStreamLog, formatEvent } from '../../src/cli/serve/log.js';

const at = new Date('2026-01-02T03:04:05.678Z');
const event = { event: 'decision', route: 'call', code: 'emergency' };

/** A stream whose reader never reads: nothing written ever completes. */
const stalled = () =>
  new Writable({
    highWaterMark: 1024,
    write: () => {},
  });

describe('createStreamLog', () => {
  it('writes one JSON line per event, with its time first', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createStreamLog(sink, { warn: () => {}, now: () => at });
    log.write(event);
    expect(lines).toEqual([`${formatEvent(event, at)}\n`]);
    expect(lines[0]).toBe(
      '{"time":"2026-01-02T03:04:05.678Z","event":"decision","route":"call","code":"emergency"}\n',
    );
  });

  it('drops and counts lines once the stalled reader holds the bound, and says so once', () => {
    const warnings: string[] = [];
    const stream = stalled();
    const log = createStreamLog(stream, {
      warn: (m) => warnings.push(m),
      maxBufferedBytes: 10_000,
      now: () => at,
    });
    const lineBytes = formatEvent(event, at).length + 1;
    for (let i = 0; i < 10_000; i++) log.write(event);
    // Lines are taken until more than the bound waits; then every line is dropped.
    const taken = Math.floor(10_000 / lineBytes) + 1;
    expect(stream.writableLength).toBe(taken * lineBytes);
    expect(log.dropped()).toBe(10_000 - taken);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/not keeping up.*dropped and counted/);
  });

  it('reports the dropped count in the log once the reader catches up', async () => {
    const lines: string[] = [];
    let release: (() => void) | undefined;
    const sink = new Writable({
      highWaterMark: 16,
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        release = done;
      },
    });
    const log = createStreamLog(sink, { warn: () => {}, maxBufferedBytes: 0, now: () => at });
    log.write(event); // taken: nothing waits yet
    log.write(event); // dropped: the first one still waits
    log.write(event);
    release?.();
    log.write(event);
    for (let i = 0; i < 3; i++) {
      release?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(lines.map((l) => (JSON.parse(l) as { event: string; count?: number }).event)).toEqual([
      'decision',
      'log-lines-dropped',
      'decision',
    ]);
    expect(JSON.parse(lines[1] ?? '')).toMatchObject({ count: 2 });
  });

  it('survives a reader that went away (EPIPE): no throw, one warning, every later line counted', async () => {
    const warnings: string[] = [];
    const sink = new Writable({
      write(_chunk, _enc, done) {
        done(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const log = createStreamLog(sink, { warn: (m) => warnings.push(m) });
    log.write(event);
    await new Promise((r) => setImmediate(r));
    for (let i = 0; i < 5; i++) log.write(event);
    expect(log.dropped()).toBe(5);
    expect(warnings).toEqual([expect.stringContaining('the log output failed (EPIPE)')]);
    expect(await log.flush(10)).toBe(false);
  });

  it('flush resolves true once drained and false at its bound when the reader is stalled', async () => {
    const drained = createStreamLog(new Writable({ write: (_c, _e, done) => done() }), { warn: () => {} });
    drained.write(event);
    expect(await drained.flush(1_000)).toBe(true);
    const stuck = createStreamLog(stalled(), { warn: () => {} });
    stuck.write(event);
    const started = performance.now();
    expect(await stuck.flush(100)).toBe(false);
    expect(performance.now() - started).toBeGreaterThanOrEqual(99);
  });
});
