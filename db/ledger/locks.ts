/**
 * Lock order. A single ledger call touches its rows in one sorted statement, and every entry
 * locks balances before holdings, so single-call transactions cannot deadlock each other. A
 * transaction that makes several calls (an offer's swap, a market batch) must call lockAccounts
 * first with every player it will touch, so its row locks are taken in the same global order.
 */
import { sql } from "drizzle-orm";
import type { Db } from "../db";

export async function lockAccounts(tx: Db, playerIds: string[]): Promise<void> {
  const ids = `{${[...new Set(playerIds)].sort().join(",")}}`;
  await tx.execute(sql`select 1 from balances where player_id = any(${ids}::uuid[]) order by player_id for update`);
  await tx.execute(sql`
    select 1 from holdings where player_id = any(${ids}::uuid[]) order by player_id, item_type_id for update`);
}
