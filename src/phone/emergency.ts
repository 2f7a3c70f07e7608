// Emergency numbers by home region, as a caller in that region dials them. The table is generated
// from Google libphonenumber's ShortNumberMetadata.xml (src/phone/emergency-table.ts, with its source
// commit); nothing is added by hand. See docs/calling-areas.md, "Emergency calls".
import { EMERGENCY_TABLE } from './emergency-table.js';

export { EMERGENCY_SOURCE } from './emergency-table.js';

const NONE: readonly string[] = /* @__PURE__ */ Object.freeze([]);

// Split and frozen on first use, keyed by the row (regions with the same numbers share one list);
// at most one list per row of the generated table.
const lists = new Map<string, readonly string[]>();

/**
 * The emergency numbers dialable from `region` (an upper-case ISO 3166-1 alpha-2 code): every digit
 * string its `<emergency>` pattern matches, in code-unit order (`["000", "106", "112"]` for AU). A
 * shared, frozen array; empty for a region without emergency data or a string that is not a region.
 */
export function emergencyNumbersOf(region: string): readonly string[] {
  // Own rows only, so "constructor" or "__proto__" is no region.
  const row =
    typeof region === 'string' && Object.hasOwn(EMERGENCY_TABLE, region)
      ? EMERGENCY_TABLE[region]
      : undefined;
  if (row === undefined) return NONE;
  let list = lists.get(row);
  if (list === undefined) {
    list = Object.freeze(row.split(' '));
    lists.set(row, list);
  }
  return list;
}
