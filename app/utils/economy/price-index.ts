/**
 * A Laspeyres price index over a basket of items (pure). The basket and its weights come from the
 * base period's trades: each item weighs its traded value there (v0 = q0 x p0, p0 its volume-weighted
 * average price). At each later period t:
 *
 *   index_t = 100 x sum(q0 x p_t) / sum(q0 x p0) = 100 x sum(v0 x p_t / p0) / sum(v0)
 *
 * p_t is the item's volume-weighted average price in t; an item that did not trade in t keeps its
 * last known price (the base price at first). Coverage is the share of the basket's base value whose
 * price was seen in t. The index is a statistic, not an amount: computed in floating point from the
 * integer trades and rounded once, to hundredths, on the way out.
 */
export interface ItemTrades {
  item: number;
  /** Units traded in the period. */
  quantity: number;
  /** Copper paid for them (sum of price x quantity). */
  notional: number;
}

export interface IndexPoint {
  key: string;
  /** 100 = the base period, rounded to hundredths. */
  index: number;
  /** Share of the basket's base value priced by trades in this period, 0..1 rounded to 4 places. */
  coverage: number;
  /** Basket items that traded in this period. */
  priced: number;
}

export interface PriceIndex {
  /** Items in the basket (traded in the base period), heaviest first, with their weights (0..1). */
  basket: Array<{ item: number; weight: number; basePrice: number }>;
  points: IndexPoint[];
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

export function laspeyres(base: ItemTrades[], periods: Array<{ key: string; trades: ItemTrades[] }>): PriceIndex {
  const baseOf = new Map<number, { q0: number; p0: number; v0: number }>();
  for (const t of base) {
    if (t.quantity <= 0 || t.notional <= 0) continue;
    const b = baseOf.get(t.item) ?? { q0: 0, p0: 0, v0: 0 };
    b.q0 += t.quantity;
    b.v0 += t.notional;
    baseOf.set(t.item, b);
  }
  for (const b of baseOf.values()) b.p0 = b.v0 / b.q0;
  const total = [...baseOf.values()].reduce((s, b) => s + b.v0, 0);
  const last = new Map([...baseOf].map(([item, b]) => [item, b.p0]));
  const points: IndexPoint[] = [];
  for (const period of periods) {
    const seen = new Map<number, { q: number; v: number }>();
    for (const t of period.trades) {
      if (!baseOf.has(t.item) || t.quantity <= 0) continue;
      const s = seen.get(t.item) ?? { q: 0, v: 0 };
      s.q += t.quantity;
      s.v += t.notional;
      seen.set(t.item, s);
    }
    for (const [item, s] of seen) last.set(item, s.v / s.q);
    let now = 0;
    let covered = 0;
    for (const [item, b] of baseOf) {
      now += b.q0 * last.get(item)!;
      if (seen.has(item)) covered += b.v0;
    }
    points.push({
      key: period.key,
      index: total === 0 ? 100 : round((100 * now) / total, 2),
      coverage: total === 0 ? 0 : round(covered / total, 4),
      priced: seen.size,
    });
  }
  const basket = [...baseOf]
    .map(([item, b]) => ({ item, weight: round(b.v0 / total, 4), basePrice: round(b.p0, 2) }))
    .sort((a, b) => b.weight - a.weight || a.item - b.item);
  return { basket, points };
}

/** The change from the first point to the last, in percent (rounded to hundredths); 0 with fewer than two. */
export function inflationRate(points: IndexPoint[]): number {
  if (points.length < 2) return 0;
  const first = points[0]!.index;
  const last = points.at(-1)!.index;
  return first === 0 ? 0 : round((last / first - 1) * 100, 2);
}
