/** What kind of asset a number is. Item types never change stackability, so lookups are cached. */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import { CURRENCY, LedgerError } from "./types";

const stackableById = new Map<number, boolean>();

export async function isStackable(tx: Db, itemTypeId: number): Promise<boolean> {
  const known = stackableById.get(itemTypeId);
  if (known !== undefined) return known;
  if (!Number.isSafeInteger(itemTypeId) || itemTypeId <= 0 || itemTypeId > 2_147_483_647) {
    throw new LedgerError("unknown_item_type", `item type ${itemTypeId} does not exist`);
  }
  const [row] = await rows<{ stackable: boolean }>(tx, sql`select stackable from item_types where id = ${itemTypeId}`);
  if (!row) throw new LedgerError("unknown_item_type", `item type ${itemTypeId} does not exist`);
  stackableById.set(itemTypeId, row.stackable);
  return row.stackable;
}

/** The currency or a stackable item type: the assets that live in balances and holdings. */
export async function assertFungible(tx: Db, asset: number): Promise<void> {
  if (asset === CURRENCY) return;
  if (!(await isStackable(tx, asset))) {
    throw new LedgerError("not_stackable", `item type ${asset} is unique: move single items, not quantities`, 400);
  }
}

export async function assertUniqueType(tx: Db, itemTypeId: number): Promise<void> {
  if (await isStackable(tx, itemTypeId)) {
    throw new LedgerError("not_unique", `item type ${itemTypeId} is stackable: move quantities, not single items`, 400);
  }
}

export const assetName = (asset: number) => (asset === CURRENCY ? "currency" : `item type ${asset}`);
