import { ResultCode } from "./codes";
import type { AmendCommand, BookConfig, OrderId, PlaceCommand } from "./types";

/**
 * Stateless checks shared by the fast and the reference book, so both give the same code for the
 * same bad command (the order of checks is part of the contract). Checks that need the book
 * (duplicate id, ownership, level totals, crossing) live in each book.
 */

const MAX = Number.MAX_SAFE_INTEGER;

function isId(v: unknown): v is string {
  return typeof v === "string" && v.length > 0 && v.length <= 128;
}

/** An order id: a string id, or a non-negative safe integer (a numeric handle). */
export function isOrderId(v: unknown): v is OrderId {
  return typeof v === "number" ? Number.isSafeInteger(v) && v >= 0 : isId(v);
}

/** The order id a rejected event reports: the command's, if it is a string or a safe integer. */
export function reportedOrderId(v: unknown): OrderId | null {
  return typeof v === "string" || (typeof v === "number" && Number.isSafeInteger(v)) ? v : null;
}

function positiveInt(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v > 0;
}

export function validateConfig(config: BookConfig): void {
  if (!positiveInt(config.tickSize) || !positiveInt(config.lotSize)) {
    // Construction time, not the hot path: a bad market definition is a programming error.
    throw new RangeError("tickSize and lotSize must be positive safe integers");
  }
}

export function checkPrice(price: unknown, tick: number): ResultCode {
  if (!positiveInt(price)) return ResultCode.INVALID_PRICE;
  if (price % tick !== 0) return ResultCode.PRICE_NOT_ON_TICK;
  return ResultCode.OK;
}

export function checkQuantity(quantity: unknown, lot: number): ResultCode {
  if (!positiveInt(quantity)) return ResultCode.INVALID_QUANTITY;
  if (quantity % lot !== 0) return ResultCode.QUANTITY_NOT_ON_LOT;
  return ResultCode.OK;
}

/** True if price * quantity cannot be represented exactly. */
export function notionalOverflows(price: number, quantity: number): boolean {
  // If the exact product is <= MAX it is computed exactly; if it is > MAX it rounds to >= 2^53.
  return price * quantity > MAX;
}

export function validatePlace(c: PlaceCommand<OrderId>, tick: number, lot: number): ResultCode {
  if (!isOrderId(c.orderId)) return ResultCode.INVALID_ORDER_ID;
  if (!isId(c.playerId)) return ResultCode.INVALID_PLAYER_ID;
  if (c.clientOrderId !== undefined && !isId(c.clientOrderId)) return ResultCode.INVALID_CLIENT_ORDER_ID;
  if (c.side !== "buy" && c.side !== "sell") return ResultCode.INVALID_SIDE;
  const limit = c.orderType === "limit";
  if (!limit && c.orderType !== "market") return ResultCode.INVALID_ORDER_TYPE;
  const tif = c.timeInForce;
  if (tif !== undefined) {
    if (limit) {
      if (tif !== "GTC" && tif !== "IOC" && tif !== "FOK" && tif !== "POST_ONLY") return ResultCode.INVALID_TIME_IN_FORCE;
    } else if (tif !== "IOC" && tif !== "FOK") {
      return ResultCode.INVALID_TIME_IN_FORCE;
    }
  }
  const stp = c.stp;
  if (stp !== undefined && stp !== "none" && stp !== "cancel_taker" && stp !== "cancel_maker" && stp !== "cancel_both") {
    return ResultCode.INVALID_STP;
  }
  let code = checkQuantity(c.quantity, lot);
  if (code !== ResultCode.OK) return code;
  if (limit) {
    code = checkPrice(c.price, tick);
    if (code !== ResultCode.OK) return code;
    if (c.priceLimit !== undefined) return ResultCode.INVALID_PRICE;
    if (c.budget !== undefined) return ResultCode.INVALID_BUDGET;
  } else {
    if (c.price !== undefined) return ResultCode.INVALID_PRICE;
    if (c.priceLimit !== undefined) {
      code = checkPrice(c.priceLimit, tick);
      if (code !== ResultCode.OK) return code;
    }
    if (c.budget !== undefined && (c.side !== "buy" || !positiveInt(c.budget))) return ResultCode.INVALID_BUDGET;
  }
  if (c.expiresAt !== undefined) {
    const rests = limit && (tif === undefined || tif === "GTC" || tif === "POST_ONLY");
    if (!rests || typeof c.expiresAt !== "number" || !Number.isSafeInteger(c.expiresAt)) return ResultCode.INVALID_EXPIRY;
  }
  if (limit && notionalOverflows(c.price as number, c.quantity)) return ResultCode.NOTIONAL_OVERFLOW;
  return ResultCode.OK;
}

/** The parts of an amend that need no book: ids, and the shape of price / quantity. */
export function validateAmend(c: AmendCommand<OrderId>, tick: number, lot: number): ResultCode {
  if (!isOrderId(c.orderId)) return ResultCode.INVALID_ORDER_ID;
  if (!isId(c.playerId)) return ResultCode.INVALID_PLAYER_ID;
  if (c.price === undefined && c.quantity === undefined) return ResultCode.NOTHING_TO_AMEND;
  if (c.price !== undefined) {
    const code = checkPrice(c.price, tick);
    if (code !== ResultCode.OK) return code;
  }
  if (c.quantity !== undefined) {
    const code = checkQuantity(c.quantity, lot);
    if (code !== ResultCode.OK) return code;
  }
  return ResultCode.OK;
}

export function validateCancel(orderId: unknown, playerId: unknown): ResultCode {
  if (!isOrderId(orderId)) return ResultCode.INVALID_ORDER_ID;
  if (!isId(playerId)) return ResultCode.INVALID_PLAYER_ID;
  return ResultCode.OK;
}

export function validatePlayer(playerId: unknown): ResultCode {
  return isId(playerId) ? ResultCode.OK : ResultCode.INVALID_PLAYER_ID;
}

export function validateTime(now: unknown): ResultCode {
  return typeof now === "number" && Number.isSafeInteger(now) ? ResultCode.OK : ResultCode.INVALID_TIME;
}

/**
 * Largest multiple of `lot` whose cost at `price` fits in `money`: floor(money / price) rounded
 * down to the lot. Exact for safe integers (the float quotient can round up by one; corrected).
 */
export function affordable(money: number, price: number, lot: number): number {
  let q = Math.floor(money / price);
  while (q > 0 && q * price > money) q--;
  return q - (q % lot);
}
