/**
 * GET /metrics on the edge (ADR 029): the isolate's request metrics and outcome counters, and the
 * push outbox's depth and lag from Postgres (ADR 040), for a service token only (as the rooms', ADR 025).
 */
import { CONTENT_TYPE } from "../../party/metrics/prom";
import { checkToken } from "../../party/tokens";
import { json } from "../api/http.server";
import type { Env } from "../env.server";
import { edgeMetrics } from "./requests";
import { edgeOutcomes, type OutboxState } from "./outcomes";
import { openNeon } from "../../db/neon";
import { outboxState } from "../../db/push";

/** The outbox from Postgres, or nothing (the gauges are left out) when the database does not answer. */
async function readOutbox(env: Env): Promise<OutboxState | undefined> {
  const opened = openNeon({ databaseUrl: env.DATABASE_URL, wsProxy: env.NEON_WS_PROXY, max: 1, connectionTimeoutMillis: 2_000 });
  try {
    return await outboxState(opened.db);
  } catch {
    return undefined;
  } finally {
    await opened.close();
  }
}

export async function handleMetrics(request: Request, env: Env): Promise<Response> {
  if (request.method !== "GET") return json({ error: { code: "method_not_allowed", message: "/metrics accepts GET" } }, 405, { Allow: "GET" });
  const bearer = /^Bearer (\S+)$/.exec(request.headers.get("Authorization") ?? "")?.[1];
  if (!(await checkToken(env.ROOM_SECRET, "service", bearer))) {
    return json({ error: { code: "unauthorized", message: "a service token is required" } }, 401);
  }
  return new Response(edgeMetrics.render() + edgeOutcomes.render(await readOutbox(env)), { status: 200, headers: { "Content-Type": CONTENT_TYPE, "Cache-Control": "no-store" } });
}
