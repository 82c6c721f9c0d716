/**
 * A rollback's plan: of each thing wanted back, what the holder has now is taken (available only:
 * what is reserved by an open order or offer stays), the rest becomes a debt on that holder. The
 * same function serves the preview (no locks) and the apply (rows locked first), so an apply on an
 * unchanged world equals its preview.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import { CURRENCY } from "../ledger";
import { wantsOf, type TargetKind, type Want } from "./wants";

export interface Debt {
  player: string;
  asset: number;
  amount: number;
  /** Who receives it when settled; null for a mint (it is burned then). */
  creditor: string | null;
}

export interface RollbackPlan {
  kind: TargetKind;
  targetId: string;
  /** What the compensating event moves back (to null: burned). */
  takes: Want[];
  debts: Debt[];
  /** Copper value of everything wanted back (items at their market's last price): the approval threshold compares it. */
  value: number;
  /** What happened, in sentences, for the operator. */
  notes: string[];
}

export async function planRollback(db: Db, kind: TargetKind, targetId: string, options: { lock?: boolean } = {}): Promise<RollbackPlan> {
  const { wants, notes } = await wantsOf(db, kind, targetId);
  const have = await holdingsOf(db, wants, options.lock ?? false);
  const takes: Want[] = [];
  const debts: Debt[] = [];
  for (const w of wants) {
    let taken = 0;
    if (w.item) {
      taken = have.items.get(w.item) === w.from ? 1 : 0;
    } else {
      const key = `${w.from}|${w.asset}`;
      taken = Math.min(w.amount, have.fungible.get(key) ?? 0);
      have.fungible.set(key, (have.fungible.get(key) ?? 0) - taken);
    }
    if (taken > 0) takes.push({ ...w, amount: taken });
    if (taken < w.amount) {
      debts.push({ player: w.from, asset: w.asset, amount: w.amount - taken, creditor: w.to });
      notes.push(`${w.from} holds ${taken} of the ${w.amount} ${assetWords(w)} to give back: ${w.amount - taken} stays owed as a debt.`);
    } else {
      notes.push(`${w.from} gives back ${w.amount} ${assetWords(w)}${w.to ? ` to ${w.to}` : " (burned)"}.`);
    }
  }
  return { kind, targetId, takes, debts, value: await valueOf(db, wants), notes };
}

const assetWords = (w: Want) => (w.item ? `item ${w.item}` : w.asset === CURRENCY ? "copper" : `of item type ${w.asset}`);

async function holdingsOf(db: Db, wants: Want[], lock: boolean) {
  const players = `{${[...new Set(wants.map((w) => w.from))].sort().join(",")}}`;
  const forUpdate = lock ? sql` for update` : sql``;
  const fungible = new Map<string, number>();
  const items = new Map<string, string | null>();
  if (wants.some((w) => !w.item && w.asset === CURRENCY)) {
    for (const r of await rows<{ p: string; a: string }>(db, sql`
      select player_id::text as p, available::text as a from balances where player_id = any(${players}::uuid[]) order by player_id${forUpdate}`)) {
      fungible.set(`${r.p}|0`, Number(r.a));
    }
  }
  const assets = [...new Set(wants.filter((w) => !w.item && w.asset !== CURRENCY).map((w) => w.asset))].sort((a, b) => a - b);
  if (assets.length) {
    for (const r of await rows<{ p: string; t: number; a: string }>(db, sql`
      select player_id::text as p, item_type_id as t, available::text as a from holdings
      where player_id = any(${players}::uuid[]) and item_type_id = any(${`{${assets.join(",")}}`}::int[]) order by player_id, item_type_id${forUpdate}`)) {
      fungible.set(`${r.p}|${r.t}`, Number(r.a));
    }
  }
  const ids = [...new Set(wants.flatMap((w) => (w.item ? [w.item] : [])))].sort();
  if (ids.length) {
    for (const r of await rows<{ id: string; owner: string | null; state: string }>(db, sql`
      select id::text as id, owner_id::text as owner, state from items where id = any(${`{${ids.join(",")}}`}::uuid[]) order by id${forUpdate}`)) {
      items.set(r.id, r.state === "held" ? r.owner : null);
    }
  }
  return { fungible, items };
}

async function valueOf(db: Db, wants: Want[]): Promise<number> {
  let value = 0;
  for (const w of wants) {
    if (w.asset === CURRENCY) value += w.amount;
    else {
      const [p] = await rows<{ price: string }>(db, sql`
        select f.price::text as price from fills f join markets m on m.slug = f.market_slug
        where m.item_type_id = ${w.asset} order by f.id desc limit 1`);
      value += w.amount * Number(p?.price ?? 0);
    }
  }
  return value;
}
