import type { OrderId } from "./types";

/**
 * Open orders as rows of typed buffers (ADR 010, "Orders as rows"). The hot row, 32 bytes, is all
 * a cancel reads: seen as 8 int32 cells and, over the same bytes, 4 float64 cells. The cold row
 * (4 float64 cells in another buffer) holds what only fills, views and expiry read. A cancel on a
 * deep book touches the id table, one hot row and the two rows it is linked to, and no object the
 * GC has to trace.
 *
 * hot int32 cells (slot * 8 + cell)       hot float64 (slot * 4 + cell)   cold float64 (slot * 4 + cell)
 *   0 prev in level   1 next in level         3 remaining                    0 filled   1 seq
 *   2 level index     3 player index                                         2 expiresAt
 *   4 flags           5 numeric id (or -1)
 *
 * Links are slot numbers, NONE (-1) for none. A numeric order id below 2^31 sits in the hot row;
 * other ids (strings, larger numbers) and client order ids live in plain arrays beside the
 * buffers, read for events and views only.
 */
export const NONE = -1;

export const I_STRIDE = 8;
export const F_STRIDE = 4;
export const C_STRIDE = 4;
export const PREV = 0;
export const NEXT = 1;
export const LEVEL = 2;
export const PLAYER = 3;
export const FLAGS = 4;
export const NUM_ID = 5;
export const REMAINING = 3;
export const FILLED = 0;
export const SEQ = 1;
export const EXPIRES = 2;

export const LIVE = 1;
export const BUY = 2;
export const POST_ONLY = 4;
export const HAS_EXPIRY = 8;
/** Self-trade prevention mode (0-3) in bits 4-5. */
export const STP_SHIFT = 4;
/** The order has a client order id (in clientIds; otherwise that cell is stale). */
export const HAS_CLIENT_ID = 64;

export class OrderRows {
  i: Int32Array;
  f: Float64Array;
  cold: Float64Array;
  ids: OrderId[] = [];
  clientIds: (string | null)[] = [];
  /** Rows ever used; slots below this are live or free. */
  used = 0;
  private free: Int32Array;
  private freeN = 0;
  /** Closed during the current command: reusable once it is over. */
  private closed: Int32Array;
  private closedN = 0;

  constructor(capacity = 1024) {
    const buf = new ArrayBuffer(capacity * 32);
    this.i = new Int32Array(buf);
    this.f = new Float64Array(buf);
    this.cold = new Float64Array(capacity * C_STRIDE);
    this.free = new Int32Array(capacity);
    this.closed = new Int32Array(64);
  }

  get capacity(): number {
    return this.f.length / F_STRIDE;
  }

  /** A free row for a new order (its cells are to be written by the caller). */
  take(): number {
    if (this.freeN > 0) return this.free[--this.freeN] as number;
    if (this.used === this.capacity) this.grow();
    // Keep the side arrays packed: every slot has a cell from the start.
    this.ids.push(0);
    this.clientIds.push(null);
    return this.used++;
  }

  setId(slot: number, id: OrderId): void {
    if (typeof id === "number" && id < 2147483648) {
      this.i[slot * I_STRIDE + NUM_ID] = id;
    } else {
      this.i[slot * I_STRIDE + NUM_ID] = NONE;
      this.ids[slot] = id;
    }
  }

  id(slot: number): OrderId {
    const n = this.i[slot * I_STRIDE + NUM_ID] as number;
    return n >= 0 ? n : (this.ids[slot] as OrderId);
  }

  release(slot: number): void {
    if (this.closedN === this.closed.length) {
      const next = new Int32Array(this.closedN * 2);
      next.set(this.closed);
      this.closed = next;
    }
    this.closed[this.closedN++] = slot;
  }

  /** End of a command: rows closed during it become free. */
  recycle(): void {
    const n = this.closedN;
    if (n === 0) return;
    if (this.freeN + n > this.free.length) {
      const next = new Int32Array(Math.max(this.free.length * 2, this.freeN + n));
      next.set(this.free);
      this.free = next;
    }
    const free = this.free;
    const closed = this.closed;
    // The side arrays keep their stale cells (a new order overwrites what it uses).
    for (let k = 0; k < n; k++) free[this.freeN++] = closed[k] as number;
    this.closedN = 0;
  }

  private grow(): void {
    const cap = this.capacity * 2;
    const buf = new ArrayBuffer(cap * 32);
    const f = new Float64Array(buf);
    f.set(this.f);
    this.f = f;
    this.i = new Int32Array(buf);
    const cold = new Float64Array(cap * C_STRIDE);
    cold.set(this.cold);
    this.cold = cold;
    const free = new Int32Array(cap);
    free.set(this.free);
    this.free = free;
  }

