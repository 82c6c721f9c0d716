/**
 * My sessions and API tokens: where each was opened (device, place), when it was last used;
 * revoking one or all the others; and the new-device sign-in alert, written through the alerts
 * outbox (ADR 013) in the same transaction that records the session's device. Every function
 * takes the acting player and touches only that player's rows.
 */
import { and, desc, eq, gt, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "../db";
import { sessionDevices, sessions } from "../schema";
import { alertsJson, insertAlertsSql } from "../alerts/write";

export interface MySession {
  id: string;
  kind: "web" | "api";
  label: string | null;
  device: string | null;
  place: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  current: boolean;
}

/**
 * Record where a new session was opened. When the player has signed in before and never from this
 * device (its device key), a "sign_in" alert is written in the same transaction. Returns whether
 * the device was new.
 */
export async function recordSessionDevice(db: Db, q: { sessionId: string; playerId: string; device: string; place: string | null; deviceKey: string | null; apiToken?: boolean; at?: Date }): Promise<{ newDevice: boolean }> {
  return db.transaction(async (tx) => {
    const [seen] = await tx
      .select({ any: sql<number>`count(*)::int`, same: sql<number>`count(*) filter (where ${sessionDevices.deviceKey} = ${q.deviceKey})::int` })
      .from(sessionDevices)
      .where(eq(sessionDevices.playerId, q.playerId));
    await tx.insert(sessionDevices).values({ sessionId: q.sessionId, playerId: q.playerId, device: q.device, place: q.place, deviceKey: q.deviceKey });
    const newDevice = !q.apiToken && (seen?.any ?? 0) > 0 && (q.deviceKey === null || (seen?.same ?? 0) === 0);
    if (newDevice) {
      const where = q.place ? ` near ${q.place}` : "";
      await tx.execute(
        insertAlertsSql(
          alertsJson([
            {
              playerId: q.playerId,
              kind: "sign_in",
              title: `New sign-in: ${q.device}${where}`,
              body: "If this was not you, sign out the other sessions and change your password.",
              url: "/sessions",
              icon: null,
              data: { device: q.device, place: q.place },
              dedupeKey: `sign_in:${q.sessionId}`,
            },
          ]),
          q.at ?? new Date(),
        ),
      );
    }
    return { newDevice };
  });
}

/** My live web sessions and API tokens, newest use first; `current` marks the asking session. */
export async function listMySessions(db: Db, playerId: string, currentId: string): Promise<MySession[]> {
  const rows = await db
    .select({
      id: sessions.id,
      kind: sessions.kind,
      label: sessions.label,
      device: sessionDevices.device,
      place: sessionDevices.place,
      createdAt: sessions.createdAt,
      lastUsedAt: sessions.lastUsedAt,
    })
    .from(sessions)
    .leftJoin(sessionDevices, eq(sessionDevices.sessionId, sessions.id))
    .where(and(eq(sessions.playerId, playerId), isNull(sessions.revokedAt), gt(sessions.expiresAt, sql`now()`)))
    .orderBy(desc(sql`coalesce(${sessions.lastUsedAt}, ${sessions.createdAt})`));
  return rows.map((r) => ({ ...r, kind: r.kind as "web" | "api", current: r.id === currentId }));
}

/** Revoke one of my sessions or tokens (not the asking one: that is signing out). True if it was live. */
export async function revokeMySession(db: Db, playerId: string, id: string, currentId: string): Promise<boolean> {
  if (id === currentId) return false;
  const revoked = await db
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(sessions.id, id), eq(sessions.playerId, playerId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return revoked.length > 0;
}

/** Revoke every other session and token of mine (after a password change, or "sign out everywhere else"). */
export async function revokeOtherSessions(db: Db, playerId: string, currentId: string): Promise<number> {
  const revoked = await db
    .update(sessions)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(sessions.playerId, playerId), ne(sessions.id, currentId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return revoked.length;
}
