// The emergency table against its source. This file reads the vendored ShortNumberMetadata.xml with a
// reader of its own (regular expressions, not the generator's XML parser), turns each territory's
// pattern into a JavaScript regular expression, and checks every digit string of every possible
// length: emergency exactly when the pattern matches in full. Expected values come from the XML and
// from regulators, never from the table under test.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { getCountries } from 'libphonenumber-js/max';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateEmergencyTable } from '../../scripts/emergency/table.js';
import { classifyDialed, clearDialedCache } from '../../src/phone/classify.js';
import { EMERGENCY_SOURCE, emergencyNumbersOf } from '../../src/phone/emergency.js';

const DATA = resolve(import.meta.dirname, '../../scripts/data/libphonenumber');
const XML = readFileSync(resolve(DATA, 'ShortNumberMetadata.xml'), 'utf8');
const README = readFileSync(resolve(DATA, 'README.md'), 'utf8');

interface SourceTerritory {
  readonly region: string;
  readonly lengths: readonly number[];
  /** The pattern as a JavaScript regular expression matching a whole string. */
  readonly fullMatch: RegExp;
}

// Java and JavaScript agree on these constructs; a pattern with anything else fails the test.
const PORTABLE_PATTERN = /^[0-9()?:|[\]\\d{},-]+$/;

function lengthsOf(text: string): number[] {
  const lengths: number[] = [];
  for (const part of text.split(',')) {
    const range = /^\[(\d+)-(\d+)\]$/.exec(part);
    if (range !== null) for (let n = Number(range[1]); n <= Number(range[2]); n++) lengths.push(n);
    else if (/^\d+$/.test(part)) lengths.push(Number(part));
    else throw new Error(`unreadable possible lengths ${text}`);
  }
  return lengths;
}

function readSource(): { territories: SourceTerritory[]; without: string[] } {
  const territories: SourceTerritory[] = [];
  const without: string[] = [];
  // Comments first, so that a commented-out element cannot count.
  const body = XML.replace(/<!--[\s\S]*?-->/g, '');
  for (const [, region = '', inner = ''] of body.matchAll(
    /<territory id="([A-Z]{2})">([\s\S]*?)<\/territory>/g,
  )) {
    const emergency = /<emergency>([\s\S]*?)<\/emergency>/.exec(inner)?.[1];
    if (emergency === undefined) {
      without.push(region);
      continue;
    }
    const lengths = /<possibleLengths national="([^"]*)"\/>/.exec(emergency)?.[1];
    const pattern = /<nationalNumberPattern>([\s\S]*?)<\/nationalNumberPattern>/
      .exec(emergency)?.[1]
      ?.replace(/\s+/g, '');
    if (lengths === undefined || pattern === undefined || !PORTABLE_PATTERN.test(pattern)) {
      throw new Error(`territory ${region}: unreadable <emergency>`);
    }
    territories.push({ region, lengths: lengthsOf(lengths), fullMatch: new RegExp(`^(?:${pattern})$`) });
  }
  return { territories, without };
}

const source = readSource();

describe('the generated emergency table', () => {
  it('is what the generator makes of the vendored XML now', () => {
    const committed = readFileSync(
      resolve(import.meta.dirname, '../../src/phone/emergency-table.ts'),
      'utf8',
    );
    expect(committed).toBe(generateEmergencyTable(XML, README));
  });

  it('names the vendored commit, as the README gives it', () => {
    expect(README).toContain(`at commit ${EMERGENCY_SOURCE.commit}`);
    expect(EMERGENCY_SOURCE).toEqual({
      commit: 'f7e3e88c92b905c8d6edb81f336dbe25edc05b52',
      date: '2026-07-17',
      afterTag: 'v9.0.35',
    });
  });

  it('reads 241 territories, 240 of them with emergency numbers (GN has none)', () => {
    expect(source.territories.length).toBe(240);
    expect(source.without).toEqual(['GN']);
  });
});

describe('every region: emergency exactly when the XML pattern matches', () => {
  it.each(source.territories.map((t) => [t.region, t] as const))(
    '%s: every digit string of each possible length',
    (region, territory) => {
      const listed = emergencyNumbersOf(region);
      const members = new Set(listed);
      const wrong: string[] = [];
      let matched = 0;
      for (const length of territory.lengths) {
        for (let n = 0; n < 10 ** length; n++) {
          const digits = String(n).padStart(length, '0');
          const emergency = territory.fullMatch.test(digits);
          if (emergency) matched++;
          if (emergency !== members.has(digits)) wrong.push(digits);
        }
      }
      expect(wrong, `${region}: listed but not matched, or matched but not listed`).toEqual([]);
      // Nothing of another length is listed: every member was counted among the matches above.
      expect(listed.length, region).toBe(matched);
      expect(listed.length, region).toBeGreaterThan(0);
    },
  );

  it('has nothing for regions the XML has no emergency data for, nor for non-regions', () => {
    const withData = new Set(source.territories.map((t) => t.region));
    const none = getCountries().filter((region) => !withData.has(region));
    // libphonenumber-js knows 245 regions; five have no emergency data.
    expect(none).toEqual(['GN', 'GQ', 'IO', 'TA', 'TK']);
    for (const region of [...none, 'ZZ', 'us', '001', '', '__proto__', 'constructor', 'hasOwnProperty']) {
      expect(emergencyNumbersOf(region), region).toEqual([]);
    }
  });
});

