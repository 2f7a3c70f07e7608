// The log of `sipguard serve`: one JSON object per line, each with the time it was written. Logging
// must never stop or endanger decisions: a reader that stalls makes lines drop (counted), never pile
// up in memory, and a reader that goes away (EPIPE) is said once on standard error, not fatal.
import type { Writable } from 'node:stream';

/** One structured log event; the log writes it as one JSON line. */
export type ServeEvent = { readonly event: string } & Readonly<Record<string, unknown>>;

/** Most bytes of log lines waiting for a slow reader; past it, lines are dropped and counted. */
export const LOG_BUFFER_BYTES = 1024 * 1024;

/** The line written for `event` at `time`: `{"time":…,"event":…,…}`. */
export const formatEvent = (event: ServeEvent, time: Date): string =>
  JSON.stringify({ time: time.toISOString(), ...event });

/** The service's log: bounded, never blocking, never throwing. */
export interface ServeLog {
  readonly write: (event: ServeEvent) => void;
  /** Lines not written so far because the reader stalled or went away. */
  readonly dropped: () => number;
  /** Resolves true once every written line has left the process, or false after `ms`. */
  readonly flush: (ms: number) => Promise<boolean>;
}

/** Options of {@link createStreamLog}. */
export interface StreamLogOptions {
  /** Said once on standard error the first time lines are dropped for each reason. */
  readonly warn: (message: string) => void;
  readonly maxBufferedBytes?: number | undefined;
  readonly now?: (() => Date) | undefined;
}

/** A log writing JSON lines to `stream` (standard output in `sipguard serve`). */
export function createStreamLog(stream: Writable, options: StreamLogOptions): ServeLog {
  const limit = options.maxBufferedBytes ?? LOG_BUFFER_BYTES;
  const now = options.now ?? (() => new Date());
  let lost = false;
  let warnedStall = false;
  let dropped = 0;
  // Dropped since the last line that got through; reported in the log itself once it flows again.
  let unreported = 0;

  const lose = (e: unknown) => {
    if (lost) return;
    lost = true;
    const code = e instanceof Error && 'code' in e ? String(e.code) : String(e);
    options.warn(
      `sipguard serve: the log output failed (${code}); deciding goes on, log lines are dropped and counted (sipguard_log_lines_dropped_total)`,
    );
  };
  stream.on('error', lose);

  const put = (line: string) => {
    try {
      stream.write(`${line}\n`);
    } catch (e) {
      lose(e);
    }
  };

  return {
    write(event) {
      if (lost) {
        dropped++;
        return;
      }
      if (stream.writableLength > limit) {
        dropped++;
        unreported++;
        if (!warnedStall) {
          warnedStall = true;
          options.warn(
            `sipguard serve: the log reader is not keeping up (over ${limit} bytes waiting); log lines are dropped and counted (sipguard_log_lines_dropped_total)`,
          );
        }
        return;
      }
      const time = now();
      if (unreported > 0) {
        put(formatEvent({ event: 'log-lines-dropped', count: unreported }, time));
        unreported = 0;
      }
      put(formatEvent(event, time));
    },
    dropped: () => dropped,
    flush(ms) {
      // Polled: 'drain' fires only after a write that returned false.
      const until = Date.now() + ms;
      return new Promise((resolve) => {
        const check = () => {
          if (lost || stream.writableLength === 0) resolve(!lost);
          else if (Date.now() >= until) resolve(false);
          else setTimeout(check, 10);
        };
        check();
      });
    },
  };
}
