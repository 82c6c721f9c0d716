/** A market with funded traders, for settlement tests. */
import { sql } from "drizzle-orm";
import { rows, withTx, type Db } from "../../db/db";
import * as ledger from "../../db/ledger";
import { CURRENCY } from "../../db/ledger";
import { addItemType, addPlayer } from "./world";

export async function addMarket(db: Db, opts: { tick?: number; lot?: number; makerBps?: number; takerBps?: number } = {}) {
  const itemTypeId = await addItemType(db, true);
  const [t] = await rows<{ slug: string }>(db, sql`
    update item_types set tick_size = ${opts.tick ?? 1}, lot_size = ${opts.lot ?? 1} where id = ${itemTypeId} returning slug`);
  await db.execute(sql`insert into markets (slug, item_type_id, maker_fee_bps, taker_fee_bps)
    values (${t!.slug}, ${itemTypeId}, ${opts.makerBps ?? 10}, ${opts.takerBps ?? 25})`);
  return { slug: t!.slug, itemTypeId };
}

export async function fundedTrader(db: Db, itemTypeIds: number[], copper = 100_000, items = 1_000): Promise<string> {
  const id = await addPlayer(db);
  await withTx(db, async (tx) => {
    await ledger.mint(tx, { actor: "test" }, { playerId: id, asset: CURRENCY, amount: copper });
    for (const asset of itemTypeIds) await ledger.mint(tx, { actor: "test" }, { playerId: id, asset, amount: items });
  });
  return id;
}

export async function wallet(db: Db, playerId: string, itemTypeId: number) {
  const [w] = await rows<{ ca: string; cr: string; ia: string | null; ir: string | null }>(db, sql`
    select b.available::text as ca, b.reserved::text as cr, h.available::text as ia, h.reserved::text as ir
    from balances b left join holdings h on h.player_id = b.player_id and h.item_type_id = ${itemTypeId}
    where b.player_id = ${playerId}`);
  return { copper: Number(w!.ca), copperReserved: Number(w!.cr), items: Number(w!.ia ?? 0), itemsReserved: Number(w!.ir ?? 0) };
}
