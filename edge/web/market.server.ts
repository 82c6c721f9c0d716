/**
 * The market page's server side (the page paints the database's last committed book, committedBook
 * in db/market/read.ts, and never waits for the room): the order forms' action (place with a review step, cancel, amend) through the same room command path
 * as the API, guarded by the session's CSRF token.
 */
import { data } from "@remix-run/cloudflare";
import type { MarketSummary } from "../../db/market/read";
import type { Answer } from "../../party/settlement/types";
import { ApiError } from "../api/http.server";
import { verifySessionCsrf } from "../auth/csrf.server";
import type { ActiveSession } from "../auth/sessions.server";
import type { AppLoadContext } from "../context.server";
import { field } from "../forms.server";
import { sendCommand } from "../market/room.server";
import { formatCount, formatGold } from "../../app/utils/money";
import { orderOutcome } from "../../app/utils/order-words";
import { checkPrice, checkQuantity, checkTicket } from "../../app/utils/ticket";

export interface Review {
  side: "buy" | "sell";
  orderType: "limit" | "market";
  price: number;
  quantity: number;
  clientOrderId: string;
}

/** What the action answers: a review to confirm, the room's answer, or a problem in words. */
export interface TicketResult {
  intent: string;
  review?: Review;
  answer?: Pick<Answer, "ok" | "reason" | "message"> & { status?: string; filled?: number };
  formError?: string;
  fieldErrors?: Record<string, string>;
}

const CLIENT_ORDER_ID = /^[A-Za-z0-9_.:-]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The ticket's fields with the same checks as the page's ticket (app/utils/ticket.ts): the market's
 * tick and lot and the bounds of party/bounds.ts that the API applies, each message naming its field.
 */
export function readTicket(form: FormData, market: Pick<MarketSummary, "name" | "tickSize" | "lotSize" | "takerFeeBps">): Review | { fieldErrors: Record<string, string> } {
  const fieldErrors: Record<string, string> = {};
  const side = field(form, "side");
  const orderType = field(form, "orderType") || "limit";
  if (side !== "buy" && side !== "sell") fieldErrors.side = "Choose whether to buy or sell.";
  if (orderType !== "limit" && orderType !== "market") fieldErrors.orderType = "Choose a limit or a market order.";
  const check = checkTicket({ side: side === "sell" ? "sell" : "buy", orderType: orderType === "market" ? "market" : "limit", price: field(form, "price"), quantity: field(form, "quantity") }, market);
  Object.assign(fieldErrors, check.errors);
  const clientOrderId = field(form, "clientOrderId");
  if (!CLIENT_ORDER_ID.test(clientOrderId)) fieldErrors.clientOrderId = "This form has expired. Reload the page and enter the order again.";
  if (Object.keys(fieldErrors).length) return { fieldErrors };
  return { side: side as Review["side"], orderType: orderType as Review["orderType"], price: check.price!, quantity: check.quantity!, clientOrderId };
}

/** A message that may come from the API's plumbing ("no market x") as a sentence for the page. */
const sentence = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}${/[.!?]$/.test(s) ? "" : "."}`;

function summarize(answer: Answer, intent: string, market: MarketSummary) {
  const o = answer.order;
  const message =
    answer.ok && intent === "amend" && o
      ? `Amended: your ${o.side} order now has ${formatCount(o.remaining)} ${market.name} on the book${o.price === null ? "" : ` at ${formatGold(o.price)} gold`}.`
      : orderOutcome(answer, market.name);
  return { ok: answer.ok, reason: answer.reason, message, ...(o ? { status: o.status, filled: o.filled } : {}) };
}

/** The market page's action. Expected failures come back as data with a 4xx status, in words. */
export async function marketAction(request: Request, context: AppLoadContext, session: ActiveSession, market: MarketSummary, form: FormData) {
  const intent = field(form, "intent");
  const csrf = verifySessionCsrf(request, form, session);
  if (csrf) return data<TicketResult>({ intent, formError: csrf.message }, { status: csrf.status });

  const run = async (command: Parameters<typeof sendCommand>[3]) => {
    try {
      const answer = await sendCommand(context.env, market.slug, session.player.id, command, context.trace);
      return data<TicketResult>({ intent, answer: summarize(answer, intent, market) }, { status: answer.ok ? 200 : 409 });
    } catch (error) {
      if (error instanceof ApiError) return data<TicketResult>({ intent, formError: sentence(error.message) }, { status: error.status });
      throw error;
    }
  };

  switch (intent) {
    case "review":
    case "place": {
      const ticket = readTicket(form, market);
      if ("fieldErrors" in ticket) return data<TicketResult>({ intent, formError: Object.values(ticket.fieldErrors).join(" "), fieldErrors: ticket.fieldErrors }, { status: 400 });
      if (intent === "review") return data<TicketResult>({ intent, review: ticket });
      return run({
        type: "place",
        clientOrderId: ticket.clientOrderId,
        side: ticket.side,
        orderType: ticket.orderType,
        quantity: ticket.quantity,
        ...(ticket.orderType === "limit" ? { price: ticket.price } : { priceLimit: ticket.price }),
      });
    }
    case "cancel":
    case "amend": {
      const orderId = field(form, "orderId");
      if (!UUID.test(orderId)) return data<TicketResult>({ intent, formError: "That order could not be found. Reload the page to see your open orders." }, { status: 400 });
      if (intent === "cancel") return run({ type: "cancel", orderId });
      // The same tick, lot and bounds as a new order, each message naming its field.
      const p = field(form, "price") ? checkPrice(field(form, "price"), market) : undefined;
      const q = field(form, "quantity") ? checkQuantity(field(form, "quantity"), market) : undefined;
      const fieldErrors = { ...(p?.error ? { price: p.error } : {}), ...(q?.error ? { quantity: q.error } : {}) };
      if (!p && !q) return data<TicketResult>({ intent, formError: "Enter a new price or quantity to amend the order." }, { status: 400 });
      if (Object.keys(fieldErrors).length) return data<TicketResult>({ intent, formError: Object.values(fieldErrors).join(" "), fieldErrors }, { status: 400 });
      return run({ type: "amend", orderId, ...(p?.price ? { price: p.price } : {}), ...(q?.quantity ? { quantity: q.quantity } : {}) });
    }
    default:
      return data<TicketResult>({ intent, formError: "That action is not known. Reload the page and try again." }, { status: 400 });
  }
}
