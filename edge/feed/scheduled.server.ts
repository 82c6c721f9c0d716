/**
 * The event feed's consumers, run by the cron trigger every minute (ADR 017): the economy's
 * projections (faucets and sinks, trades, positions), the leaderboards (Postgres, then their Redis
 * copy), the fraud rules, then game servers' webhooks. Each is apart, so that one's trouble
 * never holds up the other, and each logs what it did.
 */
import { auditIndexConsumer } from "../../db/audit-search/index";
import { runConsumer, type Consumer } from "../../db/consumers/run";
import { ECONOMY_CONSUMERS } from "../../db/economy/consumers";
import { deliverWebhooks } from "../../db/feed/webhooks";
import { fraudConsumer } from "../../db/fraud/consumer";
import { openNeon } from "../../db/neon";
import type { Env } from "../env.server";
import { boardsConsumer } from "../leaderboards/boards.server";
import { createRedis } from "../redis.server";
import { jobLogLine, type JobIds } from "../job-log";

/** `ids`: the cron tick's (edge/job-log.ts): each consumer's JSON line carries them. */
export async function runFeedConsumers(env: Env, ids: JobIds, ctx: ExecutionContext): Promise<void> {
  const opened = openNeon({ databaseUrl: env.DATABASE_URL, wsProxy: env.NEON_WS_PROXY, max: 1 });
  // Pages sized by time on the embedded database only (FEED_PAGE_MS, edge/env.server.ts).
  const consume = (consumer: Consumer) => runConsumer(opened.db, consumer, 500, 100, env.FEED_PAGE_MS || undefined);
  try {
    const jobs: Array<[string, () => Promise<unknown>]> = [
      ...ECONOMY_CONSUMERS.map((c): [string, () => Promise<unknown>] => [c.name, () => consume(c)]),
      ["leaderboards", () => consume(boardsConsumer({ db: opened.db, redis: createRedis(env) }))],
      // The fraud rules (ADR 024, 038): their own cursor; flags are review work, never rebuilt away.
      ["fraud_flags", () => consume(fraudConsumer())],
      ["webhooks", () => deliverWebhooks(opened.db, { deploymentKey: env.SESSION_SECRET })],
      // The operators' audit index (ADR 020): after the rest, a minute behind at most.
      [auditIndexConsumer.name, () => consume(auditIndexConsumer)],
    ];
    for (const [name, job] of jobs) {
      const started = Date.now();
      try {
        const result = await job();
        console.log(jobLogLine(name, ids, "ok", Date.now() - started, { result }));
      } catch (error) {
        console.error(jobLogLine(name, ids, "failed", Date.now() - started, { error }));
      }
    }
  } finally {
    ctx.waitUntil(opened.close());
  }
}
