/**
 * The one wire protocol between clients (browsers, bots, the edge) and a market room. Plain and
 * platform-free: app/, edge/, party/ and the tests all import it. Incoming messages are validated
 * here, at the socket boundary; numbers must be safe integers (money is never a float).
 */
import { z } from "zod";
import { expiryProblem, MAX_BUDGET, MAX_ORDER_QUANTITY, MAX_PRICE } from "./bounds";
import type { MarketStats } from "./market/stats";
import type { Answer, FillRow, OrderRow } from "./settlement/types";

const bounded = (field: string, max: number) =>
  z.number(`${field} must be a number`).int(`${field} must be a whole number`).min(1, `${field} must be at least 1`).max(max, `${field} must be at most ${max}`);
/** Checked against the clock when the message arrives; the planner checks again at its batch's time. */
const expiresAt = z.number("expiresAt must be a number").superRefine((v, ctx) => {
  const problem = expiryProblem(v, Date.now());
  if (problem) ctx.addIssue({ code: "custom", message: problem });
});
const id = z.uuid("orderId must be a uuid");
const ref = z.string().max(64).optional();
/**
 * The W3C traceparent of the caller's span (ADR 040): the room's command span is its child, and a
 * sampled one's batch and SQL statements join the same trace. Optional on every command.
 */
const traceparent = z.string().regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/, "traceparent must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>)").optional();

export const ClientMessage = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("place"),
    ref,
    traceparent,
    clientOrderId: z.string("clientOrderId must be a string").regex(/^[A-Za-z0-9_.:-]{1,64}$/, "clientOrderId must be 1-64 letters, digits or _.:-"),
    side: z.enum(["buy", "sell"], "side must be buy or sell"),
    orderType: z.enum(["limit", "market"], "orderType must be limit or market"),
    price: bounded("price", MAX_PRICE).optional(),
    quantity: bounded("quantity", MAX_ORDER_QUANTITY),
    timeInForce: z.enum(["GTC", "IOC", "FOK", "POST_ONLY"], "timeInForce must be one of GTC, IOC, FOK, POST_ONLY").optional(),
    stp: z.enum(["none", "cancel_taker", "cancel_maker", "cancel_both"], "stp must be one of none, cancel_taker, cancel_maker, cancel_both").optional(),
    expiresAt: expiresAt.optional(),
    budget: bounded("budget", MAX_BUDGET).optional(),
    priceLimit: bounded("priceLimit", MAX_PRICE).optional(),
  }),
  z.strictObject({ type: z.literal("cancel"), ref, traceparent, orderId: id }),
  z.strictObject({ type: z.literal("amend"), ref, traceparent, orderId: id, price: bounded("price", MAX_PRICE).optional(), quantity: bounded("quantity", MAX_ORDER_QUANTITY).optional() }),
  z.strictObject({ type: z.literal("cancelAll"), ref, traceparent }),
  z.strictObject({ type: z.literal("resync") }),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type CommandMessage = Exclude<ClientMessage, { type: "resync" }>;

/** The edge's HTTP body to a room: a command on behalf of an authenticated player. */
export const ServiceCommand = z.strictObject({ playerId: id, command: ClientMessage, traceparent });

export interface Trade {
  seq: number;
  price: number;
  quantity: number;
  takerSide: "buy" | "sell";
  at: number;
}

export type ServerMessage =
  | { type: "snapshot"; market: string; seq: number; bids: Array<[number, number]>; asks: Array<[number, number]>; trades: Trade[]; stats: MarketStats }
  /**
   * seq is the snapshot seq this update moves to; a client whose seq is not seq - 1 resyncs. A relay
   * room (party/relay.ts) may merge the updates first..seq into one: a client at any seq from
   * first - 1 to seq - 1 applies it (levels are totals; trades it has are skipped by their seq).
   */
  | { type: "update"; seq: number; first?: number; levels: Array<{ side: "buy" | "sell"; price: number; total: number }>; trades: Trade[]; stats: MarketStats }
  | { type: "answer"; ref?: string; answer: Answer }
  | { type: "order"; order: OrderRow }
  | { type: "fill"; fill: FillRow & { market: string } }
  | { type: "error"; code: string; message: string };

export const toTrade = (f: FillRow, at: number): Trade => ({ seq: f.seq, price: f.price, quantity: f.quantity, takerSide: f.takerSide, at });

/** A refused message's ref, when it has a usable one, so that the answer can name it. */
function refOf(value: unknown): string | undefined {
  const ref = (value as { ref?: unknown } | null)?.ref;
  return typeof ref === "string" && ref.length <= 64 ? ref : undefined;
}

export function parseClientMessage(text: string): { ok: true; message: ClientMessage } | { ok: false; message: string; ref?: string } {
  if (text.length > 4_096) return { ok: false, message: "message too large (max 4096 bytes)" };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: "malformed JSON" };
  }
  const parsed = ClientMessage.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0]!;
  const ref = refOf(value);
  // Our messages name their field; zod's own ("Invalid input") get the path in front.
  const field = String(issue.path.at(-1) ?? "");
  const message = field && issue.message.includes(field) ? issue.message : `${issue.path.join(".") || "message"}: ${issue.message}`;
  return { ok: false, message, ...(ref !== undefined ? { ref } : {}) };
}

/**
 * The edge tells a room of a price alert it must add to its index (after the row is committed) or
 * drop (after the row is deleted): POST /parties/main/<slug>?price-alerts with a service token.
 * A room that never hears of a deletion still never fires the alert (the batch's statement checks
 * the row); one that never hears of an addition loads it at its next start (ADR 013).
 */
export const PriceAlertSync = z.discriminatedUnion("op", [
  z.strictObject({
    op: z.literal("add"),
    alert: z.strictObject({
      id,
      playerId: id,
      direction: z.enum(["above", "below"]),
      price: bounded("price", MAX_PRICE),
      cooldownSeconds: z.number().int().min(60).max(604_800).nullable(),
      lastFiredAt: z.number().int().nonnegative().nullable(),
    }),
  }),
  z.strictObject({ op: z.literal("remove"), id }),
]);
export type PriceAlertSync = z.infer<typeof PriceAlertSync>;
