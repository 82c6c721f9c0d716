/**
 * What a market room settles: commands as players send them, the open orders it remembers, and the
 * plan of one batch (answers, order rows, fills, ledger entries, book deltas) that is written in one
 * transaction and only then published.
 */
import type { LedgerEntry } from "../../db/ledger/types";
import type { LevelEvent, Side, StpMode, TimeInForce } from "../engine";

export interface MarketConfig {
  slug: string;
  itemTypeId: number;
  tickSize: number;
  lotSize: number;
  makerFeeBps: number;
  takerFeeBps: number;
  status: "open" | "halted" | "closed";
}

export type MarketCommand =
  | {
      type: "place";
      playerId: string;
      clientOrderId: string;
      side: Side;
      orderType: "limit" | "market";
      price?: number;
      quantity: number;
      timeInForce?: TimeInForce;
      stp?: StpMode;
      /** Epoch milliseconds. */
      expiresAt?: number;
      /** Market buys: the most currency (before fees) the order may spend. */
      budget?: number;
      priceLimit?: number;
    }
  | { type: "cancel"; playerId: string; orderId: string }
  | { type: "amend"; playerId: string; orderId: string; price?: number; quantity?: number }
  | { type: "cancelAll"; playerId: string }
  | { type: "expire"; now: number };

export type OrderStatus = "open" | "filled" | "canceled" | "expired" | "rejected";

/** An order as the orders table holds it. Money fields are integers. */
export interface OrderRow {
  id: string;
  playerId: string;
  clientOrderId: string;
  side: Side;
  kind: "limit" | "market";
  timeInForce: TimeInForce;
  stp: StpMode;
  /** 0, or the code the order was rejected with. */
  code: number;
  price: number | null;
  quantity: number;
  remaining: number;
  filled: number;
  /** What is still reserved for this order: copper for a buy, items for a sell. */
  reserved: number;
  status: OrderStatus;
  seq: number;
  /** Queue position in its price level (restart rebuilds the book in this order). */
  priority: number;
  expiresAt: number | null;
}

export interface FillRow {
  seq: number;
  makerOrderId: string;
  takerOrderId: string;
  makerPlayerId: string;
  takerPlayerId: string;
  takerSide: Side;
  price: number;
  quantity: number;
  makerFee: number;
  takerFee: number;
}

export interface Answer {
  ok: boolean;
  code: number;
  /** Name of the code ("OK", "INSUFFICIENT_FUNDS") and a sentence for people. */
  reason: string;
  message: string;
  order?: OrderRow;
  fills?: FillRow[];
  /** Orders canceled by cancel / cancelAll / expire. */
  canceled?: string[];
  /** The answer was replayed from an earlier identical request (idempotency). */
  replayed?: boolean;
}

/** Available amounts of the players in a batch, read under row locks. */
export interface Wallets {
  currency: Map<string, number>;
  items: Map<string, number>;
}

export interface BatchPlan {
  answers: Answer[];
  /** Final state of every order this batch created or changed. */
  orders: Map<string, OrderRow>;
  fills: FillRow[];
  entries: LedgerEntry[];
  levels: LevelEvent[];
  nextFillSeq: number;
  nextPriority: number;
}
