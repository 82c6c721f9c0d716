/**
 * Trading limits per item type (issue 17, ADR 027): what operators and game servers set, and the
 * offers flow's account-age gate. The market batch reads the same row inside readAndLock
 * (db/market/write.ts); the planner judges it (party/settlement/limits.ts).
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import { fail, type Result } from "../result";
import { duration, type TradingLimits } from "../../party/settlement/limits";
import type { OfferLineInput } from "../offers/types";

export interface ItemTypeLimits extends TradingLimits {
  itemType: string;
  /** The market trading this type, if it is stackable. */
  market: string | null;
  updatedBy: string | null;
  updatedAt: string | null;
}

export const NO_LIMITS: TradingLimits = { buyLimit: null, buyWindowSeconds: 14_400, minAccountAgeSeconds: null, newAccountMaxOrderValue: null, newAccountAgeSeconds: null };

interface Row {
  itemType: string;
  itemTypeId: number;
  market: string | null;
  buyLimit: string | null;
  buyWindowSeconds: number | null;
  minAccountAgeSeconds: number | null;
  newAccountMaxOrderValue: string | null;
  newAccountAgeSeconds: number | null;
  updatedBy: string | null;
  updatedAt: string | null;
}

const num = (v: string | null) => (v === null ? null : Number(v));

function shape(r: Row): ItemTypeLimits {
  return {
    itemType: r.itemType, market: r.market, buyLimit: num(r.buyLimit), buyWindowSeconds: r.buyWindowSeconds ?? NO_LIMITS.buyWindowSeconds,
    minAccountAgeSeconds: r.minAccountAgeSeconds, newAccountMaxOrderValue: num(r.newAccountMaxOrderValue), newAccountAgeSeconds: r.newAccountAgeSeconds,
    updatedBy: r.updatedBy, updatedAt: r.updatedAt,
  };
}

async function read(db: Db, slug: string): Promise<Row | undefined> {
  const [row] = await rows<Row>(db, sql`
    select t.slug as "itemType", t.id as "itemTypeId", m.slug as market, l.buy_limit::text as "buyLimit", l.buy_window_seconds as "buyWindowSeconds",
      l.min_account_age_seconds as "minAccountAgeSeconds", l.new_account_max_order_value::text as "newAccountMaxOrderValue",
      l.new_account_age_seconds as "newAccountAgeSeconds", l.updated_by as "updatedBy",
      to_char(l.updated_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "updatedAt"
    from item_types t left join markets m on m.item_type_id = t.id left join trading_limits l on l.item_type_id = t.id
    where t.slug = ${slug}`);
  return row;
}

export async function getTradingLimits(db: Db, itemTypeSlug: string): Promise<Result<{ limits: ItemTypeLimits }>> {
  const row = await read(db, itemTypeSlug);
  if (!row) return fail(404, "unknown_item_type", `there is no item type ${itemTypeSlug}`);
  return { ok: true, limits: shape(row) };
}

/**
 * Replace an item type's limits (all fields; null turns one off). All off removes the row. Takes
 * effect from the market's next batch (the batch reads the row under its own transaction).
 */
export async function setTradingLimits(db: Db, itemTypeSlug: string, limits: TradingLimits, by: string): Promise<Result<{ limits: ItemTypeLimits }>> {
  const problem = limitsProblem(limits);
  if (problem) return fail(400, "invalid_limits", problem);
  const row = await read(db, itemTypeSlug);
  if (!row) return fail(404, "unknown_item_type", `there is no item type ${itemTypeSlug}`);
  const none = limits.buyLimit === null && limits.minAccountAgeSeconds === null && limits.newAccountMaxOrderValue === null;
  if (none) await db.execute(sql`delete from trading_limits where item_type_id = ${row.itemTypeId}`);
  else {
    await db.execute(sql`
      insert into trading_limits (item_type_id, buy_limit, buy_window_seconds, min_account_age_seconds, new_account_max_order_value, new_account_age_seconds, updated_by, updated_at)
      values (${row.itemTypeId}, ${limits.buyLimit}, ${limits.buyWindowSeconds}, ${limits.minAccountAgeSeconds}, ${limits.newAccountMaxOrderValue}, ${limits.newAccountAgeSeconds}, ${by}, now())
      on conflict (item_type_id) do update set buy_limit = excluded.buy_limit, buy_window_seconds = excluded.buy_window_seconds,
        min_account_age_seconds = excluded.min_account_age_seconds, new_account_max_order_value = excluded.new_account_max_order_value,
        new_account_age_seconds = excluded.new_account_age_seconds, updated_by = excluded.updated_by, updated_at = now()`);
  }
  return { ok: true, limits: shape((await read(db, itemTypeSlug))!) };
}

/** What is wrong with a set of limits, naming the field (the API's schema checks the same bounds first). */
export function limitsProblem(l: TradingLimits): string | undefined {
  const whole = (v: number | null, min: number, max: number) => v === null || (Number.isSafeInteger(v) && v >= min && v <= max);
  if (!whole(l.buyLimit, 1, Number.MAX_SAFE_INTEGER)) return "buyLimit must be a whole number of items, at least 1, or null";
  if (!whole(l.buyWindowSeconds, 60, 2_592_000)) return "buyWindowSeconds must be between 60 (1 minute) and 2592000 (30 days)";
  if (!whole(l.minAccountAgeSeconds, 1, 31_536_000)) return "minAccountAgeSeconds must be between 1 and 31536000 (365 days), or null";
  if (!whole(l.newAccountMaxOrderValue, 1, Number.MAX_SAFE_INTEGER)) return "newAccountMaxOrderValue must be a whole number of copper, at least 1, or null";
  if (!whole(l.newAccountAgeSeconds, 1, 31_536_000)) return "newAccountAgeSeconds must be between 1 and 31536000 (365 days), or null";
  if ((l.newAccountMaxOrderValue === null) !== (l.newAccountAgeSeconds === null)) {
    return "newAccountMaxOrderValue and newAccountAgeSeconds go together: give both (what a new account may place, and until what age) or neither";
  }
  return undefined;
}

/**
 * The offers flow's gate (Steam-style): a player may send an offer holding an item type with a
 * minimum account age only once their account is that old. Both sides of the offer count: asking for
 * an item is trading it too. Runs inside the offer's transaction.
 */
export async function offerGate(tx: Db, playerId: string, lines: OfferLineInput[]): Promise<Result<object>> {
  const types = lines.flatMap((l) => (l.kind === "stack" ? [l.itemTypeId] : []));
  const items = lines.flatMap((l) => (l.kind === "unique" ? [l.itemId] : []));
  if (types.length === 0 && items.length === 0) return { ok: true };
  const [gate] = await rows<{ name: string; age: number; from: string }>(tx, sql`
    select t.name, l.min_account_age_seconds as age,
      to_char((p.created_at + make_interval(secs => l.min_account_age_seconds)) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "from"
    from trading_limits l join item_types t on t.id = l.item_type_id, players p
    where p.id = ${playerId} and l.min_account_age_seconds is not null
      and p.created_at + make_interval(secs => l.min_account_age_seconds) > now()
      and (l.item_type_id = any(${`{${types.join(",")}}`}::int[])
        or l.item_type_id in (select item_type_id from items where id = any(${`{${items.join(",")}}`}::uuid[])))
    order by p.created_at + make_interval(secs => l.min_account_age_seconds) desc limit 1`);
  if (!gate) return { ok: true };
  return fail(403, "account_too_new", `Your account is too new to trade ${gate.name} in offers: accounts may offer it ${duration(gate.age)} after sign-up. You may from ${gate.from}.`);
}
