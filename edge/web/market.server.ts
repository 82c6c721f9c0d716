/**
 * The market page's server side: the room's book for the first paint (and for browsers without
 * JavaScript), and the order forms' action (place with a review step, cancel, amend) through the
 * same room command path as the API, guarded by the session's CSRF token.
 */
import { data } from "@remix-run/cloudflare";
import type { MarketSummary } from "../../db/market/read";
import type { ServerMessage } from "../../party/protocol";
import type { Answer } from "../../party/settlement/types";
import { ApiError } from "../api/http.server";
import { verifySessionCsrf } from "../auth/csrf.server";
import type { ActiveSession } from "../auth/sessions.server";
import type { AppLoadContext } from "../context.server";
import { field } from "../forms.server";
import { fetchRoom, sendCommand } from "../market/room.server";
import { parseGold } from "../../app/utils/price";

export type Snapshot = Extract<ServerMessage, { type: "snapshot" }>;

/** The room's snapshot, or null when the room does not answer (the page still renders). */
export async function bookSnapshot(context: AppLoadContext, slug: string, depth = 20): Promise<Snapshot | null> {
  try {
    const response = await fetchRoom(context.env, slug, { query: `?depth=${depth}` });
    return response.ok ? ((await response.json()) as Snapshot) : null;
  } catch {
    return null;
  }
}

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

function readTicket(form: FormData, market: MarketSummary): Review | { fieldErrors: Record<string, string> } {
  const fieldErrors: Record<string, string> = {};
  const side = field(form, "side");
  const orderType = field(form, "orderType") || "limit";
  if (side !== "buy" && side !== "sell") fieldErrors.side = "Choose buy or sell.";
  if (orderType !== "limit" && orderType !== "market") fieldErrors.orderType = "Choose limit or market.";
  const price = parseGold(field(form, "price"));
  if (price === undefined || price <= 0) fieldErrors.price = "Enter a price in gold, like 1.25.";
  else if (price % market.tickSize !== 0) fieldErrors.price = `The price must be a multiple of ${market.tickSize} copper.`;
  const quantity = Number(field(form, "quantity"));
  if (!Number.isSafeInteger(quantity) || quantity <= 0) fieldErrors.quantity = "Enter a whole number of items.";
  else if (quantity % market.lotSize !== 0) fieldErrors.quantity = `The quantity must be a multiple of ${market.lotSize}.`;
  const clientOrderId = field(form, "clientOrderId");
  if (!CLIENT_ORDER_ID.test(clientOrderId)) fieldErrors.clientOrderId = "Reload the page and try again.";
  if (Object.keys(fieldErrors).length) return { fieldErrors };
  return { side: side as Review["side"], orderType: orderType as Review["orderType"], price: price!, quantity, clientOrderId };
}

/** The room's answer in words for the page ("done" says little to a player). */
function words(answer: Answer): string {
  if (!answer.ok) return answer.message;
  const o = answer.order;
  if (answer.canceled?.length) return "Canceled.";
  if (!o) return "Done.";
  if (o.status === "filled") return `Filled: ${o.filled} traded.`;
  if (o.status === "open") return o.filled > 0 ? `Partly filled (${o.filled}); the rest is on the book.` : "Placed: your order is on the book.";
  return `Order ${o.status}.`;
}

const summarize = (answer: Answer) => ({
  ok: answer.ok,
  reason: answer.reason,
  message: words(answer),
  ...(answer.order ? { status: answer.order.status, filled: answer.order.filled } : {}),
});

/** The market page's action. Expected failures come back as data with a 4xx status, in words. */
export async function marketAction(request: Request, context: AppLoadContext, session: ActiveSession, market: MarketSummary, form: FormData) {
  const intent = field(form, "intent");
  const csrf = verifySessionCsrf(request, form, session);
  if (csrf) return data<TicketResult>({ intent, formError: csrf.message }, { status: csrf.status });

  const run = async (command: Parameters<typeof sendCommand>[3]) => {
    try {
      const answer = await sendCommand(context.env, market.slug, session.player.id, command);
      return data<TicketResult>({ intent, answer: summarize(answer) }, { status: answer.ok ? 200 : 409 });
    } catch (error) {
      if (error instanceof ApiError) return data<TicketResult>({ intent, formError: `${error.message}. Nothing was placed.` }, { status: error.status });
      throw error;
    }
  };

  switch (intent) {
    case "review":
    case "place": {
      const ticket = readTicket(form, market);
      if ("fieldErrors" in ticket) return data<TicketResult>({ intent, formError: "Please fix the order.", fieldErrors: ticket.fieldErrors }, { status: 400 });
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
      if (!UUID.test(orderId)) return data<TicketResult>({ intent, formError: "That order could not be found." }, { status: 400 });
      if (intent === "cancel") return run({ type: "cancel", orderId });
      const price = field(form, "price") ? parseGold(field(form, "price")) : undefined;
      const quantity = field(form, "quantity") ? Number(field(form, "quantity")) : undefined;
      if ((price !== undefined && !(price > 0)) || (quantity !== undefined && !(Number.isSafeInteger(quantity) && quantity > 0))) {
        return data<TicketResult>({ intent, formError: "Enter a positive price and a whole quantity." }, { status: 400 });
      }
      return run({ type: "amend", orderId, ...(price ? { price } : {}), ...(quantity ? { quantity } : {}) });
    }
    default:
      return data<TicketResult>({ intent, formError: "Unknown action." }, { status: 400 });
  }
}
