// Local calendar readings of UTC instants in an IANA time zone, with Intl only. An Intl reading costs
// microseconds, so each clock caches the stretch of time around the last instant in which the zone's
// offset and the local date stay the same: within it a reading is integer arithmetic.

/** Milliseconds in a minute. */
export const MINUTE_MS = 60_000;
/** Milliseconds in an hour. */
export const HOUR_MS = 3_600_000;
/** Milliseconds in a (UTC) day. */
export const DAY_MS = 86_400_000;
/** Minutes in a week: the calling-hours bitmap has one bit per local minute of the week. */
export const MINUTES_PER_WEEK = 7 * 1440;
/** Earliest instant sipguard reads: 2000-01-01T00:00:00Z. An earlier `at` is a broken clock. */
export const MIN_INSTANT = 946_684_800_000;
/** First instant past the range sipguard reads: 2200-01-01T00:00:00Z. */
export const MAX_INSTANT = 7_258_118_400_000;

/** Whether `at` is an instant sipguard reads: integer milliseconds in [MIN_INSTANT, MAX_INSTANT). */
export function isInstant(at: unknown): at is number {
  return typeof at === 'number' && Number.isInteger(at) && at >= MIN_INSTANT && at < MAX_INSTANT;
}

/** Longest time zone name accepted (the longest IANA name has 32 characters). */
export const MAX_TIME_ZONE_LENGTH = 64;

// An IANA name is segments of letters, digits, `_`, `+` and `-`, each starting with a capital letter
// ("America/Argentina/Buenos_Aires", "Etc/GMT+5", "UTC"). Intl also takes any case and offsets such
// as "+05:00"; those are rejected so that a policy names its zone one way only.
const ZONE_SHAPE = /^[A-Z][A-Za-z0-9_+-]*(?:\/[A-Z][A-Za-z0-9_+-]*)*$/;

/** Result of {@link checkTimeZone}. */
export type TimeZoneCheck =
  | { readonly ok: true; readonly zone: string }
  | { readonly ok: false; readonly message: string };

/**
 * Checks an IANA time zone name ("Europe/London", "America/New_York", "UTC"). A name that differs
 * from the one Intl resolves it to in letter case only is rejected with that spelling; a link
 * ("US/Eastern") resolves to another name, so Intl leaves nothing to compare its case with.
 */
export function checkTimeZone(name: string): TimeZoneCheck {
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    return {
      ok: false,
      message: `${JSON.stringify(name)} is not an IANA time zone known to this Node.js (such as "Europe/London" or "UTC")`,
    };
  }
  if (name !== resolved && name.toLowerCase() === resolved.toLowerCase()) {
    return { ok: false, message: `time zone ${JSON.stringify(name)} is written ${JSON.stringify(resolved)}` };
  }
  if (!ZONE_SHAPE.test(name)) {
    return {
      ok: false,
      message: `${JSON.stringify(name)} is not written as an IANA time zone name (such as "Europe/London"; offsets and abbreviations are not accepted)`,
    };
  }
  return { ok: true, zone: name };
}

/** The local date of a day number (days since 1970-01-01), as `YYYY-MM-DD`. */
export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** The local time of a minute of the day, as `HH:MM`. */
export function formatMinute(minuteOfDay: number): string {
  const h = Math.floor(minuteOfDay / 60);
  const m = minuteOfDay % 60;
  return `${h < 10 ? '0' : ''}${h}:${m < 10 ? '0' : ''}${m}`;
}

/** Day names, Monday first, as policies write them; the index is the local weekday. */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

/**
 * Reads UTC instants as local dates and times in one time zone. Readings are exact for instants in
 * [MIN_INSTANT, MAX_INSTANT); the caller checks that range ({@link isInstant}). Not for sharing
 * between threads: it keeps a cache.
 */
export class ZoneClock {
  /** The IANA name this clock reads in. */
  readonly zone: string;
  readonly #format: Intl.DateTimeFormat;
  // The cached stretch [#from, #to): one offset and one local date throughout.
  #from = 0;
  #to = 0;
  #offset = 0;
  #day = 0;
  // The first instant after the cached stretch whose local date differs; 0 until computed.
  #dayEndsAt = 0;

  /** `zone` must have passed {@link checkTimeZone}. */
  constructor(zone: string) {
    this.zone = zone;
    this.#format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** The local date of `at`, as days since 1970-01-01. */
  day(at: number): number {
    if (at < this.#from || at >= this.#to) this.#locate(at);
    return this.#day;
  }

  /** The local minute of the week of `at`: Monday 00:00 is 0, Sunday 23:59 is 10079. */
  minuteOfWeek(at: number): number {
    if (at < this.#from || at >= this.#to) this.#locate(at);
    // 1970-01-01 was a Thursday, weekday 3 counting from Monday.
    const weekday = (this.#day + 3) % 7;
    const minuteOfDay = Math.floor((at + this.#offset - this.#day * DAY_MS) / MINUTE_MS);
    return weekday * 1440 + minuteOfDay;
  }

  /** The first instant after `at` on a later local date: when the local day of `at` ends. */
  dayEndsAt(at: number): number {
    if (at < this.#from || at >= this.#to) this.#locate(at);
    if (this.#dayEndsAt === 0) {
      let t = this.#to;
      while (this.#localDay(t) === this.#day) t = this.#nextChange(t);
      this.#dayEndsAt = t;
    }
    return this.#dayEndsAt;
  }

  /** The zone's offset from UTC at `at`, in milliseconds (local = UTC + offset). */
  offsetAt(at: number): number {
    const parts = this.#format.formatToParts(at);
    let year = 0;
    let month = 0;
    let day = 0;
    let hour = 0;
    let minute = 0;
    let second = 0;
    for (const part of parts) {
      const value = Number(part.value);
      switch (part.type) {
        case 'year':
          year = value;
          break;
        case 'month':
          month = value;
          break;
        case 'day':
          day = value;
          break;
        case 'hour':
          hour = value;
          break;
        case 'minute':
          minute = value;
          break;
        case 'second':
          second = value;
          break;
        default:
          break;
      }
    }
    // Intl reads whole seconds; transitions happen on whole seconds, so the offset is exact.
    const wholeSecond = at - (((at % 1000) + 1000) % 1000);
    return Date.UTC(year, month - 1, day, hour, minute, second) - wholeSecond;
  }

  #localDay(at: number): number {
    return Math.floor((at + this.offsetAt(at)) / DAY_MS);
  }

  #locate(at: number): void {
    const offset = this.offsetAt(at);
    this.#from = at;
    this.#offset = offset;
    this.#day = Math.floor((at + offset) / DAY_MS);
    this.#to = this.#nextChange(at, offset);
    this.#dayEndsAt = 0;
  }

  // The first instant after `at` where the offset or the local date changes. Assumes that a zone's
  // offset does not change and change back within one day (true of every zone since 1970).
  #nextChange(at: number, offset = this.offsetAt(at)): number {
    const day = Math.floor((at + offset) / DAY_MS);
    const midnight = (day + 1) * DAY_MS - offset;
    if (this.offsetAt(midnight - 1) === offset) return midnight;
    // An offset change before the next midnight: bisect whole seconds for the first changed one.
    // Invariant: the second `lo` has the old offset, the second `hi` does not.
    let lo = Math.floor(at / 1000);
    let hi = Math.floor((midnight - 1) / 1000);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.offsetAt(mid * 1000) === offset) lo = mid;
      else hi = mid;
    }
    return hi * 1000;
  }
}
