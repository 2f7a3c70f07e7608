// Effective dates of rate-deck rows and the billing increments carriers quote, read strictly: a date
// is ISO 8601 (`2026-03-01`, `2026-03-01 12:00`, `2026-03-01T12:00:00.000Z`, `…+02:00`), never a guess
// between day-first and month-first forms.
import { quote } from '../text.js';

const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * The instant `text` names, in milliseconds since 1970 (UTC), or why it is not a date. A date alone
 * is midnight UTC, as is a time without an offset: decks are read the same on every machine.
 */
export function parseEffectiveDate(text: string): number | string {
  const match = ISO.exec(text);
  if (match === null) {
    return /^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}$/.test(text)
      ? `${quote(text)} is not a date sipguard reads: write it as YYYY-MM-DD (day-first and month-first forms cannot be told apart)`
      : `${quote(text)} is not a date: write it as YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS] with Z or an offset such as +02:00`;
  }
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '0', zone] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth) {
    return `${quote(text)} is not a date: ${y}-${mo} has no day ${d}`;
  }
  if (hour > 23 || minute > 59 || second > 59) return `${quote(text)} is not a time of day`;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z') {
    const oh = Number(zone.slice(1, 3));
    const om = Number(zone.slice(4, 6));
    if (oh > 23 || om > 59) return `${quote(text)} has an offset out of range`;
    offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }
  const ms = Number(fraction.padEnd(3, '0'));
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
}

/** How a call is billed: the first `initialSeconds`, then each further `incrementSeconds` or part. */
export interface BillingIncrement {
  readonly initialSeconds: number;
  readonly incrementSeconds: number;
}

/** Longest increment accepted, in seconds: an hour is already far beyond any real tariff. */
export const MAX_INCREMENT_SECONDS = 3600;

const INCREMENT = /^(\d{1,4})(?:\s*[/+]\s*(\d{1,4}))?$/;

/** A billing increment as carriers write it (`60/60`, `1/1`, `30/6`, `60+60`, or `60` for 60/60), or why not. */
export function parseBillingIncrement(text: string): BillingIncrement | string {
  const match = INCREMENT.exec(text);
  const first = match?.[1];
  if (match === null || first === undefined) {
    return `${quote(text)} is not a billing increment: write the first and the next increments in seconds, such as 60/60, 30/6 or 1/1`;
  }
  const initialSeconds = Number(first);
  const incrementSeconds = Number(match[2] ?? first);
  for (const seconds of [initialSeconds, incrementSeconds]) {
    if (seconds < 1 || seconds > MAX_INCREMENT_SECONDS) {
      return `${quote(text)} is not a billing increment: each part is 1 to ${MAX_INCREMENT_SECONDS} seconds`;
    }
  }
  return Object.freeze({ initialSeconds, incrementSeconds });
}
