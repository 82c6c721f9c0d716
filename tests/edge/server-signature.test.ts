/** The game-server signature rules (edge/server-api/signature.ts) and the secret box. */
import { describe, expect, it } from "vitest";
import { openSecret, sealSecret, newKeyPair } from "../../edge/server-api/secret-box";
import {
  canonicalString, readSignedHeaders, sha256Hex, sign, signRequest, timestampProblem, verify, WINDOW_SECONDS,
} from "../../edge/server-api/signature";

const base = { method: "post", pathAndQuery: "/api/v1/server/currency/mint?x=1", timestamp: "1800000000", nonce: "n".repeat(16), idempotencyKey: "loot-123456" };

describe("canonical string", () => {
  it("is seven lines in a fixed order with the method upper-cased", async () => {
    const body = '{"amount":5}';
    const c = canonicalString({ ...base, bodySha256: await sha256Hex(body) });
    expect(c.split("\n")).toEqual([
      "BAZAAR-HMAC-SHA256", "POST", "/api/v1/server/currency/mint?x=1", "1800000000", "nnnnnnnnnnnnnnnn", "loot-123456",
      await sha256Hex(body),
    ]);
    expect(canonicalString({ ...base, idempotencyKey: null, bodySha256: await sha256Hex("") }).split("\n")[5]).toBe("");
    expect(await sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  it("matches an HMAC-SHA256 computed independently (node:crypto)", async () => {
    const { createHmac } = await import("node:crypto");
    const c = canonicalString({ ...base, bodySha256: await sha256Hex("{}") });
    expect(await sign("gss_secret", c)).toBe(createHmac("sha256", "gss_secret").update(c).digest("hex"));
  });
});

describe("verify", () => {
  it("accepts the right secret and refuses a wrong secret, a changed body, path, method, nonce or key", async () => {
    const c = canonicalString({ ...base, bodySha256: await sha256Hex("{}") });
    const sig = await sign("right", c);
    expect(await verify("right", c, sig)).toBe(true);
    expect(await verify("wrong", c, sig)).toBe(false);
    for (const changed of [
      { ...base, bodySha256: await sha256Hex('{"a":1}') },
      { ...base, pathAndQuery: "/api/v1/server/currency/mint", bodySha256: await sha256Hex("{}") },
      { ...base, method: "PATCH", bodySha256: await sha256Hex("{}") },
      { ...base, nonce: "m".repeat(16), bodySha256: await sha256Hex("{}") },
      { ...base, idempotencyKey: "other-key-1", bodySha256: await sha256Hex("{}") },
    ]) expect(await verify("right", canonicalString(changed), sig)).toBe(false);
    expect(await verify("right", c, sig.toUpperCase())).toBe(false);
    expect(await verify("right", c, "zz")).toBe(false);
  });
});

describe("time window", () => {
  const now = 1_800_000_000_000;
  it(`accepts +-${WINDOW_SECONDS} s and refuses older and future timestamps, naming which`, () => {
    expect(timestampProblem("1800000000", now)).toBeUndefined();
    expect(timestampProblem(String(1_800_000_000 - WINDOW_SECONDS), now)).toBeUndefined();
    expect(timestampProblem(String(1_800_000_000 + WINDOW_SECONDS), now)).toBeUndefined();
    expect(timestampProblem(String(1_800_000_000 - WINDOW_SECONDS - 1), now)).toMatch(/too old/);
    expect(timestampProblem(String(1_800_000_000 + WINDOW_SECONDS + 1), now)).toMatch(/ahead/);
    expect(timestampProblem("1.8e9", now)).toMatch(/unix seconds/);
    expect(timestampProblem("", now)).toMatch(/unix seconds/);
  });
});

describe("headers", () => {
  it("signRequest produces headers that readSignedHeaders accepts and that verify", async () => {
    const { keyId, secret } = newKeyPair();
    const body = JSON.stringify({ playerId: "x", amount: 1 });
    const headers = await signRequest({ keyId, secret, method: "POST", pathAndQuery: "/api/v1/server/currency/mint", body, idempotencyKey: "idem-key-1" });
    const read = readSignedHeaders(new Headers(headers));
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    const c = canonicalString({ method: "POST", pathAndQuery: "/api/v1/server/currency/mint", timestamp: read.value.timestamp, nonce: read.value.nonce, idempotencyKey: "idem-key-1", bodySha256: await sha256Hex(body) });
    expect(await verify(secret, c, read.value.signature)).toBe(true);
  });

  it("names a missing or malformed header", () => {
    const r = readSignedHeaders(new Headers({ "X-Bazaar-Key": "gsk_" + "a".repeat(22) }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(/missing X-Bazaar-Timestamp, X-Bazaar-Nonce, X-Bazaar-Signature/);
    const bad = readSignedHeaders(new Headers({ "X-Bazaar-Key": "nope", "X-Bazaar-Timestamp": "1", "X-Bazaar-Nonce": "n".repeat(16), "X-Bazaar-Signature": "0".repeat(64) }));
    expect(bad.ok || bad.problem).toMatch(/X-Bazaar-Key must be a key id/);
  });
});

describe("secret box", () => {
  it("opens with the same master and key id only", async () => {
    const master = "m".repeat(40);
    const sealed = await sealSecret(master, "gss_the_secret", "gsk_1");
    expect(sealed).not.toContain("gss_the_secret");
    expect(await openSecret(master, sealed, "gsk_1")).toBe("gss_the_secret");
    expect(await openSecret("x".repeat(40), sealed, "gsk_1")).toBeUndefined();
    expect(await openSecret(master, sealed, "gsk_2")).toBeUndefined();
    expect(await sealSecret(master, "gss_the_secret", "gsk_1")).not.toBe(sealed); // fresh IV each time
  });
});
