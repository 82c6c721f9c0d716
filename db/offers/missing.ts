/**
 * What a player lacks of a list of offer lines, in words ("2 x Iron Ore", "Flamebrand (item ...)").
 * Only what is available counts: currency or items reserved by market orders, and escrowed unique
 * items, are not. Used when an offer is made and again, under row locks, when it is accepted.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import type { OfferLineInput } from "./types";

export async function findMissing(db: Db, playerId: string, lines: OfferLineInput[]): Promise<string[]> {
  const missing: string[] = [];
  const currency = lines.find((l) => l.kind === "currency");
  if (currency) {
    const [b] = await rows<{ available: string }>(db, sql`select available::text from balances where player_id = ${playerId}`);
    const have = Number(b?.available ?? 0);
    if (have < currency.quantity) missing.push(`${currency.quantity - have} copper (has ${have} available of ${currency.quantity})`);
  }
  const stacks = lines.filter((l) => l.kind === "stack");
  if (stacks.length > 0) {
    const held = await rows<{ id: number; name: string; stackable: boolean; available: string | null }>(db, sql`
      select t.id, t.name, t.stackable, h.available::text as available
      from item_types t left join holdings h on h.item_type_id = t.id and h.player_id = ${playerId}
      where t.id = any(${`{${stacks.map((s) => s.itemTypeId).join(",")}}`}::int[])`);
    const byId = new Map(held.map((h) => [h.id, h]));
    for (const s of stacks) {
      const h = byId.get(s.itemTypeId);
      if (!h) missing.push(`item type ${s.itemTypeId} (no such item type)`);
      else if (!h.stackable) missing.push(`${h.name} is a unique item: offer the item itself`);
      else if (Number(h.available ?? 0) < s.quantity) missing.push(`${s.quantity} x ${h.name} (has ${Number(h.available ?? 0)} available)`);
    }
  }
  const uniques = lines.filter((l) => l.kind === "unique");
  if (uniques.length > 0) {
    const found = await rows<{ id: string; owner: string | null; state: string; name: string }>(db, sql`
      select i.id::text as id, i.owner_id::text as owner, i.state, t.name
      from items i join item_types t on t.id = i.item_type_id
      where i.id = any(${`{${uniques.map((u) => u.itemId).join(",")}}`}::uuid[])`);
    const byId = new Map(found.map((f) => [f.id, f]));
    for (const u of uniques) {
      const f = byId.get(u.itemId);
      if (!f || f.owner !== playerId) missing.push(`${f?.name ?? "item"} ${u.itemId} (not owned)`);
      else if (f.state !== "held") missing.push(`${f.name} ${u.itemId} (${f.state}, not available)`);
    }
  }
  return missing;
}
