/**
 * What a market room settles: commands as players send them, the open orders it remembers, and the
 * plan of one batch (answers, order rows, fills, ledger entries, book deltas) that is written in one
 * transaction and only then published.
 */
import type { LedgerEntry } from "../../db/ledger/types";
import type { AmendCommand, CancelAllCommand, CancelCommand, ExpireCommand, LevelEvent, PlaceCommand, Side, StpMode, TimeInForce } from "../engine";

export interface MarketConfig {
  slug: string;
  itemTypeId: number;
  tickSize: number;
  lotSize: number;
  makerFeeBps: number;
  takerFeeBps: number;
  status: "open" | "halted" | "closed";
  /** The item's name and icon, for alerts' words (loadMarket fills them in). */
  name?: string;
  icon?: string;
}

export type MarketCommand =
  /** The engine's place command without its order id (the room assigns it); expiresAt is epoch ms. */
  | (Omit<PlaceCommand, "orderId" | "clientOrderId"> & { clientOrderId: string })
  | CancelCommand
  | AmendCommand
  | CancelAllCommand
  | ExpireCommand;

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
  /** A trading limit refused it (ADR 027): when that limit lets this order through (epoch ms), if known. */
  resetsAt?: number;
  /** The answer was replayed from an earlier identical request (idempotency). */
  replayed?: boolean;
}

/** Available amounts of the players in a batch, read under row locks. */
export interface Wallets {
  currency: Map<string, number>;
  items: Map<string, number>;
  /** Players whose wallet is frozen (a game server's freeze): they may not place or amend orders. */
  frozen?: Set<string>;
  /** Players with an open debt left by a rollback (ADR 024, 038): no place or amend until it is settled. */
  inDebt?: Set<string>;
}

export interface BatchPlan {
  answers: Answer[];
  /** Final state of every order this batch created or changed. */
  orders: Map<string, OrderRow>;
  fills: FillRow[];
  entries: LedgerEntry[];
  levels: LevelEvent[];
  /** Orders the market ended, not their owner: expired, or canceled by self-trade prevention (alerts). */
  ended: Array<{ orderId: string; reason: "expired" | "self_trade" }>;
  nextFillSeq: number;
  nextPriority: number;
}
