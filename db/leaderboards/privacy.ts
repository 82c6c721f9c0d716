/**
 * "Show me on the leaderboards" (settings, PUT /api/v1/privacy; ADR 039). A hidden player stays in
 * the scores (leaderboard_scores and its Redis copy keep everyone, so a rebuild still equals the
 * live boards); the boards leave them out when they are read for anyone else, and the ranks others
 * see skip them. Each change is a `leaderboard_visibility_changed` event on the player's stream.
 */
import { sql } from "drizzle-orm";
import { rows, withTx, type Db } from "../db";
import { appendEvents } from "../ledger/events";
import type { Board } from "./periods";

/** Whether the player shows on the leaderboards (true unless they turned it off). */
export async function showsOnLeaderboards(db: Db, playerId: string): Promise<boolean> {
  const [found] = await rows<{ hidden: boolean }>(db, sql`select leaderboard_hidden as hidden from players where id = ${playerId}`);
  return !(found?.hidden ?? false);
}

/**
 * Turns "show me on the leaderboards" on or off. Writes the event only when the setting changes
 * (saving the same choice again records nothing). Returns the setting now and whether it changed.
 */
export async function setShownOnLeaderboards(db: Db, playerId: string, shown: boolean): Promise<{ shown: boolean; changed: boolean }> {
  return withTx(db, async (tx) => {
    const changed = await rows<{ id: string }>(tx, sql`
      update players set leaderboard_hidden = ${!shown} where id = ${playerId} and leaderboard_hidden = ${shown} returning id::text as id`);
    if (changed.length > 0) {
      await appendEvents(tx, { actor: `player:${playerId}` }, [
        { stream: `player:${playerId}`, type: "leaderboard_visibility_changed", payload: { shown } },
      ]);
    }
    return { shown, changed: changed.length > 0 };
  });
}

/**
 * The hidden players who are on a board's period, with their scores (from leaderboard_scores, the
 * source of the Redis copy), highest first. Hidden players are few (an opt-out): a partial index on
 * players finds them.
 */
export async function hiddenOnBoard(db: Db, board: Board, period: string): Promise<Array<{ player: string; score: number }>> {
  const found = await rows<{ player: string; score: string }>(db, sql`
    select p.id::text as player, s.score::text as score from players p
    join leaderboard_scores s on s.player_id = p.id and s.board = ${board} and s.period = ${period}
    where p.leaderboard_hidden
    order by s.score desc, p.id::text desc`);
  return found.map((r) => ({ player: r.player, score: Number(r.score) }));
}
