/**
 * The alerts one market batch owes, pure: one per (order, batch) that traded (fills summed: "Sold 20
 * Iron Ore at 1.27 gold", the average when it traded at several prices), one per order the market
 * ended (expiry, self-trade prevention), and one per price alert the batch's trades reach (written
 * only if the batch's statement fires it: see db/alerts/write.ts). Players marked as bots are left
 * out by that statement, in SQL, so nothing here needs to know them.
 */
import { fillAlert, orderEndedAlert, priceAlert, type AlertDraft, type MarketWords, type OrderFills } from "../../app/utils/alerts/text";
import type { BatchPlan, MarketConfig, OrderRow } from "../settlement/types";
import type { PriceAlertIndex } from "./price-alerts";

export interface BatchAlerts {
  drafts: AlertDraft[];
  /** Price alerts offered to the statement (PriceAlertIndex.settled needs them). */
  priceAlertIds: string[];
}

export function marketWords(config: MarketConfig): MarketWords {
  return { slug: config.slug, name: config.name, icon: config.icon ?? null };
}

export function batchAlerts(
  config: MarketConfig,
  plan: Pick<BatchPlan, "fills" | "orders" | "ended">,
  open: ReadonlyMap<string, OrderRow>,
  index: PriceAlertIndex | undefined,
  now: number,
): BatchAlerts {
  const words = marketWords(config);
  const drafts: AlertDraft[] = [];
  const byOrder = new Map<string, OrderFills>();
  const orderOf = (id: string) => plan.orders.get(id) ?? open.get(id);
  const add = (orderId: string, playerId: string, side: "buy" | "sell", price: number, quantity: number, seq: number) => {
    let f = byOrder.get(orderId);
    if (!f) {
      const o = orderOf(orderId);
      f = { orderId, playerId, side, quantity: 0, notional: 0, minPrice: price, maxPrice: price, firstSeq: seq, remaining: o?.remaining ?? 0, status: o?.status ?? "filled" };
      byOrder.set(orderId, f);
    }
    f.quantity += quantity;
    f.notional += price * quantity;
    f.minPrice = Math.min(f.minPrice, price);
    f.maxPrice = Math.max(f.maxPrice, price);
  };
  let low = Number.POSITIVE_INFINITY;
  let high = 0;
  for (const fill of plan.fills) {
    const makerSide = fill.takerSide === "buy" ? "sell" : "buy";
    add(fill.makerOrderId, fill.makerPlayerId, makerSide, fill.price, fill.quantity, fill.seq);
    add(fill.takerOrderId, fill.takerPlayerId, fill.takerSide, fill.price, fill.quantity, fill.seq);
    low = Math.min(low, fill.price);
    high = Math.max(high, fill.price);
  }
  for (const f of byOrder.values()) drafts.push(fillAlert(words, f));
  for (const e of plan.ended) {
    const o = orderOf(e.orderId);
    if (!o) continue;
    // The open quantity it had when it left: what the order still wanted.
    const left = Math.max(0, o.quantity - o.filled);
    drafts.push(orderEndedAlert(words, { orderId: o.id, playerId: o.playerId, side: o.side, price: o.price, remaining: left, reason: e.reason }));
  }
  const priceAlertIds: string[] = [];
  if (index && index.size > 0 && plan.fills.length > 0) {
    for (const { alert, traded } of index.candidates(low, high, now)) {
      priceAlertIds.push(alert.id);
      drafts.push(priceAlert(words, { id: alert.id, playerId: alert.playerId, direction: alert.direction, price: alert.price, repeating: alert.cooldownSeconds !== null }, traded, now));
    }
  }
  return { drafts, priceAlertIds };
}
