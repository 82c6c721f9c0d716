import { pbkdf2Sync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CURRENT, hashPassword, memoryBytes, needsRehash, parseHash, verifyPassword } from "../../edge/auth/password.server";

/** Cloudflare's production runtime refuses PBKDF2 above this (local workerd does not). */
const WORKERS_PBKDF2_MAX_ITERATIONS = 100_000;
/** OWASP's minimum for PBKDF2-HMAC-SHA256. */
const OWASP_PBKDF2_SHA256 = 600_000;
const WORKER_MEMORY = 128 * 1024 * 1024;

describe("password hashing", () => {
  it("stores a self-describing scrypt string with OWASP parameters", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored).toMatch(/^scrypt\$16384\$8\$5\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(parseHash(stored)).toMatchObject({ N: 16_384, r: 8, p: 5 });
  });

  it("verifies the right password and rejects a wrong one", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(await verifyPassword("correct horse battery", stored)).toBe(true);
    expect(await verifyPassword("correct horse batterY", stored)).toBe(false);
    expect(await verifyPassword("", stored)).toBe(false);
  });

  it("salts: the same password never hashes the same way twice", async () => {
    expect(await hashPassword("same password")).not.toBe(await hashPassword("same password"));
  });

  it("never matches a malformed or hostile stored hash", async () => {
    for (const bad of ["", "plain", "scrypt$16384$8$5$AAAA$BBBB", "pbkdf2$600000$x$y", "scrypt$16383$8$5$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==", `scrypt$${2 ** 30}$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAA==`]) {
      expect(await verifyPassword("whatever1", bad)).toBe(false);
    }
  });

  it("asks for a rehash when a stored hash is weaker than the current parameters", async () => {
    const weak = await hashPassword("correct horse battery", { N: 1024, r: 8, p: 1 });
    expect(await verifyPassword("correct horse battery", weak)).toBe(true);
    expect(needsRehash(weak)).toBe(true);
    expect(needsRehash(await hashPassword("correct horse battery"))).toBe(false);
  });

  it("normalizes Unicode so the same password typed on two keyboards verifies", async () => {
    const stored = await hashPassword("caf\u00e9-latte");
    expect(await verifyPassword("cafe\u0301-latte", stored)).toBe(true);
  });
});

describe("why scrypt and not PBKDF2 (Workers limits)", () => {
  it("PBKDF2 at OWASP's strength would be refused by production Workers", () => {
    // Local workerd and Node both accept it, so only this test says the truth about production.
    expect(OWASP_PBKDF2_SHA256).toBeGreaterThan(WORKERS_PBKDF2_MAX_ITERATIONS);
    expect(() => pbkdf2Sync("x", "salt", OWASP_PBKDF2_SHA256, 32, "sha256")).not.toThrow();
  });

  it("our scheme is scrypt, never PBKDF2", async () => {
    const stored = await hashPassword("correct horse battery");
    expect(stored.startsWith("scrypt$")).toBe(true);
    expect(stored).not.toMatch(/pbkdf2/i);
  });

  it("scrypt's memory (128*N*r bytes) fits a Worker's 128 MiB with room to spare", () => {
    expect(memoryBytes(CURRENT)).toBe(16 * 1024 * 1024);
    expect(memoryBytes(CURRENT)).toBeLessThanOrEqual(WORKER_MEMORY / 4);
  });

  it("is within the OWASP scrypt table (N=2^14, r=8, p>=5 or stronger)", () => {
    expect(CURRENT.N * CURRENT.r * CURRENT.p).toBeGreaterThanOrEqual(16_384 * 8 * 5);
  });
});
