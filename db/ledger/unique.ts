/**
 * Unique items (one row each): mint, burn, transfer, escrow and release. The item row is locked
 * (FOR UPDATE) before it changes, so concurrent moves of one item serialize and exactly one wins.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import { assertUniqueType } from "./assets";
import { record } from "./record";
import { addBurned, addMinted } from "./supply";
import { LedgerError, type ItemChange, type LedgerCtx } from "./types";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface ItemRow {
  id: string;
  type: number;
  owner: string | null;
  state: ItemChange["state"];
  version: number;
}

/** Lock items in id order and return them; throws unknown_item for any that does not exist. */
export async function lockItems(tx: Db, ids: string[]): Promise<Map<string, ItemRow>> {
  for (const id of ids) if (!UUID.test(id)) throw new LedgerError("unknown_item", `item ${id} does not exist`);
  const sorted = [...new Set(ids)].sort();
  const found = await rows<ItemRow>(tx, sql`
    select id::text as id, item_type_id as type, owner_id::text as owner, state, version
    from items where id = any(${`{${sorted.join(",")}}`}::uuid[]) order by id for update`);
  const byId = new Map(found.map((r) => [r.id, r]));
  for (const id of sorted) if (!byId.has(id)) throw new LedgerError("unknown_item", `item ${id} does not exist`);
  return byId;
}

/** Write new states for locked items (the ItemChange list is what the event records). */
export async function applyItemChanges(tx: Db, changes: ItemChange[]): Promise<void> {
  if (changes.length === 0) return;
  await tx.execute(sql`
    update items i set owner_id = c.owner, state = c.state, version = c.v
    from jsonb_to_recordset(${JSON.stringify(changes)}::jsonb) as c(id uuid, owner uuid, state text, v int)
    where i.id = c.id`);
}

export function requireHeldBy(item: ItemRow, owner: string): void {
  if (item.owner !== owner) throw new LedgerError("not_owner", `item ${item.id} is not owned by player ${owner}`, 403);
  if (item.state !== "held") throw new LedgerError("item_unavailable", `item ${item.id} is ${item.state}, not available`);
}

export async function mintUnique(
  tx: Db,
  ctx: LedgerCtx,
  m: { playerId: string; itemTypeId: number; metadata?: Record<string, unknown>; reason?: string },
): Promise<string> {
  await assertUniqueType(tx, m.itemTypeId);
  const id = crypto.randomUUID();
  const metadata = m.metadata ?? {};
  try {
    await tx.execute(sql`
      insert into items (id, item_type_id, owner_id, state, version, metadata)
      values (${id}, ${m.itemTypeId}, ${m.playerId}, 'held', 1, ${JSON.stringify(metadata)}::jsonb)`);
  } catch {
    throw new LedgerError("unknown_player", `player ${m.playerId} does not exist`);
  }
  await addMinted(tx, m.itemTypeId, 1);
  await record(tx, ctx, {
    stream: `item:${id}`,
    type: "item_minted",
    supply: [{ asset: m.itemTypeId, minted: 1 }],
    items: [{ id, type: m.itemTypeId, owner: m.playerId, state: "held", v: 1, metadata }],
    data: { reason: m.reason ?? null },
  });
  return id;
}

export async function burnUnique(tx: Db, ctx: LedgerCtx, m: { itemId: string; playerId: string; reason?: string }) {
  const item = (await lockItems(tx, [m.itemId])).get(m.itemId)!;
  requireHeldBy(item, m.playerId);
  const change: ItemChange = { id: item.id, type: item.type, owner: null, state: "burned", v: item.version + 1 };
  await applyItemChanges(tx, [change]);
  await addBurned(tx, item.type, 1);
  await record(tx, ctx, {
    stream: `item:${item.id}`,
    type: "item_burned",
    supply: [{ asset: item.type, burned: 1 }],
    items: [change],
    data: { reason: m.reason ?? null },
  });
}

export async function transferUnique(tx: Db, ctx: LedgerCtx, m: { itemId: string; from: string; to: string; reason?: string }) {
  if (m.from === m.to) throw new LedgerError("invalid_amount", "cannot transfer an item to its owner", 400);
  const item = (await lockItems(tx, [m.itemId])).get(m.itemId)!;
  requireHeldBy(item, m.from);
  const change: ItemChange = { id: item.id, type: item.type, owner: m.to, state: "held", v: item.version + 1 };
  try {
    await applyItemChanges(tx, [change]);
  } catch {
    throw new LedgerError("unknown_player", `player ${m.to} does not exist`);
  }
  await record(tx, ctx, { stream: `item:${item.id}`, type: "item_transferred", items: [change], data: { from: m.from, to: m.to, reason: m.reason ?? null } });
}

/** held -> escrowed (or back): the item stays with its owner but cannot move elsewhere. */
export async function setEscrow(tx: Db, ctx: LedgerCtx, m: { itemId: string; playerId: string; escrowed: boolean; reason?: string }) {
  const item = (await lockItems(tx, [m.itemId])).get(m.itemId)!;
  if (item.owner !== m.playerId) throw new LedgerError("not_owner", `item ${item.id} is not owned by player ${m.playerId}`, 403);
  const from = m.escrowed ? "held" : "escrowed";
  if (item.state !== from) throw new LedgerError("item_unavailable", `item ${item.id} is ${item.state}, expected ${from}`);
  const change: ItemChange = { id: item.id, type: item.type, owner: item.owner, state: m.escrowed ? "escrowed" : "held", v: item.version + 1 };
  await applyItemChanges(tx, [change]);
  await record(tx, ctx, { stream: `item:${item.id}`, type: m.escrowed ? "item_escrowed" : "item_released", items: [change], data: { reason: m.reason ?? null } });
}
