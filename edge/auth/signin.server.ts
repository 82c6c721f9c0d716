/**
 * Checking a username and password (web sign-in and POST /api/v1/tokens). Unknown names and
 * wrong passwords get the same answer in about the same time; weaker stored hashes are upgraded.
 */
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/db";
import { frozenMessage } from "../../db/game-servers/freeze";
import { players } from "../../db/schema";
import { NO_PASSWORD } from "../../db/security/identities";
import type { RedisStore } from "../redis.server";
import { Credentials, describeIssues } from "../validation";
import { decoyHash, hashPassword, needsRehash, verifyPassword } from "./password.server";
import type { Failure } from "./signup.server";
import { edgeOutcomes } from "../metrics/outcomes";

export type SignInResult = { ok: true; playerId: string; username: string } | Failure;

const wrong: Failure = { ok: false, status: 401, code: "invalid_credentials", message: "wrong username or password" };

/** Failed attempts allowed per username per window before sign-in is refused for a while. */
export const SIGN_IN_ATTEMPTS = 10;
export const SIGN_IN_WINDOW_SECONDS = 15 * 60;

export async function checkCredentials(db: Db, input: { username: string; password: string }, limiter?: RedisStore): Promise<SignInResult> {
  const result = await check(db, input, limiter);
  // Sign-in results for the edge's metrics (ADR 040): ok or the refusal's code, a closed set.
  edgeOutcomes.signIns.add(result.ok ? "ok" : result.code);
  return result;
}

async function check(db: Db, input: { username: string; password: string }, limiter?: RedisStore): Promise<SignInResult> {
  const parsed = Credentials.safeParse(input);
  if (!parsed.success) return { ok: false, status: 400, code: "invalid_request", message: describeIssues(parsed.error).message };
  const { username, password } = parsed.data;
  const key = `signin:fail:${username.toLowerCase()}`;
  if (limiter) {
    const failures = Number((await limiter.get(key)) ?? 0);
    if (failures >= SIGN_IN_ATTEMPTS) {
      const wait = Math.max(1, await limiter.ttl(key));
      return { ok: false, status: 429, code: "too_many_attempts", message: `too many failed sign-ins for this name: try again in ${Math.ceil(wait / 60)} minutes` };
    }
  }
  const result = await verify(db, username, password);
  if (limiter && !result.ok && result.status === 401) await limiter.incrWithExpiry(key, SIGN_IN_WINDOW_SECONDS);
  if (limiter && result.ok) await limiter.del(key);
  return result;
}

async function verify(db: Db, username: string, password: string): Promise<SignInResult> {
  const [player] = await db
    .select({ id: players.id, username: players.username, passwordHash: players.passwordHash, status: players.status, frozenAt: players.frozenAt, frozenReason: players.frozenReason })
    .from(players)
    .where(eq(sql`lower(${players.username})`, username.toLowerCase()));
  // No such player, or one who signs in only through a provider (ADR 037): the same answer, the same time.
  if (!player || player.passwordHash === NO_PASSWORD) {
    await verifyPassword(password, await decoyHash());
    return wrong;
  }
  if (!(await verifyPassword(password, player.passwordHash))) return wrong;
  if (player.frozenAt) return { ok: false, status: 403, code: "account_frozen", message: frozenMessage(player.frozenReason) };
  if (player.status !== "active") {
    return { ok: false, status: 403, code: "account_suspended", message: `this account is ${player.status}` };
  }
  if (needsRehash(player.passwordHash)) {
    await db.update(players).set({ passwordHash: await hashPassword(password) }).where(eq(players.id, player.id));
  }
  return { ok: true, playerId: player.id, username: player.username };
}