  /** A copy that shares nothing with this one. */
  copy(): OrderRows {
    const c = new OrderRows(1);
    const buf = this.f.buffer.slice(0);
    c.f = new Float64Array(buf);
    c.i = new Int32Array(buf);
    c.cold = this.cold.slice();
    c.ids = this.ids.slice();
    c.clientIds = this.clientIds.slice();
    c.used = this.used;
    c.free = this.free.slice();
    c.freeN = this.freeN;
    return c;
  }
}

/**
 * Open orders by id -> row slot. Numeric ids in [0, 2^31) go through an open-addressing table of
 * int32 (key, slot) pairs: one cache line per lookup, no allocation (linear probing, Fibonacci
 * hashing, load <= 1/2, deletion by backward shift). String ids, and numeric ids from 2^31 up to
 * 2^53 - 1, go through Maps. "7" and 7 are different keys.
 */
export class SlotIndex {
  private strings = new Map<string, number>();
  private bigs = new Map<number, number>();
  /** Pairs (key, slot); key -1 = empty. */
  private tab: Int32Array;
  private mask: number;
  private shift: number;
  private count = 0;

  constructor(capacity = 1024) {
    this.tab = new Int32Array(capacity * 2).fill(-1);
    this.mask = capacity - 1;
    this.shift = 32 - Math.log2(capacity);
  }

  get size(): number {
    return this.strings.size + this.bigs.size + this.count;
  }

  private home(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> this.shift;
  }

  /** The slot of an open order, or NONE. Any value is safe to look up (it is not validated yet). */
  get(id: OrderId): number {
    if (typeof id === "number") {
      if (id >= 0 && id < 2147483648 && (id | 0) === id) {
        const tab = this.tab;
        const mask = this.mask;
        for (let i = this.home(id); ; i = (i + 1) & mask) {
          const k = tab[2 * i] as number;
          if (k === id) return tab[2 * i + 1] as number;
          if (k === -1) return NONE;
        }
      }
      return this.bigs.get(id) ?? NONE;
    }
    return this.strings.get(id) ?? NONE;
  }

  /** The id must not be present. */
  set(id: OrderId, slot: number): void {
    if (typeof id === "string") {
      this.strings.set(id, slot);
      return;
    }
    if (id >= 2147483648) {
      this.bigs.set(id, slot);
      return;
    }
    if ((this.count + 1) * 2 > this.mask + 1) this.grow();
    const tab = this.tab;
    const mask = this.mask;
    let i = this.home(id);
    while (tab[2 * i] !== -1) i = (i + 1) & mask;
    tab[2 * i] = id;
    tab[2 * i + 1] = slot;
    this.count++;
  }

  delete(id: OrderId): void {
    if (typeof id === "string") {
      this.strings.delete(id);
      return;
    }
    if (id >= 2147483648) {
      this.bigs.delete(id);
      return;
    }
    const tab = this.tab;
    const mask = this.mask;
    let i = this.home(id);
    for (;;) {
      const k = tab[2 * i] as number;
      if (k === id) break;
      if (k === -1) return;
      i = (i + 1) & mask;
    }
    // Backward shift: move later entries of the cluster into the hole unless their home slot is
    // cyclically within (hole, their position]. No tombstones.
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      const k = tab[2 * j] as number;
      if (k === -1) break;
      const h = this.home(k);
      if (i <= j ? i < h && h <= j : i < h || h <= j) continue;
      tab[2 * i] = k;
      tab[2 * i + 1] = tab[2 * j + 1] as number;
      i = j;
    }
    tab[2 * i] = -1;
    this.count--;
  }

  private grow(): void {
    const old = this.tab;
    const cap = (this.mask + 1) * 2;
    this.tab = new Int32Array(cap * 2).fill(-1);
    this.mask = cap - 1;
    this.shift--;
    this.count = 0;
    for (let i = 0; i < old.length; i += 2) {
      const k = old[i] as number;
      if (k !== -1) this.set(k, old[i + 1] as number);
    }
  }

  copy(): SlotIndex {
    const c = new SlotIndex(1);
    c.strings = new Map(this.strings);
    c.bigs = new Map(this.bigs);
    c.tab = this.tab.slice();
    c.mask = this.mask;
    c.shift = this.shift;
    c.count = this.count;
    return c;
  }
}
