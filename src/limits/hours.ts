// Calling hours: entries such as "mon-fri 08:00-18:00" compiled to one bit per local minute of the
// week, so that checking a call is one array read. A window whose end is earlier than its start
// crosses midnight and belongs to the day it starts on: "fri 22:00-06:00" is Friday 22:00 to
// Saturday 06:00.
import { MINUTES_PER_WEEK, WEEKDAYS } from './calendar.js';

/** Longest calling-hours entry, in characters. */
export const MAX_HOURS_ENTRY_LENGTH = 100;
/** Most entries in one calling-hours list. */
export const MAX_HOURS_ENTRIES = 100;

/** The calling hours of one level, compiled. */
export interface CallingHours {
  /** The entries as written, for findings and messages. */
  readonly entries: readonly string[];
  /** Bit `m` is set when local minute-of-week `m` (Monday 00:00 = 0) is within the calling hours. */
  readonly minutes: Uint32Array;
}

/** Whether local minute-of-week `minute` is within `hours`. */
export function withinHours(hours: CallingHours, minute: number): boolean {
  return ((hours.minutes[minute >>> 5] ?? 0) & (1 << (minute & 31))) !== 0;
}

/** A problem with one entry, by its index; the caller attaches the JSON path. */
export interface HoursProblem {
  readonly index: number;
  readonly message: string;
  readonly input: string;
}

const DAY_INDEX: ReadonlyMap<string, number> = new Map(WEEKDAYS.map((name, index) => [name, index]));
const TIME = /^([0-9]{2}):([0-9]{2})$/;

function parseTime(text: string, isEnd: boolean): number | string {
  const match = TIME.exec(text);
  if (match === null) return `${JSON.stringify(text)} is not a time; write HH:MM, such as "08:00"`;
  const hour = Number(match[1]);
  const minute = Number(match[2]);
  if (minute > 59) return `${JSON.stringify(text)} has minute ${minute}; minutes are 00 to 59`;
  if (hour === 24 && minute === 0 && isEnd) return 1440;
  if (hour > 23) {
    return isEnd
      ? `${JSON.stringify(text)} is not a time of day; hours are 00 to 23, or 24:00 for the end of the day`
      : `${JSON.stringify(text)} is not a time of day; a window starts at 00:00 to 23:59`;
  }
  return hour * 60 + minute;
}

// Days: "mon", "mon-fri", "sat,sun", "fri-mon" (a range may wrap past Sunday).
function parseDays(text: string): number[] | string {
  const days: number[] = [];
  for (const part of text.split(',')) {
    const bounds = part.split('-');
    const first = DAY_INDEX.get(bounds[0] ?? '');
    const last = bounds.length === 2 ? DAY_INDEX.get(bounds[1] ?? '') : first;
    if (bounds.length > 2 || first === undefined || last === undefined) {
      return `${JSON.stringify(part)} is not a day or a range of days; write mon, tue, wed, thu, fri, sat, sun, a range such as "mon-fri" or a list such as "sat,sun"`;
    }
    for (let d = first; ; d = (d + 1) % 7) {
      if (days.includes(d)) return `day ${WEEKDAYS[d]} is listed twice in ${JSON.stringify(text)}`;
      days.push(d);
      if (d === last) break;
    }
  }
  return days;
}

function parseEntry(entry: string): { days: number[]; from: number; to: number } | string {
  if (entry.length > MAX_HOURS_ENTRY_LENGTH) return `longer than ${MAX_HOURS_ENTRY_LENGTH} characters`;
  const fields = entry.split(' ');
  if (fields.length !== 2) {
    return 'expected days and a window separated by one space, such as "mon-fri 08:00-18:00"';
  }
  const days = parseDays(fields[0] ?? '');
  if (typeof days === 'string') return days;
  const times = (fields[1] ?? '').split('-');
  if (times.length !== 2) {
    return `${JSON.stringify(fields[1])} is not a window; write from-to, such as "08:00-18:00" or "22:00-06:00"`;
  }
  const from = parseTime(times[0] ?? '', false);
  if (typeof from === 'string') return from;
  const to = parseTime(times[1] ?? '', true);
  if (typeof to === 'string') return to;
  if (from === to) {
    return `window ${JSON.stringify(fields[1])} is empty; write "00:00-24:00" for the whole day`;
  }
  return { days, from, to };
}

/**
 * Compiles calling-hours entries. Every entry is checked; problems come back by index so that the
 * caller can attach paths. An empty list compiles to hours that allow no call at all.
 */
export function compileCallingHours(
  entries: readonly string[],
): { hours: CallingHours; problems: readonly [] } | { hours: undefined; problems: readonly HoursProblem[] } {
  const minutes = new Uint32Array(Math.ceil(MINUTES_PER_WEEK / 32));
  const problems: HoursProblem[] = [];
  entries.forEach((entry, index) => {
    const parsed = parseEntry(entry);
    if (typeof parsed === 'string') {
      problems.push({
        index,
        message: `calling-hours entry ${JSON.stringify(entry.slice(0, 60))}: ${parsed}`,
        input: entry,
      });
      return;
    }
    // A window that ends before it starts runs to the next day's `to`; the week wraps at Sunday.
    const length = parsed.to > parsed.from ? parsed.to - parsed.from : 1440 - parsed.from + parsed.to;
    for (const day of parsed.days) {
      const start = day * 1440 + parsed.from;
      for (let k = 0; k < length; k++) {
        const m = (start + k) % MINUTES_PER_WEEK;
        minutes[m >>> 5] = (minutes[m >>> 5] ?? 0) | (1 << (m & 31));
      }
    }
  });
  if (problems.length > 0) return { hours: undefined, problems };
  return { hours: Object.freeze({ entries: Object.freeze([...entries]), minutes }), problems: [] };
}
