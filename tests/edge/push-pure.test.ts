/** The push sender's pure parts (ADR 014): backoff, Retry-After, answer classification, payload. */
import { describe, expect, it } from "vitest";
import { BACKOFF_CAP_SECONDS, PUSH_MAX_ATTEMPTS, parseRetryAfter, retryDelaySeconds, RETRY_AFTER_CAP_SECONDS } from "../../edge/push/backoff";
import { alertOutcome, classifyPushStatus, type PushResult } from "../../edge/push/classify";
import { byteLength, cutText, MAX_PUSH_PAYLOAD_BYTES, pushPayload, pushPayloadText, safePath } from "../../edge/push/payload";
import { checkKeys, endpointProblem, fromBase64Url, PushSubscriptionInput, toBase64Url } from "../../edge/push/subscription";
import { topicOf } from "../../edge/push/sender.server";
import { browserSubscription } from "../support/push-service";

describe("backoff", () => {
  it("doubles from 30 s with jitter between half and all of the step, capped at an hour", () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, undefined, 1))).toEqual([30, 60, 120, 240]);
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, undefined, 0))).toEqual([15, 30, 60, 120]);
    expect(retryDelaySeconds(20, undefined, 1)).toBe(BACKOFF_CAP_SECONDS);
    expect(retryDelaySeconds(1_000, undefined, 0.5)).toBeLessThanOrEqual(BACKOFF_CAP_SECONDS);
  });
  it("never comes back before the push service's Retry-After, which is capped at 6 h", () => {
    expect(retryDelaySeconds(1, 300, 1)).toBe(300);
    expect(retryDelaySeconds(1, 2, 1)).toBe(30);
    expect(retryDelaySeconds(1, 10 ** 9, 1)).toBe(RETRY_AFTER_CAP_SECONDS);
  });
  it("reads Retry-After as seconds or an HTTP date", () => {
    const now = Date.parse("2026-11-20T10:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter("Fri, 20 Nov 2026 10:01:30 GMT", now)).toBe(90);
    expect(parseRetryAfter("Fri, 20 Nov 2026 09:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
  });
});

describe("classifying a push service's answer", () => {
  it("maps statuses", () => {
    expect(classifyPushStatus(201).kind).toBe("delivered");
    expect(classifyPushStatus(404).kind).toBe("gone");
    expect(classifyPushStatus(410).kind).toBe("gone");
    expect(classifyPushStatus(429, 7)).toEqual({ kind: "retry", status: 429, retryAfterSeconds: 7 });
    expect(classifyPushStatus(503).kind).toBe("retry");
    expect(classifyPushStatus(500).kind).toBe("retry");
    expect(classifyPushStatus(413).kind).toBe("rejected");
    expect(classifyPushStatus(403).kind).toBe("rejected");
    expect(classifyPushStatus(400).kind).toBe("rejected");
  });
  const d: PushResult = { kind: "delivered", status: 201 };
  const r: PushResult = { kind: "retry", status: 503 };
  const g: PushResult = { kind: "gone", status: 410 };
  const x: PushResult = { kind: "rejected", status: 403, reason: "vapid" };
  it("settles the alert from all its devices' answers", () => {
    expect(alertOutcome([d], 1)).toEqual({ state: "sent" });
    expect(alertOutcome([d, g], 1)).toEqual({ state: "sent" });
    expect(alertOutcome([], 1)).toEqual({ state: "dead", reason: "no device is subscribed" });
    expect(alertOutcome([g, g], 1).state).toBe("dead");
    expect(alertOutcome([x], 1).state).toBe("dead");
    // A passing failure on one device retries the alert (the others deduplicate by id).
    expect(alertOutcome([d, r], 1, 1)).toEqual({ state: "due", delaySeconds: 30 });
    expect(alertOutcome([r, { kind: "retry", status: 429, retryAfterSeconds: 90 }], 2, 1)).toEqual({ state: "due", delaySeconds: 90 });
    // The last attempt: what reached a device counts; nothing reached is given up.
    expect(alertOutcome([d, r], PUSH_MAX_ATTEMPTS)).toEqual({ state: "sent" });
    expect(alertOutcome([r], PUSH_MAX_ATTEMPTS)).toEqual({ state: "dead", reason: `gave up after ${PUSH_MAX_ATTEMPTS} attempts` });
  });
});

const alert = { id: "0b5e3f8e-6d8a-4a57-9f0e-1c2d3e4f5a6b", kind: "fill", title: "Sold 20 Iron Ore at 1.27 gold", body: "Your order is filled.", url: "/markets/iron-ore", icon: "/icons/items/iron-ore.svg", createdAt: "2026-11-20T10:00:00.000Z" };

describe("the push payload", () => {
  it("carries what the notification shows, tagged with the alert id", () => {
    expect(pushPayload(alert)).toEqual({ ...alert, tag: alert.id, createdAt: undefined, ts: Date.parse(alert.createdAt) });
    expect(JSON.parse(pushPayloadText(alert))).not.toHaveProperty("createdAt");
  });
  it("keeps links on this site", () => {
    expect(safePath("/offers/abc?x=1#y")).toBe("/offers/abc?x=1#y");
    for (const bad of ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "/\\evil", "markets", "", "/a\nb", `/${"a".repeat(600)}`]) expect(safePath(bad)).toBeUndefined();
    expect(pushPayload({ ...alert, url: "https://evil.example/", icon: "javascript:x" })).toMatchObject({ url: "/", icon: null });
  });
  it("cuts long text to fit the 4 KB record, body first, on code point boundaries", () => {
    const long = { ...alert, title: "T".repeat(150), body: "😀".repeat(5_000) };
    const p = pushPayload(long);
    const text = JSON.stringify(p);
    expect(byteLength(text)).toBeLessThanOrEqual(MAX_PUSH_PAYLOAD_BYTES);
    expect(p.title).toBe("T".repeat(150));
    expect(p.body.endsWith("…")).toBe(true);
    expect(p.body).not.toMatch(/\p{Cs}/u);
    const wide = pushPayload({ ...alert, title: "€".repeat(5_000), body: "" });
    expect(byteLength(JSON.stringify(wide))).toBeLessThanOrEqual(MAX_PUSH_PAYLOAD_BYTES);
    // Quotes grow when escaped: still fits.
    const quoted = pushPayload({ ...alert, title: '"'.repeat(3_000), body: '\\'.repeat(3_000) });
    expect(byteLength(JSON.stringify(quoted))).toBeLessThanOrEqual(MAX_PUSH_PAYLOAD_BYTES);
    expect(cutText("abcdef", 4)).toBe("abc…");
    expect(cutText("abc", 4)).toBe("abc");
  });
  it("makes control characters spaces and never leaves an empty title", () => {
    expect(pushPayload({ ...alert, title: "a\nb\u0000c", body: "x\u2028y" })).toMatchObject({ title: "a b c", body: "x y" });
    expect(pushPayload({ ...alert, title: "  " }).title).toBe("Bazaar");
  });
  it("uses the alert id (without dashes) as the Topic", () => {
    expect(topicOf(alert.id)).toBe("0b5e3f8e6d8a4a579f0e1c2d3e4f5a6b");
    expect(topicOf(alert.id)).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});

describe("a subscription's checks", () => {
  it("wants https endpoints (http://127.0.0.1 only when allowed)", () => {
    expect(endpointProblem("https://fcm.googleapis.com/fcm/send/abc")).toBeUndefined();
    expect(endpointProblem("http://fcm.googleapis.com/x")).toMatch(/https/);
    expect(endpointProblem("http://127.0.0.1:22990/push/x")).toMatch(/https/);
    expect(endpointProblem("http://127.0.0.1:22990/push/x", { allowLoopback: true })).toBeUndefined();
    expect(endpointProblem("http://10.0.0.1/push/x", { allowLoopback: true })).toMatch(/https/);
    expect(endpointProblem("not a url")).toMatch(/absolute URL/);
    expect(endpointProblem("https://u:p@push.example/x")).toMatch(/user name/);
    expect(endpointProblem(`https://push.example/${"a".repeat(2048)}`)).toMatch(/2048/);
    expect(PushSubscriptionInput.safeParse({ endpoint: `https://push.example/${"a".repeat(2048)}`, keys: { p256dh: "x", auth: "y" } }).success).toBe(false);
  });
  it("wants a 65-byte P-256 point on the curve and a 16-byte auth secret", async () => {
    const sub = browserSubscription("https://push.example/x");
    await expect(checkKeys(sub.keys)).resolves.toEqual({ ok: true, ...sub.keys });
    const short = toBase64Url(new Uint8Array(64).fill(4));
    expect(await checkKeys({ ...sub.keys, p256dh: short })).toMatchObject({ ok: false, message: expect.stringMatching(/65-byte/) });
    const compressed = new Uint8Array(65).fill(7);
    expect(await checkKeys({ ...sub.keys, p256dh: toBase64Url(compressed) })).toMatchObject({ ok: false, message: expect.stringMatching(/0x04/) });
    const offCurve = new Uint8Array(65).fill(1);
    offCurve[0] = 4;
    expect(await checkKeys({ ...sub.keys, p256dh: toBase64Url(offCurve) })).toMatchObject({ ok: false, message: expect.stringMatching(/curve/) });
    expect(await checkKeys({ ...sub.keys, auth: toBase64Url(new Uint8Array(15)) })).toMatchObject({ ok: false, message: expect.stringMatching(/16 bytes/) });
    expect(await checkKeys({ ...sub.keys, auth: "not base64!" })).toMatchObject({ ok: false, message: expect.stringMatching(/base64url/) });
    // Padded standard base64url is accepted and stored without padding.
    expect(await checkKeys({ ...sub.keys, auth: `${sub.keys.auth}==` })).toMatchObject({ ok: true, auth: sub.keys.auth });
    expect(fromBase64Url("a")).toBeUndefined();
  });
});
