// The accepted entries of a list being compiled, with their bounds copied into typed arrays as each
// entry is parsed. A ParsedEntry (and an IPv6 entry's two four-word arrays) then dies young instead
// of living through the whole compile: at 100k entries, copying those survivors was most of the
// garbage collector's work in IpAllowList.from.
import { coversWholeFamily, type IpEntry, type ParsedEntry } from './entry.js';

/** {@link ParsedList.flags} bit: the entry is IPv6. */
export const FLAG_IPV6 = 1;
/** {@link ParsedList.flags} bit: a CIDR or mask entry with host bits set, read as its network. */
export const FLAG_HOST_BITS_SET = 2;
/** {@link ParsedList.flags} bit: the entry covers its whole family (`0.0.0.0/0`, `::/0`, ...). */
export const FLAG_COVERS_FAMILY = 4;

/**
 * Parsed entries by index, in input order, as the compile and the findings read them: each entry,
 * its flags, and its bounds (IPv4 as numbers, IPv6 as 32-bit words). Add at most `capacity` entries.
 */
export class ParsedList {
  /** The entries, by index. */
  readonly entries: IpEntry[] = [];
  /** Per entry, FLAG_* bits. */
  readonly flags: Uint8Array;
  /** An IPv4 entry's inclusive bounds, by entry index (unset for IPv6 entries). */
  readonly lo4: Float64Array;
  readonly hi4: Float64Array;
  /** An IPv6 entry's ordinal among the IPv6 entries, by entry index (unset for IPv4 entries). */
  readonly ordinal6: Int32Array;
  // Allocated at the first IPv6 entry, for every entry from there on: no growing and copying, and the
  // words of entries that turn out IPv4 are never written (fresh pages cost only once written).
  #bounds6: Uint32Array | undefined;
  #count6 = 0;

  constructor(capacity: number) {
    this.flags = new Uint8Array(capacity);
    this.lo4 = new Float64Array(capacity);
    this.hi4 = new Float64Array(capacity);
    this.ordinal6 = new Int32Array(capacity);
  }

  /** The number of IPv6 entries. */
  get count6(): number {
    return this.#count6;
  }

  /**
   * The IPv6 bounds, cut to size (copied only if the list is not all IPv6): IPv6 entry ordinal k's
   * first address is the four words from 8k, its last the four from 8k + 4.
   */
  bounds6(): Uint32Array {
    const bounds = this.#bounds6 ?? new Uint32Array(0);
    return bounds.length === 8 * this.#count6 ? bounds : bounds.slice(0, 8 * this.#count6);
  }

  /** Appends the next entry. */
  add(parsed: ParsedEntry): void {
    const index = this.entries.length;
    this.entries.push(parsed.entry);
    let flags = parsed.hostBitsSet ? FLAG_HOST_BITS_SET : 0;
    if (coversWholeFamily(parsed)) flags |= FLAG_COVERS_FAMILY;
    if (parsed.family === 4) {
      this.lo4[index] = parsed.lo;
      this.hi4[index] = parsed.hi;
    } else {
      flags |= FLAG_IPV6;
      const ordinal = this.#count6++;
      this.ordinal6[index] = ordinal;
      this.#bounds6 ??= new Uint32Array(8 * (this.flags.length - index));
      const bounds = this.#bounds6;
      const { lo, hi } = parsed;
      const at = 8 * ordinal;
      bounds[at] = lo[0];
      bounds[at + 1] = lo[1];
      bounds[at + 2] = lo[2];
      bounds[at + 3] = lo[3];
      bounds[at + 4] = hi[0];
      bounds[at + 5] = hi[1];
      bounds[at + 6] = hi[2];
      bounds[at + 7] = hi[3];
    }
    this.flags[index] = flags;
  }
}
