/**
 * The order ticket's checks, shared by the page (as the player types) and the web form's action
 * (edge/web/market.server.ts), so both say the same thing: the market's tick and lot, the order
 * bounds of party/bounds.ts, and, when the holdings are known, the gold or items the order needs.
 * Every message is a sentence that says what is wrong and what to do; amounts are integer copper.
 */
import { MAX_ORDER_QUANTITY, MAX_PRICE } from "../../party/bounds";
import { COPPER_PER_GOLD, formatCount, formatGold } from "./money";
import { preview } from "./price";

export interface TicketRules {
  name: string;
  tickSize: number;
  lotSize: number;
  takerFeeBps: number;
}

export interface TicketInput {
  side: "buy" | "sell";
  orderType: "limit" | "market";
  price: string;
  quantity: string;
}

export interface TicketCheck {
  price?: number;
  quantity?: number;
  errors: { price?: string; quantity?: string };
  /** What the order moves at most, when price and quantity are both valid. */
  preview?: ReturnType<typeof preview>;
}

const gold = (copper: number) => `${formatGold(copper)} gold`;

/** The price field: gold with at most two decimals, on the tick, within the bounds. */
export function checkPrice(text: string, rules: Pick<TicketRules, "tickSize">): { price?: number; error?: string } {
  const tick = rules.tickSize;
  const m = /^\s*(\d+)(?:[.,](\d*))?\s*$/.exec(text);
  if (!m) return { error: text.trim() === "" ? "Enter a price in gold, like 1.25." : "Enter the price as a number of gold, like 1.25." };
  const [, whole, decimals = ""] = m;
  if (whole!.replace(/^0+/, "").length > 13) return { error: `The price can be at most ${gold(MAX_PRICE)}. Enter a lower price.` };
  const cents = decimals.slice(0, 2).padEnd(2, "0");
  const copper = Number(whole) * COPPER_PER_GOLD + Number(cents);
  const onTick = (c: number) => c % tick === 0 && !/[1-9]/.test(decimals.slice(2));
  if (!onTick(copper)) {
    const lower = copper - (copper % tick);
    const options = [lower, lower + tick].filter((c) => c > 0 && c <= MAX_PRICE).map(formatGold);
    return { error: `The price must be a multiple of ${formatGold(tick)} gold (the tick size).${options.length ? ` Try ${options.join(" or ")}.` : ""}` };
  }
  if (copper <= 0) return { error: `The price must be at least ${gold(tick)}.` };
  if (copper > MAX_PRICE) return { error: `The price can be at most ${gold(MAX_PRICE)}. Enter a lower price.` };
  return { price: copper };
}

/** The quantity field: whole items, in lots, within the bounds. */
export function checkQuantity(text: string, rules: Pick<TicketRules, "lotSize">): { quantity?: number; error?: string } {
  const lot = rules.lotSize;
  const t = text.trim();
  if (!/^\d+$/.test(t)) return { error: t === "" ? `Enter a quantity, like ${formatCount(lot)}.` : `Enter the quantity as a whole number of items, like ${formatCount(lot)}.` };
  const digits = t.replace(/^0+/, "");
  const quantity = Number(digits || "0");
  if (digits.length > 15 || quantity > MAX_ORDER_QUANTITY) return { error: `One order can be at most ${formatCount(MAX_ORDER_QUANTITY)} items. Enter a smaller quantity.` };
  if (quantity === 0) return { error: `The quantity must be at least ${formatCount(lot)}.` };
  if (quantity % lot !== 0) {
    const lower = quantity - (quantity % lot);
    const options = [lower, lower + lot].filter((q) => q > 0 && q <= MAX_ORDER_QUANTITY).map(formatCount);
    return { error: `The quantity must be a multiple of ${formatCount(lot)} (the lot size). Try ${options.join(" or ")}.` };
  }
  return { quantity };
}

/** The largest quantity (in whole lots) whose total cost, fee included, fits the gold. */
export function maxBuyQuantity(goldAvailable: number, price: number, rules: Pick<TicketRules, "lotSize" | "takerFeeBps">): number {
  if (price <= 0) return 0;
  let q = Math.min(MAX_ORDER_QUANTITY, Math.floor(goldAvailable / price));
  q -= q % rules.lotSize;
  while (q > 0 && preview("buy", price, q, rules.takerFeeBps).total > goldAvailable) q -= rules.lotSize;
  return Math.max(0, q);
}

/** The whole ticket; with holdings, also whether the player has the gold (buy) or the items (sell). */
export function checkTicket(input: TicketInput, rules: TicketRules, holdings?: { gold: number; items: number }): TicketCheck {
  const p = checkPrice(input.price, rules);
  const q = checkQuantity(input.quantity, rules);
  const errors: TicketCheck["errors"] = {};
  if (p.error) errors.price = p.error;
  if (q.error) errors.quantity = q.error;
  if (p.price === undefined || q.quantity === undefined) return { price: p.price, quantity: q.quantity, errors };
  const pv = preview(input.side, p.price, q.quantity, rules.takerFeeBps);
  if (holdings && input.side === "sell" && q.quantity > holdings.items) {
    const most = holdings.items - (holdings.items % rules.lotSize);
    errors.quantity =
      most > 0
        ? `You have ${formatCount(holdings.items)} ${rules.name} available to sell. Lower the quantity to ${formatCount(most)} or less.`
        : holdings.items > 0
          ? `You have ${formatCount(holdings.items)} ${rules.name} available, less than one lot of ${formatCount(rules.lotSize)}. Buy more before you sell.`
          : `You have no ${rules.name} available to sell. Buy some first, or cancel a sell order that holds them.`;
  }
  if (holdings && input.side === "buy" && pv.total > holdings.gold) {
    const most = maxBuyQuantity(holdings.gold, p.price, rules);
    const what = input.orderType === "market" ? "at your worst price" : "at this price";
    errors.quantity = `Not enough gold: this order costs up to ${gold(pv.total)} with the fee, and you have ${gold(holdings.gold)} available. ${
      most > 0 ? `Lower the quantity to ${formatCount(most)} or less ${what}, or lower the price.` : "Lower the price, or sell something first."
    }`;
  }
  return { price: p.price, quantity: q.quantity, errors, preview: pv };
}
