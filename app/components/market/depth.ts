/**
 * The depth chart's arithmetic, pure: cumulative quantity by price from the book's levels, the
 * price window around the mid, and the stepped outlines in a 1000 x 1000 box (the SVG stretches it).
 * Amounts stay integers: the mid is kept doubled (bid + ask) and printed exactly ("1.265").
 */
import { formatGold } from "~/utils/money";

/** [price in copper, quantity] as the feed keeps them. */
export type Level = readonly [number, number];

export interface DepthStep {
  price: number;
  quantity: number;
  /** Quantity at this price and every better one (bids: >= price, asks: <= price). */
  total: number;
}

export interface Depth {
  /** Best first: bids high to low, asks low to high. */
  bids: DepthStep[];
  asks: DepthStep[];
  /** Best bid + best ask (twice the mid, an integer); the one side's best doubled when the other is empty; null for an empty book. */
  mid2: number | null;
  /** The price window drawn (copper, fractional: drawing only) and the quantity at the top of the box. */
  lo: number;
  hi: number;
  top: number;
}

export const BOX = 1000;

/** Levels best first (the caller sorts, as sortedLevels does) to cumulative steps. */
export function cumulative(levels: readonly Level[]): DepthStep[] {
  let total = 0;
  return levels.map(([price, quantity]) => ({ price, quantity, total: (total += quantity) }));
}

/**
 * The depth of a book. Levels further than `span` (a fraction of the mid) from the mid are left
 * out, so one stray order at 1 copper does not squash the chart; the window is symmetric around
 * the mid with `pad` of room beyond the furthest level shown.
 */
export function depthOf(bids: readonly Level[], asks: readonly Level[], { span = 0.5, pad = 0.08 } = {}): Depth {
  const bestBid = bids[0]?.[0];
  const bestAsk = asks[0]?.[0];
  const mid2 = bestBid !== undefined && bestAsk !== undefined ? bestBid + bestAsk : bestBid !== undefined ? 2 * bestBid : bestAsk !== undefined ? 2 * bestAsk : null;
  if (mid2 === null) return { bids: [], asks: [], mid2, lo: 0, hi: 1, top: 1 };
  const mid = mid2 / 2;
  const b = cumulative(bids.filter(([p]) => p >= mid * (1 - span)));
  const a = cumulative(asks.filter(([p]) => p <= mid * (1 + span)));
  const reach = Math.max(mid - (b.at(-1)?.price ?? mid), (a.at(-1)?.price ?? mid) - mid, 1);
  const half = reach * (1 + pad);
  const most = Math.max(b.at(-1)?.total ?? 0, a.at(-1)?.total ?? 0, 1);
  return { bids: b, asks: a, mid2, lo: mid - half, hi: mid + half, top: most * 1.12 };
}

/** The mid price in gold, exact: 125 + 128 -> "1.265". */
export function formatMid(mid2: number): string {
  return mid2 % 2 === 0 ? formatGold(mid2 / 2) : `${formatGold((mid2 - 1) / 2)}5`;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** Price to x and total to y in the box (y grows downwards). */
export function scales(d: Pick<Depth, "lo" | "hi" | "top">) {
  return {
    x: (price: number) => round(((price - d.lo) / (d.hi - d.lo)) * BOX),
    y: (total: number) => round(BOX - (total / d.top) * BOX),
  };
}

/**
 * The stepped outline of one side as points: from the best price at zero, up by each level's
 * quantity at its price, flat to the next, and flat to the box's edge after the last (bids to the
 * left, asks to the right).
 */
export function stepPoints(steps: readonly DepthStep[], side: "bid" | "ask", d: Pick<Depth, "lo" | "hi" | "top">): Array<[number, number]> {
  if (steps.length === 0) return [];
  const { x, y } = scales(d);
  const points: Array<[number, number]> = [[x(steps[0]!.price), BOX]];
  let previous = 0;
  for (const s of steps) {
    points.push([x(s.price), y(previous)], [x(s.price), y(s.total)]);
    previous = s.total;
  }
  points.push([side === "bid" ? 0 : BOX, y(previous)]);
  // Consecutive duplicates (the first rise starts where the baseline point is) add nothing.
  return points.filter((p, i) => i === 0 || p[0] !== points[i - 1]![0] || p[1] !== points[i - 1]![1]);
}

/** SVG path data: the outline ("M x,y L x,y ...") and the filled area (closed down to the baseline). */
export function stepPaths(steps: readonly DepthStep[], side: "bid" | "ask", d: Pick<Depth, "lo" | "hi" | "top">) {
  const points = stepPoints(steps, side, d);
  if (points.length === 0) return { line: "", area: "" };
  const line = points.map(([px, py], i) => `${i === 0 ? "M" : "L"}${px},${py}`).join(" ");
  return { line, area: `${line} L${points.at(-1)![0]},${BOX} Z` };
}

/** Cumulative quantity on the side of the mid a price falls on (for the pointer readout). */
export function depthAt(d: Depth, price: number): { side: "bid" | "ask"; total: number } | null {
  if (d.mid2 === null) return null;
  if (price * 2 <= d.mid2) {
    let total = 0;
    for (const s of d.bids) if (s.price >= price) total = s.total;
    return { side: "bid", total };
  }
  let total = 0;
  for (const s of d.asks) if (s.price <= price) total = s.total;
  return { side: "ask", total };
}
