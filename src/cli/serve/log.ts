// The log of `sipguard serve`: one JSON object per line, each with the time it was written.

/** One structured log event; the log writes it as one JSON line. */
export type ServeEvent = { readonly event: string } & Readonly<Record<string, unknown>>;

/** The line written for `event` at `time`: `{"time":…,"event":…,…}`. */
export const formatEvent = (event: ServeEvent, time: Date): string =>
  JSON.stringify({ time: time.toISOString(), ...event });

/** A log that writes each event as one JSON line through `writeLine`. */
export function createJsonLineLog(writeLine: (line: string) => void): (event: ServeEvent) => void {
  return (event) => writeLine(formatEvent(event, new Date()));
}
