/** Market reads for pages and the API: markets with 24h stats, trades, candles, my orders and fills. */
import { sql } from "drizzle-orm";
import type { OrderRow } from "../../party/settlement/types";
import { rows, type Db } from "../db";
import { toOrderRow } from "./load";

export interface MarketSummary {
  slug: string;
  itemTypeId: number;
  name: string;
  icon: string;
  category: string;
  description: string;
  tickSize: number;
  lotSize: number;
  makerFeeBps: number;
  takerFeeBps: number;
  status: string;
  last: number | null;
  open24h: number | null;
  high24h: number | null;
  low24h: number | null;
  volume24h: number;
  trades24h: number;
}

const summary = sql`
  select m.slug, t.id as "itemTypeId", t.name, t.icon, t.category, t.description, t.tick_size::text as "tickSize",
    t.lot_size::text as "lotSize", m.maker_fee_bps as "makerFeeBps", m.taker_fee_bps as "takerFeeBps", m.status,
    (select f.price::text from fills f where f.market_slug = m.slug order by f.seq desc limit 1) as last,
    d.open::text as "open24h", d.high::text as "high24h", d.low::text as "low24h",
    coalesce(d.volume, 0)::text as "volume24h", coalesce(d.trades, 0)::int as "trades24h"
  from markets m join item_types t on t.id = m.item_type_id
  left join lateral (
    select (array_agg(c.open order by c.bucket))[1] as open, max(c.high) as high, min(c.low) as low,
      sum(c.volume) as volume, sum(c.trades) as trades
    from candles c where c.market_slug = m.slug and c.interval = '5m' and c.bucket > now() - interval '24 hours'
  ) d on true`;

type Raw = Record<keyof MarketSummary, string | number | null>;
const toSummary = (r: Raw): MarketSummary => ({
  ...(r as unknown as MarketSummary),
  tickSize: Number(r.tickSize),
  lotSize: Number(r.lotSize),
  last: r.last === null ? null : Number(r.last),
  open24h: r.open24h === null ? null : Number(r.open24h),
  high24h: r.high24h === null ? null : Number(r.high24h),
  low24h: r.low24h === null ? null : Number(r.low24h),
  volume24h: Number(r.volume24h),
});

export async function listMarkets(db: Db, q: { search?: string; category?: string } = {}): Promise<MarketSummary[]> {
  const where = [sql`true`];
  if (q.search) where.push(sql`t.search @@ websearch_to_tsquery('english', ${q.search})`);
  if (q.category) where.push(sql`t.category = ${q.category}`);
  const found = await rows<Raw>(db, sql`${summary} where ${sql.join(where, sql` and `)} order by t.category, t.name`);
  return found.map(toSummary);
}

export async function getMarket(db: Db, slug: string): Promise<MarketSummary | undefined> {
  const [found] = await rows<Raw>(db, sql`${summary} where m.slug = ${slug}`);
  return found ? toSummary(found) : undefined;
}

export async function recentTrades(db: Db, slug: string, limit = 50) {
  const found = await rows<{ seq: string; price: string; quantity: string; takerSide: "buy" | "sell"; at: string }>(db, sql`
    select seq::text, price::text, quantity::text, taker_side as "takerSide", (extract(epoch from created_at) * 1000)::bigint::text as at
    from fills where market_slug = ${slug} order by seq desc limit ${Math.min(Math.max(limit, 1), 500)}`);
  return found.map((f) => ({ seq: +f.seq, price: +f.price, quantity: +f.quantity, takerSide: f.takerSide, at: +f.at }));
}

/**
 * The book as last committed to the database: open orders summed by price, best first, `depth`
 * levels a side, in the room snapshot's shape ([price, total]). The market page paints it at once;
 * the room's live snapshot (over the socket) replaces it moments later. Orders whose time has run
 * out are left off (the room expires them on its next tick).
 */
