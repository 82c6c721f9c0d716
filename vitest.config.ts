/**
 * Test projects (vitest 4). `npm test` (scripts/test.ts) runs them in order:
 *   unit  pure and in-process tests; tests/scripts also reach the real Postgres and Redis
 *   db    tests/db against tests/support/db.ts, once with TEST_DB=pglite, once with TEST_DB=postgres
 *   http  the built worker under wrangler dev + partykit dev on a real Postgres (tests/http/setup.ts)
 *   soak  long runs, never in npm test: npm run soak:proxy
 * Run one: npx vitest run --project unit
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "~": fileURLToPath(new URL("./app", import.meta.url)) } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["party/engine/**/*.test.ts", "db/fraud/**/*.test.ts", "db/consumers/**/*.test.ts", "party/market/**/*.test.ts", "party/relay/**/*.test.ts", "tests/edge/**/*.test.ts", "edge/**/*.test.ts", "tests/scripts/**/*.test.ts", "app/**/*.test.ts", "npc/**/*.test.ts", "db/leaderboards/**/*.test.ts", "db/native-buffer.test.ts", "db/ids.test.ts", "bench/lib/**/*.test.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: "db",
          include: ["tests/db/**/*.test.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        test: {
          name: "http",
          include: ["tests/http/**/*.test.ts"],
          globalSetup: ["tests/http/setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 240_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: "rooms",
          include: ["tests/rooms/**/*.test.ts"],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
      {
        extends: true,
        test: {
          name: "soak",
          include: ["tests/soak/**/*.soak.ts"],
          testTimeout: 900_000,
          hookTimeout: 120_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
