/**
 * Where the push sender runs in the Worker (ADR 014):
 *  - POST /__push/drain with a service token (`Authorization: Bearer <issueToken(ROOM_SECRET,
 *    "service", ...)>`): whoever has just committed alerts (a market room after its batch, an edge
 *    route after an offer changed) pokes it, so a push leaves about a second after the commit. It
 *    answers when the drain is done, with what it did (JSON), so a test can wait for it;
 *  - the cron trigger (every minute, edge/offers/expiry.server.ts): the safety net that picks up
 *    retries whose backoff has passed, leases of senders that died, and nudges that were lost;
 *  - nudgePushSender(context) for edge routes: the drain after the response (ctx.waitUntil).
 * Each opens its own small pool: the request's pool is closed when its response is sent.
 */
import { checkToken } from "../../party/tokens";
import { openNeon } from "../../db/neon";
import { json } from "../api/http.server";
import type { AppLoadContext } from "../context.server";
import type { Env } from "../env.server";
import { drainPush, type DrainReport, type SenderOptions } from "./sender.server";
import { jobIds, jobLogLine, type JobIds } from "../job-log";
import { edgeOutcomes } from "../metrics/outcomes";

export const PUSH_DRAIN_PATH = "/__push/drain";

/**
 * In the Worker a drain runs 2 lanes on a pool of 2 connections, with at most 4 pushes in flight: a
 * Worker invocation holds at most 6 connections open at once (the database's WebSockets count), and
 * more would only queue.
 */
const WORKER_LANES = 2;
const WORKER_IN_FLIGHT = 4;

/** The drain's results counted by the edge's metrics (bazaar_edge_push_total{result}). */
const RESULTS = ["delivered", "sent", "retried", "dead", "gone", "rejected"] as const;

/** The sender's settings from the environment; undefined while push is not configured. `ids`: the run's, on the sender's own lines. */
export function senderOptions(env: Env, ids?: JobIds): SenderOptions | undefined {
  if (!env.VAPID_PUBLIC_KEY || !env.VAPID_PRIVATE_KEY) return undefined;
  return {
    vapid: { publicKey: env.VAPID_PUBLIC_KEY, privateKey: env.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT },
    allowLoopback: env.PUSH_ALLOW_LOOPBACK,
    lanes: WORKER_LANES,
    maxInFlight: WORKER_IN_FLIGHT,
    log: (line) => console.log(JSON.stringify({ ts: new Date().toISOString(), level: "warn", job: "push-drain", ...ids, ...line })),
  };
}

/**
 * One drain on a pool of its own, with its JSON job line (ADR 040: ids, time, outcome, the report)
 * when it claimed anything or failed, and its results counted in the edge's metrics.
 */
export async function drainWithEnv(env: Env, ids: JobIds = jobIds()): Promise<DrainReport | undefined> {
  const options = senderOptions(env, ids);
  if (!options) return undefined;
  const opened = openNeon({ databaseUrl: env.DATABASE_URL, wsProxy: env.NEON_WS_PROXY, max: WORKER_LANES });
  try {
    const started = Date.now();
    let report: DrainReport;
    try {
      report = await drainPush(opened.db, options);
    } catch (error) {
      console.error(jobLogLine("push-drain", ids, "failed", Date.now() - started, { error }));
      throw error;
    }
    for (const r of RESULTS) if (report[r] > 0) edgeOutcomes.push.add(r, report[r]);
    if (report.claimed > 0) console.log(jobLogLine("push-drain", ids, "ok", Date.now() - started, { result: report }));
    return report;
  } finally {
    await opened.close();
  }
}

export async function handlePushDrain(request: Request, env: Env, ids: Omit<JobIds, "runId"> & { requestId: string }): Promise<Response> {
  if (request.method !== "POST") return json({ error: { code: "method_not_allowed", message: `${PUSH_DRAIN_PATH} accepts POST` } }, 405, { Allow: "POST" });
  const bearer = /^Bearer (\S+)$/.exec(request.headers.get("Authorization") ?? "")?.[1];
  if (!(await checkToken(env.ROOM_SECRET, "service", bearer))) {
    return json({ error: { code: "unauthorized", message: "a service token is required" } }, 401);
  }
  const report = await drainWithEnv(env, { runId: ids.requestId, ...ids });
  if (!report) return json({ error: { code: "push_not_configured", message: "Web Push is not configured (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY)" } }, 503);
  return json(report, 200);
}

/** For edge routes that committed alerts: drain once the response is on its way. */
export function nudgePushSender(context: Pick<AppLoadContext, "env" | "ctx" | "requestId" | "traceId">): void {
  if (!senderOptions(context.env)) return;
  const ids: JobIds = { runId: context.requestId, requestId: context.requestId, traceId: context.traceId ?? jobIds().traceId };
  // A failure is already logged by the drain's job line.
  context.ctx.waitUntil(drainWithEnv(context.env, ids).then(() => undefined, () => undefined));
}
