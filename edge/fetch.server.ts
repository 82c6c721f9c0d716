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
import { createLoadContext } from "./context.server";

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
    try {
      response.headers.set("X-Request-Id", context.requestId);
    } catch {
      // immutable headers: the id is in the log anyway
    }
    return response;
  } finally {
    done();
  }
}
