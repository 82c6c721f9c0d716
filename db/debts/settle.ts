/**
 * Settling debts (issue 18, ADR 038): a player who owes after a rollback (db/rollbacks) pays what
 * they owe first, out of what comes in, in the transaction that brought it in (a faucet's mint, a
 * market fill, an accepted offer). Each settlement is one `debt_settled` ledger event on the stream
 * `debts:<player>`: the debtor's available amount moves to the creditor, or is burned for a mint's
 * debt; a debt of a unique item type takes held items of that type. The debt rows are locked
 * (FOR UPDATE, after the wallets: balances, holdings, then debts), so two credits committing at
 * once settle a debt once: the second re-reads what the first left. When every debt is settled the
 * player trades again (the market and offers look for `settled_at is null`).
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import { applyItemChanges, CURRENCY, record, type ItemChange, type LedgerCtx, type Posting, type SupplyChange } from "../ledger";
import { isStackable } from "../ledger/assets";
import { addBurned } from "../ledger/supply";

export interface Settled {
  debt: string;
  player: string;
  asset: number;
  creditor: string | null;
  amount: number;
  /** What is still owed on this debt after the settlement. */
  rest: number;
}

interface OpenDebt { id: string; player: string; asset: number; creditor: string | null; owed: string }

/** Settles what it can of the open debts of these players (of these assets, when given). One event per player who paid. */
export async function settleDebts(tx: Db, ctx: LedgerCtx, playerIds: string[], assets?: number[]): Promise<Settled[]> {
  const players = [...new Set(playerIds)].sort();
  if (players.length === 0) return [];
  const only = assets ? sql` and asset = any(${`{${[...new Set(assets)].join(",")}}`}::int[])` : sql``;
  const open = await rows<OpenDebt>(tx, sql`
    select id::text as id, player_id::text as player, asset, creditor_id::text as creditor, (amount - settled)::text as owed
    from debts where player_id = any(${`{${players.join(",")}}`}::uuid[]) and settled_at is null${only}
    order by player_id, created_at, id for update`);
  if (open.length === 0) return [];
  const settled: Settled[] = [];
  for (const player of players) {
    const mine = open.filter((d) => d.player === player);
    if (mine.length === 0) continue;
    const postings: Posting[] = [];
    const supply: SupplyChange[] = [];
    const changes: ItemChange[] = [];
    const left = new Map<number, number>();
    const heldItems = new Map<number, Array<{ id: string; version: number }>>();
    for (const d of mine) {
      const owed = Number(d.owed);
      let take = 0;
      if (d.asset === CURRENCY || (await isStackable(tx, d.asset))) {
        if (!left.has(d.asset)) left.set(d.asset, await availableOf(tx, player, d.asset));
        take = Math.min(owed, left.get(d.asset)!);
        left.set(d.asset, left.get(d.asset)! - take);
        if (take > 0) {
          postings.push({ player, asset: d.asset, available: -take, reserved: 0 });
          if (d.creditor) postings.push({ player: d.creditor, asset: d.asset, available: take, reserved: 0 });
          else supply.push({ asset: d.asset, burned: take });
        }
      } else {
        if (!heldItems.has(d.asset)) heldItems.set(d.asset, await heldOf(tx, player, d.asset));
        const items = heldItems.get(d.asset)!.splice(0, owed);
        take = items.length;
        for (const i of items) changes.push({ id: i.id, type: d.asset, owner: d.creditor, state: d.creditor ? "held" : "burned", v: i.version + 1 });
        if (take > 0 && !d.creditor) supply.push({ asset: d.asset, burned: take });
      }
      if (take > 0) settled.push({ debt: d.id, player, asset: d.asset, creditor: d.creditor, amount: take, rest: owed - take });
    }
    const paid = settled.filter((s) => s.player === player);
    if (paid.length === 0) continue;
    await applyItemChanges(tx, changes);
    await record(tx, ctx, {
      stream: `debts:${player}`,
      type: "debt_settled",
      postings,
      supply,
      items: changes,
      data: { player, settled: paid.map(({ debt, asset, creditor, amount, rest }) => ({ debt, asset, creditor, amount, rest })) },
    });
    for (const s of supply) await addBurned(tx, s.asset, s.burned!);
    await tx.execute(sql`
      update debts d set settled = d.settled + p.amount, settled_at = case when d.settled + p.amount = d.amount then now() end
      from jsonb_to_recordset(${JSON.stringify(paid)}::jsonb) as p(debt uuid, amount bigint) where d.id = p.debt`);
  }
  return settled;
}

async function availableOf(tx: Db, player: string, asset: number): Promise<number> {
  const [r] = asset === CURRENCY
    ? await rows<{ a: string }>(tx, sql`select available::text as a from balances where player_id = ${player}::uuid for update`)
    : await rows<{ a: string }>(tx, sql`select available::text as a from holdings where player_id = ${player}::uuid and item_type_id = ${asset} for update`);
  return Number(r?.a ?? 0);
}

async function heldOf(tx: Db, player: string, type: number): Promise<Array<{ id: string; version: number }>> {
  return rows<{ id: string; version: number }>(tx, sql`
    select id::text as id, version from items where owner_id = ${player}::uuid and item_type_id = ${type} and state = 'held' order by id for update`);
}

/** Whether any of these players has an open debt (a cheap probe before settling). */
export async function inDebt(tx: Db, playerIds: string[]): Promise<string[]> {
  if (playerIds.length === 0) return [];
  return (await rows<{ p: string }>(tx, sql`
    select distinct player_id::text as p from debts where player_id = any(${`{${[...new Set(playerIds)].sort().join(",")}}`}::uuid[]) and settled_at is null`)).map((r) => r.p);
}
