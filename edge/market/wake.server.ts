/**
 * A sweep for expiry alarms that did not fire: after a crash, a room comes back only when something
 * reaches it, and a platform may lose an alarm. The cron trigger (every minute) asks each market
 * that holds overdue timed orders for its book: that opens the room, whose start arms its expiry
 * alarm, which expires them through the room's own group commit. Nothing is expired from here.
 */
import type { Db } from "../../db/db";
import { marketsWithDueOrders } from "../../db/market/read";
import type { Env } from "../env.server";
import { roomUrl } from "./room.server";

export async function wakeOverdueMarkets(env: Pick<Env, "PARTY_HOST">, db: Db, now = new Date()): Promise<{ woken: string[]; failed: string[] }> {
  const slugs = await marketsWithDueOrders(db, now);
  const failed: string[] = [];
  await Promise.all(
    slugs.map(async (slug) => {
      try {
        const res = await fetch(`${roomUrl(env as Env, slug)}?depth=1`, { signal: AbortSignal.timeout(10_000) });
        await res.arrayBuffer();
        if (!res.ok) failed.push(slug);
      } catch {
        failed.push(slug);
      }
    }),
  );
  return { woken: slugs.filter((s) => !failed.includes(s)), failed };
}
