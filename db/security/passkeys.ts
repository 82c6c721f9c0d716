/**
 * Passkeys in the database (issue 20, ADR 036): a player's WebAuthn credentials and the server's
 * challenges. The ceremony checks (signatures, origin, RP ID) are in edge/auth/passkeys.server.ts;
 * here only what must hold across requests and isolates:
 * - a challenge is used at most once: it is taken with DELETE ... RETURNING, so a replayed
 *   response (or two racing with one challenge) finds nothing the second time;
 * - a credential's signature counter only moves forward, in the same UPDATE that records the use.
 */
import { and, asc, eq, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db";
import { passkeyChallenges, passkeys } from "../schema";

/** How long a ceremony may take from the options to the answer. */
export const CHALLENGE_SECONDS = 5 * 60;
export const MAX_PASSKEYS = 20;

/** register: adding a passkey; sign-in: password-less; second-factor: after the password; step-up: a fresh proof on /security. */
export type ChallengePurpose = "register" | "sign-in" | "second-factor" | "step-up";

export interface Passkey {
  id: string;
  playerId: string;
  credentialId: string;
  publicKey: string;
  counter: number;
  transports: string[];
  name: string;
  createdAt: Date;
  lastUsedAt: Date | null;
}

/** Remember a challenge the server just issued (and forget the expired ones). */
export async function storeChallenge(db: Db, challenge: string, purpose: ChallengePurpose, playerId: string | null, now = Date.now()): Promise<void> {
  await db.delete(passkeyChallenges).where(lt(passkeyChallenges.expiresAt, new Date(now)));
  await db.insert(passkeyChallenges).values({ challenge, purpose, playerId, expiresAt: new Date(now + CHALLENGE_SECONDS * 1000) });
}

/**
 * Take a challenge: true once, for the purpose and player it was issued for, before it expires.
 * It is gone afterwards whatever the answer (a wrong answer cannot be retried with it).
 */
export async function takeChallenge(db: Db, challenge: string, purpose: ChallengePurpose, playerId: string | null, now = Date.now()): Promise<boolean> {
  const taken = await db.delete(passkeyChallenges).where(eq(passkeyChallenges.challenge, challenge)).returning();
  const row = taken[0];
  if (!row) return false;
  return row.purpose === purpose && row.playerId === playerId && row.expiresAt.getTime() > now;
}

export async function listPasskeys(db: Db, playerId: string): Promise<Passkey[]> {
  return db.select().from(passkeys).where(eq(passkeys.playerId, playerId)).orderBy(asc(passkeys.createdAt));
}

export async function countPasskeys(db: Db, playerId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(passkeys).where(eq(passkeys.playerId, playerId));
  return row?.n ?? 0;
}

export const hasPasskey = async (db: Db, playerId: string) => (await countPasskeys(db, playerId)) > 0;

export async function findByCredentialId(db: Db, credentialId: string): Promise<Passkey | undefined> {
  const [row] = await db.select().from(passkeys).where(eq(passkeys.credentialId, credentialId));
  return row;
}

/** Store a verified credential; undefined when this authenticator's credential is already stored. */
export async function insertPasskey(db: Db, p: { playerId: string; credentialId: string; publicKey: string; counter: number; transports: string[]; name: string }): Promise<Passkey | undefined> {
  const [row] = await db.insert(passkeys).values(p).onConflictDoNothing({ target: passkeys.credentialId }).returning();
  return row;
}

/**
 * Record a use: the counter moves to `counter` only if that is forward (authenticators that keep
 * no counter send 0 every time, and stay at 0). False when the stored counter is already there or
 * beyond: a cloned authenticator, or the same assertion twice.
 */
export async function recordUse(db: Db, id: string, counter: number): Promise<boolean> {
  const moved = await db
    .update(passkeys)
    .set({ counter, lastUsedAt: sql`now()` })
    .where(and(eq(passkeys.id, id), or(lt(passkeys.counter, counter), and(eq(passkeys.counter, 0), eq(sql`${counter}::bigint`, 0)))))
    .returning({ id: passkeys.id });
  return moved.length > 0;
}

/** Remove one of the player's passkeys (after a step-up the caller checked). */
export async function removePasskey(db: Db, playerId: string, id: string): Promise<boolean> {
  const done = await db.delete(passkeys).where(and(eq(passkeys.id, id), eq(passkeys.playerId, playerId))).returning({ id: passkeys.id });
  return done.length > 0;
}
