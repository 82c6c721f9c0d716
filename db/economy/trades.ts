/**
 * economy_trades: market trades per clock hour and item type, kept by a feed consumer. A market
 * event (order_placed / order_amended) names the fills it made by (market, seq); the fill rows were
 * written in the same transaction, so they are there when the event is. Prices and quantities come
 * from them; the hour is the event's. Fills of one market commit in seq order (the room serializes
 * its batches), so open is the first fill of the hour seen and close the last.
 */
import { sql } from "drizzle-orm";
import { rows, type Db } from "../db";
import type { Consumer } from "../consumers/run";
import type { FeedEvent } from "../feed/read";

export interface NamedFill {
  market: string;
  seq: number;
  hour: string;
  /** Order in the page: the feed's order. */
  ord: number;
}

/** The fills some events name, in the feed's order (pure). */
export function namedFills(events: FeedEvent[]): NamedFill[] {
  const out: NamedFill[] = [];
  for (const e of events) {
    const { market, fills } = e.payload as { market?: unknown; fills?: unknown };
    if (typeof market !== "string" || !Array.isArray(fills)) continue;
    const hour = `${e.createdAt.slice(0, 13)}:00:00Z`;
    for (const seq of fills) if (typeof seq === "number") out.push({ market, seq, hour, ord: out.length });
  }
  return out;
}

export const tradesConsumer: Consumer = {
  name: "economy_trades",
  types: ["order_placed", "order_amended"],
  async apply(tx, events) {
    const named = namedFills(events);
    if (named.length === 0) return;
    await tx.execute(sql`
      with f as (select * from jsonb_to_recordset(${JSON.stringify(named)}::jsonb) as x(market text, seq bigint, hour timestamptz, ord int)),
      t as (
        select f.hour, m.item_type_id, fi.price, fi.quantity, f.ord
        from f join fills fi on fi.market_slug = f.market and fi.seq = f.seq join markets m on m.slug = f.market),
      a as (
        select hour, item_type_id, count(*)::int as trades, sum(quantity) as quantity, sum(price * quantity) as notional,
          max(price) as high, min(price) as low,
          (array_agg(price order by ord))[1] as open, (array_agg(price order by ord desc))[1] as close
        from t group by hour, item_type_id)
      insert into economy_trades (hour, item_type_id, trades, quantity, notional, open, high, low, close)
      select hour, item_type_id, trades, quantity, notional, open, high, low, close from a order by hour, item_type_id
      on conflict (hour, item_type_id) do update set trades = economy_trades.trades + excluded.trades,
        quantity = economy_trades.quantity + excluded.quantity, notional = economy_trades.notional + excluded.notional,
        high = greatest(economy_trades.high, excluded.high), low = least(economy_trades.low, excluded.low), close = excluded.close`);
  },
  async reset(tx) {
    await tx.execute(sql`delete from economy_trades`);
  },
};

export interface TradeHour {
  hour: string;
  item: number;
  trades: number;
  quantity: number;
  notional: number;
  open: number;
  high: number;
  low: number;
  close: number;
}

export async function readTradeHours(db: Db, from = "1970-01-01T00:00:00Z"): Promise<TradeHour[]> {
  const found = await rows<Record<string, string | number>>(db, sql`
    select to_char(hour at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as hour, item_type_id as item, trades,
      quantity::text as quantity, notional::text as notional, open::text as open, high::text as high, low::text as low, close::text as close
    from economy_trades where hour >= ${from}::timestamptz order by hour, item_type_id`);
  return found.map((r) => ({
    hour: String(r.hour), item: Number(r.item), trades: Number(r.trades), quantity: Number(r.quantity), notional: Number(r.notional),
    open: Number(r.open), high: Number(r.high), low: Number(r.low), close: Number(r.close),
  }));
}
