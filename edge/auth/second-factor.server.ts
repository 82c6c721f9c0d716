/**
 * The second factor at the edge (ADR 028): the signed pending sign-in between the password and the
 * code, and the one code check every door uses (web sign-in, API tokens, settings), rate-limited per
 * player: after CODE_ATTEMPTS wrong codes in CODE_WINDOW_SECONDS the factor is refused for a while,
 * so six digits cannot be guessed. Codes and secrets are never logged.
 */
import { checkSecondFactor, type CodeCheck } from "../../db/security/second-factor";
import type { Db } from "../../db/db";
import type { RedisStore } from "../redis.server";
import { hmac, sameString } from "./tokens";

export const CODE_ATTEMPTS = 5;
export const CODE_WINDOW_SECONDS = 15 * 60;
export const PENDING_SIGN_IN_SECONDS = 5 * 60;

export type FactorFailure = { ok: false; status: 400 | 401 | 429; code: string; message: string };

/** Check a code for a player with the brute-force limit; a right code clears the count. */
export async function checkCodeLimited(db: Db, redis: RedisStore, master: string, playerId: string, code: string): Promise<{ ok: true; via: "totp" | "recovery" } | FactorFailure> {
  const key = `2fa:fail:${playerId}`;
  const failures = Number((await redis.get(key)) ?? 0);
  if (failures >= CODE_ATTEMPTS) {
    const wait = Math.max(60, await redis.ttl(key));
    return { ok: false, status: 429, code: "too_many_codes", message: `Too many wrong codes: try again in ${Math.ceil(wait / 60)} minutes.` };
  }
  const check: CodeCheck = await checkSecondFactor(db, master, playerId, code);
  if (check.ok) {
    await redis.del(key);
    return check;
  }
  if (check.code !== "bad_format") await redis.incrWithExpiry(key, CODE_WINDOW_SECONDS);
  return { ok: false, status: check.code === "bad_format" ? 400 : 401, code: check.code, message: check.message };
}

/** "<playerId>.<expires epoch s>.<hmac>": proves the password was right a moment ago. */
export function signPendingSignIn(secret: string, playerId: string, now = Date.now()): string {
  const expires = Math.floor(now / 1000) + PENDING_SIGN_IN_SECONDS;
  return `${playerId}.${expires}.${hmac(secret, `pending-2fa:${playerId}:${expires}`)}`;
}

export function readPendingSignIn(secret: string, value: string | undefined, now = Date.now()): string | undefined {
  if (!value) return undefined;
  const [playerId, expires, mac] = value.split(".");
  if (!playerId || !expires || !mac || !/^[0-9a-f-]{36}$/.test(playerId)) return undefined;
  if (Number(expires) * 1000 < now) return undefined;
  return sameString(mac, hmac(secret, `pending-2fa:${playerId}:${expires}`)) ? playerId : undefined;
}
