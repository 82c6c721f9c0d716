/**
 * economy_positions: what each player holds of each fungible asset (copper and stackable items,
 * available + reserved), summed from the postings every ledger event carries. Net worth at market
 * prices and its inequality are read from here (db/economy/figures.ts). Unique items are not in it.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import type { Consumer } from "../consumers/run";
import type { FeedEvent } from "../feed/read";

export interface Position {
  player: string;
  asset: number;
  amount: number;
}

/** The net change of each (player, asset) some events post (pure); zero changes left out. */
export function positionChanges(events: FeedEvent[]): Position[] {
  const out = new Map<string, Position>();
  for (const e of events) {
    const postings = e.payload.postings;
    if (!Array.isArray(postings)) continue;
    for (const p of postings as Array<{ player: string; asset: number; available: number; reserved: number }>) {
      const key = `${p.player}|${p.asset}`;
      const pos = out.get(key) ?? { player: p.player, asset: p.asset, amount: 0 };
      pos.amount += p.available + p.reserved;
      out.set(key, pos);
    }
  }
  return [...out.values()].filter((p) => p.amount !== 0).sort((a, b) => (a.player < b.player ? -1 : a.player > b.player ? 1 : a.asset - b.asset));
}

export const positionsConsumer: Consumer = {
  name: "economy_positions",
  types: [],
  async apply(tx, events) {
    const changes = positionChanges(events);
    if (changes.length === 0) return;
    await tx.execute(sql`
      insert into economy_positions (player_id, asset, amount)
      select x.player, x.asset, x.amount from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) as x(player uuid, asset int, amount bigint)
      order by x.player, x.asset
      on conflict (player_id, asset) do update set amount = economy_positions.amount + excluded.amount`);
  },
  async reset(tx) {
    await tx.execute(sql`delete from economy_positions`);
  },
};

export async function readPositions(db: Db): Promise<Position[]> {
  const found = await rows<{ player: string; asset: number; amount: string }>(db, sql`
    select player_id::text as player, asset, amount::text as amount from economy_positions where amount <> 0 order by player_id, asset`);
  return found.map((r) => ({ player: r.player, asset: Number(r.asset), amount: Number(r.amount) }));
}
