/**
 * The worker's cron trigger (wrangler.toml [triggers], every minute): pending offers past their
 * expiry become "expired" without anyone visiting them, and markets holding overdue timed orders
 * are woken so that their rooms expire them, and offers about to expire alert their recipients (edge/market/wake.server.ts). Re-exported by app/entry.server.tsx so
 * that edge/worker.ts takes it from the built bundle, like the fetch handler.
 */
import { alertExpiringOffers } from "../../db/alerts/offers";
import { expireOffers } from "../../db/offers";
import { pruneServerState } from "../../db/game-servers/servers";
import { openNeon } from "../../db/neon";
import { getEnv } from "../env.server";
import { wakeOverdueMarkets } from "../market/wake.server";
import { drainWithEnv } from "../push/drain.server";
import { runFeedConsumers } from "../feed/scheduled.server";
import { jobIds, runJob } from "../job-log";

export async function handleScheduled(controller: ScheduledController, rawEnv: unknown, ctx: ExecutionContext): Promise<void> {
  const env = getEnv(rawEnv as Record<string, unknown>);
  // One run id and trace id per tick, on every job line of the tick (edge/job-log.ts, ADR 040).
  const ids = jobIds(controller.cron);
  const opened = openNeon({ databaseUrl: env.DATABASE_URL, wsProxy: env.NEON_WS_PROXY, max: 1 });
  let failure: unknown;
  try {
    await runJob("offers", ids, async () => {
      let expired = 0;
      // expireOffers takes at most 1000 per transaction: keep going while it finds full batches.
      for (let round = 0; round < 20; round++) {
        const n = await expireOffers(opened.db);
        expired += n;
        if (n < 1000) break;
      }
      // One "about to expire" alert per pending offer that expires within the hour (issue 16).
      const expiringAlerted = await alertExpiringOffers(opened.db);
      // Game servers' spent nonces and idempotency keys past their 48 h (docs/game-servers.md).
      const pruned = await pruneServerState(opened.db);
      const rooms = await wakeOverdueMarkets(env, opened.db);
      return { expired, expiringAlerted, pruned, marketsWoken: rooms.woken, marketsNotWoken: rooms.failed };
    });
  } catch (error) {
    failure = error; // its job line is written (level error)
  } finally {
    ctx.waitUntil(opened.close());
  }
  // Consumers of the event feed (ADR 017): the economy's projection and game servers' webhooks.
  await runFeedConsumers(env, ids, ctx);
  // Push alerts whose retry time has come, whose nudge was lost or whose sender died (ADR 014):
  // apart from the offers, so that neither one's trouble holds up the other. Its failure is logged by the drain.
  await drainWithEnv(env, ids).catch(() => undefined);
  if (failure) throw failure;
}
