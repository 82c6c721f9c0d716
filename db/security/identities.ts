/**
 * Social sign-in identities (issue 20, ADR 037): an identity at an OpenID provider is its
 * (issuer, subject), linked to at most one player. The provider's e-mail is kept only to refuse a
 * second account with it: an e-mail never links or merges anything by itself.
 * Every function takes the acting player and touches only that player's rows.
 */
import { randomUUID } from "node:crypto";
import { and, asc, eq, ne, sql } from "drizzle-orm";
import { pgErrorCode, withTx, type Db } from "../db";
import { alertsJson, insertAlertsSql } from "../alerts/write";
import { playerIdentities, players } from "../schema";
import { grantStarterKit } from "../starter-kit";

/** The stored password hash of a player who signs in only through providers: no password matches it. */
export const NO_PASSWORD = "!no-password";

export interface ProviderIdentity {
  /** The configured provider's id ("google"). */
  provider: string;
  issuer: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
}

export type IdentityFailure = { ok: false; status: number; code: string; message: string };

export interface LinkedPlayer {
  identityId: string;
  playerId: string;
  username: string;
  status: string;
  frozenAt: Date | null;
  frozenReason: string | null;
}

/** The player this identity signs in, if linked; marks the identity used. */
export async function findLinkedPlayer(db: Db, issuer: string, subject: string): Promise<LinkedPlayer | undefined> {
  const [row] = await db
    .select({ identityId: playerIdentities.id, playerId: players.id, username: players.username, status: players.status, frozenAt: players.frozenAt, frozenReason: players.frozenReason })
    .from(playerIdentities)
    .innerJoin(players, eq(players.id, playerIdentities.playerId))
    .where(and(eq(playerIdentities.issuer, issuer), eq(playerIdentities.subject, subject)));
  if (row) await db.update(playerIdentities).set({ lastUsedAt: sql`now()` }).where(eq(playerIdentities.id, row.identityId));
  return row;
}

/** True when another player (not `except`) already has an identity with this e-mail (compared ignoring case). */
export async function emailUsedByAnother(db: Db, email: string | null, except?: string): Promise<boolean> {
  if (!email) return false;
  const [row] = await db
    .select({ id: playerIdentities.id })
    .from(playerIdentities)
    .where(and(sql`lower(${playerIdentities.email}) = ${email.toLowerCase()}`, except ? ne(playerIdentities.playerId, except) : undefined))
    .limit(1);
  return Boolean(row);
}

export const emailCollision = (providerName: string): IdentityFailure => ({
  ok: false,
  status: 409,
  code: "email_in_use",
  message: `The e-mail of this ${providerName} account is already used by another Bazaar account. Sign in to that account (with its password or the sign-in method you used before), then link ${providerName} from Security.`,
});

const linkedElsewhere = (providerName: string): IdentityFailure => ({
  ok: false,
  status: 409,
  code: "identity_linked_elsewhere",
  message: `This ${providerName} account already signs in to another Bazaar account. Unlink it there first.`,
});

/**
 * Sign-up through a provider: the player (no password), the starter kit and the identity in ONE
 * transaction. Refuses a taken name, an identity already linked, and an e-mail another account uses.
 */
export async function signUpWithIdentity(db: Db, username: string, identity: ProviderIdentity, providerName: string): Promise<{ ok: true; playerId: string } | IdentityFailure> {
  const [linked] = await db.select({ id: playerIdentities.id }).from(playerIdentities).where(and(eq(playerIdentities.issuer, identity.issuer), eq(playerIdentities.subject, identity.subject)));
  if (linked) return linkedElsewhere(providerName);
  if (await emailUsedByAnother(db, identity.email)) return emailCollision(providerName);
  try {
    const playerId = await withTx(db, async (tx) => {
      const [player] = await tx.insert(players).values({ username, passwordHash: NO_PASSWORD }).returning({ id: players.id });
      const id = player!.id;
      await tx.insert(playerIdentities).values({ playerId: id, ...identity, lastUsedAt: sql`now()` });
      await grantStarterKit(tx, { actor: `player:${id}`, correlationId: randomUUID() }, id);
      return id;
    });
    return { ok: true, playerId };
  } catch (error) {
    if (pgErrorCode(error) !== "23505") throw error;
    if (await findLinkedPlayer(db, identity.issuer, identity.subject)) return linkedElsewhere(providerName);
    return { ok: false, status: 409, code: "username_taken", message: "username taken: choose another (names are compared ignoring case)" };
  }
}

