/**
 * A browser's push subscription (PushSubscription.toJSON()) as the API and the page receive it, and
 * the checks that keep a broken or hostile one out of the table (ADR 014). Shared by /api/v1 and the
 * page's /push route; the messages name the field and the problem.
 *
 *   endpoint  an https:// URL of at most 2048 characters (http://127.0.0.1 or localhost only when the
 *             server runs with PUSH_ALLOW_LOOPBACK, for tests)
 *   p256dh    base64url of a 65-byte uncompressed P-256 point (0x04 || x || y), on the curve
 *   auth      base64url of 16 bytes
 */
import { z } from "zod";

export const MAX_ENDPOINT_CHARS = 2048;
/** Devices one player may have subscribed at once. */
export const MAX_SUBSCRIPTIONS_PER_PLAYER = 20;

const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

export function fromBase64Url(text: string): Uint8Array | undefined {
  if (!B64URL.test(text)) return undefined;
  const body = text.replace(/=+$/, "");
  if (body.length % 4 === 1) return undefined;
  try {
    const bin = atob(body.replaceAll("-", "+").replaceAll("_", "/"));
    return Uint8Array.from(bin, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

export function toBase64Url(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

const keyText = (field: string) =>
  z
    .string({ error: (i) => (i.input === undefined ? `${field} is required` : `${field} must be a string`) })
    .min(1, `${field} must not be empty`)
    .max(200, `${field} is too long for a push key`);

export const PushSubscriptionInput = z.strictObject({
  endpoint: z
    .string({ error: (i) => (i.input === undefined ? "endpoint is required" : "endpoint must be a string") })
    .min(1, "endpoint must not be empty")
    .max(MAX_ENDPOINT_CHARS, `endpoint must be at most ${MAX_ENDPOINT_CHARS} characters`)
    .meta({ description: "The push service URL from PushSubscription.endpoint (https)" }),
  /** PushSubscription.expirationTime: ms since the epoch, or null. Accepted, not stored. */
  expirationTime: z.number({ error: "expirationTime must be a number or null" }).nullable().optional(),
  keys: z.strictObject(
    {
      p256dh: keyText("keys.p256dh").meta({ description: "base64url, 65-byte uncompressed P-256 point" }),
      auth: keyText("keys.auth").meta({ description: "base64url, 16 bytes" }),
    },
    { error: (i) => (i.input === undefined ? "keys is required (keys.p256dh and keys.auth)" : "keys must be an object with p256dh and auth") },
  ),
});
export type PushSubscriptionInput = z.infer<typeof PushSubscriptionInput>;

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** Why this endpoint is refused, in a sentence; undefined when it is fine. */
export function endpointProblem(endpoint: string, options: { allowLoopback?: boolean } = {}): string | undefined {
  if (endpoint.length > MAX_ENDPOINT_CHARS) return `The endpoint must be at most ${MAX_ENDPOINT_CHARS} characters.`;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return "The endpoint must be an absolute URL (https://...).";
  }
  if (url.username || url.password) return "The endpoint must not carry a user name or password.";
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && options.allowLoopback && LOOPBACK.has(url.hostname)) return undefined;
  return "The endpoint must be an https:// URL (a push service's address).";
}

/** The decoded keys, or the problem with them. */
export async function checkKeys(keys: { p256dh: string; auth: string }): Promise<{ ok: true; p256dh: string; auth: string } | { ok: false; message: string }> {
  const point = fromBase64Url(keys.p256dh);
  if (!point) return { ok: false, message: "The keys.p256dh must be base64url text." };
  if (point.byteLength !== 65 || point[0] !== 0x04) return { ok: false, message: `The keys.p256dh must be a 65-byte uncompressed P-256 point (it decodes to ${point.byteLength} bytes${point.byteLength === 65 ? " not starting with 0x04" : ""}).` };
  const auth = fromBase64Url(keys.auth);
  if (!auth) return { ok: false, message: "The keys.auth must be base64url text." };
  if (auth.byteLength !== 16) return { ok: false, message: `The keys.auth must be 16 bytes (it decodes to ${auth.byteLength}).` };
  try {
    await crypto.subtle.importKey("raw", point as Uint8Array<ArrayBuffer>, { name: "ECDH", namedCurve: "P-256" }, false, []);
  } catch {
    return { ok: false, message: "The keys.p256dh is not a point on the P-256 curve." };
  }
  // Stored in one canonical spelling (base64url without padding).
  return { ok: true, p256dh: toBase64Url(point), auth: toBase64Url(auth) };
}

/** A User-Agent header cut to a label for the device list. */
export function deviceLabel(userAgent: string | null | undefined): string | null {
  if (!userAgent) return null;
  const cleaned = userAgent.replace(/[\p{Cc}\u2028\u2029]+/gu, " ").trim();
  return cleaned ? Array.from(cleaned).slice(0, 256).join("") : null;
}
