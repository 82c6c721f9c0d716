/**
 * Password hashing with scrypt from node:crypto (workerd implements it under nodejs_compat).
 *
 * Why scrypt and not PBKDF2: production Cloudflare Workers refuse PBKDF2 above 100,000
 * iterations, while OWASP asks for 600,000 (PBKDF2-SHA256), and local workerd does not enforce
 * the cap, so a PBKDF2 scheme that passes every local test fails on every real deployment.
 * scrypt N=2^14, r=8, p=5 is one of OWASP's equivalent scrypt settings and needs 128*N*r = 16 MiB,
 * well inside a Worker's 128 MiB.
 *
 * Stored form: `scrypt$N$r$p$saltB64$hashB64`, so parameters can be raised later: needsRehash()
 * tells sign-in to store a fresh hash when a stored one is weaker than CURRENT.
 */
import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

export const CURRENT: ScryptParams = { N: 16_384, r: 8, p: 5 };
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** Refuse stored parameters that would exhaust the Worker (a corrupted or hostile row). */
const MAX_MEMORY = 64 * 1024 * 1024;

export const memoryBytes = ({ N, r }: ScryptParams) => 128 * N * r;

function derive(password: string, salt: Buffer, params: ScryptParams, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(
      password.normalize("NFKC"),
      salt,
      keyLength,
      { ...params, maxmem: memoryBytes(params) * 2 },
      (error, key) => (error ? reject(error) : resolve(key)),
    ),
  );
}

export async function hashPassword(password: string, params: ScryptParams = CURRENT): Promise<string> {
  const salt = randomBytes(SALT_LENGTH);
  const key = await derive(password, salt, params, KEY_LENGTH);
  return ["scrypt", params.N, params.r, params.p, salt.toString("base64"), key.toString("base64")].join("$");
}

interface Parsed extends ScryptParams {
  salt: Buffer;
  key: Buffer;
}

export function parseHash(stored: string): Parsed | undefined {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const [N, r, p] = parts.slice(1, 4).map((s) => (/^[1-9][0-9]{0,9}$/.test(s) ? Number(s) : NaN)) as [number, number, number];
  if (![N, r, p].every(Number.isSafeInteger) || (N & (N - 1)) !== 0 || N < 2) return undefined;
  if (memoryBytes({ N, r, p }) > MAX_MEMORY || p > 64) return undefined;
  const salt = Buffer.from(parts[4]!, "base64");
  const key = Buffer.from(parts[5]!, "base64");
  if (salt.length < 16 || key.length < 16) return undefined;
  return { N, r, p, salt, key };
}

/** True when the password matches. A malformed stored hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const key = await derive(password, parsed.salt, parsed, parsed.key.length);
  return timingSafeEqual(key, parsed.key);
}

/** True when the stored hash uses weaker parameters than CURRENT (or cannot be read). */
export function needsRehash(stored: string): boolean {
  const parsed = parseHash(stored);
  if (!parsed) return true;
  return parsed.N < CURRENT.N || parsed.r < CURRENT.r || parsed.p < CURRENT.p || parsed.key.length < KEY_LENGTH;
}

/** A hash of a random password: verify against it when the username is unknown, so that
 * "no such player" and "wrong password" take the same time. Computed once per isolate. */
let decoy: Promise<string> | undefined;
export const decoyHash = () => (decoy ??= hashPassword(randomBytes(18).toString("base64")));