export async function committedBook(db: Db, slug: string, depth = 20): Promise<{ bids: Array<[number, number]>; asks: Array<[number, number]> }> {
  const n = Math.min(Math.max(depth, 1), 200);
  const found = await rows<{ side: "buy" | "sell"; price: string; total: string }>(db, sql`
    (select 'buy' as side, price::text, sum(remaining)::text as total from orders
      where market_slug = ${slug} and status = 'open' and side = 'buy' and price is not null and remaining > 0
        and (expires_at is null or expires_at > now())
      group by price order by price desc limit ${n})
    union all
    (select 'sell' as side, price::text, sum(remaining)::text as total from orders
      where market_slug = ${slug} and status = 'open' and side = 'sell' and price is not null and remaining > 0
        and (expires_at is null or expires_at > now())
      group by price order by price asc limit ${n})`);
  const level = (r: { price: string; total: string }): [number, number] => [+r.price, +r.total];
  return { bids: found.filter((r) => r.side === "buy").map(level), asks: found.filter((r) => r.side === "sell").map(level) };
}

import type { Interval } from "./intervals";
export { INTERVALS, type Interval } from "./intervals";

/** The last `limit` candles, oldest first (at most `max`), with their notional (copper traded). */
export async function candles(db: Db, slug: string, interval: Interval, limit = 300, max = 1000) {
  const found = await rows<{ t: string; o: string; h: string; l: string; c: string; v: string; n: string }>(db, sql`
    select (extract(epoch from bucket))::bigint::text as t, open::text as o, high::text as h, low::text as l, close::text as c, volume::text as v,
      notional::text as n
    from candles where market_slug = ${slug} and interval = ${interval} order by bucket desc limit ${Math.min(Math.max(limit, 1), max)}`);
  return found.reverse().map((r) => ({ time: +r.t, open: +r.o, high: +r.h, low: +r.l, close: +r.c, volume: +r.v, notional: +r.n }));
}

/** My orders: open ones, or my history, in one market or all. Scoped to the player by signature. */
export async function myOrders(db: Db, q: { playerId: string; status: "open" | "history"; market?: string; limit?: number }): Promise<Array<OrderRow & { market: string; createdAt: string }>> {
  const found = await rows<Record<string, string | number | null>>(db, sql`
    select id::text as id, player_id::text as "playerId", client_order_id as "clientOrderId", side, kind,
      time_in_force as "timeInForce", stp, code, price::text as price, quantity::text as quantity, remaining::text as remaining,
      filled::text as filled, reserved::text as reserved, status, seq::text as seq,
      (extract(epoch from expires_at) * 1000)::bigint::text as "expiresAt", market_slug as market,
      to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as "createdAt"
    from orders where player_id = ${q.playerId}
      and ${q.status === "open" ? sql`status = 'open'` : sql`status <> 'open'`}
      ${q.market ? sql`and market_slug = ${q.market}` : sql``}
    order by created_at desc limit ${Math.min(Math.max(q.limit ?? 100, 1), 500)}`);
  return found.map((r) => ({ ...toOrderRow(r as never), market: r.market as string, createdAt: r.createdAt as string }));
}

export interface MyFill {
  /** The fill's row id: with its time, the keyset for paging (see `before`). */
  id: number;
  market: string;
  seq: number;
  price: number;
  quantity: number;
  /** My side of the trade (a self-trade counts as its taker side). */
  side: "buy" | "sell";
  role: "maker" | "taker";
  /** Copper I paid in fees for this fill. */
  fee: number;
  orderId: string;
  /** ISO 8601, UTC, seconds. */
  at: string;
}

export interface MyFillsQuery {
  playerId: string;
  market?: string;
  /** My side. */
  side?: "buy" | "sell";
  /** Fills at or after this instant. */
  from?: Date;
  /** Fills before this instant. */
  to?: Date;
  /** Only fills older than this one (a fill id from a previous page): keyset paging, newest first. */
  before?: number;
  limit?: number;
}

