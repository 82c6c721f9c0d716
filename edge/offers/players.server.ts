/**
 * Other players, as seen by someone composing an offer: who they are and what they could be
 * asked for. Only what is available counts (no reserved quantities, no escrowed items), and
 * their currency balance is never shown.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../../db/db";

export interface VisibleInventory {
  player: { id: string; username: string; bot: boolean };
  stacks: Array<{ itemTypeId: number; slug: string; name: string; category: string; icon: string; available: number }>;
  uniques: Array<{ id: string; itemTypeId: number; slug: string; name: string; category: string; icon: string; metadata: Record<string, unknown> }>;
}

export async function findActivePlayer(db: Db, username: string): Promise<{ id: string; username: string; bot: boolean } | undefined> {
  const [found] = await rows<{ id: string; username: string; bot: boolean }>(db, sql`
    select id::text as id, username, bot from players where lower(username) = lower(${username}) and status = 'active'`);
  return found;
}

/** The demo world's NPC traders (npc/), by name: someone to try offers with. */
export async function npcTraders(db: Db): Promise<string[]> {
  const found = await rows<{ username: string }>(db, sql`select username from players where bot and status = 'active' order by username`);
  return found.map((p) => p.username);
}

export async function visibleInventory(db: Db, username: string): Promise<VisibleInventory | undefined> {
  const player = await findActivePlayer(db, username);
  if (!player) return undefined;
  const stacks = await rows<VisibleInventory["stacks"][number] & { available: string }>(db, sql`
    select t.id as "itemTypeId", t.slug, t.name, t.category, t.icon, h.available::text as available
    from holdings h join item_types t on t.id = h.item_type_id
    where h.player_id = ${player.id} and h.available > 0 and t.stackable
    order by t.category, t.name`);
  const uniques = await rows<VisibleInventory["uniques"][number]>(db, sql`
    select i.id::text as id, t.id as "itemTypeId", t.slug, t.name, t.category, t.icon, coalesce(i.metadata, '{}'::jsonb) as metadata
    from items i join item_types t on t.id = i.item_type_id
    where i.owner_id = ${player.id} and i.state = 'held'
    order by t.category, t.name, i.created_at`);
  return { player, stacks: stacks.map((s) => ({ ...s, available: Number(s.available) })), uniques };
}

/** Pending offers waiting for this player's answer (the nav badge). Uses trade_offers_to_idx. */
export async function pendingOfferCount(db: Db, playerId: string): Promise<number> {
  const [row] = await rows<{ n: number }>(db, sql`
    select count(*)::int as n from trade_offers where to_player_id = ${playerId} and status = 'pending' and expires_at > now()`);
  return row?.n ?? 0;
}
