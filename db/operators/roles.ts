/**
 * Changing a player's roles (issue 18): an admin's act, recorded as one immutable event
 * (player_roles_changed, actor = the operator) in the same transaction as the change.
 * Everyone keeps "player"; the names are the policy module's (edge/policy/policy.ts).
 */
import { sql } from "drizzle-orm";
import { rows, withTx, type Db } from "../db";
import { appendEvents } from "../ledger/events";
import type { LedgerCtx } from "../ledger/types";
import { fail, type Result } from "../result";
import { ROLES, type Role } from "../../edge/policy/policy";

export interface RolesChange {
  playerId: string;
  roles: Role[];
  reason: string;
}

/** The stored roles: "player" first, then the staff roles in the policy module's order, no repeats. */
export function normalRoles(roles: readonly Role[]): Role[] {
  return ROLES.filter((r) => r === "player" || roles.includes(r));
}

export async function changeRoles(db: Db, ctx: LedgerCtx, m: RolesChange): Promise<Result<{ roles: Role[]; previous: string[]; changed: boolean }>> {
  const next = normalRoles(m.roles);
  return withTx(db, async (tx) => {
    const [row] = await rows<{ roles: string[] }>(tx, sql`select roles from players where id = ${m.playerId} for update`);
    if (!row) return fail(404, "unknown_player", `there is no player ${m.playerId}`);
    const previous = [...row.roles];
    if (previous.length === next.length && previous.every((r, i) => r === next[i])) return { ok: true as const, roles: next, previous, changed: false };
    await tx.execute(sql`update players set roles = ${`{${next.join(",")}}`}::text[] where id = ${m.playerId}`);
    await appendEvents(tx, ctx, [{ stream: `player:${m.playerId}`, type: "player_roles_changed", payload: { from: previous, to: next, reason: m.reason } }]);
    return { ok: true as const, roles: next, previous, changed: true };
  });
}
