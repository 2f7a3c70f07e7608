// ZoneClock: local days, day ends and minutes of the week, by hand-checked examples around DST
// changes and against a brute-force reading with Intl (one formatToParts per minute) in several zones.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkTimeZone, formatDay, formatMinute, isInstant, ZoneClock } from '../../src/limits/calendar.js';

const utc = (iso: string) => Date.parse(iso);

describe('checkTimeZone', () => {
  it.each([
    ['America/New_York', true, 'a canonical IANA name'],
    ['UTC', true, 'UTC itself'],
    ['US/Eastern', true, 'a tzdata link is accepted as written'],
    ['Europe/Kyiv', true, 'a renamed zone under its new name'],
    ['America/Argentina/Buenos_Aires', true, 'three segments with an underscore'],
    ['america/new_york', false, 'wrong case is rejected, not silently fixed'],
    ['utc', false, 'wrong case of UTC'],
    ['+05:00', false, 'an offset is not a zone'],
    ['Mars/Olympus_Mons', false, 'no such zone'],
    ['', false, 'empty'],
  ])('%s → %s (%s)', (name, ok) => {
    expect(checkTimeZone(name).ok).toBe(ok);
  });

  it('names the right spelling of a wrongly cased zone', () => {
    expect(checkTimeZone('europe/london')).toEqual({
      ok: false,
      message: 'time zone "europe/london" is written "Europe/London"',
    });
  });
});

describe('ZoneClock, known days', () => {
  // [zone, an instant, its local date, when that local day ends (UTC), why]
  it.each([
    [
      'America/New_York',
      '2024-03-10T12:00:00Z',
      '2024-03-10',
      '2024-03-11T04:00:00Z',
      'spring forward: a 23-hour day',
    ],
    [
      'America/New_York',
      '2024-03-10T04:59:59Z',
      '2024-03-09',
      '2024-03-10T05:00:00Z',
      'the second before midnight EST',
    ],
    [
      'America/New_York',
      '2024-11-03T12:00:00Z',
      '2024-11-03',
      '2024-11-04T05:00:00Z',
      'fall back: a 25-hour day',
    ],
    [
      'Europe/London',
      '2024-03-31T00:30:00Z',
      '2024-03-31',
      '2024-03-31T23:00:00Z',
      'BST starts at 01:00 GMT',
    ],
    ['Europe/London', '2024-10-27T00:30:00Z', '2024-10-27', '2024-10-28T00:00:00Z', 'BST ends: 25 hours'],
    [
      'Australia/Sydney',
      '2024-04-06T14:30:00Z',
      '2024-04-07',
      '2024-04-07T14:00:00Z',
      'southern autumn: 25 hours',
    ],
    [
      'Australia/Lord_Howe',
      '2024-10-06T00:00:00Z',
      '2024-10-06',
      '2024-10-06T13:00:00Z',
      'a half-hour DST change',
    ],
    [
      'America/Santiago',
      '2024-09-07T12:00:00Z',
      '2024-09-07',
      '2024-09-08T04:00:00Z',
      'DST starts at midnight: 00:00 does not exist',
    ],
    [
      'America/Santiago',
      '2024-09-08T04:00:00Z',
      '2024-09-08',
      '2024-09-09T03:00:00Z',
      'the day that starts at 01:00',
    ],
    [
      'Asia/Tehran',
      '2021-09-21T12:00:00Z',
      '2021-09-21',
      '2021-09-21T20:30:00Z',
      'DST ended at midnight, back to 23:00: 25 hours',
    ],
    [
      'Pacific/Apia',
      '2011-12-29T12:00:00Z',
      '2011-12-29',
      '2011-12-30T10:00:00Z',
      'the day before Samoa skipped 30 December',
    ],
    [
      'Asia/Kolkata',
      '2024-06-01T20:00:00Z',
      '2024-06-02',
      '2024-06-02T18:30:00Z',
      'a half-hour offset, no DST',
    ],
    [
      'Pacific/Chatham',
      '2024-04-06T12:00:00Z',
      '2024-04-07',
      '2024-04-07T11:15:00Z',
      'a 45-minute offset, DST ends',
    ],
    ['UTC', '2024-02-29T23:59:59.999Z', '2024-02-29', '2024-03-01T00:00:00Z', 'UTC, a leap day'],
  ])('%s at %s is %s, ending %s (%s)', (zone, at, date, endsAt) => {
    const clock = new ZoneClock(zone);
    expect(formatDay(clock.day(utc(at)))).toBe(date);
    expect(new Date(clock.dayEndsAt(utc(at))).toISOString()).toBe(new Date(utc(endsAt)).toISOString());
    // The next instant is on the next local date (Samoa's next date is two days on).
    expect(clock.day(utc(endsAt))).toBeGreaterThan(clock.day(utc(at)));
    expect(clock.day(utc(endsAt) - 1)).toBe(clock.day(utc(at)));
  });

  it('reads the minute of the week across a spring-forward gap', () => {
    const clock = new ZoneClock('America/New_York');
    // Sunday 2024-03-10 01:59 EST, then 03:00 EDT one minute later.
    const before = utc('2024-03-10T06:59:00Z');
    expect(clock.minuteOfWeek(before)).toBe(6 * 1440 + 119);
    expect(clock.minuteOfWeek(before + 60_000)).toBe(6 * 1440 + 180);
  });

  it('formats minutes and days', () => {
    expect(formatMinute(0)).toBe('00:00');
    expect(formatMinute(23 * 60 + 59)).toBe('23:59');
    expect(formatMinute(9 * 60 + 5)).toBe('09:05');
    expect(formatDay(0)).toBe('1970-01-01');
  });

  it('takes only integer instants between 2000 and 2200', () => {
    expect(isInstant(utc('2000-01-01T00:00:00Z'))).toBe(true);
    expect(isInstant(utc('1999-12-31T23:59:59.999Z'))).toBe(false);
    expect(isInstant(utc('2200-01-01T00:00:00Z'))).toBe(false);
    expect(isInstant(1.7e12 + 0.5)).toBe(false);
    expect(isInstant('1700000000000')).toBe(false);
    expect(isInstant(Number.NaN)).toBe(false);
  });
});

