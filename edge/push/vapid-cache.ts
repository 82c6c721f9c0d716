/**
 * The VAPID Authorization header per push service (RFC 8292): the JWT names the push service's
 * origin as its audience and is good for 12 hours, so one signed header serves every push to that
 * service for a while. Signing (an ECDSA P-256 signature and a key import) is about a third of the
 * CPU one push costs; reusing it leaves only the per-device encryption (RFC 8291) to do per push.
 * A header is reused for at most REUSE_MS, well inside its 12-hour life, and never across keys.
 */
import { vapidHeaders } from "@block65/webcrypto-web-push";
import type { VapidConfig } from "./sender.server";

const REUSE_MS = 60 * 60 * 1_000;
const MAX_ENTRIES = 64;

type Entry = { header: Promise<string>; madeAt: number };
const cache = new Map<string, Entry>();

/** The `authorization` header for a push to `endpoint` (an https URL). */
export function vapidAuthorization(endpoint: string, vapid: VapidConfig, now = Date.now()): Promise<string> {
  const origin = new URL(endpoint).origin;
  const key = `${vapid.publicKey} ${vapid.privateKey} ${vapid.subject} ${origin}`;
  const hit = cache.get(key);
  if (hit && now - hit.madeAt < REUSE_MS) return hit.header;
  if (cache.size >= MAX_ENTRIES) cache.clear();
  const header = vapidHeaders({ endpoint, expirationTime: null, keys: { p256dh: "", auth: "" } }, vapid).then((h) => h.headers.authorization);
  cache.set(key, { header, madeAt: now });
  // A failed signature is not kept: the next push tries again.
  header.catch(() => cache.delete(key));
  return header;
}
