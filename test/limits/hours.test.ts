// Calling hours: entry parsing (valid and invalid tables) and the compiled bitmap against a direct
// reading of the entries, including windows that cross midnight and the end of the week.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileCallingHours, withinHours } from '../../src/limits/hours.js';

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const at = (day: string, time: string) => {
  const [h = 0, m = 0] = time.split(':').map(Number);
  return DAYS.indexOf(day) * 1440 + h * 60 + m;
};
function compiled(entries: string[]) {
  const result = compileCallingHours(entries);
  if (result.hours === undefined) throw new Error(JSON.stringify(result.problems));
  return result.hours;
}

describe('compileCallingHours', () => {
  // [entries, day, time, within?, why]
  it.each([
    [['mon-fri 08:00-18:00'], 'mon', '08:00', true, 'the first minute is inside'],
    [['mon-fri 08:00-18:00'], 'mon', '17:59', true, 'the last minute is inside'],
    [['mon-fri 08:00-18:00'], 'mon', '18:00', false, 'the end is exclusive'],
    [['mon-fri 08:00-18:00'], 'sat', '12:00', false, 'not a listed day'],
    [['fri 22:00-06:00'], 'fri', '23:30', true, 'a night window on its start day'],
    [['fri 22:00-06:00'], 'sat', '05:59', true, 'a night window runs into the next morning'],
    [['fri 22:00-06:00'], 'sat', '06:00', false, 'and ends there'],
    [['fri 22:00-06:00'], 'fri', '05:00', false, 'the morning of the start day is not in it'],
    [['sun 23:00-01:00'], 'mon', '00:30', true, 'Sunday night wraps into Monday'],
    [['sat,sun 00:00-24:00'], 'sun', '23:59', true, '24:00 ends the whole day'],
    [['fri-mon 10:00-11:00'], 'sun', '10:30', true, 'a day range wraps past Sunday'],
    [['fri-mon 10:00-11:00'], 'tue', '10:30', false, 'and stops at its end'],
    [['mon 08:00-09:00', 'mon 17:00-18:00'], 'mon', '17:15', true, 'entries add up'],
    [['mon 08:00-09:00', 'mon 17:00-18:00'], 'mon', '12:00', false, 'the gap between entries'],
    [[], 'wed', '12:00', false, 'an empty list allows no time'],
  ])('%j at %s %s → %s (%s)', (entries, day, time, within) => {
    expect(withinHours(compiled(entries), at(day, time))).toBe(within);
  });

  // [entry, a phrase the message must contain]
  it.each([
    ['monday 08:00-18:00', '"monday" is not a day or a range of days'],
    ['Mon 08:00-18:00', '"Mon" is not a day'],
    ['mon-fri 8:00-18:00', '"8:00" is not a time; write HH:MM'],
    ['mon 08:00-25:00', 'hours are 00 to 23, or 24:00'],
    ['mon 24:00-06:00', 'a window starts at 00:00 to 23:59'],
    ['mon 08:60-09:00', 'minutes are 00 to 59'],
    ['mon 08:00-08:00', 'is empty; write "00:00-24:00" for the whole day'],
    ['mon,mon 08:00-09:00', 'day mon is listed twice'],
    ['mon-fri,wed 08:00-09:00', 'day wed is listed twice'],
    ['mon  08:00-09:00', 'separated by one space'],
    ['mon 08:00', 'is not a window'],
    ['mon-tue-wed 08:00-09:00', 'is not a day or a range'],
    ['', 'separated by one space'],
    [`mon ${'x'.repeat(120)}`, 'longer than 100 characters'],
  ])('rejects %j', (entry, phrase) => {
    const result = compileCallingHours(['mon 08:00-09:00', entry]);
    expect(result.hours).toBeUndefined();
    expect(result.problems).toHaveLength(1);
    expect(result.problems[0]?.index).toBe(1);
    expect(result.problems[0]?.input).toBe(entry);
    expect(result.problems[0]?.message).toContain(phrase);
  });

  it('reports every bad entry, by index', () => {
    const result = compileCallingHours(['bad', 'mon 08:00-09:00', 'worse']);
    expect(result.problems.map((p) => p.index)).toEqual([0, 2]);
  });
});

// The reference reads each entry directly for one minute of the week.
function referenceWithin(
  entries: readonly { days: number[]; from: number; to: number }[],
  minute: number,
): boolean {
  const day = Math.floor(minute / 1440);
  const m = minute % 1440;
  const previous = (day + 6) % 7;
  return entries.some((e) =>
    e.from < e.to
      ? e.days.includes(day) && m >= e.from && m < e.to
      : (e.days.includes(day) && m >= e.from) || (e.days.includes(previous) && m < e.to),
  );
}

describe('the compiled bitmap', () => {
  it('agrees with a direct reading of the entries at every minute of the week', () => {
    const time = (minute: number) =>
      `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    const entryArb = fc
      .record({
        days: fc.uniqueArray(fc.nat(6), { minLength: 1, maxLength: 7 }),
        from: fc.nat(1439),
        to: fc.integer({ min: 1, max: 1440 }),
      })
      .filter((e) => e.from !== e.to);
    fc.assert(
      fc.property(fc.array(entryArb, { maxLength: 4 }), (entries) => {
        const texts = entries.map(
          (e) => `${e.days.map((d) => DAYS[d]).join(',')} ${time(e.from)}-${time(e.to)}`,
        );
        const hours = compiled(texts);
        for (let minute = 0; minute < 7 * 1440; minute++) {
          if (withinHours(hours, minute) !== referenceWithin(entries, minute)) {
            expect({ texts, minute, within: withinHours(hours, minute) }).toEqual({
              texts,
              minute,
              within: referenceWithin(entries, minute),
            });
          }
        }
      }),
      { numRuns: 200 },
    );
  });
});