describe('classifyDialed treats exactly the home region’s emergency numbers as emergency', () => {
  beforeAll(() => clearDialedCache());

  it.each(source.territories.map((t) => [t.region, t] as const))(
    '%s: its numbers are emergency from it, no other string of up to three digits is',
    (region, territory) => {
      const wrong: string[] = [];
      for (const number of emergencyNumbersOf(region)) {
        const result = classifyDialed(number, { homeCountry: region });
        if (!(result.ok && result.emergency && result.number === number && result.country === region)) {
          wrong.push(number);
        }
      }
      for (let length = 1; length <= 3; length++) {
        for (let n = 0; n < 10 ** length; n++) {
          const digits = String(n).padStart(length, '0');
          const result = classifyDialed(digits, { homeCountry: region });
          const emergency = result.ok && result.emergency;
          if (emergency !== (territory.lengths.includes(length) && territory.fullMatch.test(digits))) {
            wrong.push(digits);
          }
        }
      }
      expect(wrong, region).toEqual([]);
    },
  );

  it.each(['GN', 'GQ', 'IO', 'TA', 'TK'])(
    '%s (no emergency data): 112 and 911 are not emergency',
    (region) => {
      for (const dialed of ['112', '911']) {
        expect(classifyDialed(dialed, { homeCountry: region })).toMatchObject({ ok: false });
      }
    },
  );
});

describe('emergencyNumbersOf', () => {
  it('returns the same frozen list each time, in code-unit order', () => {
    const list = emergencyNumbersOf('RU');
    expect(emergencyNumbersOf('RU')).toBe(list);
    expect(Object.isFrozen(list)).toBe(true);
    expect(Object.isFrozen(emergencyNumbersOf('ZZ'))).toBe(true);
    for (const { region } of source.territories) {
      const numbers = emergencyNumbersOf(region);
      expect([...numbers].sort(), region).toEqual(numbers);
      expect(new Set(numbers).size, region).toBe(numbers.length);
    }
  });

  it('is empty for a value that is not a string', () => {
    // Plain JavaScript callers can pass anything; an object that stringifies to "US" is not "US".
    for (const value of [undefined, null, 1, { toString: () => 'US' }]) {
      expect(emergencyNumbersOf(value as unknown as string)).toEqual([]);
    }
  });
});

// The errors the issue found in the hand-kept table (fixed by following the XML), the ranges it
// gives (Gabon), and short codes outside the EU/NANP trio (Russia, South Africa, …).
describe('emergency numbers the issue names', () => {
  it.each([
    ['DK', ['112', '114'], 'DK 114 (police) was missing'],
    ['PT', ['112', '115'], 'PT 115 was missing'],
    ['SE', ['112', '90000'], 'SE 90000 was missing'],
    ['MX', ['060', '065', '066', '068', '080', '911'], 'MX 060/065/066/068/080 were missing'],
    ['IM', ['999'], 'IM lists 999 only; 112 was added by hand'],
    ['RU', ['01', '02', '03', '101', '102', '103', '112'], 'Russia: 112, 101-103 and the old 01-03'],
    ['ZA', ['10111', '10177', '112'], 'South Africa: 10111 police, 10177 ambulance'],
    ['KR', ['112', '119'], 'Korea: 112 police, 119 fire'],
    ['AR', ['100', '101', '107', '911'], 'Argentina'],
    ['TR', ['110', '112', '155'], 'Turkey'],
    ['AE', ['112', '997', '998', '999'], 'United Arab Emirates'],
  ])('%s: %j (%s)', (region, numbers) => {
    expect(emergencyNumbersOf(region)).toEqual(numbers);
  });

  it('Gabon: 1300-1399 (the pattern 1(?:3\\d\\d|730|8)), 1730 and 18', () => {
    const expected = ['18', '1730'];
    for (let n = 1300; n <= 1399; n++) expected.push(String(n));
    expect([...emergencyNumbersOf('GA')].sort()).toEqual(expected.sort());
  });
});

// Regulators' own lists, as a check on the XML for the largest markets.
describe('cross-checks against regulators', () => {
  it.each([
    // FCC, "9-1-1 and E9-1-1 Services" (https://www.fcc.gov/general/9-1-1-and-e9-1-1-services): the
    // 911 Act directs the FCC to make 911 the universal emergency number for all telephone services.
    ['US', '911', 'FCC: 911'],
    // Ofcom's General Conditions of Entitlement (condition A3) cover calls to 999 and 112, the UK's
    // national emergency numbers (https://www.gov.uk/guidance/999-and-112-the-uks-national-emergency-numbers).
    ['GB', '999', 'Ofcom: 999'],
    ['GB', '112', 'Ofcom: 112'],
    // ACMA and the Telecommunications Numbering Plan 2019: 000 is the primary emergency service
    // number, 106 and 112 the secondary ones (https://www.triplezero.gov.au/triple-zero/about).
    ['AU', '000', 'ACMA: 000'],
    ['AU', '112', 'ACMA: 112'],
    ['AU', '106', 'ACMA: 106 (text relay)'],
  ])('%s dials %s as an emergency number (%s)', (region, number) => {
    expect(emergencyNumbersOf(region)).toContain(number);
    expect(classifyDialed(number, { homeCountry: region })).toEqual({
      ok: true,
      emergency: true,
      number,
      country: region,
    });
  });

  it('Ofcom and ACMA list no other emergency numbers than the XML does', () => {
    expect(emergencyNumbersOf('GB')).toEqual(['112', '999']);
    expect(emergencyNumbersOf('AU')).toEqual(['000', '106', '112']);
  });
});
