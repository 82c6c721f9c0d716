/** What a market room loads on start: its config, its open orders (as a book snapshot), its counters. */
import { sql } from "drizzle-orm";
import type { BookSnapshot, OrderView } from "../../party/engine";
import type { MarketConfig, OrderRow } from "../../party/settlement/types";
import { rows, type Db } from "../db";

export async function loadMarket(db: Db, slug: string): Promise<MarketConfig | undefined> {
  const [m] = await rows<MarketConfig & { tickSize: string; lotSize: string }>(db, sql`
    select m.slug, m.item_type_id as "itemTypeId", t.tick_size::text as "tickSize", t.lot_size::text as "lotSize",
      m.maker_fee_bps as "makerFeeBps", m.taker_fee_bps as "takerFeeBps", m.status, t.name, t.icon
    from markets m join item_types t on t.id = m.item_type_id where m.slug = ${slug}`);
  return m ? { ...m, tickSize: Number(m.tickSize), lotSize: Number(m.lotSize) } : undefined;
}

export const orderColumns = sql`
  id::text as id, player_id::text as "playerId", client_order_id as "clientOrderId", side, kind,
  time_in_force as "timeInForce", stp, code, price::text as price, quantity::text as quantity, remaining::text as remaining,
  filled::text as filled, reserved::text as reserved, status, seq::text as seq, priority::text as priority,
  (extract(epoch from expires_at) * 1000)::bigint::text as "expiresAt"`;

export type Raw = Record<keyof OrderRow, string | number | null>;
export const toOrderRow = (r: Raw): OrderRow => ({
  id: r.id as string,
  playerId: r.playerId as string,
  clientOrderId: r.clientOrderId as string,
  side: r.side as OrderRow["side"],
  kind: r.kind as OrderRow["kind"],
  timeInForce: r.timeInForce as OrderRow["timeInForce"],
  stp: r.stp as OrderRow["stp"],
  code: Number(r.code),
  price: r.price === null ? null : Number(r.price),
  quantity: Number(r.quantity),
  remaining: Number(r.remaining),
  filled: Number(r.filled),
  reserved: Number(r.reserved),
  status: r.status as OrderRow["status"],
  seq: Number(r.seq),
  priority: Number(r.priority ?? 0),
  expiresAt: r.expiresAt === null ? null : Number(r.expiresAt),
});

export async function loadOpenOrders(db: Db, slug: string): Promise<OrderRow[]> {
  const found = await rows<Raw>(db, sql`
    select ${orderColumns} from orders where market_slug = ${slug} and status = 'open' order by seq`);
  return found.map(toOrderRow);
}

/** Open orders as the engine's snapshot: best level first, time priority (seq) within a level. */
export function toSnapshot(config: MarketConfig, open: OrderRow[], nextSeq: number): BookSnapshot {
  const view = (o: OrderRow): OrderView => ({
    orderId: o.id, playerId: o.playerId, clientOrderId: o.clientOrderId, side: o.side, price: o.price!, remaining: o.remaining,
    filled: o.filled, seq: o.seq, timeInForce: o.timeInForce === "POST_ONLY" ? "POST_ONLY" : "GTC", stp: o.stp, expiresAt: o.expiresAt,
  });
  const bids = open.filter((o) => o.side === "buy").sort((a, b) => b.price! - a.price! || a.priority - b.priority).map(view);
  const asks = open.filter((o) => o.side === "sell").sort((a, b) => a.price! - b.price! || a.priority - b.priority).map(view);
  return { version: 1, tickSize: config.tickSize, lotSize: config.lotSize, nextSeq, bids, asks };
}

export async function loadCounters(db: Db, slug: string): Promise<{ nextSeq: number; nextFillSeq: number; nextPriority: number }> {
  const [c] = await rows<{ seq: string | null; fill: string | null; priority: string | null }>(db, sql`
    select (select max(seq) from orders where market_slug = ${slug})::text as seq,
      (select max(priority) from orders where market_slug = ${slug})::text as priority,
      (select max(seq) from fills where market_slug = ${slug})::text as fill`);
  return { nextSeq: Number(c?.seq ?? 0) + 1, nextFillSeq: Number(c?.fill ?? 0) + 1, nextPriority: Number(c?.priority ?? 0) + 1 };
}

/** The last 24h of 1m candles (oldest first) and the last trade price, to seed rolling stats. */
export async function loadRecentCandles(db: Db, slug: string) {
  const candles = await rows<{ bucket: string; open: string; high: string; low: string; close: string; volume: string; trades: number }>(db, sql`
    select bucket::text, open::text, high::text, low::text, close::text, volume::text, trades from candles
    where market_slug = ${slug} and interval = '1m' and bucket > now() - interval '24 hours' order by bucket`);
  const [last] = await rows<{ price: string }>(db, sql`
    select price::text from fills where market_slug = ${slug} order by seq desc limit 1`);
  return {
    candles: candles.map((c) => ({ bucket: new Date(c.bucket), open: +c.open, high: +c.high, low: +c.low, close: +c.close, volume: +c.volume, trades: c.trades })),
    lastPrice: last ? Number(last.price) : null,
  };
}
