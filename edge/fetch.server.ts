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

/**
 * A request failed on our side: if a part is down (the stack is restarting it), say so with 503 and
 * Retry-After rather than "something broke". Costs a probe only when something already failed.
 */
async function unavailable(response: Response, env: Env, api: boolean): Promise<Response> {
  const down = downMessage(await health(env));
  if (!down) return response;
  await response.body?.cancel().catch(() => undefined);
  const headers = { "Retry-After": RETRY_AFTER_SECONDS, "Cache-Control": "no-store" };
  if (api) return json({ error: { code: "unavailable", message: down } }, 503, headers);
  const html = `<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="refresh" content="${RETRY_AFTER_SECONDS}"><title>Back in a moment · Bazaar</title><h1>Back in a moment</h1><p>${down[0]!.toUpperCase()}${down.slice(1)}.</p><p>This page reloads by itself.</p>`;
  return new Response(html, { status: 503, headers: { ...headers, "Content-Type": "text/html; charset=utf-8" } });
}

let remix: ReturnType<typeof createRequestHandler> | undefined;

export async function handleFetch(build: ServerBuild, request: Request, env: unknown, ctx: ExecutionContext): Promise<Response> {
  remix ??= createRequestHandler(build);
  let loaded: ReturnType<typeof createLoadContext>;
  try {
    loaded = createLoadContext(env as Record<string, unknown>, ctx);
  } catch (error) {
    console.error(String(error));
    return new Response("Bazaar is misconfigured; see the worker log.", { status: 500 });
  }
  const { context, done } = loaded;
  try {
    const url = new URL(request.url);
    const response = isApi(url)
      ? await handleApi(request, context)
      : (refuseCrossSite(request) ?? (await remix(request, context as AppLoadContext)));
    const answer = response.status >= 500 && response.status !== 503 ? await unavailable(response, context.env, isApi(url)) : response;
    try {
      answer.headers.set("X-Request-Id", context.requestId);
    } catch {
      // immutable headers: the id is in the log anyway
    }
    return answer;
  } finally {
    done();
  }
}
