import { NONE } from "./rows";
import type { OrderId } from "./types";

const EMPTY = -1;
/** Longer strings are never valid order ids (validate.ts), so they are never in the table. */
const MAX_ID_LENGTH = 128;

/**
 * Open addressing over one Int32Array of (hash, slot) pairs: linear probing, Fibonacci hashing
 * of the stored hash, load <= 1/2, deletion by backward shift (no tombstones). A miss reads one
 * cache line and allocates nothing. For numeric ids the hash is the id itself; for string ids it
 * is a 31-bit hash of the characters, and the id is compared, only when the hashes are equal,
 * with the id its row holds (`ids`, by slot: the order rows' own array, so the table stores no
 * strings and a cancel reads that cell together with the row).
 */
class SlotTable {
  /** Pairs (hash, slot); hash EMPTY = free bucket. Stored hashes are >= 0. */
  tab: Int32Array;
  private mask: number;
  private shift: number;
  count = 0;

  constructor(
    capacity: number,
    /** The id of the order in each row slot (string tables only). */
    readonly ids: readonly OrderId[] | null,
  ) {
    this.tab = new Int32Array(capacity * 2).fill(EMPTY);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }

  private home(hash: number): number {
    return Math.imul(hash, 0x9e3779b1) >>> this.shift;
  }

  /** The slot stored under a numeric id (hash = id), or NONE. */
  getNumber(id: number): number {
    const tab = this.tab;
    const mask = this.mask;
    for (let i = this.home(id); ; i = (i + 1) & mask) {
      const h = tab[2 * i] as number;
      if (h === id) return tab[2 * i + 1] as number;
      if (h === EMPTY) return NONE;
    }
  }

  /** The slot stored under a string id with this hash, or NONE. */
  getString(hash: number, id: string): number {
    const tab = this.tab;
    const ids = this.ids as readonly OrderId[];
    const mask = this.mask;
    for (let i = this.home(hash); ; i = (i + 1) & mask) {
      const h = tab[2 * i] as number;
      if (h === hash) {
        const slot = tab[2 * i + 1] as number;
        if (ids[slot] === id) return slot;
      } else if (h === EMPTY) {
        return NONE;
      }
    }
  }

  /** The key must not be present (and, for strings, already be in its row). */
  insert(hash: number, slot: number): void {
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const tab = this.tab;
    const mask = this.mask;
    let i = this.home(hash);
    while (tab[2 * i] !== EMPTY) i = (i + 1) & mask;
    tab[2 * i] = hash;
    tab[2 * i + 1] = slot;
    this.count++;
  }

  /** Remove the entry for a numeric id (id = hash) or a string id (still in its row). */
  remove(hash: number, id: OrderId): void {
    const tab = this.tab;
    const ids = this.ids;
    const mask = this.mask;
    let i = this.home(hash);
    for (;;) {
      const h = tab[2 * i] as number;
      if (h === hash && (ids === null || ids[tab[2 * i + 1] as number] === id)) break;
      if (h === EMPTY) return;
      i = (i + 1) & mask;
    }
    // Backward shift: move later entries of the cluster into the hole unless their home bucket is
    // cyclically within (hole, their position].
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const h = tab[2 * j] as number;
      if (h === EMPTY) break;
      const at = this.home(h);
      if (i <= j ? i < at && at <= j : i < at || at <= j) continue;
      tab[2 * i] = h;
      tab[2 * i + 1] = tab[2 * j + 1] as number;
      i = j;
    }
    tab[2 * i] = EMPTY;
    this.count--;
  }

  private grow(): void {
    const old = this.tab;
    const cap = (this.mask + 1) * 2;
    this.tab = new Int32Array(cap * 2).fill(EMPTY);
    this.mask = cap - 1;
    this.shift--;
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) {
      const h = old[i] as number;
      if (h !== EMPTY) this.insert(h, old[i + 1] as number);
    }
  }

  /** A copy over another book's copy of the rows' ids. */
  copy(ids: readonly OrderId[] | null): SlotTable {
    const c = new SlotTable(1, ids);
    c.tab = this.tab.slice();
    c.mask = this.mask;
    c.shift = this.shift;
    c.count = this.count;
    return c;
  }
}

/**
 * 31-bit hash of a string id: murmur3 (32-bit) over the UTF-16 code units taken two at a time,
 * so a 36-character UUID costs 18 rounds. The layout it gives never shows in any result: only
 * the cost of a lookup depends on it.
 */
export function hashId(s: string): number {
  const n = s.length;
  let h = n;
  let i = 0;
  for (; i + 1 < n; i += 2) h = mixWord(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) h = mixWord(h, s.charCodeAt(i));
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 1;
}

function mixWord(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * Open orders by id -> row slot (ADR 010). Numeric ids in [0, 2^31) and string ids each go
 * through a SlotTable (a string id must be in its row, OrderRows.ids, before it is set here and
 * until it is deleted); numeric ids from 2^31 up to 2^53 - 1 (rare: handles are small) through a
 * Map. "7" and 7 are different keys.
 */
export class SlotIndex {
  private numbers: SlotTable;
  private strings: SlotTable;
  private bigs = new Map<number, number>();
  /** The last string hashed, and its hash: a place or cancel looks its id up, then sets or deletes it. */
  private lastId = "";
  private lastHash = hashId("");

  /** `ids`: the order rows' id cells by slot (OrderRows.ids), where string ids are kept. */
  constructor(ids: readonly OrderId[], capacity = 1024) {
    this.numbers = new SlotTable(capacity, null);
    this.strings = new SlotTable(capacity, ids);
  }

  get size(): number {
    return this.strings.count + this.bigs.size + this.numbers.count;
  }

  /** The slot of an open order, or NONE. Any value is safe to look up (it is not validated yet). */
  get(id: OrderId): number {
    if (typeof id === "string") {
      return id.length <= MAX_ID_LENGTH ? this.strings.getString(this.hash(id), id) : NONE;
    }
    if (typeof id === "number") {
      if (id >= 0 && id < 2147483648 && (id | 0) === id) return this.numbers.getNumber(id);
      return this.bigs.get(id) ?? NONE;
    }
    return NONE;
  }

  /** The id must be valid and not present. */
  set(id: OrderId, slot: number): void {
    if (typeof id === "string") this.strings.insert(this.hash(id), slot);
    else if (id >= 2147483648) this.bigs.set(id, slot);
    else this.numbers.insert(id, slot);
  }

  delete(id: OrderId): void {
    if (typeof id === "string") this.strings.remove(this.hash(id), id);
    else if (id >= 2147483648) this.bigs.delete(id);
    else this.numbers.remove(id, id);
  }

  private hash(id: string): number {
    if (id !== this.lastId) {
      this.lastHash = hashId(id);
      this.lastId = id;
    }
    return this.lastHash;
  }

  /** A copy over another book's copy of the rows' ids. */
  copy(ids: readonly OrderId[]): SlotIndex {
    const c = new SlotIndex(ids, 1);
    c.numbers = this.numbers.copy(null);
    c.strings = this.strings.copy(ids);
    c.bigs = new Map(this.bigs);
    return c;
  }
}
