/**
 * Webhook signatures (pure, WebCrypto: runs in the Worker and in node). A webhook's secret is not
 * stored anywhere: it is HMAC(deployment key, "bazaar-webhook:" + webhook id), shown to the game
 * once when the webhook is created and recomputed to sign. Each delivery carries
 *   Bazaar-Timestamp: <unix seconds>
 *   Bazaar-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 * and the receiver checks the signature in constant time and refuses old timestamps.
 */
const encoder = new TextEncoder();

async function hmac(key: string, data: string): Promise<Uint8Array> {
  const k = await crypto.subtle.importKey("raw", encoder.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, encoder.encode(data)));
}

const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

export async function webhookSecret(deploymentKey: string, webhookId: string): Promise<string> {
  return `whsec_${base64url(await hmac(deploymentKey, `bazaar-webhook:${webhookId}`))}`;
}

export async function signDelivery(secret: string, timestamp: number, body: string): Promise<string> {
  return `v1=${hex(await hmac(secret, `${timestamp}.${body}`))}`;
}

/** For receivers (and the tests): true when the signature is right and the timestamp recent. */
export async function verifyDelivery(secret: string, headers: { timestamp: string | null; signature: string | null }, body: string, nowSeconds: number, toleranceSeconds = 300): Promise<boolean> {
  const t = Number(headers.timestamp);
  if (!Number.isSafeInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || !headers.signature) return false;
  const expected = encoder.encode(await signDelivery(secret, t, body));
  const given = encoder.encode(headers.signature);
  if (expected.length !== given.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= expected[i]! ^ given[i]!;
  return diff === 0;
}

/** Seconds until the next try after `attempts` failures: 2, 4, 8... capped at 10 minutes. */
export function webhookBackoff(attempts: number): number {
  return Math.min(600, 2 ** Math.max(1, Math.min(attempts, 10)));
}