// ---- brute force -----------------------------------------------------------------------------

const formats = new Map<string, Intl.DateTimeFormat>();
function wall(zone: string, at: number): { day: number; minuteOfDay: number; weekday: number } {
  let format = formats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      weekday: 'short',
    });
    formats.set(zone, format);
  }
  const parts = format.formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const day = Date.UTC(Number(get('year')), Number(get('month')) - 1, Number(get('day'))) / 86_400_000;
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday'));
  return { day, minuteOfDay: Number(get('hour')) * 60 + Number(get('minute')), weekday };
}

// Since 2000 every offset change happens on a whole quarter hour, and no two within 15 minutes, so
// stepping by 15 minutes and then by minutes finds the day's end.
function bruteDayEnd(zone: string, at: number): number {
  const day = wall(zone, at).day;
  let t = Math.floor(at / 60_000) * 60_000 + 60_000;
  while (wall(zone, t + 900_000).day === day) t += 900_000;
  while (wall(zone, t).day === day) t += 60_000;
  return t;
}

const ZONES = [
  'America/New_York',
  'Europe/London',
  'Europe/Berlin',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'America/Santiago',
  'Asia/Tehran',
  'Pacific/Chatham',
  'America/St_Johns',
  'Asia/Kolkata',
] as const;

// Instants within six hours of a DST change in 2020–2024, where mistakes would show.
const TRANSITIONS: Record<string, string[]> = {
  'America/New_York': ['2023-03-12T07:00:00Z', '2023-11-05T06:00:00Z'],
  'Europe/London': ['2022-03-27T01:00:00Z', '2022-10-30T01:00:00Z'],
  'Europe/Berlin': ['2024-03-31T01:00:00Z', '2024-10-27T01:00:00Z'],
  'Australia/Sydney': ['2023-04-01T16:00:00Z', '2023-09-30T16:00:00Z'],
  'Australia/Lord_Howe': ['2023-04-01T15:00:00Z', '2023-09-30T15:30:00Z'],
  'America/Santiago': ['2023-04-02T03:00:00Z', '2023-09-03T04:00:00Z'],
  'Asia/Tehran': ['2021-03-21T20:30:00Z', '2021-09-21T19:30:00Z'],
  'Pacific/Chatham': ['2023-04-01T14:00:00Z', '2023-09-23T14:00:00Z'],
  'America/St_Johns': ['2024-03-10T05:30:00Z', '2024-11-03T04:30:00Z'],
  'Asia/Kolkata': ['2024-01-01T00:00:00Z'],
};

describe('ZoneClock against brute-force Intl readings', () => {
  it('agrees on local date, day end and minute of the week near DST changes in ten zones', () => {
    const sample = fc.record({
      zone: fc.constantFrom(...ZONES),
      pick: fc.nat(),
      offset: fc.integer({ min: -6 * 3_600_000, max: 6 * 3_600_000 }),
    });
    fc.assert(
      fc.property(fc.array(sample, { minLength: 1, maxLength: 6 }), (samples) => {
        // One clock per zone across samples, so the cache is exercised forwards and backwards.
        const clocks = new Map<string, ZoneClock>();
        for (const { zone, pick, offset } of samples) {
          const instants = TRANSITIONS[zone] ?? [];
          const at = utc(instants[pick % instants.length] ?? '2024-01-01T00:00:00Z') + offset;
          let clock = clocks.get(zone);
          if (clock === undefined) {
            clock = new ZoneClock(zone);
            clocks.set(zone, clock);
          }
          const truth = wall(zone, at);
          expect(clock.day(at)).toBe(truth.day);
          expect(clock.minuteOfWeek(at)).toBe(truth.weekday * 1440 + truth.minuteOfDay);
          expect(clock.dayEndsAt(at)).toBe(bruteDayEnd(zone, at));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('agrees at random instants of 2000–2199 in every zone', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: utc('2000-01-01T00:00:00Z'), max: utc('2199-12-30T00:00:00Z') }),
        (zone, at) => {
          const clock = new ZoneClock(zone);
          const truth = wall(zone, at);
          expect(clock.day(at)).toBe(truth.day);
          expect(clock.minuteOfWeek(at)).toBe(truth.weekday * 1440 + truth.minuteOfDay);
        },
      ),
      { numRuns: 300 },
    );
  });
});
