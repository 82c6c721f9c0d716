/** Per-server mint limits per clock hour, charged in the minting transaction (rolled back with it). */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import { LedgerError } from "../ledger";
import { assetName } from "../ledger/assets";
import type { GameServer, MintLimits } from "./scopes";

export class MintLimitExceeded extends Error {
  constructor(readonly kind: "currency" | "items", readonly limit: number, readonly wanted: number, readonly used: number) {
    super(
      `this game server may mint ${limit} ${kind === "currency" ? "copper" : "items"} per hour; ${used} already minted this hour, ` +
        `so ${wanted} more would pass it. Wait for the next hour or ask an operator to raise the limit.`,
    );
  }
}

/**
 * One statement for the end of a mint: the supply totals of every asset minted (refusing to pass
 * MAX_SAFE_INTEGER, like the ledger's addMinted) and the server's hourly usage (refusing to pass its
 * limits). Neither raises an error, so when one refuses the transaction can still say which.
 */
export async function chargeSupplyAndLimits(tx: Db, server: GameServer, perAsset: Map<number, number>, wanted: { currency: number; items: number }): Promise<void> {
  const assets = [...perAsset].sort(([a], [b]) => a - b).map(([asset, amount]) => ({ asset, amount }));
  const kinds = (["currency", "items"] as const).filter((k) => wanted[k] > 0).map((kind) => ({ kind, amount: wanted[kind], limit: server.mintLimits[kind] ?? 0 }));
  const [done] = await rows<{ s: number; u: number }>(tx, sql`
    with s as (
      insert into supply (asset, minted)
      select a.asset, a.amount from jsonb_to_recordset(${JSON.stringify(assets)}::jsonb) as a(asset int, amount bigint) order by a.asset
      on conflict (asset) do update set minted = supply.minted + excluded.minted
        where supply.minted - supply.burned + excluded.minted <= ${Number.MAX_SAFE_INTEGER}
      returning 1),
    u as (
      insert into server_mint_usage (server_id, hour, kind, amount)
      select ${server.id}, date_trunc('hour', now()), k.kind, k.amount
      from jsonb_to_recordset(${JSON.stringify(kinds)}::jsonb) as k(kind text, amount bigint, "limit" bigint) where k.amount <= k."limit"
      on conflict (server_id, kind, hour) do update set amount = server_mint_usage.amount + excluded.amount
        where server_mint_usage.amount + excluded.amount <= (select k."limit" from jsonb_to_recordset(${JSON.stringify(kinds)}::jsonb) as k(kind text, amount bigint, "limit" bigint) where k.kind = excluded.kind)
      returning 1)
    select (select count(*) from s)::int as s, (select count(*) from u)::int as u`);
  if (done!.s !== assets.length) {
    const asset = assets[0]!.asset;
    throw new LedgerError("supply_limit", `minting would take the supply of ${assets.length === 1 ? assetName(asset) : "an asset of this batch"} past ${Number.MAX_SAFE_INTEGER}`);
  }
  if (done!.u !== kinds.length) {
    for (const k of kinds) {
      const [used] = await rows<{ amount: string }>(tx, sql`
        select amount::text from server_mint_usage where server_id = ${server.id} and kind = ${k.kind} and hour = date_trunc('hour', now())`);
      if (Number(used?.amount ?? 0) + k.amount > k.limit) throw new MintLimitExceeded(k.kind, k.limit, k.amount, Number(used?.amount ?? 0));
    }
    throw new Error("mint usage refused without a limit passed"); // not expected
  }
}
