/**
 * The worker's cron trigger (wrangler.toml [triggers], every minute): pending offers past their
 * expiry become "expired" without anyone visiting them, and markets holding overdue timed orders
 * are woken so that their rooms expire them (edge/market/wake.server.ts). Re-exported by app/entry.server.tsx so
 * that edge/worker.ts takes it from the built bundle, like the fetch handler.
 */
import { expireOffers } from "../../db/offers";
import { openNeon } from "../../db/neon";
import { getEnv } from "../env.server";
import { wakeOverdueMarkets } from "../market/wake.server";

export async function handleScheduled(controller: ScheduledController, rawEnv: unknown, ctx: ExecutionContext): Promise<void> {
  const env = getEnv(rawEnv as Record<string, unknown>);
  const opened = openNeon({ databaseUrl: env.DATABASE_URL, wsProxy: env.NEON_WS_PROXY, max: 1 });
  try {
    let total = 0;
    // expireOffers takes at most 1000 per transaction: keep going while it finds full batches.
    for (let round = 0; round < 20; round++) {
      const n = await expireOffers(opened.db);
      total += n;
      if (n < 1000) break;
    }
    console.log(JSON.stringify({ msg: "offers expired", cron: controller.cron, count: total }));
    const rooms = await wakeOverdueMarkets(env, opened.db);
    if (rooms.woken.length + rooms.failed.length > 0) console.log(JSON.stringify({ msg: "markets with overdue timed orders woken", cron: controller.cron, ...rooms }));
  } catch (error) {
    console.error(JSON.stringify({ msg: "offer expiry failed", cron: controller.cron, error: String((error as Error)?.stack ?? error) }));
    throw error;
  } finally {
    ctx.waitUntil(opened.close());
  }
}
