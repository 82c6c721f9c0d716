/**
 * Price alerts at the edge, one domain layer for the API and the market page's form: check the
 * market and the price (tick, bounds), store (the per-player limit), then tell the market's room so
 * that its index holds the alert from its next batch on (ADR 013). If the room cannot be told, the
 * alert is deleted again and the caller gets a 503: either the room knows the alert or it does not
 * exist. Deleting tells the room too, best effort: a room that missed it still never fires the
 * alert (the batch's statement checks the row).
 */
import { createPriceAlert, deletePriceAlert, indexed, type PriceAlert } from "../../db/alerts/price-alerts";
import { getMarket } from "../../db/market/read";
import type { PriceAlertSync } from "../../party/protocol";
import { issueToken } from "../../party/tokens";
import { priceAlertProblem } from "../../app/utils/alerts/price-form";
import type { AppLoadContext } from "../context.server";
import { ApiError } from "../api/http.server";
import { fetchRoom } from "../market/room.server";

export interface NewPriceAlert {
  market: string;
  direction: "above" | "below";
  /** Copper per item. */
  price: number;
  cooldownSeconds: number | null;
}

async function tellRoom(context: AppLoadContext, slug: string, change: PriceAlertSync): Promise<void> {
  const token = await issueToken(context.env.ROOM_SECRET, "service", "edge", 60);
  const response = await fetchRoom(context.env, slug, {
    method: "POST",
    query: "?price-alerts",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify(change),
  });
  if (!response.ok) throw new ApiError(503, "market_unreachable", `The market's room did not take the change (it answered ${response.status}). Try again in a few seconds.`, undefined, { "Retry-After": "2" });
}

export async function addPriceAlert(context: AppLoadContext, playerId: string, input: NewPriceAlert): Promise<PriceAlert> {
  const market = await getMarket(context.db, input.market);
  if (!market) throw new ApiError(404, "unknown_market", `There is no market ${input.market}. Check the market's slug in the list of markets.`);
  const problem = priceAlertProblem(input.price, market.tickSize);
  if (problem) throw new ApiError(400, "invalid_price", problem);
  const created = await createPriceAlert(context.db, { playerId, ...input });
  if (!created.ok) throw new ApiError(created.status, created.code, created.message);
  try {
    await tellRoom(context, input.market, { op: "add", alert: indexed(playerId, created.alert) });
  } catch (error) {
    await deletePriceAlert(context.db, { playerId, id: created.alert.id });
    if (error instanceof ApiError && error.status === 503) {
      throw new ApiError(503, "market_unreachable", "The market could not be reached, so the price alert was not set. Try again in a few seconds.", undefined, { "Retry-After": "2" });
    }
    throw error;
  }
  return created.alert;
}

/** false when the player has no such alert (someone else's is "not found" too). */
export async function removePriceAlert(context: AppLoadContext, playerId: string, id: string): Promise<boolean> {
  const gone = await deletePriceAlert(context.db, { playerId, id });
  if (!gone) return false;
  await tellRoom(context, gone.market, { op: "remove", id }).catch((error: unknown) => {
    console.error(JSON.stringify({ ts: new Date().toISOString(), level: "warn", msg: "price alert deleted; its room was not told (it will not fire: the batch checks the row)", requestId: context.requestId, traceId: context.traceId, market: gone.market, id, error: String(error).slice(0, 200) }));
  });
  return true;
}
