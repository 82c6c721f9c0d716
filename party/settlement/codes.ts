/** Room-level result codes, in the engine's ranges (see party/engine/codes.ts). */
import { ResultCode as EngineCode, resultCodeName } from "../engine";

export const RoomCode = {
  BUDGET_REQUIRED: 120,
  INVALID_COMMAND: 121,
  INSUFFICIENT_FUNDS: 210,
  INSUFFICIENT_ITEMS: 211,
  MARKET_NOT_OPEN: 220,
  RATE_LIMITED: 230,
  /** The room is too far behind to take another order now (ADR 048): nothing changed; retry shortly. */
  MARKET_BUSY: 231,
  ACCOUNT_FROZEN: 240,
  /** An open debt left by a rollback (ADR 038): settled out of what comes in, then the player trades again. */
  IN_DEBT: 241,
  /** Trading limits of the item type (ADR 027): the answer's message and resetsAt say when it lifts. */
  BUY_LIMIT_REACHED: 250,
  ACCOUNT_TOO_NEW: 251,
  ORDER_VALUE_TOO_HIGH: 252,
  RETRY: 500,
} as const;

const roomNames = new Map<number, string>(Object.entries(RoomCode).map(([k, v]) => [v, k]));

export const codeName = (code: number) => roomNames.get(code) ?? resultCodeName(code);

/**
 * One sentence per code for people, in the style of every message players and API clients read:
 * what is wrong, then what to do, capitalised, with a full stop. Fields are named as the API spells
 * them. The machine name stays in the answer's `reason` (and the API's `code`).
 */
const messages: Record<string, string> = {
  OK: "Done.",
  BUDGET_REQUIRED: "A market buy needs a budget or a price limit, so the gold can be reserved. Give a worst price (priceLimit) or a budget.",
  INVALID_COMMAND: "The market did not understand this command. Check its fields and send it again.",
  INSUFFICIENT_FUNDS: "Not enough available currency for this order: price x quantity plus the fee is more than you have free. Lower the quantity or the price.",
  INSUFFICIENT_ITEMS: "Not enough available items for this sell order. Lower the quantity, or cancel a sell order that holds them.",
  MARKET_NOT_OPEN: "This market is not open for trading right now. Try again when it reopens.",
  RATE_LIMITED: "Too many orders at once: slow down and try again in a moment.",
  MARKET_BUSY: "The market is too busy to take this order right now, and nothing changed. Send it again in a moment.",
  ACCOUNT_FROZEN: "Your account is frozen: you cannot place or amend orders while it is. Your currency and items stay yours; contact the game's support.",
  IN_DEBT: "You are in debt after a rollback: you cannot place or amend orders until it is paid. What you receive (fills of your open orders, rewards, offers) pays it first; see your debts in your account.",
  BUY_LIMIT_REACHED: "Buy limit reached for this item: you may buy more once earlier purchases leave the limit's window.",
  ACCOUNT_TOO_NEW: "Your account is too new to sell this item yet. Try again when it is older.",
  ORDER_VALUE_TOO_HIGH: "This order is worth more than a new account may place for this item. Lower the quantity or the price.",
  RETRY: "The market could not save this batch, and nothing changed. Please try again.",
  UNKNOWN_COMMAND: "The command type must be one of place, cancel, amend or cancelAll.",
  INVALID_ORDER_ID: "That order id is not valid: orderId must be an order's uuid.",
  INVALID_PLAYER_ID: "The player is not known (playerId must be a uuid). Sign in again.",
  INVALID_CLIENT_ORDER_ID: "The clientOrderId must be 1-64 letters, digits or _.:- characters. Send the order with another id.",
  INVALID_SIDE: "The side must be buy or sell.",
  INVALID_ORDER_TYPE: "The orderType must be limit or market.",
  INVALID_TIME_IN_FORCE: "The timeInForce must be GTC, IOC, FOK or POST_ONLY (market orders: IOC or FOK).",
  INVALID_STP: "The stp must be none, cancel_taker, cancel_maker or cancel_both.",
  INVALID_BUDGET: "The budget must be a positive whole number of copper, and only market buys take one.",
  INVALID_TIME: "The time must be a whole number of epoch milliseconds.",
  LEVEL_OVERFLOW: "That price level is full (its total quantity would pass 9,007,199,254,740,991). Choose another price.",
  PRICE_NOT_ON_TICK: "The price must be a multiple of the market's tick size. Round it to the tick and send it again.",
  QUANTITY_NOT_ON_LOT: "The quantity must be a multiple of the market's lot size. Round it to the lot and send it again.",
  INVALID_QUANTITY: "The quantity must be a positive whole number of items.",
  INVALID_PRICE: "The price must be a positive whole number of copper.",
  ORDER_NOT_FOUND: "No such open order in this market: it may have filled, expired or been canceled. Reload your open orders.",
  NOT_OWNER: "That order belongs to someone else. You can only change your own orders.",
  POST_ONLY_WOULD_CROSS: "A post-only order would have traded at once, so it was not placed. Choose a price that does not cross the book.",
  FOK_NOT_FILLABLE: "A fill-or-kill order could not be filled completely at once, so nothing traded. Lower the quantity or change the price.",
  NOTIONAL_OVERFLOW: "The order's price x quantity is too large. Lower the price or the quantity.",
  LIFETIME_OVERFLOW: "The order's filled plus open quantity would pass 9,007,199,254,740,991. Place a new order instead.",
  INVALID_EXPIRY: "The expiresAt must be in the future and at most 365 days ahead (epoch milliseconds), on a resting limit order.",
  DUPLICATE_ORDER_ID: "An order with this clientOrderId already exists. Send a new order with another id.",
  NOTHING_TO_AMEND: "The amendment changes nothing. Give a new price or quantity.",
};

/** A code this file has no words for still gets a sentence, never its bare machine name. */
const FALLBACK = "The market refused this command. Check the order and try again.";

export function describe(code: number): { reason: string; message: string } {
  const reason = codeName(code);
  return { reason, message: messages[reason] ?? FALLBACK };
}

export { EngineCode };
