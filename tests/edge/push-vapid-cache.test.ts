/**
 * One VAPID header per push service, reused for an hour (edge/push/vapid-cache.ts): the reused
 * header still verifies, names the right audience, and is never shared across services or keys.
 */
import { describe, expect, it } from "vitest";
import { vapidAuthorization } from "../../edge/push/vapid-cache";
import { vapidKeys, verifyVapid } from "../support/push-service";

const vapid = { ...vapidKeys(), subject: "mailto:ops@bazaar.example" };
const HOUR = 3_600_000;

describe("vapidAuthorization", () => {
  it("signs for the endpoint's origin and reuses the header for that origin within the hour", async () => {
    const now = Date.now();
    const a = await vapidAuthorization("https://fcm.example.com/send/abc", vapid, now);
    const b = await vapidAuthorization("https://fcm.example.com/send/def", vapid, now + HOUR - 1);
    expect(b).toBe(a);
    const { claims, key } = verifyVapid(a, "https://fcm.example.com");
    expect(key).toBe(vapid.publicKey);
    expect(claims.sub).toBe(vapid.subject);
    expect(claims.exp! * 1000 - now).toBeGreaterThan(11 * HOUR);
  });

  it("signs again for another push service, another key, or after an hour", async () => {
    const now = Date.now();
    const a = await vapidAuthorization("https://push.one.example/x", vapid, now);
    const other = await vapidAuthorization("https://push.two.example/x", vapid, now);
    expect(other).not.toBe(a);
    expect(() => verifyVapid(other, "https://push.two.example")).not.toThrow();
    const rotated = { ...vapidKeys(), subject: vapid.subject };
    const withNewKey = await vapidAuthorization("https://push.one.example/x", rotated, now);
    expect(verifyVapid(withNewKey, "https://push.one.example").key).toBe(rotated.publicKey);
    const later = await vapidAuthorization("https://push.one.example/x", vapid, now + HOUR);
    expect(later).not.toBe(a);
  });

  it("does not keep a header it could not sign", async () => {
    const broken = { ...vapid, privateKey: "not-a-key" };
    await expect(vapidAuthorization("https://push.three.example/x", broken)).rejects.toThrow();
    const fixed = await vapidAuthorization("https://push.three.example/x", { ...vapid });
    expect(() => verifyVapid(fixed, "https://push.three.example")).not.toThrow();
  });
});
