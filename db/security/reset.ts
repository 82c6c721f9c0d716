/**
 * An operator's reset of a player's second factor (issue 20, ADR 035): for a player who lost both the
 * phone and the recovery codes. In one transaction: the factor and its recovery codes are deleted,
 * every live session and API token of the player is revoked (whoever holds them signs in again with
 * the password alone), and one immutable event `second_factor_reset` is written with the operator as
 * the actor and the reason. Refused (nothing changed) for an unknown player or one without a factor.
 */
import { sql } from "drizzle-orm";
import { rows, withTx, type Db } from "../db";
import { appendEvents } from "../ledger/events";
import type { LedgerCtx } from "../ledger/types";
import { fail, type Result } from "../result";

export interface SecondFactorReset {
  playerId: string;
  reason: string;
}

export async function resetSecondFactor(db: Db, ctx: LedgerCtx, m: SecondFactorReset): Promise<Result<{ recoveryCodesRemoved: number; sessionsRevoked: number }>> {
  return withTx(db, async (tx) => {
    const [player] = await rows<{ id: string }>(tx, sql`select id::text as id from players where id = ${m.playerId} for update`);
    if (!player) return fail(404, "unknown_player", `there is no player ${m.playerId}`);
    const [factor] = await rows<{ confirmed: boolean }>(tx, sql`
      select confirmed_at is not null as confirmed from second_factors where player_id = ${m.playerId} for update`);
    if (!factor) return fail(409, "no_second_factor", "this player has no two-factor sign-in to reset");
    const codes = await rows<{ n: number }>(tx, sql`
      with gone as (delete from recovery_codes where player_id = ${m.playerId} and used_at is null returning 1),
           used as (delete from recovery_codes where player_id = ${m.playerId} and used_at is not null returning 1)
      select (select count(*) from gone)::int as n`);
    await tx.execute(sql`delete from second_factors where player_id = ${m.playerId}`);
    const revoked = await rows<{ n: number }>(tx, sql`
      with r as (update sessions set revoked_at = now() where player_id = ${m.playerId} and revoked_at is null and expires_at > now() returning 1)
      select count(*)::int as n from r`);
    const recoveryCodesRemoved = codes[0]?.n ?? 0;
    const sessionsRevoked = revoked[0]?.n ?? 0;
    await appendEvents(tx, ctx, [{
      stream: `player:${m.playerId}`,
      type: "second_factor_reset",
      payload: { reason: m.reason, confirmed: factor.confirmed, recoveryCodesRemoved, sessionsRevoked },
    }]);
    return { ok: true as const, recoveryCodesRemoved, sessionsRevoked };
  });
}
