/**
 * Tests' second factor (ADR 028, 035): staff need one (edge/policy), so every test that acts as
 * support, moderator or admin enrols one here; and step-up is set fresh or stale on a session.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../../db/db";
import { confirmEnrolment, PERIOD_SECONDS, startEnrolment, totp } from "../../db/security/second-factor";
import { MASTER } from "./game-server";

export interface Enrolled {
  secret: string;
  recoveryCodes: string[];
  /** The code of the current 30-second step (or of `at`). */
  code: (at?: number) => string;
}

/**
 * A confirmed TOTP factor for the player, sealed under `master` (the worker's SERVER_KEY_SECRET or
 * SESSION_SECRET; apiContext's by default). Confirmed with a code of two steps ago, so the current
 * code is still unused for the test's first sign-in or step-up.
 */
export async function enrolSecondFactor(db: Db, playerId: string, master = MASTER): Promise<Enrolled> {
  const started = await startEnrolment(db, master, playerId, "tester");
  if (!started.ok) throw new Error(started.message);
  const earlier = Date.now() - 2 * PERIOD_SECONDS * 1000;
  const confirmed = await confirmEnrolment(db, master, playerId, totp(started.secret, "x").generate({ timestamp: earlier }), earlier);
  if (!confirmed.ok) throw new Error(confirmed.message);
  return { secret: started.secret, recoveryCodes: confirmed.recoveryCodes, code: (at = Date.now()) => totp(started.secret, "x").generate({ timestamp: at }) };
}

/** The players' roles that are staff (they need a factor to use them). */
export const isStaffRoles = (roles: readonly string[]) => roles.some((r) => r === "support" || r === "moderator" || r === "admin" || r === "operator");

/** Set a session's step-up: `minutesAgo` (0: just now), or null for never. */
export async function setSteppedUp(db: Db, sessionId: string, minutesAgo: number | null): Promise<void> {
  if (minutesAgo === null) await db.execute(sql`update sessions set stepped_up_at = null where id = ${sessionId}`);
  else await db.execute(sql`update sessions set stepped_up_at = now() - make_interval(secs => ${minutesAgo * 60}) where id = ${sessionId}`);
}
