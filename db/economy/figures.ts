/**
 * The economy's figures for a period, read from the projections (economy_flows, economy_trades,
 * economy_positions), never by rescanning the events, with the pure statistics of
 * app/utils/economy. 24 h works in hours, the other periods in UTC days.
 */
import { sql } from "drizzle-orm";
import { gini, topShare, velocity } from "../../app/utils/economy/inequality";
import { inflationRate, laspeyres, type IndexPoint, type ItemTrades } from "../../app/utils/economy/price-index";
import { rows, type Db } from "../db";
import { readEconomyFlows, type Period } from "./read";
import { readTradeHours, type TradeHour } from "./trades";

export interface EconomyFigures {
  period: Period;
  from: string;
  moneySupply: number;
  tradedValue: number;
  velocity: number;
  priceIndex: { basket: Array<{ item: number; weight: number; basePrice: number }>; points: IndexPoint[]; inflation: number };
  wealth: { players: number; gini: number; top1: number; top10: number };
  /** Per item traded in the period, by traded value: volume, value, last price and its change. */
  markets: Array<{ item: number; trades: number; quantity: number; notional: number; high: number; low: number; close: number; changeBps: number | null }>;
  /** Fungible supply of each asset (0 = copper) from the faucets and sinks. */
  supply: Array<{ asset: number; supply: number }>;
}

const HOUR = 3_600_000;
const DAY = 86_400_000;

export function periodStart(period: Period, now: Date): string {
  if (period === "24h") return new Date(Math.floor(now.getTime() / HOUR) * HOUR - 23 * HOUR).toISOString().replace(".000Z", "Z");
  if (period === "all") return "1970-01-01T00:00:00Z";
  const days = period === "7d" ? 7 : 30;
  return new Date(Math.floor(now.getTime() / DAY) * DAY - (days - 1) * DAY).toISOString().replace(".000Z", "Z");
}

/** The figures from trade hours and positions (pure, so tests can feed it brute-force inputs). */
export function figuresOf(period: Period, from: string, hours: TradeHour[], before: Map<number, number>, worth: number[], moneySupply: number) {
  const inPeriod = hours.filter((h) => h.hour >= from);
  const bucket = (h: TradeHour) => (period === "24h" ? h.hour : h.hour.slice(0, 10));
  const buckets = new Map<string, ItemTrades[]>();
  for (const h of inPeriod) {
    const list = buckets.get(bucket(h)) ?? [];
    list.push({ item: h.item, quantity: h.quantity, notional: h.notional });
    buckets.set(bucket(h), list);
  }
  const periods = [...buckets].sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, trades]) => ({ key, trades }));
  const index = laspeyres(periods[0]?.trades ?? [], periods);
  const markets = new Map<number, EconomyFigures["markets"][number] & { first: number }>();
  for (const h of inPeriod) {
    const m = markets.get(h.item);
    if (!m) markets.set(h.item, { item: h.item, trades: h.trades, quantity: h.quantity, notional: h.notional, high: h.high, low: h.low, close: h.close, changeBps: null, first: h.open });
    else Object.assign(m, { trades: m.trades + h.trades, quantity: m.quantity + h.quantity, notional: m.notional + h.notional, high: Math.max(m.high, h.high), low: Math.min(m.low, h.low), close: h.close });
  }
  const list = [...markets.values()].map(({ first, ...m }) => {
    const ref = before.get(m.item) ?? first;
    return { ...m, changeBps: ref > 0 ? Math.round(((m.close - ref) * 10_000) / ref) : null };
  });
  list.sort((a, b) => b.notional - a.notional || a.item - b.item);
  const tradedValue = list.reduce((s, m) => s + m.notional, 0);
  return {
    tradedValue,
    velocity: velocity(tradedValue, moneySupply),
    priceIndex: { ...index, inflation: inflationRate(index.points) },
    wealth: { players: worth.length, gini: gini(worth), top1: topShare(worth, 0.01), top10: topShare(worth, 0.1) },
    markets: list,
  };
}

export async function readEconomyFigures(db: Db, period: Period, now = new Date()): Promise<EconomyFigures> {
  const from = periodStart(period, now);
  const hours = await readTradeHours(db, from);
  // Each item's last price before the period: the reference for its change.
  const before = await rows<{ item: number; close: string }>(db, sql`
    select distinct on (item_type_id) item_type_id as item, close::text as close from economy_trades
    where hour < ${from}::timestamptz order by item_type_id, hour desc`);
  // Net worth at market prices: copper + each holding x its item's last traded price (0 if never traded).
  const worth = await rows<{ worth: string }>(db, sql`
    with last as (select distinct on (item_type_id) item_type_id, close from economy_trades order by item_type_id, hour desc)
    select sum(case when p.asset = 0 then p.amount else p.amount * coalesce(l.close, 0) end)::text as worth
    from economy_positions p left join last l on l.item_type_id = p.asset
    group by p.player_id having sum(case when p.asset = 0 then p.amount else p.amount * coalesce(l.close, 0) end) > 0`);
  const supply = await rows<{ asset: number; supply: string }>(db, sql`
    select asset, sum(minted - burned - sunk)::text as supply from economy_flows group by asset order by asset`);
  const flows = await readEconomyFlows(db, "all", now);
  const moneySupply = flows.days.at(-1)?.moneySupply ?? 0;
  return {
    period,
    from,
    moneySupply,
    ...figuresOf(period, from, hours, new Map(before.map((b) => [Number(b.item), Number(b.close)])), worth.map((w) => Number(w.worth)), moneySupply),
    supply: supply.map((s) => ({ asset: Number(s.asset), supply: Number(s.supply) })),
  };
}
