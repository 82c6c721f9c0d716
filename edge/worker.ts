/**
 * The Cloudflare Worker: static files come from the [assets] binding (build/client) before this
 * runs; /api/v1 goes straight to the JSON API router (edge/api, no React); everything else goes
 * to the built Remix server bundle.
 */
import { createRequestHandler, type AppLoadContext, type ServerBuild } from "@remix-run/cloudflare";
// @ts-expect-error: produced by `npm run build`; there are no types for the built bundle.
import * as build from "../build/server/index.js";
import { handleApi } from "./api/index.server";
import { API_PREFIX } from "./api/routes.server";
import { checkOrigin } from "./auth/csrf.server";
import { createLoadContext } from "./context.server";

const handleRemixRequest = createRequestHandler(build as unknown as ServerBuild);
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

export default {
  async fetch(request, env, ctx): Promise<Response> {
    let loaded: ReturnType<typeof createLoadContext>;
    try {
      loaded = createLoadContext(env as unknown as Record<string, unknown>, ctx);
    } catch (error) {
      console.error(String(error));
      return new Response("Bazaar is misconfigured; see the worker log.", { status: 500 });
    }
    const { context, done } = loaded;
    try {
      const url = new URL(request.url);
      const response = isApi(url)
        ? await handleApi(request, context)
        : (refuseCrossSite(request) ?? (await handleRemixRequest(request, context as AppLoadContext)));
      try {
        response.headers.set("X-Request-Id", context.requestId);
      } catch {
        // immutable headers (a redirect from fetch): the id is in the log anyway
      }
      return response;
    } finally {
      done();
    }
  },
} satisfies ExportedHandler;
