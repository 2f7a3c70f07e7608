// The memory ledger's call table: (owner, call id) → value, open-addressed with linear probing
// over a typed array of hashes. A Map per account cost a begin + end about a microsecond in cache
// misses with a million ended ids retained; here a probe reads one run of Int32s, and a key's id
// and value are read only when its stored hash matches.
//
// Invariants: a key occupies at most one slot; `hashes[slot]` is EMPTY, TOMBSTONE or the key's hash
// (always odd), and a key's owner is its value's; a tombstone keeps probe chains intact until the
// next rebuild. A key whose id was dropped (dropId) is known by its hash and a second, independent
// 32-bit check of its id: 63 bits with the owner, where a live key compares its id exactly.

/** What owns keys in a {@link CallTable}: an account, with a number mixed into its keys' hashes. */
export interface TableOwner {
  readonly hashSeed: number;
}

/** A value in a {@link CallTable}: it names the owner of its key, which is compared by identity. */
export interface TableValue<Owner extends TableOwner> {
  readonly owner: Owner;
}

const EMPTY = 0;
// Even, so that it never equals a key's hash (those are odd).
const TOMBSTONE = 2;
/** Fewest slots a table has. */
const MIN_SLOTS = 1 << 10;
// Rebuild when used slots (keys and tombstones) pass this share; after a rebuild at most half of it is used.
const MAX_LOAD = 0.7;

/** The 32-bit hash of a call id under a seed, always odd: FNV-1a over UTF-16 code units, then a finalising mix. */
export function hashCallId(id: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) | 0;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h | 1;
}

/**
 * A second 32-bit hash of a call id under a seed, independent of {@link hashCallId} (another
 * algorithm, another seed): a multiply-rotate over UTF-16 code units, then murmur3's finaliser.
 */
