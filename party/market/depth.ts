/** The published book: price levels as of the last COMMIT, with a sequence number for gap checks. */
import type { LevelEvent } from "../engine";

export interface DepthView {
  seq: number;
  bids: Array<[price: number, total: number]>;
  asks: Array<[price: number, total: number]>;
}

/** A feed update's levels onto a copy of the book: a total is the level's new size, 0 removes it. */
export function applyLevels(bids: Map<number, number>, asks: Map<number, number>, levels: Iterable<{ side: "buy" | "sell"; price: number; total: number }>): void {
  for (const l of levels) {
    const side = l.side === "buy" ? bids : asks;
    if (l.total > 0) side.set(l.price, l.total);
    else side.delete(l.price);
  }
}

/** An update's trades before `known` (newest first), the ones already there skipped by seq; at most `max`. */
export function newTrades<T extends { seq: number }>(known: T[], incoming: T[], max: number): T[] {
  const newest = known.reduce((n, t) => (t.seq > n ? t.seq : n), Number.NEGATIVE_INFINITY);
  const fresh = incoming.filter((t) => t.seq > newest).sort((a, b) => b.seq - a.seq);
  return fresh.length ? [...fresh, ...known].slice(0, max) : known;
}

export class PublishedDepth {
  seq = 0;
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();

  reset(levels: { bids: Array<{ price: number; quantity: number }>; asks: Array<{ price: number; quantity: number }> }): void {
    this.bids.clear();
    this.asks.clear();
    for (const l of levels.bids) this.bids.set(l.price, l.quantity);
    for (const l of levels.asks) this.asks.set(l.price, l.quantity);
  }

  /** Apply one committed batch's level deltas (last one per level wins); returns the net deltas. */
  apply(levels: LevelEvent[]): LevelEvent[] {
    const last = new Map<string, LevelEvent>();
    for (const l of levels) last.set(`${l.side}:${l.price}`, l);
    for (const l of last.values()) {
      const side = l.side === "buy" ? this.bids : this.asks;
      if (l.total === 0) side.delete(l.price);
      else side.set(l.price, l.total);
    }
    if (last.size > 0) this.seq++;
    return [...last.values()];
  }

  view(limit = 50): DepthView {
    const bids = [...this.bids].sort((a, b) => b[0] - a[0]).slice(0, limit);
    const asks = [...this.asks].sort((a, b) => a[0] - b[0]).slice(0, limit);
    return { seq: this.seq, bids, asks };
  }
}
