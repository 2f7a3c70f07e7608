// Observations about a compiled allow-list (duplicates, contained and overlapping entries, host
// bits, allow-everything): found once at compile time, from the sorted interval items.
import { quote } from '../text.js';
import type { IpEntry } from './entry.js';
import type { Items, SortedItems } from './intervals.js';
import { FLAG_COVERS_FAMILY, FLAG_HOST_BITS_SET, type ParsedList } from './parsed-list.js';

/** Codes of the observations made about a compiled list; none of them stops compilation. */
export type IpFindingCode =
  | 'duplicate-entry'
  | 'contained-entry'
  | 'overlapping-entries'
  | 'host-bits-set'
  | 'allow-everything';

/**
 * How much a finding matters: `warning`, likely a mistake (`sipguard check --strict` fails on it), or
 * `info`, worth a look. There is no `error`: a finding is about a list that compiled.
 */
export type IpFindingSeverity = 'warning' | 'info';

/** An observation about entry `index` (and, for the pairwise ones, the entry `relatedIndex`). */
export interface IpFinding {
  readonly code: IpFindingCode;
  readonly severity: IpFindingSeverity;
  readonly index: number;
  readonly relatedIndex?: number;
  readonly message: string;
}

/** Every finding of a list, by entry index. */
export function collectFindings(parsed: ParsedList, sorted4: SortedItems, sorted6: SortedItems): IpFinding[] {
  const findings: IpFinding[] = [];
  const { entries, flags } = parsed;
  const describe = (i: number) => `entry ${i} ${quote((entries[i] as IpEntry).source)}`;
  entries.forEach((entry, i) => {
    const entryFlags = flags[i] as number;
    if ((entryFlags & FLAG_HOST_BITS_SET) !== 0) {
      findings.push({
        code: 'host-bits-set',
        severity: 'warning',
        index: i,
        message: `${describe(i)} has host bits set; it is read as its network ${entry.first}-${entry.last}. Write the network address, or the single address if that was meant`,
      });
    }
    if ((entryFlags & FLAG_COVERS_FAMILY) !== 0) {
      findings.push({
        code: 'allow-everything',
        severity: 'warning',
        index: i,
        message: `${describe(i)} allows every IPv${entry.family} address: the list does not restrict IPv${entry.family} registrations`,
      });
    }
  });
  pairFindings(sorted4.items, sorted4.order, describe, findings);
  pairFindings(sorted6.items, sorted6.order, describe, findings);
  return findings.sort((a, b) => a.index - b.index);
}

// One pass over items in `order` (lo asc, end desc, index asc): equal neighbours are duplicates;
// otherwise the item reaching furthest so far either contains the item, overlaps it, or neither.
function pairFindings(
  items: Items,
  order: Uint32Array,
  describe: (index: number) => string,
  findings: IpFinding[],
): void {
  const { lo, end, index } = items;
  let best = order[0] as number; // a position; unused when there are no items
  let runStart = best;
  for (let j = 1; j < order.length; j++) {
    const item = order[j] as number;
    const prev = order[j - 1] as number;
    const itemEnd = end[item] as number;
    if (lo[item] === lo[prev] && itemEnd === end[prev]) {
      findings.push({
        code: 'duplicate-entry',
        severity: 'info',
        index: index[item] as number,
        relatedIndex: index[runStart] as number,
        message: `${describe(index[item] as number)} covers the same addresses as ${describe(index[runStart] as number)}; it adds nothing`,
      });
    } else {
      runStart = item;
      if ((end[best] as number) >= itemEnd) {
        findings.push({
          code: 'contained-entry',
          severity: 'info',
          index: index[item] as number,
          relatedIndex: index[best] as number,
          message: `${describe(index[item] as number)} lies inside ${describe(index[best] as number)}; it adds nothing`,
        });
      } else if ((end[best] as number) > (lo[item] as number)) {
        findings.push({
          code: 'overlapping-entries',
          severity: 'info',
          index: index[item] as number,
          relatedIndex: index[best] as number,
          message: `${describe(index[item] as number)} overlaps ${describe(index[best] as number)}`,
        });
      }
    }
    if (itemEnd > (end[best] as number)) best = item;
  }
}