export function checkCallId(id: string, seed: number): number {
  let h = (seed ^ 0x9e3779b9) | 0;
  for (let i = 0; i < id.length; i++) {
    h = Math.imul(h + id.charCodeAt(i), 0xcc9e2d51);
    h = (h << 15) | (h >>> 17);
  }
  h ^= id.length;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/**
 * Keys are (owner, id) pairs, compared by owner identity and string equality. `keep` tells a
 * rebuild which values still matter; the rest (stale values their owner no longer sees) go then.
 */
export class CallTable<Owner extends TableOwner, Value extends TableValue<Owner>> {
  #hashes = new Int32Array(0);
  /** Per slot, the check of a dropped id (meaningful only where `#ids` holds none). */
  #checks = new Int32Array(0);
  #ids: (string | undefined)[] = [];
  #values: (Value | undefined)[] = [];
  #mask = 0;
  #used = 0;
  readonly #seed: number;
  readonly #checkSeed: number;
  readonly #keep: (value: Value) => boolean;

  /** `seed` and `checkSeed` should be random, so that nobody can choose ids that collide. */
  constructor(seed: number, checkSeed: number, keep: (value: Value) => boolean) {
    this.#seed = seed | 0;
    this.#checkSeed = checkSeed | 0;
    this.#keep = keep;
    this.#allocate(MIN_SLOTS);
  }

  /** The hash of a key, for {@link find} and {@link insert} when both are needed for one key. */
  hashOf(owner: Owner, id: string): number {
    return hashCallId(id, this.#seed ^ owner.hashSeed);
  }

  /** Slots, and slots in use (keys and tombstones). */
  get load(): { readonly slots: number; readonly used: number } {
    return { slots: this.#mask + 1, used: this.#used };
  }

  /** The key's slot, or -1. `hash` is {@link hashOf} the key. */
  find(owner: Owner, id: string, hash = this.hashOf(owner, id)): number {
    const hashes = this.#hashes;
    const mask = this.#mask;
    // Computed once, and only when a dropped id's hash matches: rare unless the id is that one.
    let check: number | undefined;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const stored = hashes[slot];
      if (stored === EMPTY) return -1;
      if (stored !== hash || this.#values[slot]?.owner !== owner) continue;
      const known = this.#ids[slot];
      if (known === id) return slot;
      if (known !== undefined) continue;
      check ??= checkCallId(id, this.#checkSeed ^ owner.hashSeed);
      if (this.#checks[slot] === check) return slot;
    }
  }

  /** The value in a slot that {@link find} or {@link insert} returned. */
  valueAt(slot: number): Value | undefined {
    return this.#values[slot];
  }

  /** Replaces the value in a slot that {@link find} or {@link insert} returned, with one of the same owner. */
  setValueAt(slot: number, value: Value): void {
    this.#values[slot] = value;
  }

  /**
   * Keeps only the check of the id in a slot that {@link find} or {@link insert} returned: the key is
   * still found, and the id's text can go. For ids that are only remembered, such as ended calls'.
   */
  dropId(slot: number): void {
    const id = this.#ids[slot];
    const owner = this.#values[slot]?.owner;
    if (id === undefined || owner === undefined) return;
    this.#checks[slot] = checkCallId(id, this.#checkSeed ^ owner.hashSeed);
    this.#ids[slot] = undefined;
  }

  /**
   * Adds a key that {@link find} did not find, and returns its slot; `hash` is {@link hashOf} the key.
   * It may rebuild the table first, which moves every slot: a slot read before an insert is not
   * valid after it.
   */
  insert(id: string, value: Value, hash = this.hashOf(value.owner, id)): number {
    if (this.#used + 1 > MAX_LOAD * (this.#mask + 1)) this.rebuild();
    const slot = this.#freeSlot(hash);
    if (this.#hashes[slot] === EMPTY) this.#used++;
    this.#hashes[slot] = hash;
    this.#ids[slot] = id;
    this.#values[slot] = value;
    return slot;
  }

  /** Removes the key in a slot (a tombstone until the next rebuild). Other slots do not move. */
  removeAt(slot: number): void {
    this.#hashes[slot] = TOMBSTONE;
    this.#ids[slot] = undefined;
    this.#values[slot] = undefined;
  }

  /**
   * Rehashes the entries `keep` accepts into a table sized for them (grown or shrunk), dropping the
   * rest and every tombstone. Linear in the slots.
   */
  rebuild(): void {
    const hashes = this.#hashes;
    const checks = this.#checks;
    const ids = this.#ids;
    const values = this.#values;
    let kept = 0;
    for (let slot = 0; slot < hashes.length; slot++) {
      const value = values[slot];
      if (value !== undefined && this.#keep(value)) kept++;
      else values[slot] = undefined;
    }
    let slots = MIN_SLOTS;
    while (kept > (MAX_LOAD / 2) * slots) slots *= 2;
    this.#allocate(slots);
    this.#used = kept;
    for (let old = 0; old < hashes.length; old++) {
      const value = values[old];
      const stored = hashes[old];
      if (value === undefined || stored === undefined) continue;
      const slot = this.#freeSlot(stored);
      this.#hashes[slot] = stored;
      this.#checks[slot] = checks[old] ?? 0;
      this.#ids[slot] = ids[old];
      this.#values[slot] = value;
    }
  }

  // Empty arrays of `slots` slots, a power of two.
  #allocate(slots: number): void {
    this.#hashes = new Int32Array(slots);
    this.#checks = new Int32Array(slots);
    this.#ids = new Array<string | undefined>(slots).fill(undefined);
    this.#values = new Array<Value | undefined>(slots).fill(undefined);
    this.#mask = slots - 1;
  }

  // The first tombstone or empty slot on the hash's probe chain. Only for a key that is absent.
  #freeSlot(hash: number): number {
    const hashes = this.#hashes;
    const mask = this.#mask;
    let slot = hash & mask;
    while (hashes[slot] !== EMPTY && hashes[slot] !== TOMBSTONE) slot = (slot + 1) & mask;
    return slot;
  }
}
