/**
 * The Cloudflare Worker: static files come from the [assets] binding (build/client) before this
 * runs; everything else (pages, /api/v1) goes to the built Remix server bundle.
 */
import { createRequestHandler, type AppLoadContext, type ServerBuild } from "@remix-run/cloudflare";
// @ts-expect-error: produced by `npm run build`; there are no types for the built bundle.
import * as build from "../build/server/index.js";
import { createLoadContext } from "./context.server";

const handleRemixRequest = createRequestHandler(build as unknown as ServerBuild);

export default {
  async fetch(request, env, ctx): Promise<Response> {
    let loaded: ReturnType<typeof createLoadContext>;
    try {
      loaded = createLoadContext(env as unknown as Record<string, unknown>, ctx);
    } catch (error) {
      console.error(String(error));
      return new Response("Bazaar is misconfigured; see the worker log.", { status: 500 });
    }
    try {
      const response = await handleRemixRequest(request, loaded.context as AppLoadContext);
      response.headers.set("X-Request-Id", loaded.context.requestId);
      return response;
    } finally {
      loaded.done();
    }
  },
} satisfies ExportedHandler;
