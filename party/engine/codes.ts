/**
 * Result codes, numbered by range (exchange-core style):
 *   0        ok
 *   100-199  request: the command itself is malformed or names nothing
 *   200-299  risk: well-formed, but refused to protect the book (ownership, overflow)
 *   300-399  matching: refused by the matching rules (post-only would cross, FOK not fillable)
 * Errors are values: process() never throws for a bad command.
 */
export const ResultCode = {
  OK: 0,

  UNKNOWN_COMMAND: 100,
  INVALID_ORDER_ID: 101,
  INVALID_PLAYER_ID: 102,
  INVALID_CLIENT_ORDER_ID: 103,
  INVALID_SIDE: 104,
  INVALID_ORDER_TYPE: 105,
  INVALID_TIME_IN_FORCE: 106,
  INVALID_STP: 107,
  INVALID_QUANTITY: 108,
  QUANTITY_NOT_ON_LOT: 109,
  INVALID_PRICE: 110,
  PRICE_NOT_ON_TICK: 111,
  INVALID_BUDGET: 112,
  INVALID_EXPIRY: 113,
  INVALID_TIME: 114,
  DUPLICATE_ORDER_ID: 115,
  ORDER_NOT_FOUND: 116,
  NOTHING_TO_AMEND: 117,

  NOT_OWNER: 200,
  NOTIONAL_OVERFLOW: 201,
  LEVEL_OVERFLOW: 202,
  /** An amend would make the order's lifetime quantity (filled + remaining) pass 2^53 - 1. */
  LIFETIME_OVERFLOW: 203,

  POST_ONLY_WOULD_CROSS: 300,
  FOK_NOT_FILLABLE: 301,
} as const;

export type ResultCode = (typeof ResultCode)[keyof typeof ResultCode];

const names = new Map<number, string>(Object.entries(ResultCode).map(([k, v]) => [v, k]));

/** "ORDER_NOT_FOUND" for 116, for logs and messages. */
export function resultCodeName(code: number): string {
  return names.get(code) ?? `UNKNOWN_${code}`;
}

export type ResultCodeRange = "ok" | "request" | "risk" | "matching";

export function resultCodeRange(code: number): ResultCodeRange {
  if (code === 0) return "ok";
  if (code < 200) return "request";
  if (code < 300) return "risk";
  return "matching";
}
