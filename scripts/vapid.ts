/**
 * VAPID key pairs (RFC 8292) for Web Push, in the format the worker takes: VAPID_PUBLIC_KEY is the
 * base64url 65-byte uncompressed P-256 point (what browsers get as applicationServerKey),
 * VAPID_PRIVATE_KEY the base64url 32-byte private scalar. Production: generate once with
 * `npx tsx scripts/vapid.ts` and store both with `wrangler secret put` (docs/decisions/014-web-push-delivery.md).
 */
import { generateKeyPairSync } from "node:crypto";
import { pathToFileURL } from "node:url";

export function generateVapidKeys(): { VAPID_PUBLIC_KEY: string; VAPID_PRIVATE_KEY: string } {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const jwk = privateKey.export({ format: "jwk" }) as { x: string; y: string; d: string };
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, "base64url"), Buffer.from(jwk.y, "base64url")]);
  return { VAPID_PUBLIC_KEY: point.toString("base64url"), VAPID_PRIVATE_KEY: jwk.d };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const keys = generateVapidKeys();
  console.log(`VAPID_PUBLIC_KEY=${keys.VAPID_PUBLIC_KEY}\nVAPID_PRIVATE_KEY=${keys.VAPID_PRIVATE_KEY}`);
}
