/** A player's inventory: currency, stacks and unique items. Scoped to the player by signature. */
import { sql } from "drizzle-orm";
import { rows, type Db } from "./db";

export interface Inventory {
  balance: { available: number; reserved: number };
  stacks: Array<{ itemTypeId: number; slug: string; name: string; category: string; icon: string; available: number; reserved: number }>;
  uniques: Array<{ id: string; itemTypeId: number; slug: string; name: string; category: string; icon: string; state: string; metadata: Record<string, unknown> }>;
}

export async function getInventory(db: Db, playerId: string): Promise<Inventory> {
  const [balance] = await rows<{ available: string; reserved: string }>(db, sql`
    select available::text, reserved::text from balances where player_id = ${playerId}`);
  const stacks = await rows<Inventory["stacks"][number] & { available: string; reserved: string }>(db, sql`
    select t.id as "itemTypeId", t.slug, t.name, t.category, t.icon, h.available::text as available, h.reserved::text as reserved
    from holdings h join item_types t on t.id = h.item_type_id
    where h.player_id = ${playerId} and (h.available > 0 or h.reserved > 0)
    order by t.category, t.name`);
  const uniques = await rows<Inventory["uniques"][number]>(db, sql`
    select i.id::text as id, t.id as "itemTypeId", t.slug, t.name, t.category, t.icon, i.state, i.metadata
    from items i join item_types t on t.id = i.item_type_id
    where i.owner_id = ${playerId} and i.state <> 'burned'
    order by t.category, t.name, i.created_at`);
  return {
    balance: { available: Number(balance?.available ?? 0), reserved: Number(balance?.reserved ?? 0) },
    stacks: stacks.map((s) => ({ ...s, available: Number(s.available), reserved: Number(s.reserved) })),
    uniques,
  };
}
