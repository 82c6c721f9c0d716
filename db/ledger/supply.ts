/** Faucet and sink totals per asset; refuses a mint that would let supply pass MAX_SAFE_INTEGER. */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import { assetName } from "./assets";
import { LedgerError } from "./types";

export async function addMinted(tx: Db, asset: number, amount: number): Promise<void> {
  const limit = Number.MAX_SAFE_INTEGER;
  const done = await rows(tx, sql`
    insert into supply (asset, minted) values (${asset}, ${amount})
    on conflict (asset) do update set minted = supply.minted + excluded.minted
      where supply.minted - supply.burned + excluded.minted <= ${limit}
    returning asset`);
  if (done.length === 0) {
    throw new LedgerError("supply_limit", `minting ${amount} would take the supply of ${assetName(asset)} past ${limit}`);
  }
}

export async function addBurned(tx: Db, asset: number, amount: number): Promise<void> {
  // Holdings only ever come from a mint, so the row exists whenever a burn succeeded.
  await tx.execute(sql`update supply set burned = burned + ${amount} where asset = ${asset}`);
}