/** The filter of my fills; my side is the taker's side when I took, else the other one. */
function fillsWhere(q: MyFillsQuery) {
  const mine = sql`(f.maker_player_id = ${q.playerId} or f.taker_player_id = ${q.playerId})`;
  const side = sql`case when f.taker_player_id = ${q.playerId} then f.taker_side else (case f.taker_side when 'buy' then 'sell' else 'buy' end) end`;
  const where = [mine];
  if (q.market) where.push(sql`f.market_slug = ${q.market}`);
  if (q.side) where.push(sql`${side} = ${q.side}`);
  if (q.from) where.push(sql`f.created_at >= ${q.from.toISOString()}::timestamptz`);
  if (q.to) where.push(sql`f.created_at < ${q.to.toISOString()}::timestamptz`);
  if (q.before !== undefined) where.push(sql`(f.created_at, f.id) < (select b.created_at, b.id from fills b where b.id = ${q.before})`);
  return { side, where: sql.join(where, sql` and `) };
}

/** My fills, as maker or taker, with my side, fee and the market; filtered, newest first (at most 500). */
export async function myFills(db: Db, q: MyFillsQuery): Promise<MyFill[]> {
  return selectFills(db, q, Math.min(Math.max(q.limit ?? 100, 1), 500));
}

/** Newest first: time, then row id (the fills of one batch share their time). */
async function selectFills(db: Db, q: MyFillsQuery, limit: number): Promise<MyFill[]> {
  const { side, where } = fillsWhere(q);
  const found = await rows<Record<string, string>>(db, sql`
    select f.id::text as id, f.market_slug as market, f.seq::text as seq, f.price::text as price, f.quantity::text as quantity,
      ${side} as side,
      case when f.taker_player_id = ${q.playerId} then 'taker' else 'maker' end as role,
      case when f.taker_player_id = ${q.playerId} then f.taker_fee else f.maker_fee end::text as fee,
      case when f.taker_player_id = ${q.playerId} then f.taker_order_id else f.maker_order_id end::text as "orderId",
      to_char(f.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as at
    from fills f where ${where}
    order by f.created_at desc, f.id desc limit ${limit}`);
  return found.map((f) => ({
    id: +f.id!, market: f.market!, seq: +f.seq!, price: +f.price!, quantity: +f.quantity!, side: f.side as "buy" | "sell",
    role: f.role as "maker" | "taker", fee: +f.fee!, orderId: f.orderId!, at: f.at!,
  }));
}

/** One page of my fills and the cursor of the next (older) page, null on the last. */
export async function myFillsPage(db: Db, q: MyFillsQuery & { limit: number }): Promise<{ fills: MyFill[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(q.limit, 1), 500);
  const found = await selectFills(db, q, limit + 1);
  const fills = found.slice(0, limit);
  return { fills, nextCursor: found.length > limit ? String(fills[fills.length - 1]!.id) : null };
}

/** Totals of my filtered fills (copper): bought and sold notional, what I paid and got, fees. */
export async function myFillsTotals(db: Db, q: Omit<MyFillsQuery, "before" | "limit">) {
  const { side, where } = fillsWhere(q);
  const [t] = await rows<Record<string, string>>(db, sql`
    select count(*)::text as count,
      coalesce(sum(case when s.side = 'buy' then s.notional + s.fee end), 0)::text as paid,
      coalesce(sum(case when s.side = 'sell' then s.notional - s.fee end), 0)::text as received,
      coalesce(sum(s.fee), 0)::text as fees
    from (
      select ${side} as side, f.price * f.quantity as notional,
        case when f.taker_player_id = ${q.playerId} then f.taker_fee else f.maker_fee end as fee
      from fills f where ${where}
    ) s`);
  return { count: Number(t!.count), paid: Number(t!.paid), received: Number(t!.received), fees: Number(t!.fees) };
}

/** Markets holding open orders whose expiry has passed: their rooms' alarms are late (or lost). */
export async function marketsWithDueOrders(db: Db, asOf: Date = new Date()): Promise<string[]> {
  const found = await rows<{ slug: string }>(db, sql`
    select distinct market_slug as slug from orders where status = 'open' and expires_at is not null and expires_at <= ${asOf.toISOString()}::timestamptz`);
  return found.map((r) => r.slug);
}
