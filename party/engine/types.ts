import type { ResultCode } from "./codes";

/**
 * The engine's protocol: commands in, one result with its events out.
 *
 * Numbers: every price, quantity, budget and time is a JS number restricted to safe integers
 * (Number.isSafeInteger). Prices are minor currency units per item unit and must be a positive
 * multiple of the market's tickSize; quantities are item units, a positive multiple of lotSize.
 * A resting order's notional (price * quantity) and every price level's total quantity must stay
 * <= Number.MAX_SAFE_INTEGER, so no sum the engine keeps can lose precision (ADR 010).
 */

export type Side = "buy" | "sell";
export type OrderType = "limit" | "market";
/** GTC rests; IOC fills what it can now; FOK fills all now or is rejected; POST_ONLY rests or is rejected. */
export type TimeInForce = "GTC" | "IOC" | "FOK" | "POST_ONLY";
/**
 * Self-trade prevention, decided by the incoming (taker) order when it meets a resting order of the
 * same player: trade anyway, cancel the taker's remainder, cancel the resting order and go on, or both.
 */
export type StpMode = "none" | "cancel_taker" | "cancel_maker" | "cancel_both";

/**
 * An order id: a string of 1-128 characters, or a non-negative safe integer. A numeric id is a
 * handle the engine indexes in its own integer table (no string hashing; see ADR 010), which is
 * what keeps cancels cheap on a deep book. "7" and 7 are different ids. Every type that carries
 * an order id takes it as a parameter that defaults to string, the room's ids.
 */
export type OrderId = string | number;

export interface BookConfig {
  /** Prices must be positive multiples of this (minor currency units). */
  tickSize: number;
  /** Quantities must be positive multiples of this (item units). */
  lotSize: number;
}

// ---------------------------------------------------------------- commands

export interface PlaceCommand<Id extends OrderId = string> {
  type: "place";
  /** Assigned by the caller (the room), unique among the book's open orders. */
  orderId: Id;
  playerId: string;
  /** The player's own id for the order, carried through untouched (idempotency lives in the room). */
  clientOrderId?: string;
  side: Side;
  orderType: OrderType;
  /** Limit price; required for limit orders, absent for market orders. */
  price?: number;
  quantity: number;
  /** Default: GTC for limit, IOC for market. Market orders accept IOC or FOK only. */
  timeInForce?: TimeInForce;
  /** Default "none". */
  stp?: StpMode;
  /** Limit GTC / POST_ONLY only: the order expires at the first `expire` command with now >= expiresAt. */
  expiresAt?: number;
  /** Market buy only: the sum of price * quantity over its fills never exceeds this. */
  budget?: number;
  /** Market only: the worst price it may trade at (highest for a buy, lowest for a sell). */
  priceLimit?: number;
}

export interface CancelCommand<Id extends OrderId = string> {
  type: "cancel";
  orderId: Id;
  /** Must own the order. */
  playerId: string;
}

/**
 * Amend an open order. `quantity` is the new OPEN (remaining) quantity. Reducing it at the same
 * price keeps time priority; increasing it, or changing the price, sends the order to the back of
 * its (new) level. A new price that crosses the book trades at once, as a taker.
 */
export interface AmendCommand<Id extends OrderId = string> {
  type: "amend";
  orderId: Id;
  playerId: string;
  price?: number;
  quantity?: number;
}

/** Expire every order with expiresAt <= now. The engine never reads a clock. */
export interface ExpireCommand {
  type: "expire";
  now: number;
}

export interface CancelAllCommand {
  type: "cancelAll";
  playerId: string;
}

export type Command<Id extends OrderId = string> = PlaceCommand<Id> | CancelCommand<Id> | AmendCommand<Id> | ExpireCommand | CancelAllCommand;

// ---------------------------------------------------------------- events

export interface AcceptedEvent<Id extends OrderId = string> {
  type: "accepted";
  orderId: Id;
  playerId: string;
  clientOrderId: string | null;
  side: Side;
  orderType: OrderType;
  /** null for market orders. */
  price: number | null;
  quantity: number;
  timeInForce: TimeInForce;
  /** Acceptance sequence number, unique and increasing within the book. */
  seq: number;
}

export interface RejectedEvent<Id extends OrderId = string> {
  type: "rejected";
  code: ResultCode;
  command: string;
  orderId: Id | null;
  playerId: string | null;
}

