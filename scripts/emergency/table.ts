// From ShortNumberMetadata.xml to the TypeScript emergency table (src/phone/emergency-table.ts):
// each territory's <emergency> pattern expanded to every number it matches, checked against the
// territory's possible lengths and example number. Pure: the caller reads and writes the files.
import { expandPattern } from './expand.js';
import { childElements, readXml, textOf, type XmlElement } from './xml.js';

/** One territory's emergency numbers as the metadata gives them. */
export interface EmergencyTerritory {
  readonly region: string;
  readonly lengths: readonly number[];
  /** The nationalNumberPattern with its layout whitespace removed, as libphonenumber reads it. */
  readonly pattern: string;
  /** Every number the pattern matches, in code-unit order. */
  readonly numbers: readonly string[];
}

/** Which libphonenumber commit the vendored file is, as its README states it. */
export interface SourceVersion {
  readonly commit: string;
  readonly date: string;
  readonly afterTag: string;
}

function only(parent: XmlElement, name: string, where: string): XmlElement {
  const found = childElements(parent, name);
  if (found.length !== 1) throw new Error(`${where}: expected one <${name}>, found ${found.length}`);
  return found[0] as XmlElement;
}

/** Parses a possibleLengths value: comma-separated lengths and ranges such as "2,3" or "[2-4]". */
export function parsePossibleLengths(text: string, where: string): number[] {
  const lengths = new Set<number>();
  for (const part of text.split(',')) {
    const range = /^\[([0-9]+)-([0-9]+)\]$/.exec(part);
    const from = range === null ? part : range[1];
    const to = range === null ? part : range[2];
    if (!/^[0-9]+$/.test(from ?? '') || !/^[0-9]+$/.test(to ?? '') || Number(from) > Number(to)) {
      throw new Error(`${where}: possible lengths ${JSON.stringify(text)} are not lengths and [a-b] ranges`);
    }
    for (let n = Number(from); n <= Number(to); n++) lengths.add(n);
  }
  return [...lengths].sort((a, b) => a - b);
}

function readTerritory(territory: XmlElement): EmergencyTerritory | undefined {
  const region = territory.attributes.get('id') ?? '';
  if (!/^[A-Z]{2}$/.test(region)) throw new Error(`territory id ${JSON.stringify(region)} is not a region`);
  const where = `territory ${region}`;
  if (childElements(territory, 'emergency').length === 0) return undefined;
  const emergency = only(territory, 'emergency', where);
  const possible = only(emergency, 'possibleLengths', `${where} <emergency>`);
  // Only `national` is expected; `localOnly` lengths would need a decision of their own.
  const attributes = [...possible.attributes.keys()];
  if (attributes.length !== 1 || attributes[0] !== 'national') {
    throw new Error(`${where}: <emergency> possibleLengths has attributes ${attributes.join(', ')}`);
  }
  const lengths = parsePossibleLengths(possible.attributes.get('national') ?? '', where);
  const pattern = textOf(only(emergency, 'nationalNumberPattern', `${where} <emergency>`)).replace(/\s/g, '');
  const numbers = [...expandPattern(pattern)].sort();
  const fullMatch = new RegExp(`^(?:${pattern})$`);
  for (const number of numbers) {
    // The expander and the RegExp must agree; a disagreement is a bug in the expander.
    if (!fullMatch.test(number)) throw new Error(`${where}: ${number} does not match ${pattern}`);
    if (!lengths.includes(number.length)) {
      throw new Error(
        `${where}: emergency number ${number} is not of a possible length (${lengths.join(',')})`,
      );
    }
  }
  for (const length of lengths) {
    if (!numbers.some((n) => n.length === length)) {
      throw new Error(`${where}: possible length ${length} has no emergency number`);
    }
  }
  const example = textOf(only(emergency, 'exampleNumber', `${where} <emergency>`)).trim();
  if (!numbers.includes(example)) throw new Error(`${where}: example ${example} is not an emergency number`);
  return { region, lengths, pattern, numbers };
}

/** Reads every territory of ShortNumberMetadata.xml that has emergency numbers, in file order. */
export function readEmergencyTerritories(xml: string): {
  territories: EmergencyTerritory[];
  without: string[];
} {
  const root = readXml(xml);
  if (root.name !== 'phoneNumberMetadata') throw new Error(`root element is <${root.name}>`);
  const territories: EmergencyTerritory[] = [];
  const without: string[] = [];
  const seen = new Set<string>();
  for (const territory of childElements(only(root, 'territories', 'metadata'), 'territory')) {
    const read = readTerritory(territory);
    const region = territory.attributes.get('id') ?? '';
    if (seen.has(region)) throw new Error(`territory ${region} appears twice`);
    seen.add(region);
    if (read === undefined) without.push(region);
    else territories.push(read);
  }
  return { territories, without };
}

/** The commit, date and tag named in the vendored README ("at commit <sha> (<date>, after tag <tag>)"). */
export function readSourceVersion(readme: string): SourceVersion {
  const match = /at commit ([0-9a-f]{40}) \(([0-9]{4}-[0-9]{2}-[0-9]{2}), after tag (v[0-9.]+)\)/.exec(
    readme.replace(/\s+/g, ' '),
  );
  if (match === null) throw new Error('the README does not say "at commit <sha> (<date>, after tag <tag>)"');
  return { commit: match[1] ?? '', date: match[2] ?? '', afterTag: match[3] ?? '' };
}

/** The TypeScript source of src/phone/emergency-table.ts. */
export function renderEmergencyTable(
  territories: readonly EmergencyTerritory[],
  source: SourceVersion,
): string {
  const rows = [...territories]
    .sort((a, b) => (a.region < b.region ? -1 : 1))
    .map((t) => `  ${t.region}: '${t.numbers.join(' ')}',`);
  return [
    '// GENERATED by scripts/generate-emergency.ts (`npm run generate:emergency`); do not edit.',
    "// Source: Google libphonenumber's resources/ShortNumberMetadata.xml, vendored unchanged in",
    `// scripts/data/libphonenumber/ from commit ${source.commit}`,
    `// (${source.date}, after tag ${source.afterTag}). Copyright (C) 2013 The Libphonenumber Authors,`,
    '// Apache License 2.0 (scripts/data/libphonenumber/LICENSE).',
    "// Each row is every number that territory's <emergency> pattern matches at its possible lengths.",
    '',
    '/** The libphonenumber commit the table was generated from. */',
    'export const EMERGENCY_SOURCE = {',
    `  commit: '${source.commit}',`,
    `  date: '${source.date}',`,
    `  afterTag: '${source.afterTag}',`,
    '} as const;',
    '',
    '/** Emergency numbers by region: digit strings separated by one space, in code-unit order. */',
    'export const EMERGENCY_TABLE: Readonly<Record<string, string>> = {',
    ...rows,
    '};',
    '',
  ].join('\n');
}

/** The generated table's source text from the vendored XML and README. */
export function generateEmergencyTable(xml: string, readme: string): string {
  return renderEmergencyTable(readEmergencyTerritories(xml).territories, readSourceVersion(readme));
}
