/**
 * Checking a username and password (web sign-in and POST /api/v1/tokens). Unknown names and
 * wrong passwords get the same answer in about the same time; weaker stored hashes are upgraded.
 */
import { eq, sql } from "drizzle-orm";
import type { Db } from "../../db/db";
import { players } from "../../db/schema";
import { Credentials, describeIssues } from "../validation";
import { decoyHash, hashPassword, needsRehash, verifyPassword } from "./password.server";
import type { Failure } from "./signup.server";

export type SignInResult = { ok: true; playerId: string; username: string } | Failure;

const wrong: Failure = { ok: false, status: 401, code: "invalid_credentials", message: "wrong username or password" };

export async function checkCredentials(db: Db, input: { username: string; password: string }): Promise<SignInResult> {
  const parsed = Credentials.safeParse(input);
  if (!parsed.success) return { ok: false, status: 400, code: "invalid_request", message: describeIssues(parsed.error).message };
  const { username, password } = parsed.data;
  const [player] = await db
    .select({ id: players.id, username: players.username, passwordHash: players.passwordHash, status: players.status })
    .from(players)
    .where(eq(sql`lower(${players.username})`, username.toLowerCase()));
  if (!player) {
    await verifyPassword(password, await decoyHash());
    return wrong;
  }
  if (!(await verifyPassword(password, player.passwordHash))) return wrong;
  if (player.status !== "active") {
    return { ok: false, status: 403, code: "account_suspended", message: `this account is ${player.status}` };
  }
  if (needsRehash(player.passwordHash)) {
    await db.update(players).set({ passwordHash: await hashPassword(password) }).where(eq(players.id, player.id));
  }
  return { ok: true, playerId: player.id, username: player.username };
}
