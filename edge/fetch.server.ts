/**
 * The Worker's request handling, bundled INTO the Remix server build (re-exported by
 * app/entry.server.tsx) so that the deployed worker carries one copy of Remix, zod, drizzle and
 * the Neon driver. edge/worker.ts only hands requests over.
 *
 * Routing: static files never get here (the [assets] binding serves build/client first);
 * /api/v1 goes to the JSON API router (no React); everything else to Remix.
 */
import { createRequestHandler, type AppLoadContext, type ServerBuild } from "@remix-run/cloudflare";
import { handleApi } from "./api/index.server";
import { API_PREFIX } from "./api/routes.server";
import { checkOrigin } from "./auth/csrf.server";
import { json } from "./api/http.server";
import { createLoadContext } from "./context.server";
import type { Env } from "./env.server";
import { downMessage, health, RETRY_AFTER_SECONDS } from "./health.server";
import { edgeMetrics, EDGE_METRICS_PATH, routeOf } from "./metrics/requests";
import { handleMetrics } from "./metrics/scrape.server";
import { handlePushDrain, PUSH_DRAIN_PATH } from "./push/drain.server";
import { providerOrigins } from "./auth/social/providers.server";
import { contentSecurityPolicy, CSP_REPORT_PATH, withSecurityHeaders } from "./security/headers";
import { receiveCspReport } from "./security/csp-report.server";
import { doorOf } from "./security/doors";
import { callerAddress, callerCredential, limiterFor } from "./security/rate-limit.server";
import { requestLogLine, type Ids } from "./request-log";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const isApi = (url: URL) => url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`);

/** A cross-site form post is refused here with a 403 in words; Remix's own check would 500. */
function refuseCrossSite(request: Request): Response | undefined {
  if (SAFE_METHODS.has(request.method)) return undefined;
  const refused = checkOrigin(request);
  if (!refused) return undefined;
  const html = `<!doctype html><meta charset="utf-8"><title>Not allowed · Bazaar</title><h1>Not allowed</h1><p>${refused.message.replace(/[<>&"]/g, "")}</p><p><a href="/">Back to the Bazaar</a></p>`;
  return new Response(html, { status: refused.status, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

/** Over a door's rate limit (ADR 022): 429, Retry-After, and what to do, as JSON or as a page. */
async function overLimit(request: Request, url: URL, env: Env, ids: Ids): Promise<Response | undefined> {
  const door = doorOf(request.method, url.pathname, url.searchParams);
  if (!door) return undefined;
  const verdict = await limiterFor(env).check(door, { address: callerAddress(request), credential: await callerCredential(request, door) });
  if (verdict.ok) return undefined;
  const headers = { "Retry-After": String(verdict.retryAfterSeconds), "Cache-Control": "no-store" };
  if (isApi(url) || url.pathname.endsWith(".data")) return json({ error: { code: "rate_limited", message: verdict.message, ...ids } }, 429, headers);
  const html = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Slow down · Bazaar</title><h1>Slow down</h1><p>${verdict.message.replace(/[<>&"]/g, "")}</p><p><a href="/">Back to the Bazaar</a></p>`;
  return new Response(html, { status: 429, headers: { ...headers, "Content-Type": "text/html; charset=utf-8" } });
}

/**
 * A request failed on our side: if a part is down (the stack is restarting it), say so with 503 and
 * Retry-After rather than "something broke". Costs a probe only when something already failed.
 */
async function unavailable(response: Response, env: Env, api: boolean, ids: Ids): Promise<Response> {
  const down = downMessage(await health(env));
  if (!down) return response;
  await response.body?.cancel().catch(() => undefined);
  const headers = { "Retry-After": RETRY_AFTER_SECONDS, "Cache-Control": "no-store" };
  if (api) return json({ error: { code: "unavailable", message: down, ...ids } }, 503, headers);
  const html = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="${RETRY_AFTER_SECONDS}"><title>Back in a moment · Bazaar</title><h1>Back in a moment</h1><p>${down[0]!.toUpperCase()}${down.slice(1)}.</p><p>This page reloads by itself.</p>`;
  return new Response(html, { status: 503, headers: { ...headers, "Content-Type": "text/html; charset=utf-8" } });
}

let remix: ReturnType<typeof createRequestHandler> | undefined;

export async function handleFetch(build: ServerBuild, request: Request, env: unknown, ctx: ExecutionContext): Promise<Response> {
  remix ??= createRequestHandler(build);
  let loaded: ReturnType<typeof createLoadContext>;
  try {
    loaded = createLoadContext(env as Record<string, unknown>, ctx, request);
  } catch (error) {
    // A missing or bad variable (ADR 031): every request says which, by name (never a value).
    const message = String((error as Error).message ?? error);
    console.error(JSON.stringify({ ts: new Date().toISOString(), level: "error", msg: "worker misconfigured", error: message }));
    return new Response(`Bazaar is misconfigured. ${message}\n`, { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8", "Retry-After": RETRY_AFTER_SECONDS, "Cache-Control": "no-store" } });
  }
  const { context, done } = loaded;
  const url = new URL(request.url);
  const started = Date.now();
  let status = 500; // a throw is counted as the 500 it becomes
  const counted = (response: Response) => ((status = response.status), response);
  try {
    if (url.pathname === EDGE_METRICS_PATH) return await handleMetrics(request, context.env);
    // The push sender's nudge (service token; ADR 014): not a page, not the public API.
    if (url.pathname === PUSH_DRAIN_PATH) return counted(await handlePushDrain(request, context.env, { requestId: context.requestId, traceId: context.traceId ?? context.requestId }));
    if (url.pathname === CSP_REPORT_PATH) return counted(withSecurityHeaders(await receiveCspReport(request, context.requestId), url, undefined));
    const ids: Ids = { requestId: context.requestId, traceId: context.traceId };
    const response = (await overLimit(request, url, context.env, ids)) ?? (isApi(url)
      ? await handleApi(request, context)
      : (refuseCrossSite(request) ?? (await remix(request, context as AppLoadContext))));
    const answer = response.status >= 500 && response.status !== 503 ? await unavailable(response, context.env, isApi(url), ids) : response;
    const csp = contentSecurityPolicy({ nonce: context.cspNonce, url, partyHost: context.env.PARTY_HOST, formTargets: providerOrigins(context.env.oidcProviders ?? []) });
    const secured = withSecurityHeaders(answer, url, csp);
    secured.headers.set("X-Request-Id", context.requestId);
    if (context.traceId) secured.headers.set("X-Trace-Id", context.traceId);
    status = secured.status;
    return secured;
  } finally {
    // Request metrics by route and status (ADR 029); the scrape itself is not counted.
    if (url.pathname !== EDGE_METRICS_PATH) {
      const route = routeOf(url.pathname);
      const ms = Date.now() - started;
      edgeMetrics.record(route, status, ms / 1000);
      if (route !== "asset") console.log(requestLogLine({ requestId: context.requestId, traceId: context.traceId, method: request.method, route, status, ms, flags: context.flagArms }));
      context.trace?.finish(route, status, (p) => ctx.waitUntil(p));
    }
    done();
  }
}
