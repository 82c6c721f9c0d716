/**
 * The Cloudflare Worker entry (wrangler.toml `main`). Everything it runs lives in the built
 * Remix server bundle: edge/fetch.server.ts, re-exported by app/entry.server.tsx, is reached
 * through build.entry.module, so libraries are bundled once. Run `npm run build` first.
 */
import type { ServerBuild } from "@remix-run/cloudflare";
// @ts-expect-error: produced by `npm run build`; there are no types for the built bundle.
import * as built from "../build/server/index.js";
import type * as Entry from "../app/entry.server";

const build = built as unknown as ServerBuild;
const entry = build.entry.module as unknown as typeof Entry;

export default {
  fetch: (request, env, ctx) => entry.handleFetch(build, request, env, ctx),
  // Cron trigger (wrangler.toml [triggers]): expire pending offers past their time.
  scheduled: (controller, env, ctx) => entry.handleScheduled(controller, env, ctx),
} satisfies ExportedHandler;
