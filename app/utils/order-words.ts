/**
 * What happened to an order, in a player's words, from the room's answer: shared by the ticket
 * (socket path) and the web form's action (edge/web/market.server.ts).
 *   a limit order that traded completely when it arrived: "filled at once"
 *   one that traded partly and rests:                     "partly filled ... the other N rest on the book"
 *   one that did not trade:                               "placed ... rests on the book"
 *   a market order:                                       "filled at market" (or partly, or not at all)
 */
import type { Answer } from "../../party/settlement/types";
import { formatCount, formatGold } from "./money";

type Fill = { price: number; quantity: number };

/** "1.28 gold", or "1.28-1.31 gold" when the fills were at several prices. */
function prices(fills: Fill[]): string {
  const ps = fills.map((f) => f.price);
  const lo = Math.min(...ps);
  const hi = Math.max(...ps);
  return lo === hi ? `${formatGold(lo)} gold` : `${formatGold(lo)}-${formatGold(hi)} gold`;
}

export function orderOutcome(answer: Pick<Answer, "ok" | "message" | "order" | "fills" | "canceled">, itemName: string): string {
  if (!answer.ok) return answer.message;
  if (answer.canceled?.length) return answer.canceled.length === 1 ? "Order canceled." : `${formatCount(answer.canceled.length)} orders canceled.`;
  const o = answer.order;
  if (!o) return "Done.";
  const fills = (answer.fills ?? []).filter((f) => f.takerOrderId === o.id);
  const verb = o.side === "buy" ? "bought" : "sold";
  const at = fills.length ? ` at ${prices(fills)}` : "";
  if (o.kind === "market") {
    if (o.filled === 0) return `Not filled: no ${o.side === "buy" ? "sellers" : "buyers"} within your price. Nothing was ${verb}.`;
    if (o.filled === o.quantity) return `Filled at market: ${verb} ${formatCount(o.filled)} ${itemName}${at}.`;
    return `Partly filled at market: ${verb} ${formatCount(o.filled)} of ${formatCount(o.quantity)} ${itemName}${at}; the rest found no ${
      o.side === "buy" ? "sellers" : "buyers"
    } within your price and was canceled.`;
  }
  const limit = o.price === null ? "" : ` at ${formatGold(o.price)} gold`;
  if (o.status === "filled") return `Filled at once: ${verb} ${formatCount(o.filled)} ${itemName}${at}.`;
  if (o.status === "open") {
    if (o.filled > 0) return `Partly filled: ${verb} ${formatCount(o.filled)} of ${formatCount(o.quantity)}${at}; the other ${formatCount(o.remaining)} rest on the book${limit}.`;
    return `Placed: your ${o.side} order for ${formatCount(o.quantity)} ${itemName} rests on the book${limit}.`;
  }
  if (o.filled > 0) return `Partly filled: ${verb} ${formatCount(o.filled)} of ${formatCount(o.quantity)}${at}; the rest was ${o.status}.`;
  return `Order ${o.status}.`;
}
