/**
 * Prices and previews in integer copper. Players type gold ("1.25"); it becomes copper (125)
 * with string arithmetic, never through a float.
 */
import { COPPER_PER_GOLD, formatGold } from "./money";

/** "1.25" -> 125, "3" -> 300, "0.5" -> 50; undefined for anything else (negative, 3 decimals...). */
export function parseGold(text: string): number | undefined {
  const m = /^\s*(\d{1,13})(?:[.,](\d{0,2}))?\s*$/.exec(text);
  if (!m) return undefined;
  const copper = Number(m[1]) * COPPER_PER_GOLD + Number((m[2] ?? "").padEnd(2, "0"));
  return Number.isSafeInteger(copper) ? copper : undefined;
}

/** The field text for an amount of copper: 125 -> "1.25" (no thousands separators). */
export const goldInput = (copper: number) => formatGold(copper).replace(/,/g, "");

/** A fee in basis points, rounded down like the room does. */
export const feeOf = (notional: number, bps: number) => Math.floor((notional * bps) / 10_000);

/** Round a price to the market's tick (down), never below one tick. */
export const onTick = (price: number, tick: number) => Math.max(tick, price - (price % tick));

/** Change as a signed percentage with 2 decimals, computed in hundredths of a percent. */
export function percent(change: number | null, open: number | null): string {
  if (change === null || open === null || open === 0) return "–";
  const bp = Math.trunc((change * 10_000) / open);
  const abs = Math.abs(bp);
  return `${bp > 0 ? "+" : bp < 0 ? "−" : ""}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, "0")}%`;
}

/** Direction class for a change: up, down or flat. */
export const trend = (change: number | null | undefined) => (!change ? "flat" : change > 0 ? "up" : "down");

/** Preview of a ticket: what it moves, before the market answers. */
export function preview(side: "buy" | "sell", price: number, quantity: number, takerFeeBps: number) {
  const notional = price * quantity;
  const fee = feeOf(notional, takerFeeBps);
  return { notional, fee, total: side === "buy" ? notional + fee : notional - fee };
}
