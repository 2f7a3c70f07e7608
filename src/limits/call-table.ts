// The memory ledger's call table: (owner, call id) → value, open-addressed with linear probing
// over a typed array of hashes. A Map per account cost a begin + end about a microsecond in cache
// misses with a million ended ids retained; here a probe reads one run of Int32s, and a key's value
// is read only when its stored hash matches. The value carries the key's owner and id: an array of
// ids beside the values was one more cache miss per insert and per find.
//
// Invariants: a key occupies at most one slot; its hash Int32 is EMPTY, TOMBSTONE or the key's hash
// (always odd), and a key's owner and id are its value's; a tombstone keeps probe chains intact until
// the next rebuild. A key whose value has no id is known by its hash and a second, independent 32-bit
// check of its id: 63 bits with the owner, where a key with an id compares it exactly.

/** What owns keys in a {@link CallTable}: an account, with a number mixed into its keys' hashes. */
export interface TableOwner {
  readonly hashSeed: number;
}

/**
 * A value in a {@link CallTable}: it names its key, the owner (compared by identity) and the id
 * (compared as a string). A value with no id stands for a key known only by its id's check.
 */
export interface TableValue<Owner extends TableOwner> {
  readonly owner: Owner;
  readonly id: string | undefined;
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
  // Per slot, two Int32s: the hash, then the check of the key's id (meaningful only where the value
  // has no id). Side by side, so that keeping an id's check writes the line its hash is on.
  #keys = new Int32Array(0);
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
    const keys = this.#keys;
    const mask = this.#mask;
    // Computed once, and only when the hash of a key known by its check matches: rare unless it is this id.
    let check: number | undefined;
    for (let slot = hash & mask; ; slot = (slot + 1) & mask) {
      const stored = keys[2 * slot];
      if (stored === EMPTY) return -1;
      if (stored !== hash) continue;
      const value = this.#values[slot];
      if (value?.owner !== owner) continue;
      const known = value.id;
      if (known === id) return slot;
      if (known !== undefined) continue;
      check ??= checkCallId(id, this.#checkSeed ^ owner.hashSeed);
      if (keys[2 * slot + 1] === check) return slot;
    }
  }

  /** The value in a slot that {@link find} or {@link insert} returned. */
  valueAt(slot: number): Value | undefined {
    return this.#values[slot];
  }

  /**
   * Replaces the value in a slot that {@link find} or {@link insert} returned, with one of the same
   * key: the same owner, and the key's id or none. From a value with no id on, the key is known by
   * its id's check, and the id's text can go (for ids that are only remembered, such as ended calls').
   */
  setValueAt(slot: number, value: Value): void {
    const id = this.#values[slot]?.id;
    if (value.id === undefined && id !== undefined) {
      this.#keys[2 * slot + 1] = checkCallId(id, this.#checkSeed ^ value.owner.hashSeed);
    }
    this.#values[slot] = value;
  }

  /**
   * Adds the key of a value with an id, which {@link find} did not find, and returns its slot; `hash`
   * is {@link hashOf} the key. It may rebuild the table first, which moves every slot: a slot read
   * before an insert is not valid after it.
   */
  insert(value: Value & { readonly id: string }, hash = this.hashOf(value.owner, value.id)): number {
    if (this.#used + 1 > MAX_LOAD * (this.#mask + 1)) this.rebuild();
    const slot = this.#freeSlot(hash);
    if (this.#keys[2 * slot] === EMPTY) this.#used++;
    this.#keys[2 * slot] = hash;
    this.#values[slot] = value;
    return slot;
  }

  /** Removes the key in a slot (a tombstone until the next rebuild). Other slots do not move. */
  removeAt(slot: number): void {
    this.#keys[2 * slot] = TOMBSTONE;
    this.#values[slot] = undefined;
  }

  /**
   * Rehashes the entries `keep` accepts into a table sized for them (grown or shrunk), dropping the
   * rest and every tombstone. Linear in the slots.
   */
  rebuild(): void {
    const keys = this.#keys;
    const values = this.#values;
    let kept = 0;
    for (let slot = 0; slot < values.length; slot++) {
      const value = values[slot];
      if (value !== undefined && this.#keep(value)) kept++;
      else values[slot] = undefined;
    }
    let slots = MIN_SLOTS;
    while (kept > (MAX_LOAD / 2) * slots) slots *= 2;
    this.#allocate(slots);
    this.#used = kept;
    for (let old = 0; old < values.length; old++) {
      const value = values[old];
      const stored = keys[2 * old];
      if (value === undefined || stored === undefined) continue;
      const slot = this.#freeSlot(stored);
      this.#keys[2 * slot] = stored;
      this.#keys[2 * slot + 1] = keys[2 * old + 1] ?? 0;
      this.#values[slot] = value;
    }
  }

  // Empty arrays of `slots` slots, a power of two.
  #allocate(slots: number): void {
    this.#keys = new Int32Array(2 * slots);
    this.#values = new Array<Value | undefined>(slots).fill(undefined);
    this.#mask = slots - 1;
  }

  // The first tombstone or empty slot on the hash's probe chain. Only for a key that is absent.
  #freeSlot(hash: number): number {
    const keys = this.#keys;
    const mask = this.#mask;
    let slot = hash & mask;
    while (keys[2 * slot] !== EMPTY && keys[2 * slot] !== TOMBSTONE) slot = (slot + 1) & mask;
    return slot;
  }
}
