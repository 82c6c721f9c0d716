import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { vitePlugin as remix } from "@remix-run/dev";
import { build, defineConfig, type Plugin } from "vite";

declare module "@remix-run/cloudflare" {
  interface Future {
    v3_singleFetch: true;
  }
}

/**
 * The operator console's chunks (its routes and their stylesheet): loaded from the network when an
 * operator opens the console, never downloaded onto a player's phone with the app.
 */
const OPERATOR_ONLY = /^assets\/console[-._]/;

/**
 * The service worker: after the client build, bundle app/sw/sw.ts (Workbox modules) into
 * build/client/sw.js with the precache list of what the build wrote (hashed assets by URL, other
 * files by content hash) injected as self.__WB_MANIFEST, the way workbox-build's injectManifest does.
 */
function serviceWorker(): Plugin {
  let outDir = "";
  let ssr = false;
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((name) => {
      const full = path.join(dir, name);
      return statSync(full).isDirectory()
        ? name.startsWith(".")
          ? []
          : walk(full)
        : [full];
    });
  return {
    name: "bazaar-sw",
    apply: "build",
    configResolved(config) {
      outDir = config.build.outDir;
      ssr = Boolean(config.build.ssr);
    },
    async closeBundle() {
      if (ssr || !outDir) return;
      const files = walk(outDir)
        .map((f) => path.relative(outDir, f).split(path.sep).join("/"))
        .filter(
          (f) =>
            /\.(js|css|svg|png|webmanifest)$/.test(f) &&
            f !== "sw.js" &&
            !OPERATOR_ONLY.test(f)
        );
      const manifest = files.map((f) => ({
        url: `/${f}`,
        revision: f.startsWith("assets/")
          ? null
          : createHash("sha256")
              .update(readFileSync(path.join(outDir, f)))
              .digest("hex")
              .slice(0, 16),
      }));
      await build({
        configFile: false,
        logLevel: "warn",
        define: {
          "self.__WB_MANIFEST": JSON.stringify(manifest),
          "process.env.NODE_ENV": JSON.stringify("production"),
        },
        build: {
          outDir,
          emptyOutDir: false,
          target: "es2022",
          minify: true,
          copyPublicDir: false,
          lib: {
            entry: path.resolve("app/sw/sw.ts"),
            formats: ["iife"],
            name: "bazaarSw",
            fileName: () => "sw.js",
          },
        },
      });
    },
  };
}

/**
 * `npm run build` (remix vite:build) writes build/client (static assets, served by the
 * [assets] binding in wrangler.toml, plus sw.js) and build/server/index.js (imported by
 * edge/worker.ts). Dev and production both run the built worker under workerd (`wrangler dev`):
 * `remix vite:dev` would run loaders in Node, which is not the platform we ship.
 */
/**
 * The small modules every page shares (money, time, prices, forms, the offline banner, the error
 * page, Vite's preload helper) in one chunk instead of one file each: a page's first load has fewer
 * requests on a slow phone network, and one gzip stream compresses them better than nine.
 */
const SHARED = [
  /\/app\/utils\/(money|time|price|root-data|nonce|markets|status|idle)\.tsx?$/,
  /\/app\/utils\/alerts\/price-form\.ts$/,
  /\/app\/components\/(Offline|StatusError|Change|forms|MarketRow|ConnectionPill)\.tsx$/,
  /vite\/preload-helper/,
];
function sharedChunk(id: string): string | undefined {
  return SHARED.some((re) => re.test(id)) ? "shared" : undefined;
}

export default defineConfig(({ mode, command, isSsrBuild }) => {
  // A build always ships production React and Remix, whatever NODE_ENV the caller has: vitest
  // sets NODE_ENV=test, and a stack started from a test run (tests/http/setup.ts) builds from it.
  if (command === "build" && mode === "production")
    process.env.NODE_ENV = "production";
  return {
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
      mode !== "test" && serviceWorker(),
    ],
    resolve: { alias: { "~": new URL("./app", import.meta.url).pathname } },
    ssr: {
      // Bundle everything into build/server/index.js so wrangler gets one self-contained module.
      noExternal: true,
      external: ["node:crypto"],
      target: "webworker",
      resolve: {
        conditions: ["workerd", "worker", "browser"],
        externalConditions: ["workerd", "worker"],
      },
    },
    build: {
      target: "es2022",
      // The server build is one module (inlineDynamicImports): chunks are the browser's.
      rollupOptions: isSsrBuild ? {} : { output: { manualChunks: sharedChunk } },
    },
  };
});