/**
 * Link an identity to a signed-in player (from Security). An identity linked to another player is
 * refused; linked to this one already, nothing changes. A "sign_in" alert tells the player, like a
 * sign-in from a new device.
 */
export async function linkIdentity(db: Db, playerId: string, identity: ProviderIdentity, providerName: string, at = new Date()): Promise<{ ok: true; already: boolean } | IdentityFailure> {
  const existing = await findLinkedPlayer(db, identity.issuer, identity.subject);
  if (existing) return existing.playerId === playerId ? { ok: true, already: true } : linkedElsewhere(providerName);
  try {
    await db.transaction(async (tx) => {
      const [row] = await tx.insert(playerIdentities).values({ playerId, ...identity }).returning({ id: playerIdentities.id });
      await tx.execute(
        insertAlertsSql(
          alertsJson([
            {
              playerId,
              kind: "sign_in",
              title: `${providerName} sign-in linked`,
              body: `Your ${providerName} account now signs you in to Bazaar. If this was not you, unlink it in Security and change your password.`,
              url: "/security",
              icon: null,
              data: { provider: identity.provider },
              dedupeKey: `identity_linked:${row!.id}`,
            },
          ]),
          at,
        ),
      );
    });
    return { ok: true, already: false };
  } catch (error) {
    if (pgErrorCode(error) === "23505") return linkedElsewhere(providerName);
    throw error;
  }
}

export interface MyIdentity {
  id: string;
  provider: string;
  email: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
}

export async function listMyIdentities(db: Db, playerId: string): Promise<MyIdentity[]> {
  return db
    .select({ id: playerIdentities.id, provider: playerIdentities.provider, email: playerIdentities.email, createdAt: playerIdentities.createdAt, lastUsedAt: playerIdentities.lastUsedAt })
    .from(playerIdentities)
    .where(eq(playerIdentities.playerId, playerId))
    .orderBy(asc(playerIdentities.createdAt));
}

export async function hasPassword(db: Db, playerId: string): Promise<boolean> {
  const [row] = await db.select({ hash: players.passwordHash }).from(players).where(eq(players.id, playerId));
  return Boolean(row && row.hash !== NO_PASSWORD);
}

/**
 * Unlink one of my identities, unless it is my last way to sign in (no password, no other
 * identity). The player row is locked so two unlinks at once cannot remove both.
 */
export async function unlinkIdentity(db: Db, playerId: string, identityId: string): Promise<{ ok: true } | IdentityFailure> {
  if (!/^[0-9a-f-]{36}$/i.test(identityId)) return { ok: false, status: 404, code: "not_found", message: "No such linked sign-in on your account." };
  return db.transaction(async (tx) => {
    const [me] = await tx.select({ hash: players.passwordHash }).from(players).where(eq(players.id, playerId)).for("update");
    const mine = await tx.select({ id: playerIdentities.id }).from(playerIdentities).where(eq(playerIdentities.playerId, playerId));
    if (!me || !mine.some((r) => r.id === identityId)) return { ok: false, status: 404, code: "not_found", message: "No such linked sign-in on your account." } as const;
    if (me.hash === NO_PASSWORD && mine.length === 1) {
      return { ok: false, status: 409, code: "last_sign_in_method", message: "This is your only way to sign in: link another provider first, or you could never sign in again." } as const;
    }
    await tx.delete(playerIdentities).where(and(eq(playerIdentities.id, identityId), eq(playerIdentities.playerId, playerId)));
    return { ok: true } as const;
  });
}
