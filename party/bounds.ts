/**
 * The bounds every order command must respect, shared by the edge's API schemas, the room's wire
 * protocol and the batch planner (which checks times against its own clock). Stated in the OpenAPI
 * document. They are chosen so that every product the room computes is a safe integer by
 * construction, not by luck:
 *   price x quantity          <= 10^9 x 10^6            = 10^15
 *   + the larger fee (<= 10%)  <= 1.1 x 10^15  (markets_fees_check: at most 1,000 bps)
 *   a market buy's budget     <= 10^15 (= MAX_PRICE x MAX_ORDER_QUANTITY, so priceLimit x quantity fits too)
 *   + its fee reservation      <= 1.1 x 10^15
 * all far below 2^53 - 1 (about 9.007 x 10^15). The engine's own checks (notional, level totals,
 * an order's lifetime filled + remaining) stay as a second line below 2^53.
 */
/** Items in one order (or one amend's new open quantity). */
export const MAX_ORDER_QUANTITY = 1_000_000;
/** Copper per item: 10,000,000 gold. */
export const MAX_PRICE = 1_000_000_000;
/** Copper a market buy may spend, before fees: MAX_PRICE x MAX_ORDER_QUANTITY. */
export const MAX_BUDGET = MAX_PRICE * MAX_ORDER_QUANTITY;
export const EXPIRY_MAX_AHEAD_MS = 365 * 24 * 3_600 * 1_000;

/** Why expiresAt (epoch ms) is not acceptable at `now`, or undefined when it is. */
export function expiryProblem(expiresAt: number, now: number): string | undefined {
  // "In the future" by the checker's clock (no margin: a client a few ms behind it is not refused).
  if (!Number.isSafeInteger(expiresAt) || expiresAt <= now || expiresAt > now + EXPIRY_MAX_AHEAD_MS) {
    return "expiresAt must be between now and 365 days from now (epoch milliseconds)";
  }
  return undefined;
}
