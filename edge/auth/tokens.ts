/** Random tokens and their stored digests (shared by web sessions, API tokens and CSRF). */
import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** 32 random bytes, base64url (43 characters). */
export const newToken = () => randomBytes(32).toString("base64url");

/** What the database stores instead of the token: SHA-256, hex. */
export const digest = (token: string) => createHash("sha256").update(token).digest("hex");

export const hmac = (secret: string, value: string) => createHmac("sha256", secret).update(value).digest("base64url");

export function sameString(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
