/**
 * The bounds every order command must respect, shared by the edge's API schemas, the room's wire
 * protocol and the batch planner (which checks times against its own clock). Stated in the OpenAPI
 * document. With them no value a client can send can overflow or throw inside a batch: the engine's
 * own checks (notional, level totals, lifetime quantity) stay exact below 2^53.
 */
export const MAX_ORDER_QUANTITY = 1_000_000_000;
/** Copper per item: 10,000,000,000 gold. */
export const MAX_PRICE = 1_000_000_000_000;
/** Copper a market buy may spend, before fees. */
export const MAX_BUDGET = 1_000_000_000_000_000;
export const EXPIRY_MAX_AHEAD_MS = 365 * 24 * 3_600 * 1_000;

/** Why expiresAt (epoch ms) is not acceptable at `now`, or undefined when it is. */
export function expiryProblem(expiresAt: number, now: number): string | undefined {
  if (!Number.isSafeInteger(expiresAt)) return "expiresAt must be a whole number of epoch milliseconds";
  // "In the future" by the checker's clock: a client a few ms behind it is not refused for that.
  if (expiresAt <= now) return "expiresAt must be in the future (epoch milliseconds)";
  if (expiresAt > now + EXPIRY_MAX_AHEAD_MS) return "expiresAt must be at most 365 days from now (epoch milliseconds)";
  return undefined;
}
