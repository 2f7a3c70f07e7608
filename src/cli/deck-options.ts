// The rate-deck options of the CLI (`--rates-columns`, `--rates-delimiter`) read into the library's
// RateDeckCsvOptions, which validates the rest (a header name that is not in the deck, …).
import type { CsvDelimiter, DeckColumn, RateDeckCsvOptions } from '../index.js';
import { quote } from '../text.js';

type ColumnOption = Exclude<keyof RateDeckCsvOptions, 'delimiter' | 'header'>;

/** The role names `--rates-columns` takes, and the library option each sets. */
const ROLE_OPTIONS: Readonly<Record<string, ColumnOption>> = {
  prefix: 'prefixColumn',
  rate: 'rateColumn',
  'effective-date': 'effectiveDateColumn',
  'billing-increment': 'billingIncrementColumn',
  'connection-fee': 'connectionFeeColumn',
  description: 'descriptionColumn',
};

const DELIMITERS: Readonly<Record<string, CsvDelimiter>> = { ',': ',', ';': ';', tab: '\t', '\t': '\t' };

/**
 * Reads `--rates-columns "prefix=Dial Code,rate=3"` (a column by header text, or by number counted
 * from 1 as messages count them) and `--rates-delimiter` (`,`, `;` or `tab`). Returns the options, or
 * why they cannot be read.
 */
export function readDeckOptions(
  columns: string | undefined,
  delimiter: string | undefined,
): { readonly options: RateDeckCsvOptions } | { readonly error: string } {
  const options: { -readonly [K in keyof RateDeckCsvOptions]: RateDeckCsvOptions[K] } = {};
  if (delimiter !== undefined) {
    const given = Object.hasOwn(DELIMITERS, delimiter) ? DELIMITERS[delimiter] : undefined;
    if (given === undefined)
      return { error: `--rates-delimiter must be ",", ";" or "tab", not ${quote(delimiter)}` };
    options.delimiter = given;
  }
  if (columns === undefined) return { options };
  for (const pair of columns.split(',')) {
    const eq = pair.indexOf('=');
    const role = (eq < 0 ? pair : pair.slice(0, eq)).trim();
    const column = eq < 0 ? '' : pair.slice(eq + 1).trim();
    const key = Object.hasOwn(ROLE_OPTIONS, role) ? ROLE_OPTIONS[role] : undefined;
    if (key === undefined || column === '') {
      return {
        error: `--rates-columns takes role=column pairs separated by commas (roles: ${Object.keys(ROLE_OPTIONS).join(', ')}), not ${quote(pair)}`,
      };
    }
    if (options[key] !== undefined) return { error: `--rates-columns names the ${role} column twice` };
    let value: DeckColumn = column;
    if (/^\d+$/.test(column)) {
      const number = Number(column);
      if (number < 1 || !Number.isSafeInteger(number)) {
        return { error: `--rates-columns: column numbers count from 1, not ${quote(column)}` };
      }
      value = number - 1;
    }
    options[key] = value;
  }
  return { options };
}
