/** The edge's start check (ADR 031): each missing or bad variable named, with how to set it. */
import { describe, expect, it } from "vitest";
import { envProblems, getEnv, getPublicEnv } from "../../edge/env.server";

const base = { DATABASE_URL: "postgres://u:p@ep-x-pooler.neon.tech/bazaar", SESSION_SECRET: "s".repeat(32), ROOM_SECRET: "r".repeat(32) };
const production = { ...base, APP_ENV: "production", PARTY_HOST: "bazaar.example.partykit.dev", SERVER_KEY_SECRET: "k".repeat(32), UPSTASH_REDIS_REST_URL: "https://eu1-x.upstash.io", UPSTASH_REDIS_REST_TOKEN: "t" };

describe("the worker's environment check", () => {
  it("passes a complete production configuration", () => {
    expect(envProblems(production)).toEqual([]);
    expect(getEnv(production).APP_ENV).toBe("production");
  });

  it("names each missing secret and how to set it", () => {
    expect(envProblems({ APP_ENV: "test" })).toEqual([
      "DATABASE_URL: missing (a secret: wrangler secret put DATABASE_URL)",
      "SESSION_SECRET: missing (a secret: wrangler secret put SESSION_SECRET)",
      "ROOM_SECRET: missing (a secret: wrangler secret put ROOM_SECRET)",
    ]);
    expect(() => getEnv({ ...base, ROOM_SECRET: "" })).toThrow("Invalid worker environment: ROOM_SECRET: missing (a secret: wrangler secret put ROOM_SECRET)");
  });

  it("requires the key sealer and Upstash in production, not in tests", () => {
    expect(envProblems({ ...base, APP_ENV: "test" })).toEqual([]);
    expect(envProblems({ ...base, APP_ENV: "production" })).toEqual([
      "PARTY_HOST: missing (a var: [vars] in wrangler.toml), required with APP_ENV=production",
      "SERVER_KEY_SECRET: missing (a secret: wrangler secret put SERVER_KEY_SECRET), required with APP_ENV=production",
      "UPSTASH_REDIS_REST_URL: missing (a secret: wrangler secret put UPSTASH_REDIS_REST_URL), required with APP_ENV=production",
      "UPSTASH_REDIS_REST_TOKEN: missing (a secret: wrangler secret put UPSTASH_REDIS_REST_TOKEN), required with APP_ENV=production",
    ]);
    expect(envProblems({ ...production, UPSTASH_REDIS_REST_TOKEN: "" })).toContain("UPSTASH_REDIS_REST_URL and UPSTASH_REDIS_REST_TOKEN: set both or neither");
  });

  it("refuses a Neon connection string that bypasses the pooler", () => {
    const direct = "postgres://u:p@ep-cool-name-123.eu-central-1.aws.neon.tech/bazaar?sslmode=require";
    expect(envProblems({ ...production, DATABASE_URL: direct })).toEqual([expect.stringContaining("use Neon's pooled connection string")]);
    expect(envProblems({ ...production, DATABASE_URL: direct.replace("-123.", "-123-pooler.") })).toEqual([]);
    expect(envProblems({ ...base, APP_ENV: "test", DATABASE_URL: "postgres://postgres@127.0.0.1:5432/test" })).toEqual([]);
  });

  it("names a bad value without echoing it", () => {
    const problems = envProblems({ ...base, APP_ENV: "test", DATABASE_URL: "mysql://hidden-host", SESSION_SECRET: "short-one" });
    expect(problems.map((p) => p.split(":")[0])).toEqual(["DATABASE_URL", "SESSION_SECRET"]);
    expect(problems.join(" ")).not.toMatch(/hidden-host|short-one/);
  });

  it("bounds how long a request waits for a connection: 5 s by default, 500 ms to 60 s when set", () => {
    expect(getEnv({ ...base, APP_ENV: "test" }).DB_CONNECT_TIMEOUT_MS).toBe(5_000);
    expect(getEnv({ ...base, APP_ENV: "test", DB_CONNECT_TIMEOUT_MS: "30000" }).DB_CONNECT_TIMEOUT_MS).toBe(30_000);
    expect(envProblems({ ...base, APP_ENV: "test", DB_CONNECT_TIMEOUT_MS: "100" })).toEqual([expect.stringMatching(/^DB_CONNECT_TIMEOUT_MS: must be at least 500/)]);
    expect(envProblems({ ...base, APP_ENV: "test", DB_CONNECT_TIMEOUT_MS: "600000" })).toEqual([expect.stringMatching(/^DB_CONNECT_TIMEOUT_MS: must be at most 60000/)]);
  });

  it("sizes the feed consumers' pages by time only when FEED_PAGE_MS is set (0 to 10 s)", () => {
    expect(getEnv({ ...base, APP_ENV: "test" }).FEED_PAGE_MS).toBe(0);
    expect(getEnv({ ...base, APP_ENV: "test", FEED_PAGE_MS: "100" }).FEED_PAGE_MS).toBe(100);
    expect(envProblems({ ...base, APP_ENV: "test", FEED_PAGE_MS: "-1" })).toEqual([expect.stringMatching(/^FEED_PAGE_MS: /)]);
    expect(envProblems({ ...base, APP_ENV: "test", FEED_PAGE_MS: "60000" })).toEqual([expect.stringMatching(/^FEED_PAGE_MS: must be at most 10000/)]);
  });

  it("sends pages to relay rooms only when MARKET_RELAYS is set (0 to 64), and tells the page", () => {
    expect(getPublicEnv(getEnv({ ...base, APP_ENV: "test" })).MARKET_RELAYS).toBe(0);
    expect(getPublicEnv(getEnv({ ...base, APP_ENV: "test", MARKET_RELAYS: "8" })).MARKET_RELAYS).toBe(8);
    expect(envProblems({ ...base, APP_ENV: "test", MARKET_RELAYS: "65" })).toEqual([expect.stringMatching(/^MARKET_RELAYS: must be at most 64/)]);
    expect(envProblems({ ...base, APP_ENV: "test", MARKET_RELAYS: "two" })).toEqual([expect.stringMatching(/^MARKET_RELAYS: /)]);
  });
});
