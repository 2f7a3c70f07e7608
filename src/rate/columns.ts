// Which column of a rate deck holds what: found from the header row by name ("Dial Code", "Price per
// Minute", "Effective Date", …), or given by the caller by index or header name, which wins.
import { quote } from '../text.js';

/** What a deck column can hold. */
export type DeckColumnRole =
  | 'prefix'
  | 'rate'
  | 'effectiveDate'
  | 'billingIncrement'
  | 'connectionFee'
  | 'description';

/** The roles in the order they are named in messages; the first two are required. */
export const DECK_ROLES: readonly DeckColumnRole[] = [
  'prefix',
  'rate',
  'effectiveDate',
  'billingIncrement',
  'connectionFee',
  'description',
];

/** How each role is named in messages. */
export const ROLE_NAMES: Readonly<Record<DeckColumnRole, string>> = {
  prefix: 'prefix',
  rate: 'rate',
  effectiveDate: 'effective date',
  billingIncrement: 'billing increment',
  connectionFee: 'connection fee',
  description: 'description',
};

/** Header text in a comparable form: lower case, runs of other characters as one space. */
export function normalizeHeader(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

// Header names of each role, normalized. The rate is matched by its words instead (see isRateHeader).
const NAMES: Readonly<Record<Exclude<DeckColumnRole, 'rate'>, ReadonlySet<string>>> = {
  prefix: new Set([
    'prefix',
    'code',
    'dial code',
    'dialcode',
    'dialing code',
    'dialling code',
    'dial prefix',
    'destination code',
    'destination prefix',
    'prefix code',
    'e164 prefix',
    'number prefix',
  ]),
  effectiveDate: new Set([
    'effective date',
    'effective',
    'effective from',
    'effective since',
    'date effective',
    'effective date utc',
    'eff date',
    'valid from',
    'start date',
    'date',
  ]),
  billingIncrement: new Set([
    'billing increment',
    'billing increments',
    'increment',
    'increments',
    'billing',
    'billing interval',
    'billing cycle',
    'billing unit',
    'interval',
  ]),
  connectionFee: new Set([
    'connection fee',
    'connect fee',
    'connection charge',
    'connect charge',
    'connection cost',
    'setup fee',
    'set up fee',
    'setup charge',
    'connection',
    'setup',
  ]),
  description: new Set([
    'destination',
    'description',
    'country',
    'country name',
    'destination name',
    'name',
    'zone',
    'area',
    'region',
  ]),
};

// Words that qualify a rate header without changing what it is: "Rate (USD/min)", "Price per Minute".
const RATE_QUALIFIERS: ReadonlySet<string> = new Set([
  'usd',
  'us',
  'dollar',
  'dollars',
  'per',
  'a',
  'min',
  'mins',
  'minute',
  'minutes',
  'current',
]);
const RATE_WORDS: ReadonlySet<string> = new Set(['rate', 'price', 'cost', 'tariff']);
const MINUTE_WORDS: ReadonlySet<string> = new Set(['min', 'mins', 'minute', 'minutes']);

/** A rate column: one of rate, price, cost or tariff with qualifiers only, or "per minute", "USD/min". */
function isRateHeader(normalized: string): boolean {
  const words = normalized.split(' ');
  const core = words.filter((w) => !RATE_QUALIFIERS.has(w));
  if (core.length === 0) return words.some((w) => MINUTE_WORDS.has(w));
  return core.length === 1 && RATE_WORDS.has(core[0] ?? '');
}

/** The role a header field names, if any. */
export function roleOfHeader(text: string): DeckColumnRole | undefined {
  const normalized = normalizeHeader(text);
  if (normalized === '') return undefined;
  if (isRateHeader(normalized)) return 'rate';
  for (const role of DECK_ROLES) {
    if (role !== 'rate' && NAMES[role].has(normalized)) return role;
  }
  return undefined;
}

/** A column option: a 0-based index, or the header text of the column. */
export type DeckColumn = number | string;

/** How a column of one role was chosen, for messages. */
export interface ChosenColumn {
  /** 0-based index. */
  readonly index: number;
  /** How messages name it: `column 3 ("Rate")`, or `column 3` in a deck without a header. */
  readonly label: string;
}

/** Names column `index` for a message, with its header text when there is one. */
export function columnLabel(index: number, header: readonly string[] | undefined): string {
  const text = header?.[index];
  return text === undefined || text === '' ? `column ${index + 1}` : `column ${index + 1} (${quote(text)})`;
}

/** A problem with the columns as a whole: what the deck or the options get wrong. */
export type ColumnProblem = {
  readonly code: 'missing-column' | 'ambiguous-column';
  readonly message: string;
};

/**
 * Chooses the column of each role: an option first (by index, or by header text, exact or
 * normalized), then the header's names, then, in a deck without a header, prefix, rate and
 * description in the first three columns. Returns the columns, or the problems with them.
 */
export function chooseColumns(
  options: Partial<Readonly<Record<DeckColumnRole, DeckColumn>>>,
  header: readonly string[] | undefined,
): { columns: Partial<Record<DeckColumnRole, ChosenColumn>> } | { problems: ColumnProblem[] } {
  const columns: Partial<Record<DeckColumnRole, ChosenColumn>> = {};
  const problems: ColumnProblem[] = [];
  const given = new Set<number>();
  for (const role of DECK_ROLES) {
    const option = options[role];
    if (option === undefined) continue;
    let index = -1;
    if (typeof option === 'number') index = option;
    else if (header === undefined) {
      problems.push({
        code: 'missing-column',
        message: `the ${ROLE_NAMES[role]} column is given as ${quote(option)}, a header name, but the deck has no header row`,
      });
      continue;
    } else {
      index = header.indexOf(option);
      if (index < 0) index = header.findIndex((h) => normalizeHeader(h) === normalizeHeader(option));
      if (index < 0) {
        problems.push({
          code: 'missing-column',
          message: `the header has no column ${quote(option)} for the ${ROLE_NAMES[role]}; its columns are ${header.map(quote).join(', ')}`,
        });
        continue;
      }
    }
    columns[role] = { index, label: columnLabel(index, header) };
    given.add(index);
  }
  // A header that names no column at all ("a,b,c") is a header of the old positional layout.
  const named = header?.some((text) => roleOfHeader(text) !== undefined) === true;
  if (header !== undefined && named) {
    const found = new Map<DeckColumnRole, number[]>();
    header.forEach((text, index) => {
      const role = roleOfHeader(text);
      if (role === undefined || given.has(index)) return;
      const list = found.get(role) ?? [];
      list.push(index);
      found.set(role, list);
    });
    for (const [role, indexes] of found) {
      if (columns[role] !== undefined) continue;
      const first = indexes[0] ?? 0;
      // Several description-like columns ("Country", "Destination"): the first is kept.
      if (indexes.length > 1 && role !== 'description') {
        problems.push({
          code: 'ambiguous-column',
          message: `the header names ${indexes.length} ${ROLE_NAMES[role]} columns (${indexes.map((i) => columnLabel(i, header)).join(', ')}); choose one with the ${role}Column option`,
        });
        continue;
      }
      columns[role] = { index: first, label: columnLabel(first, header) };
    }
  } else {
    const positional: readonly [DeckColumnRole, number][] = [
      ['prefix', 0],
      ['rate', 1],
      ['description', 2],
    ];
    for (const [role, index] of positional) {
      if (columns[role] === undefined && !given.has(index))
        columns[role] = { index, label: columnLabel(index, header) };
    }
  }
  for (const role of ['prefix', 'rate'] as const) {
    if (columns[role] !== undefined || problems.length > 0) continue;
    problems.push({
      code: 'missing-column',
      message:
        header === undefined
          ? `no ${role} column: pass the ${role}Column option`
          : `the header (${header.map(quote).join(', ')}) names no ${role} column; name it ${role === 'prefix' ? '"Prefix", "Code" or "Dial Code"' : '"Rate", "Price" or "Price per Minute"'}, or pass the ${role}Column option`,
    });
  }
  const chosen = DECK_ROLES.flatMap((role) => {
    const column = columns[role];
    return column === undefined ? [] : [[role, column.index] as const];
  });
  for (const [role, index] of chosen) {
    const other = chosen.find(([r, i]) => i === index && r !== role);
    if (other !== undefined && DECK_ROLES.indexOf(other[0]) > DECK_ROLES.indexOf(role)) {
      problems.push({
        code: 'ambiguous-column',
        message: `${columnLabel(index, header)} is chosen as both the ${ROLE_NAMES[role]} and the ${ROLE_NAMES[other[0]]} column`,
      });
    }
  }
  return problems.length > 0 ? { problems } : { columns };
}
