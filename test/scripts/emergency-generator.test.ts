// The emergency-table generator's parts: the pattern expander (against brute force over a
// JavaScript RegExp), the XML reader and the checks that stop generation on data it cannot vouch for.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expandPattern, MAX_EXPANSION } from '../../scripts/emergency/expand.js';
import {
  parsePossibleLengths,
  readEmergencyTerritories,
  readSourceVersion,
  renderEmergencyTable,
} from '../../scripts/emergency/table.js';
import { childElements, readXml, textOf } from '../../scripts/emergency/xml.js';

/** Every digit string of length 0..maxLength that `pattern` matches in full: the slow reference. */
function bruteForce(pattern: string, maxLength: number): string[] {
  const full = new RegExp(`^(?:${pattern})$`);
  const found: string[] = [];
  for (let length = 0; length <= maxLength; length++) {
    for (let n = 0; n < 10 ** length; n++) {
      const digits = length === 0 ? '' : String(n).padStart(length, '0');
      if (full.test(digits)) found.push(digits);
    }
  }
  return found.sort();
}

describe('expandPattern', () => {
  it.each([
    ['112', ['112'], 'a literal'],
    ['11[02]', ['110', '112'], 'a class'],
    ['1[2-46]', ['12', '13', '14', '16'], 'a range and a digit in one class'],
    ['9(?:11|99)', ['911', '999'], 'a group with alternatives'],
    ['112|911', ['112', '911'], 'top-level alternatives'],
    ['1(?:1(?:22?|5)|[56])', ['112', '1122', '115', '15', '16'], "Pakistan's optional digit"],
    ['5\\d', ['50', '51', '52', '53', '54', '55', '56', '57', '58', '59'], '\\d'],
    ['[\\d]', ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'], '\\d inside a class'],
    ['1{3}', ['111'], 'an exact count'],
    ['1{1,2}0', ['10', '110'], 'a bounded count'],
    ['(1|2)', ['1', '2'], 'a capturing group'],
  ])('%s → %j (%s)', (pattern, expected) => {
    expect([...expandPattern(pattern)].sort()).toEqual(expected);
  });

  it.each([
    ['1*', 'a star is unbounded'],
    ['1+', 'a plus is unbounded'],
    ['1.', 'a dot is any character'],
    ['^112', 'anchors'],
    ['11[^2]', 'a negated class'],
    ['[a-z]', 'letters'],
    ['11(2', 'an unclosed group'],
    ['112)', 'an unbalanced ")"'],
    ['1{2,1}', 'a reversed count'],
    ['[2-1]', 'a reversed range'],
    ['\\s', 'other escapes'],
    ['1{2,}', 'an open count'],
    [`\\d{${String(MAX_EXPANSION).length}}`, 'more strings than the bound'],
  ])('refuses %s (%s)', (pattern) => {
    expect(() => expandPattern(pattern)).toThrow(/pattern/);
  });

  // Small random patterns in the supported syntax, compared with brute force over their lengths.
  const digit = fc.constantFrom(...'0123456789');
  const leaf = fc.oneof(
    digit,
    fc.constant('\\d'),
    fc.tuple(digit, digit).map(([a, b]) => `[${a < b ? `${a}-${b}` : `${b}${a}`}]`),
  );
  const quantifier = fc.constantFrom('', '', '', '?', '{2}', '{0,1}');
  const sequence = (part: fc.Arbitrary<string>) =>
    fc
      .array(
        fc.tuple(part, quantifier).map(([a, q]) => a + q),
        { minLength: 1, maxLength: 3 },
      )
      .map((s) => s.join(''));
  const alternatives = (part: fc.Arbitrary<string>) =>
    fc.array(sequence(part), { minLength: 1, maxLength: 3 }).map((a) => a.join('|'));
  // Two levels of groups: enough for every shape in ShortNumberMetadata.xml.
  const pattern = alternatives(
    fc.oneof(
      leaf,
      alternatives(leaf).map((inner) => `(?:${inner})`),
    ),
  );

  it('matches brute force over a RegExp on random patterns', () => {
    let compared = 0;
    fc.assert(
      fc.property(pattern, (text) => {
        let expanded: Set<string>;
        try {
          expanded = expandPattern(text);
        } catch {
          // Only a pattern over the bound may be refused.
          expect(() => expandPattern(text)).toThrow(/more than/);
          return;
        }
        const longest = Math.max(0, ...[...expanded].map((s) => s.length));
        if (longest > 4) return;
        compared++;
        expect([...expanded].sort(), text).toEqual(bruteForce(text, longest + 1));
      }),
      { numRuns: 200 },
    );
    expect(compared).toBeGreaterThan(50);
  });
});

describe('readXml', () => {
  it('reads elements, attributes, text and entities, and skips comments and the DOCTYPE', () => {
    const root = readXml(
      `<?xml version="1.0"?>\n<!-- a comment with <tags> -->\n<!DOCTYPE r [\n  <!-- ]> inside a comment -->\n  <!ELEMENT r (a*)>\n  <!ATTLIST a x CDATA "]>">\n]>\n<r><a x="1 &amp; 2">t&lt;&#65;&#x42;</a><!-- c --><a x='q'/></r>`,
    );
    expect(root.name).toBe('r');
    const [first, second] = childElements(root, 'a');
    expect(first?.attributes.get('x')).toBe('1 & 2');
    expect(first === undefined ? '' : textOf(first)).toBe('t<AB');
    expect(second?.attributes.get('x')).toBe('q');
  });

  it.each([
    ['<r><a></b></r>', 'mismatched tags'],
    ['<r><![CDATA[x]]></r>', 'CDATA'],
    ['<r>&nbsp;</r>', 'an unknown entity'],
    ['<r>a & b</r>', 'a bare ampersand'],
    ['<r a=1/>', 'an unquoted attribute'],
    ['<r a="1" a="2"/>', 'a repeated attribute'],
    ['<r>', 'an unclosed element'],
    ['<r/><s/>', 'two roots'],
    ['text', 'no root element'],
  ])('refuses %s (%s)', (xml) => {
    expect(() => readXml(xml)).toThrow(/XML, line/);
  });
});

describe('parsePossibleLengths', () => {
  it.each([
    ['3', [3]],
    ['2,3', [2, 3]],
    ['3,5', [3, 5]],
    ['[2-4]', [2, 3, 4]],
    ['2,[4-5]', [2, 4, 5]],
  ])('%s → %j', (text, expected) => {
    expect(parsePossibleLengths(text, 'test')).toEqual(expected);
  });

  it.each(['', '3,', 'x', '[4-2]', '[2-]'])('refuses %j', (text) => {
    expect(() => parsePossibleLengths(text, 'test')).toThrow(/possible lengths/);
  });
});

describe('readSourceVersion', () => {
  it('reads the commit, date and tag, across a line break', () => {
    const readme = `from the libphonenumber repository at commit ${'a'.repeat(40)}\n(2026-07-17, after tag v9.0.35).`;
    expect(readSourceVersion(readme)).toEqual({
      commit: 'a'.repeat(40),
      date: '2026-07-17',
      afterTag: 'v9.0.35',
    });
  });

  it('refuses a README that does not name them', () => {
    expect(() => readSourceVersion('no version here')).toThrow(/README/);
  });
});

function metadata(territories: string): string {
  return `<phoneNumberMetadata><territories>${territories}</territories></phoneNumberMetadata>`;
}
function territory(id: string, lengths: string, pattern: string, example: string, extra = ''): string {
  return `<territory id="${id}"><emergency><possibleLengths national="${lengths}"${extra}/><exampleNumber>${example}</exampleNumber><nationalNumberPattern>\n  ${pattern}\n</nationalNumberPattern></emergency></territory>`;
}

describe('readEmergencyTerritories', () => {
  it('expands each pattern, strips its layout whitespace, and lists territories without data', () => {
    const read = readEmergencyTerritories(
      metadata(
        `${territory('AA', '2,3', '1(?:12|[57])', '15')}<territory id="BB"><generalDesc/></territory>`,
      ),
    );
    expect(read.territories).toEqual([
      { region: 'AA', lengths: [2, 3], pattern: '1(?:12|[57])', numbers: ['112', '15', '17'] },
    ]);
    expect(read.without).toEqual(['BB']);
  });

  it.each([
    [territory('AA', '3', '11[02]|15', '112'), 'a number of a length not listed'],
    [territory('AA', '3,4', '11[02]', '112'), 'a length with no number'],
    [territory('AA', '3', '11[02]', '999'), 'an example that is not an emergency number'],
    [territory('AA', '3', '11[02]', '112', ' localOnly="2"'), 'localOnly lengths'],
    [territory('AA', '3', '11[02]', '112') + territory('AA', '3', '112', '112'), 'a repeated territory'],
    [territory('A1', '3', '112', '112'), 'an id that is not a region'],
    [territory('AA', '3', '11*', '112'), 'an infinite pattern'],
  ])('refuses %s (%s)', (territories) => {
    expect(() => readEmergencyTerritories(metadata(territories))).toThrow();
  });
});

describe('renderEmergencyTable', () => {
  it('writes rows sorted by region, numbers joined by spaces, with the source in the header', () => {
    const source = { commit: 'c'.repeat(40), date: '2026-01-01', afterTag: 'v1.0.0' };
    const text = renderEmergencyTable(
      [
        { region: 'ZZ', lengths: [3], pattern: '999', numbers: ['999'] },
        { region: 'AA', lengths: [3], pattern: '11[02]', numbers: ['110', '112'] },
      ],
      source,
    );
    expect(text).toContain(`from commit ${'c'.repeat(40)}`);
    expect(text).toContain('Apache License 2.0');
    expect(text.indexOf("  AA: '110 112',")).toBeLessThan(text.indexOf("  ZZ: '999',"));
  });
});
