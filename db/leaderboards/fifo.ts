/**
 * Realised profit on market trades with a FIFO cost basis (pure). A player's market purchases of an
 * item are lots [quantity, cost], oldest first, cost in copper with the buyer's fee. A sale takes the
 * oldest lots first; a lot taken in part gives up floor(cost x taken / quantity) (BigInt: cost x
 * quantity may pass 2^53) and keeps the rest, so the last unit of a lot carries its remainder and
 * a lot's whole cost is always used exactly. Units sold with no market purchase behind them (loot,
 * starter kits, offers) have no cost: their net proceeds are all profit.
 */
export type Lot = [quantity: number, cost: number];

/** The lots after a purchase of `quantity` for `cost` copper (fee included). */
export function bought(lots: Lot[], quantity: number, cost: number): Lot[] {
  return [...lots, [quantity, cost]];
}

/** The lots after a sale of `quantity`, and the cost basis of what was sold. */
export function sold(lots: Lot[], quantity: number): { lots: Lot[]; cost: number } {
  const left: Lot[] = [];
  let wanted = quantity;
  let cost = 0;
  for (const [q, c] of lots) {
    if (wanted === 0) {
      left.push([q, c]);
    } else if (q <= wanted) {
      cost += c;
      wanted -= q;
    } else {
      const part = Number((BigInt(c) * BigInt(wanted)) / BigInt(q));
      cost += part;
      left.push([q - wanted, c - part]);
      wanted = 0;
    }
  }
  return { lots: left, cost };
}

/** Realised profit of a sale: price x quantity less the seller's fee less the FIFO cost. */
export function realised(notional: number, fee: number, cost: number): number {
  return notional - fee - cost;
}
