/** Development VAPID keys (scripts/stack.ts devVapidKeys, scripts/vapid.ts): generated once, kept, usable. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { EnvSchema } from "../../edge/env.server";
import { checkVapid } from "../../edge/push/sender.server";
import { devSecrets, devVapidKeys } from "../../scripts/stack";

const dir = mkdtempSync(path.join(tmpdir(), "bazaar-vapid-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("development VAPID keys", () => {
  it("are generated once into secrets.json beside the other secrets, and kept", async () => {
    const secrets = devSecrets(dir);
    const keys = devVapidKeys(dir);
    expect(devVapidKeys(dir)).toEqual(keys);
    expect(devSecrets(dir)).toEqual(secrets);
    const file = JSON.parse(readFileSync(path.join(dir, "secrets.json"), "utf8"));
    expect(file).toMatchObject({ ...secrets, ...keys });
    // The format the worker's env accepts, and a pair that signs.
    const env = EnvSchema.parse({ DATABASE_URL: "postgres://x", SESSION_SECRET: secrets.SESSION_SECRET, ROOM_SECRET: secrets.ROOM_SECRET, ...keys });
    expect(env.VAPID_PUBLIC_KEY).toBe(keys.VAPID_PUBLIC_KEY);
    await expect(checkVapid({ publicKey: keys.VAPID_PUBLIC_KEY, privateKey: keys.VAPID_PRIVATE_KEY, subject: env.VAPID_SUBJECT })).resolves.toBeUndefined();
  });
  it("a secrets.json of an older checkout gets keys added, its secrets untouched", () => {
    const old = mkdtempSync(path.join(tmpdir(), "bazaar-vapid-old-"));
    try {
      writeFileSync(path.join(old, "secrets.json"), JSON.stringify({ SESSION_SECRET: "a".repeat(64), ROOM_SECRET: "b".repeat(64) }));
      devVapidKeys(old);
      expect(devSecrets(old)).toEqual({ SESSION_SECRET: "a".repeat(64), ROOM_SECRET: "b".repeat(64) });
    } finally {
      rmSync(old, { recursive: true, force: true });
    }
  });
  it("the worker refuses half a pair, and loopback endpoints in production", async () => {
    const { getEnv } = await import("../../edge/env.server");
    const base = { DATABASE_URL: "postgres://x", SESSION_SECRET: "s".repeat(40), ROOM_SECRET: "r".repeat(40) };
    const keys = devVapidKeys(dir);
    expect(() => getEnv({ ...base, VAPID_PUBLIC_KEY: keys.VAPID_PUBLIC_KEY })).toThrow(/set both or neither/);
    expect(() => getEnv({ ...base, APP_ENV: "production", PUSH_ALLOW_LOOPBACK: "1" })).toThrow(/only for tests/);
    expect(getEnv({ ...base, APP_ENV: "test", PUSH_ALLOW_LOOPBACK: "1" }).PUSH_ALLOW_LOOPBACK).toBe(true);
    expect(() => getEnv({ ...base, VAPID_PUBLIC_KEY: "nope", VAPID_PRIVATE_KEY: keys.VAPID_PRIVATE_KEY })).toThrow(/VAPID_PUBLIC_KEY/);
  });
});
