/**
 * Changing my password (issue 20): the current password (none for an account made through a
 * provider, which sets its first one here), a new one, and, with two-factor sign-in on, a fresh
 * step-up (the page sends the player to /step-up first, ADR 035). In one transaction: the new
 * hash, every other session and API token revoked (a thief signed in elsewhere is signed out), and
 * a `password_changed` event on the player's stream (no hash, no password in it).
 */
import { eq, sql } from "drizzle-orm";
import { rows, withTx, type Db } from "../../db/db";
import { appendEvents } from "../../db/ledger/events";
import { fail, type Result } from "../../db/result";
import { players } from "../../db/schema";
import { NO_PASSWORD } from "../../db/security/identities";
import { Password } from "../validation";
import { hashPassword, verifyPassword } from "./password.server";

export interface PasswordChange {
  playerId: string;
  /** The session asking: it stays signed in; every other one is revoked. */
  sessionId: string;
  current: string;
  next: string;
  confirm: string;
}

export async function changePassword(db: Db, c: PasswordChange): Promise<Result<{ revoked: number; firstPassword: boolean }>> {
  const parsed = Password.safeParse(c.next);
  if (!parsed.success) return fail(400, "invalid_password", `The new password: ${parsed.error.issues[0]?.message ?? "not valid"}.`);
  if (c.next !== c.confirm) return fail(400, "password_mismatch", "The new password and its confirmation differ.");
  const [me] = await db.select({ hash: players.passwordHash }).from(players).where(eq(players.id, c.playerId));
  if (!me) return fail(404, "unknown_player", "There is no such player.");
  const firstPassword = me.hash === NO_PASSWORD;
  // Hashing is slow on purpose (scrypt): done outside the transaction.
  if (!firstPassword && !(await verifyPassword(c.current, me.hash))) return fail(403, "wrong_password", "The current password is wrong.");
  if (!firstPassword && c.current === c.next) return fail(400, "same_password", "The new password is the one you have.");
  const hash = await hashPassword(c.next);
  return withTx(db, async (tx) => {
    // Only if nobody changed it meanwhile (two tabs): the hash read above is the one replaced.
    const changed = await rows<{ id: string }>(tx, sql`update players set password_hash = ${hash} where id = ${c.playerId} and password_hash = ${me.hash} returning id::text as id`);
    if (changed.length === 0) return fail(409, "password_changed_meanwhile", "Your password was changed meanwhile: reload and try again.");
    const revoked = await rows<{ id: string }>(tx, sql`
      update sessions set revoked_at = now() where player_id = ${c.playerId} and id <> ${c.sessionId} and revoked_at is null returning id`);
    await appendEvents(tx, { actor: `player:${c.playerId}` }, [
      { stream: `player:${c.playerId}`, type: "password_changed", payload: { firstPassword, sessionsRevoked: revoked.length } },
    ]);
    return { ok: true as const, revoked: revoked.length, firstPassword };
  });
}
