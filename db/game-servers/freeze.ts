/**
 * Freezing a player (a game server's anti-fraud hold): the account becomes 'suspended' (no
 * trading, no API, no web session; the market rooms refuse its orders), its open orders are then
 * cancelled through their rooms (so every book stays right and reservations are released), and its
 * funds and items stay its own. Unfreezing restores 'active'. Only a freeze lifts a freeze: an
 * account suspended or banned otherwise is not touched.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import { appendEvents, lockAccounts, type LedgerCtx } from "../ledger";
import { fail, type Result } from "../result";

export interface FreezeState {
  playerId: string;
  frozen: boolean;
  frozenAt: string | null;
  frozenBy: string | null;
  reason: string | null;
}

/** What a frozen player is told (API, sign-in); the room's words are party/settlement/codes.ts ACCOUNT_FROZEN. */
export const frozenMessage = (reason: string | null) =>
  `Your account is frozen${reason ? ` (${reason})` : ""}: trading and API calls are refused while it is. Your currency and items stay yours; contact the game's support.`;

interface PlayerRow {
  id: string;
  status: string;
  frozen_at: string | null;
  frozen_by: string | null;
  frozen_reason: string | null;
}

const state = (r: PlayerRow): FreezeState => ({
  playerId: r.id,
  frozen: r.frozen_at !== null,
  frozenAt: r.frozen_at ? new Date(r.frozen_at).toISOString() : null,
  frozenBy: r.frozen_by,
  reason: r.frozen_reason,
});

/**
 * In the caller's transaction. It first locks the player's wallet rows, the same rows a market
 * batch locks (and reads balances.frozen from): a batch already holding them commits first (its
 * orders are then found by openOrderMarkets), and any later batch sees the frozen wallet.
 */
export async function freezePlayer(tx: Db, ctx: LedgerCtx, m: { playerId: string; reason: string }): Promise<Result<{ state: FreezeState; changed: boolean }>> {
  await lockAccounts(tx, [m.playerId]);
  const [row] = await rows<PlayerRow>(tx, sql`
    select id::text as id, status, frozen_at::text, frozen_by, frozen_reason from players where id = ${m.playerId} for update`);
  if (!row) return fail(404, "unknown_player", `there is no player ${m.playerId}`);
  if (row.frozen_at !== null) return { ok: true, state: state(row), changed: false };
  if (row.status !== "active") return fail(409, "player_not_active", `player ${m.playerId} is ${row.status}, not active: there is nothing to freeze`);
  const [frozen] = await rows<PlayerRow>(tx, sql`
    update players set status = 'suspended', frozen_at = now(), frozen_by = ${ctx.actor}, frozen_reason = ${m.reason}
    where id = ${m.playerId} returning id::text as id, status, frozen_at::text, frozen_by, frozen_reason`);
  // The wallet row carries the flag the market batches read under their lock (db/market/write.ts).
  await tx.execute(sql`
    insert into balances (player_id, frozen) values (${m.playerId}, true)
    on conflict (player_id) do update set frozen = true`);
  await appendEvents(tx, ctx, [{ stream: `player:${m.playerId}`, type: "player_frozen", payload: { reason: m.reason } }]);
  return { ok: true, state: state(frozen!), changed: true };
}

export async function unfreezePlayer(tx: Db, ctx: LedgerCtx, m: { playerId: string; reason: string | null }): Promise<Result<{ state: FreezeState; changed: boolean }>> {
  const [row] = await rows<PlayerRow>(tx, sql`
    select id::text as id, status, frozen_at::text, frozen_by, frozen_reason from players where id = ${m.playerId} for update`);
  if (!row) return fail(404, "unknown_player", `there is no player ${m.playerId}`);
  if (row.frozen_at === null) return { ok: true, state: state(row), changed: false };
  const [done] = await rows<PlayerRow>(tx, sql`
    update players set status = 'active', frozen_at = null, frozen_by = null, frozen_reason = null
    where id = ${m.playerId} returning id::text as id, status, frozen_at::text, frozen_by, frozen_reason`);
  await tx.execute(sql`update balances set frozen = false where player_id = ${m.playerId}`);
  await appendEvents(tx, ctx, [{ stream: `player:${m.playerId}`, type: "player_unfrozen", payload: { reason: m.reason } }]);
  return { ok: true, state: state(done!), changed: true };
}

/** Markets where the player has open orders (after a freeze committed: each gets a cancel-all). */
export async function openOrderMarkets(db: Db, playerId: string): Promise<string[]> {
  const found = await rows<{ slug: string }>(db, sql`
    select distinct market_slug as slug from orders where player_id = ${playerId} and status = 'open' order by 1`);
  return found.map((r) => r.slug);
}

/** The freeze of a player whose session or token was refused, to say why (undefined if not frozen). */
export async function frozenReason(db: Db, playerId: string): Promise<{ reason: string | null; by: string | null } | undefined> {
  const [row] = await rows<{ frozen_at: string | null; frozen_reason: string | null; frozen_by: string | null }>(db, sql`
    select frozen_at::text, frozen_reason, frozen_by from players where id = ${playerId}`);
  return row?.frozen_at ? { reason: row.frozen_reason, by: row.frozen_by } : undefined;
}
