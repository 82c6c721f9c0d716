/**
 * The smoke's trade, planned from what the API says (pure): a price the seller's resting ask can sit
 * at as the market's best ask (above every bid, below every other ask), so the buyer's IOC order at
 * that price can only fill against it; and what each player's holdings must be afterwards.
 */
export interface MarketFacts {
  tickSize: number;
  lotSize: number;
  last: number | null;
  /** [price, quantity], best first */
  bids: Array<[number, number]>;
  asks: Array<[number, number]>;
}

export type TradePlan = { ok: true; price: number; quantity: number } | { ok: false; reason: string };

export function planTrade(m: MarketFacts, buyerCopper: number, sellerItems: number): TradePlan {
  const quantity = m.lotSize;
  if (sellerItems < quantity) return { ok: false, reason: `the seller holds ${sellerItems}, the market's lot is ${quantity}` };
  const bestBid = m.bids[0]?.[0];
  const bestAsk = m.asks[0]?.[0];
  // Just above the best bid; with an empty book, the last price or 100 ticks.
  const wanted = bestBid !== undefined ? bestBid + m.tickSize : Math.max(m.tickSize, Math.ceil((m.last ?? 100 * m.tickSize) / m.tickSize) * m.tickSize);
  if (bestAsk !== undefined && wanted >= bestAsk) return { ok: false, reason: `no room inside the spread (best bid ${bestBid}, best ask ${bestAsk}): choose a quieter market with --market` };
  // The buyer pays price x quantity plus at most 100% fees: leave room for any fee schedule.
  if (wanted * quantity * 2 > buyerCopper) return { ok: false, reason: `the buyer's ${buyerCopper} copper cannot pay ${quantity} at ${wanted}: choose a cheaper market with --market` };
  return { ok: true, price: wanted, quantity };
}

export interface Holdings {
  copper: number;
  items: number;
}

/** Both sides of one fill of `quantity` at `price`, each having paid its own fee. */
export function expectedAfter(before: { seller: Holdings; buyer: Holdings }, fill: { price: number; quantity: number; sellerFee: number; buyerFee: number }) {
  const value = fill.price * fill.quantity;
  return {
    seller: { copper: before.seller.copper + value - fill.sellerFee, items: before.seller.items - fill.quantity },
    buyer: { copper: before.buyer.copper - value - fill.buyerFee, items: before.buyer.items + fill.quantity },
  };
}
