/**
 * Web Push encryption end to end under Node's WebCrypto (ADR 014): the sender's real request
 * reaches a local push service (tests/support/push-service.ts) that verifies the VAPID JWT (ES256,
 * audience, expiry) and decrypts the aes128gcm body with the device's private key, in node:crypto,
 * to the exact alert. The same under workerd: tests/http/push.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pushPayload } from "../../edge/push/payload";
import { checkVapid, sendToDevice, topicOf, type SenderOptions } from "../../edge/push/sender.server";
import { browserSubscription, decryptAes128gcm, startPushService, vapidKeys, verifyVapid, type PushService } from "../support/push-service";

let service: PushService;
const keys = vapidKeys();
const options: SenderOptions = { vapid: { ...keys, subject: "mailto:ops@bazaar.example" }, allowLoopback: true };
const alert = {
  id: "6f1d0c2a-3b4c-4d5e-8f90-a1b2c3d4e5f6",
  playerId: "00000000-0000-4000-8000-000000000001",
  kind: "offer_received",
  title: "Mira offers you 3 Iron Swords",
  body: "For 12.50 gold. Open it to accept or counter.",
  url: "/offers/6f1d0c2a",
  icon: "/icons/items/iron-sword.svg",
  createdAt: "2026-11-20T10:00:00.123456Z",
  attempts: 1,
};

beforeAll(async () => {
  service = await startPushService(Number(process.env.PUSH_TEST_PORT ?? 0));
});
afterAll(() => service.close());

describe("sending one alert to one device", () => {
  it("arrives signed (VAPID) and decrypts (aes128gcm) to the exact payload", async () => {
    const device = service.device();
    const result = await sendToDevice(alert, { id: "d1", playerId: alert.playerId, endpoint: device.endpoint, ...device.keys }, options);
    expect(result).toEqual({ kind: "delivered", status: 201 });
    const [got] = service.received.filter((r) => r.path === new URL(device.endpoint).pathname);
    expect(got?.error).toBeUndefined();
    expect(got!.message).toEqual(pushPayload(alert));
    expect(got!.message).toMatchObject({ id: alert.id, tag: alert.id, title: alert.title, body: alert.body, url: alert.url, icon: alert.icon, kind: alert.kind });
    expect(got!.vapidKey).toBe(keys.publicKey);
    expect(got!.claims).toMatchObject({ aud: service.url.replace("http:", "https:"), sub: "mailto:ops@bazaar.example" });
    expect(got!.headers.topic).toBe(topicOf(alert.id));
    expect(got!.headers.ttl).toBe(String(12 * 3600));
    // The record is padded to the 4096-byte maximum: its size says nothing about the alert.
    expect(got!.bodyBytes).toBe(4096);
  });

  it("the oracle refuses what a wrong device key cannot open", async () => {
    const device = service.device();
    await sendToDevice(alert, { id: "d2", playerId: alert.playerId, endpoint: device.endpoint, ...device.keys }, options);
    const other = browserSubscription(device.endpoint);
    const original = service.received.at(-1)!;
    expect(original.error).toBeUndefined();
    // Re-encrypt check: decrypting the same body with another device's key fails.
    const body = await captureBody(device.endpoint, device.keys);
    expect(() => decryptAes128gcm(body, other)).toThrow();
    expect(JSON.parse(decryptAes128gcm(body, device).toString())).toEqual(pushPayload(alert));
  });

  it("a wrong VAPID private key for the public key fails the signature check", async () => {
    const device = service.device();
    const other = vapidKeys();
    const result = await sendToDevice(alert, { id: "d3", playerId: alert.playerId, endpoint: device.endpoint, ...device.keys }, { ...options, vapid: { ...options.vapid, privateKey: other.privateKey } });
    // WebCrypto refuses the mismatched pair before anything is sent; the subscription is kept (not "gone").
    expect(result.kind).toBe("rejected");
    await expect(checkVapid({ ...options.vapid, privateKey: other.privateKey })).rejects.toThrow(/does not belong/);
    await expect(checkVapid(options.vapid)).resolves.toBeUndefined();
  });

  it("the oracle refuses a JWT signed by another key than k", async () => {
    const device = service.device();
    const other = vapidKeys();
    // The other pair signs, but claims our public key: only the push service can tell.
    let headers: Record<string, string> = {};
    const fakeFetch = (async (_url: string, init: RequestInit) => {
      headers = init.headers as Record<string, string>;
      return new Response(null, { status: 201 });
    }) as unknown as typeof fetch;
    await sendToDevice(alert, { id: "d7", playerId: alert.playerId, endpoint: device.endpoint, ...device.keys }, { ...options, vapid: { ...options.vapid, ...other }, fetch: fakeFetch });
    const forged = headers.authorization!.replace(/k=.*$/, `k=${keys.publicKey}`);
    expect(() => verifyVapid(forged, service.url.replace("http:", "https:"))).toThrow(/signature/);
    expect(() => verifyVapid(headers.authorization, "https://elsewhere.example")).toThrow(/aud/);
    expect(verifyVapid(headers.authorization, service.url.replace("http:", "https:")).key).toBe(other.publicKey);
  });

  it("refuses http endpoints unless loopback is allowed, without a request", async () => {
    const device = service.device();
    const before = service.received.length;
    const result = await sendToDevice(alert, { id: "d4", playerId: alert.playerId, endpoint: device.endpoint, ...device.keys }, { ...options, allowLoopback: false });
    expect(result.kind).toBe("gone");
    expect(service.received.length).toBe(before);
  });

  it("a network failure or timeout is a retry", async () => {
    const device = service.device();
    service.script(device, [{ status: 201, delayMs: 1_500 }]);
    const slow = await sendToDevice(alert, { id: "d5", playerId: alert.playerId, endpoint: device.endpoint, ...device.keys }, { ...options, timeoutMs: 300 });
    expect(slow).toEqual({ kind: "retry", status: null });
    const refused = await sendToDevice(alert, { id: "d6", playerId: alert.playerId, endpoint: "http://127.0.0.1:1/push/x", ...device.keys }, options);
    expect(refused).toEqual({ kind: "retry", status: null });
  });
});

/** The raw body the sender posts, caught by a fetch stand-in. */
async function captureBody(endpoint: string, k: { p256dh: string; auth: string }): Promise<Buffer> {
  let body: Buffer | undefined;
  const fakeFetch = (async (_url: string, init: RequestInit) => {
    body = Buffer.from(init.body as Uint8Array);
    return new Response(null, { status: 201 });
  }) as unknown as typeof fetch;
  await sendToDevice(alert, { id: "dx", playerId: alert.playerId, endpoint, ...k }, { ...options, fetch: fakeFetch });
  return body!;
}
