/**
 * What a market batch reads for the item type's trading limits (ADR 027), as CTEs that ride in
 * readAndLock's one statement (db/market/write.ts):
 *   l   the limits row (a primary-key probe; no row: no limits);
 *   s   the placing/amending players' sign-up times;
 *   w   the buyers' purchases in the buy window (fills_taker_idx / fills_maker_idx), grouped per batch.
 * s and w are in the statement only while the room's last batch found a limits row (`usage`); the
 * first batch after an operator sets limits reads them in one more statement (readLimitUsage), once.
 * So a market without limits pays only the probe, and planning of a statement it already runs.
 */
import { sql, type SQL } from "drizzle-orm";
import { rows, type Db } from "../db";
import type { LimitsView, TradingLimits } from "../../party/settlement/limits";

export interface LimitReads {
  slug: string;
  at: Date;
  /** Players placing or amending orders. */
  traders: string[];
  /** Players placing buys or amending. */
  buyers: string[];
  /** Read s and w too (the room's last batch found limits). */
  usage: boolean;
}

/** What readAndLock found: the limits, and their usage if it was read. */
export type FoundLimits = Omit<LimitsView, "itemName"> & { complete: boolean };

export interface LimitRow {
  k: string;
  j: string | null;
  p: string | null;
  a: string | null;
}

const arr = (xs: string[]) => `{${[...new Set(xs)].join(",")}}`;

function usageCtes(r: LimitReads): SQL {
  return sql`,
    s as (select p.id, p.created_at from players p where (select count(*) from l) > 0 and p.id = any(${arr(r.traders)}::uuid[])),
    ws as (select make_interval(secs => "buyWindowSeconds") as span from l where "buyLimit" is not null),
    w as (select f.taker_player_id as buyer, f.created_at, f.quantity from fills f
          where (select count(*) from ws) > 0 and f.taker_player_id = any(${arr(r.buyers)}::uuid[]) and f.taker_side = 'buy'
            and f.market_slug = ${r.slug} and f.created_at > ${r.at.toISOString()}::timestamptz - (select span from ws)
          union all
          select f.maker_player_id, f.created_at, f.quantity from fills f
          where (select count(*) from ws) > 0 and f.maker_player_id = any(${arr(r.buyers)}::uuid[]) and f.taker_side = 'sell'
            and f.market_slug = ${r.slug} and f.created_at > ${r.at.toISOString()}::timestamptz - (select span from ws))`;
}

/** The s rows, and one w row per buyer ("<ms>:<quantity>,..." per batch that bought); `f` adds readAndLock's fifth column. */
const usageRows = (f: boolean) => sql`
    union all select 's', null, id::text, (extract(epoch from created_at) * 1000)::bigint::text${f ? sql`, null` : sql``} from s
    union all select 'w', string_agg(t || ':' || q, ','), buyer::text, null${f ? sql`, null` : sql``}
      from (select buyer, (extract(epoch from created_at) * 1000)::bigint as t, sum(quantity) as q from w group by buyer, created_at) x group by buyer`;

/** The CTEs for readAndLock (each starts with a comma), and its extra union rows (k l, s, w; five columns). */
export function limitParts(itemTypeId: number, r: LimitReads | undefined): { ctes: SQL; rows: SQL } {
  if (!r) return { ctes: sql``, rows: sql`` };
  return {
    ctes: sql`,
    l as (select buy_limit as "buyLimit", buy_window_seconds as "buyWindowSeconds", min_account_age_seconds as "minAccountAgeSeconds",
          new_account_max_order_value as "newAccountMaxOrderValue", new_account_age_seconds as "newAccountAgeSeconds"
          from trading_limits where item_type_id = ${itemTypeId})${r.usage ? usageCtes(r) : sql``}`,
    rows: sql`
    union all select 'l', to_jsonb(l)::text, null, null, null from l${r.usage ? usageRows(true) : sql``}`,
  };
}

/** Collects the l, s and w rows of a statement's result; undefined when there is no limits row. */
export function collectLimits(found: LimitRow[], usageRead: boolean): FoundLimits | undefined {
  let limits: TradingLimits | undefined;
  const signedUp = new Map<string, number>();
  const bought = new Map<string, Array<[number, number]>>();
  for (const r of found) {
    if (r.k === "l") {
      const l = JSON.parse(r.j!) as TradingLimits;
      limits = { ...l, buyLimit: l.buyLimit === null ? null : Number(l.buyLimit), newAccountMaxOrderValue: l.newAccountMaxOrderValue === null ? null : Number(l.newAccountMaxOrderValue) };
    } else if (r.k === "s") signedUp.set(r.p!, Number(r.a));
    else if (r.k === "w") {
      bought.set(r.p!, r.j!.split(",").map((pair) => pair.split(":").map(Number) as [number, number]));
    }
  }
  return limits && { limits, signedUp, bought, complete: usageRead };
}

/** The usage alone, in the batch's transaction: for the first batch that finds limits it did not expect. */
export async function readLimitUsage(tx: Db, itemTypeId: number, r: LimitReads): Promise<FoundLimits | undefined> {
  const { ctes } = limitParts(itemTypeId, { ...r, usage: true });
  const found = await rows<LimitRow>(tx, sql`
    with none as (select 1)${ctes}
    select 'l' as k, to_jsonb(l)::text as j, null as p, null as a from l${usageRows(false)}`);
  return collectLimits(found, true);
}
