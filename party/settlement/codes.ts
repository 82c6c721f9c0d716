/** Room-level result codes, in the engine's ranges (see party/engine/codes.ts). */
import { ResultCode as EngineCode, resultCodeName } from "../engine";

export const RoomCode = {
  BUDGET_REQUIRED: 120,
  INVALID_COMMAND: 121,
  INSUFFICIENT_FUNDS: 210,
  INSUFFICIENT_ITEMS: 211,
  MARKET_NOT_OPEN: 220,
  RATE_LIMITED: 230,
  RETRY: 500,
} as const;

const roomNames = new Map<number, string>(Object.entries(RoomCode).map(([k, v]) => [v, k]));

export const codeName = (code: number) => roomNames.get(code) ?? resultCodeName(code);

const messages: Record<string, string> = {
  OK: "done",
  BUDGET_REQUIRED: "a market buy needs a budget or a price limit, so the currency can be reserved",
  INVALID_COMMAND: "the command is not understood",
  INSUFFICIENT_FUNDS: "not enough available currency for this order (price x quantity plus fees)",
  INSUFFICIENT_ITEMS: "not enough available items for this sell order",
  MARKET_NOT_OPEN: "this market is not open for trading",
  RATE_LIMITED: "too many commands: slow down",
  RETRY: "the market could not save this batch; nothing changed, try again",
  UNKNOWN_COMMAND: "the command type is not one of place, cancel, amend, cancelAll",
  INVALID_ORDER_ID: "orderId must name an order (a uuid)",
  INVALID_PLAYER_ID: "the player is not known (playerId must be a uuid)",
  INVALID_CLIENT_ORDER_ID: "clientOrderId must be 1-64 letters, digits or _.:-",
  INVALID_SIDE: "side must be buy or sell",
  INVALID_ORDER_TYPE: "orderType must be limit or market",
  INVALID_TIME_IN_FORCE: "timeInForce must be GTC, IOC, FOK or POST_ONLY (market orders: IOC or FOK)",
  INVALID_STP: "stp must be none, cancel_taker, cancel_maker or cancel_both",
  INVALID_BUDGET: "budget must be a positive whole number of copper, on market buys only",
  INVALID_TIME: "now must be a whole number of epoch milliseconds",
  LEVEL_OVERFLOW: "the price level's total quantity would pass 9,007,199,254,740,991",
  PRICE_NOT_ON_TICK: "the price must be a multiple of the market's tick size",
  QUANTITY_NOT_ON_LOT: "the quantity must be a multiple of the market's lot size",
  INVALID_QUANTITY: "the quantity must be a positive whole number",
  INVALID_PRICE: "the price must be a positive whole number of copper",
  ORDER_NOT_FOUND: "no such open order in this market",
  NOT_OWNER: "that order belongs to someone else",
  POST_ONLY_WOULD_CROSS: "a post-only order would have traded at once, so it was not placed",
  FOK_NOT_FILLABLE: "a fill-or-kill order could not be filled completely at once",
  NOTIONAL_OVERFLOW: "price x quantity is too large",
  LIFETIME_OVERFLOW: "the order's filled plus open quantity would pass 9,007,199,254,740,991; place a new order instead",
  INVALID_EXPIRY: "expiresAt must be in the future and at most 365 days ahead (epoch milliseconds), on a resting limit order",
  DUPLICATE_ORDER_ID: "an order with this id already exists",
  NOTHING_TO_AMEND: "the amendment changes nothing",
};

export function describe(code: number): { reason: string; message: string } {
  const reason = codeName(code);
  return { reason, message: messages[reason] ?? reason.toLowerCase().replaceAll("_", " ") };
}

export { EngineCode };
