/**
 * What an NPC trader wants to do next: pure functions of the market's reference price, its rules
 * (tick, lot) and a seeded random stream. No I/O: npc/history.ts feeds the answers to a market
 * session, npc/live.ts to the HTTP API. Prices and quantities are integers (copper, items).
 */
import type { Rng } from "../party/engine/random-stream";

export interface Rules {
  tickSize: number;
  lotSize: number;
}

export interface Quote {
  side: "buy" | "sell";
  price: number;
  quantity: number;
}

/**
 * One step of the reference price's random walk, in whole ticks: a step of about 0.6% either way
 * and a pull back towards the anchor (5% of the gap), kept between half and twice the anchor. On a
 * cheap item where that is less than a tick, it moves one tick with that probability instead, so
 * a price of 8 copper drifts as gently as one of 8 gold.
 */
export function walk(reference: number, anchor: number, rules: Rules, rng: Rng): number {
  const ticks = Math.round(reference / rules.tickSize);
  const anchorTicks = Math.round(anchor / rules.tickSize);
  const vol = ticks * 0.006;
  const move = vol >= 1 ? rng.int(-Math.round(vol), Math.round(vol)) : rng.chance(vol * 2) ? (rng.chance(0.5) ? 1 : -1) : 0;
  const pullF = (anchorTicks - ticks) * 0.05;
  const pull = Math.trunc(pullF) + (rng.chance(Math.abs(pullF % 1)) ? Math.sign(pullF) : 0);
  const lo = Math.max(4, Math.ceil(anchorTicks / 2));
  const hi = Math.max(lo, anchorTicks * 2);
  return Math.min(hi, Math.max(lo, ticks + move + pull)) * rules.tickSize;
}

/**
 * A maker's ladder around the reference: `levels` bids below and asks above, the first `offset`
 * steps out (an outer maker quotes behind the inner one). Half-spread ~0.4%, step ~0.3% of the
 * price, each at least one tick; bids never below one tick.
 */
export function ladder(reference: number, rules: Rules, o: { levels: number; offset: number; lots: readonly [number, number]; rng: Rng }): Quote[] {
  const ticks = Math.round(reference / rules.tickSize);
  const half = Math.max(1, Math.round(ticks * 0.004));
  const step = Math.max(1, Math.round(ticks * 0.003));
  const quotes: Quote[] = [];
  for (let k = 0; k < o.levels; k++) {
    const out = half + (o.offset + k) * step;
    const size = () => o.rng.int(o.lots[0], o.lots[1]) * rules.lotSize;
    if (ticks - out >= 1) quotes.push({ side: "buy", price: (ticks - out) * rules.tickSize, quantity: size() });
    quotes.push({ side: "sell", price: (ticks + out) * rules.tickSize, quantity: size() });
  }
  return quotes;
}

/**
 * A taker's order, or none this step (40% of steps): an immediate-or-cancel limit at the best
 * price on the side the reference has moved towards (buys when it rose above the last trade,
 * sells when it fell, a coin toss when flat), for a small size.
 */
export function take(
  book: { bestBid?: number; bestAsk?: number },
  reference: number,
  last: number | undefined,
  rules: Rules,
  o: { lots: readonly [number, number]; rng: Rng },
): Quote | undefined {
  if (o.rng.chance(0.4)) return undefined;
  const lean = last === undefined || reference === last ? 0.5 : reference > last ? 0.75 : 0.25;
  const side = o.rng.chance(lean) ? "buy" : "sell";
  const price = side === "buy" ? book.bestAsk : book.bestBid;
  if (price === undefined) return undefined;
  const lots = o.rng.int(o.lots[0], Math.max(o.lots[0], Math.ceil(o.lots[1] / 2)));
  return { side, price, quantity: lots * rules.lotSize };
}

/** Orders a maker has open, matched to the ladder it wants: amend in place, place what is missing, cancel the rest. */
export interface Resting {
  id: string;
  side: "buy" | "sell";
  price: number;
  remaining: number;
}

export type Change =
  | { type: "amend"; id: string; price: number; quantity: number }
  | { type: "place"; quote: Quote }
  | { type: "cancel"; id: string };

export function reconcile(resting: readonly Resting[], wanted: readonly Quote[]): Change[] {
  const changes: Change[] = [];
  for (const side of ["buy", "sell"] as const) {
    const have = resting.filter((r) => r.side === side);
    const want = wanted.filter((q) => q.side === side);
    want.forEach((q, i) => {
      const r = have[i];
      if (!r) changes.push({ type: "place", quote: q });
      else if (r.price !== q.price || r.remaining !== q.quantity) changes.push({ type: "amend", id: r.id, price: q.price, quantity: q.quantity });
    });
    for (const r of have.slice(want.length)) changes.push({ type: "cancel", id: r.id });
  }
  return changes;
}

/** Best bid and ask of a set of resting orders. */
export function bestOf(orders: Iterable<{ side: string; price: number | null }>): { bestBid?: number; bestAsk?: number } {
  let bestBid: number | undefined;
  let bestAsk: number | undefined;
  for (const o of orders) {
    if (o.price === null) continue;
    if (o.side === "buy") bestBid = Math.max(bestBid ?? 0, o.price);
    else bestAsk = Math.min(bestAsk ?? Number.MAX_SAFE_INTEGER, o.price);
  }
  return { bestBid, bestAsk };
}
