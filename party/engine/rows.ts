import type { OrderId } from "./types";

/**
 * Open orders as rows of one typed buffer (ADR 010, "Orders as rows"): 64 bytes per order, seen
 * as 16 int32 cells and, over the same bytes, 8 float64 cells. What a cancel reads is in the
 * first 32 bytes; fills, views and expiry also read the rest. One row per order (rather than a
 * hot and a cold buffer) means placing an order on a deep book writes one row where it writes
 * two otherwise: the slot it reuses was freed by a recent close, so that row is still in cache.
 * A cancel on a deep book touches the id table, one row and the two rows it is linked to, and
 * no object the GC has to trace.
 *
 * int32 cells (slot * 16 + cell)              float64 cells (slot * 8 + cell)
 *   0 prev in level   1 next in level           3 remaining   4 filled
 *   2 level index     3 player index            5 seq         6 expiresAt (if HAS_EXPIRY)
 *   4 flags           5 numeric id (or -1)      7 unused
 *
 * Links are slot numbers, NONE (-1) for none. A numeric order id below 2^31 sits in the row;
 * other ids (strings, larger numbers) and client order ids live in plain arrays beside the
 * buffer.
 */
export const NONE = -1;

const ROW_BYTES = 64;
export const I_STRIDE = 16;
export const F_STRIDE = 8;
export const PREV = 0;
export const NEXT = 1;
export const LEVEL = 2;
export const PLAYER = 3;
export const FLAGS = 4;
export const NUM_ID = 5;
export const REMAINING = 3;
export const FILLED = 4;
export const SEQ = 5;
export const EXPIRES = 6;

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
  /**
   * Id cells for ids not in the row (strings, large numbers). The id table reads this array: it
   * is replaced only by copy(), on the copy, before anything holds it.
   */
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
    const buf = new ArrayBuffer(capacity * ROW_BYTES);
    this.i = new Int32Array(buf);
    this.f = new Float64Array(buf);
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
    const buf = new ArrayBuffer(cap * ROW_BYTES);
    const f = new Float64Array(buf);
    f.set(this.f);
    this.f = f;
    this.i = new Int32Array(buf);
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
    c.ids = this.ids.slice();
    c.clientIds = this.clientIds.slice();
    c.used = this.used;
    c.free = this.free.slice();
    c.freeN = this.freeN;
    return c;
  }
}
