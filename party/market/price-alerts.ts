/**
 * The room's index of its market's price alerts, pure (no I/O). "At or above P" alerts sit in an
 * array sorted ascending by P, "at or below P" alerts in one sorted descending, so the alerts a
 * batch's trades reach are a prefix of each: a batch whose highest trade is H fires every "above"
 * alert with P <= H, one whose lowest is L every "below" alert with P >= L (a batch that gaps
 * through a price fires it; a trade exactly at P fires it). Finding them is a binary search plus
 * the prefix: O(log n + fired), never a scan of every alert per trade.
 *
 * Repeating alerts that fired wait out their cool-down in a min-heap by the time they may fire
 * again, outside the sorted arrays, so a price that stays beyond them does not make every batch
 * walk past them. Nothing changes until the batch commits: `candidates()` only reads, `settled()`
 * applies what the batch's statement actually fired (a deleted alert the room still held is not
 * returned by it, and is dropped here).
 */
export interface IndexedPriceAlert {
  id: string;
  playerId: string;
  direction: "above" | "below";
  /** Copper per item. */
  price: number;
  /** null: one-shot. */
  cooldownSeconds: number | null;
  /** Epoch ms of the last firing, or null. */
  lastFiredAt: number | null;
}

export class PriceAlertIndex {
  /** Ascending by price (then id). */
  private above: IndexedPriceAlert[] = [];
  /** Descending by price (then id). */
  private below: IndexedPriceAlert[] = [];
  /** Repeating alerts in their cool-down, a binary min-heap by the time they may fire again. */
  private cooling: Array<{ at: number; alert: IndexedPriceAlert }> = [];
  private readonly byId = new Map<string, IndexedPriceAlert>();

  constructor(alerts: Iterable<IndexedPriceAlert> = []) {
    for (const a of alerts) this.add(a);
  }

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** Add (or replace) an alert. Anything not a positive safe integer price is ignored. */
  add(alert: IndexedPriceAlert): void {
    if (!Number.isSafeInteger(alert.price) || alert.price <= 0) return;
    if (this.byId.has(alert.id)) this.remove(alert.id);
    const a = { ...alert };
    this.byId.set(a.id, a);
    const until = readyAt(a);
    if (until !== null) this.push({ at: until, alert: a });
    else this.insertSorted(a);
  }

  remove(id: string): boolean {
    const a = this.byId.get(id);
    if (!a) return false;
    this.byId.delete(id);
    // A cooling alert stays in the heap as a tombstone (byId no longer names it) and is skipped when it surfaces.
    const list = a.direction === "above" ? this.above : this.below;
    const i = this.lowerBound(list, a);
    if (list[i] === a) list.splice(i, 1);
    return true;
  }

  /**
   * The alerts this batch's trades reach at time `now` (epoch ms), given the batch's lowest and
   * highest trade prices. Only alerts whose cool-down ended by `now` move (back into the sorted
   * arrays: true whether or not the batch commits); what fires changes nothing until `settled()`.
   */
  candidates(low: number, high: number, now: number): Array<{ alert: IndexedPriceAlert; traded: number }> {
    this.thaw(now);
    const out: Array<{ alert: IndexedPriceAlert; traded: number }> = [];
    for (const a of this.above) {
      if (a.price > high) break;
      out.push({ alert: a, traded: high });
    }
    for (const a of this.below) {
      if (a.price < low) break;
      out.push({ alert: a, traded: low });
    }
    return out;
  }

  /**
   * After COMMIT: `fired` are the candidates the batch's statement fired (at `now`), `offered` all the
   * candidates it was given. A one-shot that fired leaves the index, a repeating one starts its
   * cool-down; a candidate that did not fire was deleted or triggered meanwhile, and leaves too.
   */
  settled(offered: Iterable<string>, fired: Iterable<string>, now: number): void {
    const firedSet = new Set(fired);
    for (const id of offered) {
      const a = this.byId.get(id);
      if (!a) continue;
      this.remove(id);
      if (firedSet.has(id) && a.cooldownSeconds !== null) this.add({ ...a, lastFiredAt: now });
    }
    this.thaw(now);
  }

  /** Move alerts whose cool-down ended back into the sorted arrays. */
  thaw(now: number): void {
    while (this.cooling.length > 0 && this.cooling[0]!.at <= now) {
      const { alert } = this.pop()!;
      if (this.byId.get(alert.id) === alert) this.insertSorted(alert);
    }
  }

  private insertSorted(a: IndexedPriceAlert): void {
    const list = a.direction === "above" ? this.above : this.below;
    list.splice(this.upperBound(list, a), 0, a);
  }

  /** Order of a list: above ascending by price, below descending; ties by id. */
  private before(list: IndexedPriceAlert[], x: IndexedPriceAlert, y: IndexedPriceAlert): boolean {
    if (x.price !== y.price) return list === this.above ? x.price < y.price : x.price > y.price;
    return x.id < y.id;
  }

  private lowerBound(list: IndexedPriceAlert[], a: IndexedPriceAlert): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.before(list, list[mid]!, a)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private upperBound(list: IndexedPriceAlert[], a: IndexedPriceAlert): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (!this.before(list, a, list[mid]!)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private push(item: { at: number; alert: IndexedPriceAlert }): void {
    const h = this.cooling;
    h.push(item);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p]!.at <= h[i]!.at) break;
      [h[p], h[i]] = [h[i]!, h[p]!];
      i = p;
    }
  }

  private pop(): { at: number; alert: IndexedPriceAlert } | undefined {
    const h = this.cooling;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l]!.at < h[m]!.at) m = l;
        if (r < h.length && h[r]!.at < h[m]!.at) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i]!, h[m]!];
        i = m;
      }
    }
    return top;
  }
}

/** When a repeating alert may fire again (epoch ms), or null when it may fire now or is one-shot. */
function readyAt(a: IndexedPriceAlert): number | null {
  if (a.cooldownSeconds === null || a.lastFiredAt === null) return null;
  return a.lastFiredAt + a.cooldownSeconds * 1_000;
}