export interface FillEvent<Id extends OrderId = string> {
  type: "fill";
  makerOrderId: Id;
  takerOrderId: Id;
  makerPlayerId: string;
  takerPlayerId: string;
  /** Always the maker's (resting) price. */
  price: number;
  quantity: number;
  takerSide: Side;
  /** Open quantity left on each order after this fill; a maker at 0 has left the book. */
  makerRemaining: number;
  takerRemaining: number;
}

export type CancelReason =
  /** cancel command */
  | "user"
  /** cancelAll command */
  | "cancel_all"
  /** the unfilled remainder of an IOC or market order */
  | "ioc"
  /** self-trade prevention */
  | "self_trade";

export interface CanceledEvent<Id extends OrderId = string> {
  type: "canceled";
  orderId: Id;
  playerId: string;
  side: Side;
  /** null for a market order. */
  price: number | null;
  /** The open quantity released: the room frees its reservation for exactly this. */
  remaining: number;
  reason: CancelReason;
}

export interface AmendedEvent<Id extends OrderId = string> {
  type: "amended";
  orderId: Id;
  playerId: string;
  side: Side;
  oldPrice: number;
  price: number;
  oldRemaining: number;
  remaining: number;
  priorityKept: boolean;
}

export interface ExpiredEvent<Id extends OrderId = string> {
  type: "expired";
  orderId: Id;
  playerId: string;
  side: Side;
  price: number;
  /** The open quantity released. */
  remaining: number;
}

/** A price level's new total open quantity (0: the level is gone). */
export interface LevelEvent {
  type: "level";
  side: Side;
  price: number;
  total: number;
}

export type EngineEvent<Id extends OrderId = string> =
  | AcceptedEvent<Id>
  | RejectedEvent<Id>
  | FillEvent<Id>
  | CanceledEvent<Id>
  | AmendedEvent<Id>
  | ExpiredEvent<Id>
  | LevelEvent;

/**
 * The result of one command.
 *
 * Event order: accepted / amended first (or a single rejected), then fills and self-trade cancels in
 * matching order, then the taker's own canceled (ioc / self_trade) if any, then expired / canceled
 * for expire and cancelAll in (expiresAt, seq) / seq order, and last the level deltas: one per level
 * whose total changed, bids best-first then asks best-first.
 */
export interface CommandResult<Id extends OrderId = string> {
  code: ResultCode;
  events: EngineEvent<Id>[];
  /** place / amend: quantity the order traded in this command (0 otherwise). */
  filled: number;
  /** place / amend: the order's open quantity after the command, 0 if it is not on the book. */
  remaining: number;
  /** place / amend: whether the order is resting on the book after the command. */
  resting: boolean;
}

// ---------------------------------------------------------------- queries

export interface OrderView<Id extends OrderId = string> {
  orderId: Id;
  playerId: string;
  clientOrderId: string | null;
  side: Side;
  price: number;
  remaining: number;
  /** Quantity traded over the order's life. */
  filled: number;
  seq: number;
  timeInForce: "GTC" | "POST_ONLY";
  stp: StpMode;
  expiresAt: number | null;
}

export interface DepthLevel {
  price: number;
  quantity: number;
  orders: number;
}

export interface Depth {
  bids: DepthLevel[];
  asks: DepthLevel[];
}

export interface BookSnapshot<Id extends OrderId = string> {
  version: 1;
  tickSize: number;
  lotSize: number;
  /** The next acceptance sequence number. */
  nextSeq: number;
  /** Best level first, time priority within a level. */
  bids: OrderView<Id>[];
  asks: OrderView<Id>[];
}

/** What both books (fast and reference) offer; the differential tests drive this interface. */
export interface Book<Id extends OrderId = string> {
  readonly config: Readonly<BookConfig>;
  process(command: Command<Id>): CommandResult<Id>;
  bestBid(): number | undefined;
  bestAsk(): number | undefined;
  depth(levels?: number): Depth;
  getOrder(orderId: Id): OrderView<Id> | undefined;
  /** Number of open orders. */
  size(): number;
  /** Earliest expiresAt among open orders, to schedule the room's alarm. */
  nextExpiry(): number | undefined;
  snapshot(): BookSnapshot<Id>;
  stateHash(): string;
  clone(): Book<Id>;
}
