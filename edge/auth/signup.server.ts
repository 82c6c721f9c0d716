/**
 * Sign-up, the domain function: validate, hash, then create the player and grant the starter kit
 * in ONE transaction (a player never exists without the kit). Also used by db/seed.ts, so it
 * knows nothing of Request or env.
 */
import { randomUUID } from "node:crypto";
import { withTx, pgErrorCode, type Db } from "../../db/db";
import { players } from "../../db/schema";
import { grantStarterKit } from "../../db/starter-kit";
import { Credentials, describeIssues } from "../validation";
import { hashPassword } from "./password.server";

export type Failure = { ok: false; status: number; code: string; message: string };
export type SignUpResult = { ok: true; playerId: string } | Failure;

export const usernameTaken = (): Failure => ({
  ok: false,
  status: 409,
  code: "username_taken",
  message: "username taken: choose another (names are compared ignoring case)",
});

export async function signUp(db: Db, input: { username: string; password: string }): Promise<SignUpResult> {
  const parsed = Credentials.safeParse(input);
  if (!parsed.success) return { ok: false, status: 400, code: "invalid_request", message: describeIssues(parsed.error).message };
  const { username, password } = parsed.data;
  const passwordHash = await hashPassword(password);
  try {
    const playerId = await withTx(db, async (tx) => {
      const [player] = await tx.insert(players).values({ username, passwordHash }).returning({ id: players.id });
      const id = player!.id;
      await grantStarterKit(tx, { actor: `player:${id}`, correlationId: randomUUID() }, id);
      return id;
    });
    return { ok: true, playerId };
  } catch (error) {
    if (pgErrorCode(error) === "23505") return usernameTaken();
    throw error;
  }
}
