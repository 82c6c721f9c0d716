import { vitePlugin as remix } from "@remix-run/dev";
import { defineConfig } from "vite";

declare module "@remix-run/cloudflare" {
  interface Future {
    v3_singleFetch: true;
  }
}

/**
 * `npm run build` (remix vite:build) writes build/client (static assets, served by the
 * [assets] binding in wrangler.toml) and build/server/index.js (imported by edge/worker.ts).
 * Dev and production both run the built worker under workerd (`wrangler dev`): `remix vite:dev`
 * would run loaders in Node, which is not the platform we ship.
 */
export default defineConfig(({ mode }) => ({
  plugins: [
    // Vitest loads this file too (mode "test"): unit tests need plain TypeScript, not the Remix
    // build. (Not process.env.VITEST: a build started from inside a test run inherits it.)
    mode !== "test" &&
      remix({
        future: {
          v3_fetcherPersist: true,
          v3_relativeSplatPath: true,
          v3_throwAbortReason: true,
          v3_singleFetch: true,
          v3_lazyRouteDiscovery: true,
        },
      }),
  ],
  resolve: { alias: { "~": new URL("./app", import.meta.url).pathname } },
  ssr: {
    // Bundle everything into build/server/index.js so wrangler gets one self-contained module.
    noExternal: true,
    external: ["node:crypto"],
    target: "webworker",
    resolve: { conditions: ["workerd", "worker", "browser"], externalConditions: ["workerd", "worker"] },
  },
  build: { target: "es2022" },
}));
