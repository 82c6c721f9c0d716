/**
 * Sessions table access: web sessions (cookie) and API tokens (bearer) share it, told apart by
 * `kind`. The token itself is never stored: the row id is its SHA-256.
 */
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../../db/db";
import { players, secondFactors, sessions } from "../../db/schema";
import { digest, newToken } from "./tokens";

export type SessionKind = "web" | "api";
export const WEB_SESSION_DAYS = 30;
export const API_TOKEN_DAYS = 90;
const DAY_MS = 86_400_000;

export interface IssuedSession {
  token: string;
  id: string;
  csrfToken: string | null;
  expiresAt: Date;
}

export async function openSession(
  db: Db,
  playerId: string,
  kind: SessionKind,
  label: string | null = null,
  /** Opened with a second-factor code just now: that counts as a step-up (ADR 035). */
  steppedUp = false,
): Promise<IssuedSession> {
  const token = newToken();
  const days = kind === "web" ? WEB_SESSION_DAYS : API_TOKEN_DAYS;
  const expiresAt = new Date(Date.now() + days * DAY_MS);
  const csrfToken = kind === "web" ? newToken() : null;
  const id = digest(token);
  await db.insert(sessions).values({ id, playerId, kind, label, csrfToken, expiresAt, ...(steppedUp ? { steppedUpAt: sql`now()` } : {}) });
  return { token, id, csrfToken, expiresAt };
}

export interface ActiveSession {
  id: string;
  kind: SessionKind;
  csrfToken: string | null;
  /** secondFactor: a confirmed second factor is on (staff power needs it, edge/policy). */
  player: { id: string; username: string; roles: string[]; secondFactor: boolean };
  /** The last code entered in this session (sign-in with a code, or step-up); ADR 035. */
  steppedUpAt: Date | null;
}

/** The live session for a token: not revoked, not expired, player active. */
export async function findSession(db: Db, token: string, kind: SessionKind): Promise<ActiveSession | undefined> {
  const id = digest(token);
  const [row] = await db
    .select({
      id: sessions.id,
      csrfToken: sessions.csrfToken,
      lastUsedAt: sessions.lastUsedAt,
      playerId: players.id,
      username: players.username,
      roles: players.roles,
      steppedUpAt: sessions.steppedUpAt,
      factorConfirmedAt: secondFactors.confirmedAt,
    })
    .from(sessions)
    .innerJoin(players, eq(players.id, sessions.playerId))
    .leftJoin(secondFactors, eq(secondFactors.playerId, players.id))
    .where(
      and(
        eq(sessions.id, id),
        eq(sessions.kind, kind),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
        eq(players.status, "active"),
      ),
    );
  if (!row) return undefined;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db.update(sessions).set({ lastUsedAt: sql`now()` }).where(eq(sessions.id, id));
  }
  return {
    id: row.id,
    kind,
    csrfToken: row.csrfToken,
    player: { id: row.playerId, username: row.username, roles: row.roles, secondFactor: row.factorConfirmedAt !== null },
    steppedUpAt: row.steppedUpAt,
  };
}

/** Revoke one session of one player; true if it was live. */
export async function revokeSession(db: Db, playerId: string, id: string, kind: SessionKind): Promise<boolean> {
  const revoked = await db
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(sessions.id, id), eq(sessions.playerId, playerId), eq(sessions.kind, kind), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return revoked.length > 0;
}

/** Record a code entered in this session just now (step-up, ADR 035). */
export async function recordStepUp(db: Db, sessionId: string): Promise<void> {
  await db.update(sessions).set({ steppedUpAt: sql`now()` }).where(eq(sessions.id, sessionId));
}

/** Revoke by token whoever owns it (sign-in rotation: the browser's previous session). */
export async function revokeByToken(db: Db, token: string): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(sessions.id, digest(token)), isNull(sessions.revokedAt)));
}

export async function listApiTokens(db: Db, playerId: string) {
  return db
    .select({
      id: sessions.id,
      label: sessions.label,
      createdAt: sessions.createdAt,
      expiresAt: sessions.expiresAt,
      lastUsedAt: sessions.lastUsedAt,
    })
    .from(sessions)
    .where(
      and(
        eq(sessions.playerId, playerId),
        eq(sessions.kind, "api"),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, sql`now()`),
      ),
    )
    .orderBy(desc(sessions.createdAt));
}
