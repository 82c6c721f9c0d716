import { describe, expect, it } from "vitest";
import { allApiRoutes } from "../api/index.server";
import { MemoryRedis } from "../redis.server";
import { doorOf, DOOR_LIMITS } from "./doors";
import { createLimiter } from "./rate-limit.server";
import { edgeOutcomes } from "../metrics/outcomes";

const q = (s = "") => new URLSearchParams(s);

describe("doors", () => {
  it("names the door of each kind of request", () => {
    expect(doorOf("POST", "/signup", q())).toBe("signup");
    expect(doorOf("POST", "/signup.data", q())).toBe("signup");
    expect(doorOf("POST", "/signin", q())).toBe("signin");
    expect(doorOf("POST", "/signin/passkey", q())).toBe("signin");
    expect(doorOf("POST", "/api/v1/passkeys/authentication-options", q())).toBe("tokens");
    expect(doorOf("POST", "/api/v1/passkeys/authentication", q())).toBe("tokens");
    expect(doorOf("POST", "/api/v1/tokens", q())).toBe("tokens");
    expect(doorOf("GET", "/api/v1/tokens", q())).toBeUndefined();
    expect(doorOf("POST", "/api/v1/markets/iron-ore/orders", q())).toBe("orders");
    expect(doorOf("DELETE", "/api/v1/markets/iron-ore/orders/abc", q())).toBe("orders");
    expect(doorOf("POST", "/api/v1/markets/iron-ore/orders/abc/amend", q())).toBe("orders");
    expect(doorOf("GET", "/markets/iron-ore/token", q())).toBe("orders");
    expect(doorOf("POST", "/offers/new", q())).toBe("offers");
    expect(doorOf("POST", "/offers/abc.data", q())).toBe("offers");
    expect(doorOf("POST", "/api/v1/offers/abc/accept", q())).toBe("offers");
    expect(doorOf("POST", "/api/v1/server/currency/mint", q())).toBe("game-server");
    expect(doorOf("GET", "/api/v1/server/events", q())).toBe("game-server");
    expect(doorOf("GET", "/api/v1/markets", q("search=ore"))).toBe("search");
    expect(doorOf("GET", "/api/v1/item-types", q("q=sword"))).toBe("search");
    expect(doorOf("GET", "/markets", q("q=ore"))).toBe("search");
    expect(doorOf("GET", "/markets", q())).toBeUndefined();
    expect(doorOf("GET", "/inventory", q())).toBeUndefined();
  });

  // Every mutating API route goes through a door, or is listed here with the reason it has none.
  const NO_DOOR: Record<string, string> = {
    markAlertsRead: "my own alerts' read marks: no cost, no one else affected",
    markAllAlertsRead: "as above",
    createPriceAlert: "bounded per player by the price-alert count limit",
    deletePriceAlert: "deleting my own",
    putAlertPreferences: "my own settings",
    putPrivacy: "my own setting; an event only when it changes (ADR 039)",
    revokeToken: "revoking my own token",
    blockPlayer: "idempotent, my own block list",
    unblockPlayer: "idempotent, my own block list",
    createPushSubscription: "bounded per player by the device limit",
    deletePushSubscription: "my own device",
    passkeyRegistrationOptions: "signed in; bounded per player by the passkey limit",
    addPasskey: "signed in; each answer needs a challenge of mine, used once",
  };
  it("every mutating API route has a door or a reason", () => {
    const missing = allApiRoutes
      .filter((r) => r.method !== "GET")
      .filter((r) => !doorOf(r.method, r.path.replace(/:[a-zA-Z]+/g, "x"), q()) && !NO_DOOR[r.operationId])
      .map((r) => `${r.method} ${r.path} (${r.operationId})`);
    expect(missing).toEqual([]);
  });
});

describe("limiter (in-process store)", () => {
  it("refuses the request over the limit with when to come back, per address and per credential", async () => {
    let now = 1_000_000;
    const store = new MemoryRedis(() => now);
    const limiter = createLimiter({ RATE_LIMIT_PREFIX: "t" }, () => now, store);
    const { perAddress } = DOOR_LIMITS.signup;
    for (let i = 0; i < perAddress; i++) expect((await limiter.check("signup", { address: "1.2.3.4" })).ok).toBe(true);
    const hits = edgeOutcomes.rateLimited.get("signup");
    const refused = await limiter.check("signup", { address: "1.2.3.4" });
    expect(refused).toMatchObject({ ok: false, retryAfterSeconds: 3600 });
    expect(edgeOutcomes.rateLimited.get("signup")).toBe(hits + 1); // the edge's metrics count the refusal
    if (!refused.ok) expect(refused.message).toMatch(/^too many sign-ups from your address: at most 10 per 60 minutes\. Try again in 60 minutes\.$/);
    expect((await limiter.check("signup", { address: "5.6.7.8" })).ok).toBe(true);
    now += 3600 * 1000;
    expect((await limiter.check("signup", { address: "1.2.3.4" })).ok).toBe(true);

    const { perCredential } = DOOR_LIMITS.offers;
    for (let i = 0; i < perCredential!; i++) expect((await limiter.check("offers", { address: `10.0.0.${i}`, credential: "session:a" })).ok).toBe(true);
    const over = await limiter.check("offers", { address: "10.0.1.1", credential: "session:a" });
    expect(over.ok).toBe(false);
    if (!over.ok) expect(over.message).toContain("offer actions from your account");
    expect((await limiter.check("offers", { address: "10.0.1.1", credential: "session:b" })).ok).toBe(true);
  });
});
