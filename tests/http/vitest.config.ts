/**
 * HTTP tests against the BUILT worker under `wrangler dev`, with a fresh database on the real
 * Postgres (TEST_DATABASE_URL's server). Run: npx vitest run --config tests/http/vitest.config.ts
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: fileURLToPath(new URL("../..", import.meta.url)),
  test: {
    include: ["tests/http/**/*.test.ts"],
    globalSetup: ["tests/http/setup.ts"],
    // One stack, one database: files run one after another so row counts stay meaningful.
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
