/**
 * What an alert says, pure: title, body, where a tap goes, and its icon, in the game's words. Shared
 * by the market batch (fills, orders ended by the market, price alerts), the offers (db/offers) and
 * the tests. Amounts are integer copper and whole items; averages use integer (BigInt) division.
 * The rows these drafts become are the outbox and the notification center (db/schema.ts `alerts`,
 * ADR 013); `dedupeKey` names the cause, so one cause alerts a player once.
 */
import { formatCount, formatGold } from "../money";

export const ALERT_KINDS = [
  "fill",
  "order_ended",
  "offer_received",
  "offer_accepted",
  "offer_declined",
  "offer_countered",
  "offer_withdrawn",
  "offer_expiring",
  "offer_expired",
  "price",
  "sign_in",
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

export interface AlertDraft {
  playerId: string;
  kind: AlertKind;
  title: string;
  body: string;
  url: string;
  icon: string | null;
  data: Record<string, unknown>;
  dedupeKey: string;
  /** Set for a price alert: the draft is written only if the batch's statement fires that alert. */
  priceAlertId?: string;
}

export interface MarketWords {
  slug: string;
  /** The item's name ("Iron Ore"); the slug stands in when it is unknown. */
  name?: string;
  icon?: string | null;
}

const gold = (copper: number) => `${formatGold(copper)} gold`;
const itemName = (m: MarketWords) => m.name ?? m.slug;
const marketUrl = (m: MarketWords) => `/markets/${m.slug}`;

/** One order's fills in one batch, summed. */
export interface OrderFills {
  orderId: string;
  playerId: string;
  side: "buy" | "sell";
  quantity: number;
  /** Sum of price x quantity over the fills (copper). */
  notional: number;
  minPrice: number;
  maxPrice: number;
  /** The first fill's seq in this batch: with the order id, the cause's key. */
  firstSeq: number;
  /** The order after the batch: open quantity left on the book (0 when it is done). */
  remaining: number;
  status: string;
}

/** Average price per item, floored to the copper (integer division). */
export function averagePrice(notional: number, quantity: number): number {
  return Number(BigInt(notional) / BigInt(quantity));
}

export function fillAlert(m: MarketWords, f: OrderFills): AlertDraft {
  const verb = f.side === "buy" ? "Bought" : "Sold";
  const avg = averagePrice(f.notional, f.quantity);
  const at = f.minPrice === f.maxPrice ? `at ${gold(f.minPrice)}` : `at ${gold(avg)} on average`;
  const body =
    f.remaining > 0 && f.status === "open"
      ? `Partly filled: ${formatCount(f.remaining)} still on the book.`
      : f.status === "filled"
        ? `Your ${f.side} order is filled.`
        : `Your ${f.side} order traded ${formatCount(f.quantity)}.`;
  return {
    playerId: f.playerId,
    kind: "fill",
    title: `${verb} ${formatCount(f.quantity)} ${itemName(m)} ${at}`,
    body,
    url: marketUrl(m),
    icon: m.icon ?? null,
    data: { market: m.slug, orderId: f.orderId, side: f.side, quantity: f.quantity, averagePrice: avg, firstFillSeq: f.firstSeq },
    dedupeKey: `fill:${f.orderId}:${f.firstSeq}`,
  };
}

export type EndReason = "expired" | "self_trade";

export function orderEndedAlert(
  m: MarketWords,
  o: { orderId: string; playerId: string; side: "buy" | "sell"; price: number | null; remaining: number; reason: EndReason },
): AlertDraft {
  const what = `${o.side} order for ${formatCount(o.remaining)} ${itemName(m)}${o.price === null ? "" : ` at ${gold(o.price)}`}`;
  return {
    playerId: o.playerId,
    kind: "order_ended",
    title: o.reason === "expired" ? `Your ${o.side} order expired` : `Your ${o.side} order was canceled`,
    body:
      o.reason === "expired"
        ? `Your ${what} reached its expiry time and left the book. What it held is free again.`
        : `Your ${what} would have traded with your own order, so the market canceled it (self-trade prevention). What it held is free again.`,
    url: marketUrl(m),
    icon: m.icon ?? null,
    data: { market: m.slug, orderId: o.orderId, reason: o.reason, remaining: o.remaining },
    dedupeKey: `order_ended:${o.orderId}`,
  };
}

export interface PriceAlertWords {
  id: string;
  playerId: string;
  direction: "above" | "below";
  price: number;
  repeating: boolean;
}

/** `traded` is the batch's highest price for an "above" alert, its lowest for a "below" one. */
export function priceAlert(m: MarketWords, a: PriceAlertWords, traded: number, firedAt: number): AlertDraft {
  return {
    playerId: a.playerId,
    kind: "price",
    title: `${itemName(m)} traded at ${gold(traded)}`,
    body: `Your price alert: ${itemName(m)} at or ${a.direction} ${gold(a.price)}.${a.repeating ? "" : " This alert is done; set a new one on the market page."}`,
    url: marketUrl(m),
    icon: m.icon ?? null,
    data: { market: m.slug, priceAlertId: a.id, direction: a.direction, threshold: a.price, traded },
    // Repeating alerts fire again after their cool-down: the firing time keeps each firing distinct.
    dedupeKey: `price:${a.id}:${firedAt}`,
    priceAlertId: a.id,
  };
}

export type OfferEvent = "received" | "accepted" | "declined" | "countered" | "withdrawn" | "expiring" | "expired";

/** `other` is the other player's name; `offerId` the offer the alert is about (for countered: the counter-offer). */
export function offerAlert(e: OfferEvent, q: { playerId: string; offerId: string; other: string; causeId?: string; expiresAt?: string }): AlertDraft {
  const words: Record<OfferEvent, [string, string]> = {
    received: [`New trade offer from ${q.other}`, "Look it over, then accept, counter or decline."],
    accepted: [`${q.other} accepted your trade offer`, "The swap is done: the items and gold are in your inventory."],
    declined: [`${q.other} declined your trade offer`, "Nothing moved. You can send a new offer."],
    countered: [`${q.other} countered your trade offer`, "They sent a counter-offer: accept it, counter again or decline."],
    withdrawn: [`${q.other} withdrew their trade offer`, "The offer is closed; nothing moved."],
    expiring: [`Your offer from ${q.other} expires soon`, `Accept, counter or decline before it expires${q.expiresAt ? ` (${q.expiresAt.slice(11, 16)} UTC)` : ""}.`],
    expired: [`Your trade offer to ${q.other} expired`, "Nobody answered in time; nothing moved."],
  };
  const [title, body] = words[e];
  return {
    playerId: q.playerId,
    kind: `offer_${e}`,
    title,
    body,
    url: `/offers/${q.offerId}`,
    icon: "🤝",
    data: { offerId: q.offerId, ...(q.causeId ? { causeId: q.causeId } : {}) },
    dedupeKey: `offer_${e}:${q.causeId ?? q.offerId}`,
  };
}

/** Words for a kind on the settings page. */
export const KIND_LABELS: Record<AlertKind, string> = {
  fill: "My orders filled",
  order_ended: "My orders ended by the market (expiry, self-trade)",
  offer_received: "Trade offers received",
  offer_accepted: "My offers accepted",
  offer_declined: "My offers declined",
  offer_countered: "My offers countered",
  offer_withdrawn: "Offers withdrawn by the sender",
  offer_expiring: "Offers to me about to expire",
  offer_expired: "My offers expired",
  price: "Price alerts",
  sign_in: "Sign-ins from a new device",
};
